/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the sequencer bridge with the real core and OUT queue, a
 * mock transport (usbdev) and a mock sequencer (bridge_seq_ops). One thread. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apcmini.h"
#include "apcusb.h"
#include "bridge.h"
#include "usbmidi.h"
#include "usbout.h"

#include "mock-seq.h"

/* ---- mock transport ---- */

struct mock_usb {
	struct usbdev pub;
	unsigned int kicks;
	unsigned int in_flight;
};

static void mock_kick(struct usbdev *d)
{
	((struct mock_usb *)d)->kicks++;
}

static unsigned int mock_out_in_flight(struct usbdev *d)
{
	return ((struct mock_usb *)d)->in_flight;
}

static const struct usbdev_ops mock_usb_ops = {
	.kick = mock_kick,
	.out_in_flight = mock_out_in_flight,
};

static void mock_usb_init(struct mock_usb *m, const struct apc_model *model, const char *key)
{
	memset(m, 0, sizeof(*m));
	m->pub.ops = &mock_usb_ops;
	m->pub.model = model;
	m->pub.out_packet_size = 64;
	snprintf(m->pub.key, sizeof(m->pub.key), "%s", key);
	snprintf(m->pub.path, sizeof(m->pub.path), "1-1");
	/* The names the transport reads from a device without jack strings. */
	usbmidi_card_name(m->pub.card_name, model->usb_product, model->vid, model->pid);
	usbmidi_port_name(m->pub.port_names[0], m->pub.card_name, NULL, 0);
	usbmidi_port_name(m->pub.port_names[1], m->pub.card_name, NULL, 1);
}

/* ---- fixture ---- */

struct local_msg {
	unsigned int cable;
	uint8_t msg[8];
	size_t len;
	uint64_t t_ns;
	unsigned int seq_before; /* sequencer events written before it */
};

struct fixture {
	struct bridge *b;
	struct mock_usb usb;
	unsigned int gone;
	struct local_msg local[16];
	unsigned int n_local;
};

/* The in-process tap (apcminid --synth's). */
static void fixture_local(void *user, struct bridge_dev *bd, unsigned int cable,
			  const uint8_t *msg, size_t len, uint64_t t_ns)
{
	struct fixture *f = user;
	struct local_msg *l;

	(void)bd;
	assert_true(f->n_local < 16);
	l = &f->local[f->n_local++];
	l->cable = cable;
	l->len = len < sizeof(l->msg) ? len : sizeof(l->msg);
	memcpy(l->msg, msg, l->len);
	l->t_ns = t_ns;
	l->seq_before = mseq.n_out;
}

static void fixture_gone(void *user, struct bridge_dev *bd)
{
	((struct fixture *)user)->gone++;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct bridge_options opt = { .gone = fixture_gone };

	assert_non_null(f);
	mock_seq_init(512);
	opt.user = f;
	assert_int_equal(bridge_new(&f->b, mock_seq_ops, NULL, &opt), 0);
	*state = f;
	return 0;
}

static int setup_keep_leds(void **state)
{
	struct fixture *f;

	setup(state);
	f = *state;
	bridge_free(f->b);
	{
		struct bridge_options opt = { .keep_leds = 1 };

		assert_int_equal(bridge_new(&f->b, mock_seq_ops, NULL, &opt), 0);
	}
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	struct bridge_dev *bd;
	unsigned int refused;

	for (bd = bridge_devs(f->b); bd; bd = bd->next)
		if (bd->usb)
			bridge_usb_owner.detach(f->b, bd->usb);
	bridge_free(f->b);
	free(f);
	/* No test here writes more than the mock holds: a refused write
	 * would be a lost event, not a full sequencer. */
	refused = mseq.refused;
	mock_seq_free();
	assert_int_equal(refused, 0);
	return 0;
}

/* ---- helpers ---- */

struct msg {
	unsigned int cable;
	uint8_t b[MOCK_SEQ_MAX_SYSEX];
	size_t len;
};

struct msgs {
	struct msg m[256];
	unsigned int n;
};

static void collect(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
	struct msgs *ms = user;

	assert_true(ms->n < 256);
	assert_true(len <= MOCK_SEQ_MAX_SYSEX);
	ms->m[ms->n].cable = cable;
	memcpy(ms->m[ms->n].b, msg, len);
	ms->m[ms->n].len = len;
	ms->n++;
}

/* Pull OUT transfers as the transport would, each up to `cap` bytes, and
 * decode them; returns the number of transfers. */
static unsigned int pull_out(struct fixture *f, struct usbdev *u, size_t cap, struct msgs *ms)
{
	static struct usbmidi_decoder dec;
	uint8_t buf[APCUSB_OUT_BUFSIZE];
	unsigned int transfers = 0;
	uint64_t due = 0;
	size_t n;

	usbmidi_decoder_init(&dec);
	if (ms)
		ms->n = 0;
	assert_true(cap <= sizeof(buf));

	while ((n = bridge_usb_owner.fill_out(f->b, u, buf, cap, 0, &due)) > 0) {
		assert_true(n <= cap);
		assert_int_equal(n % USBMIDI_PACKET_SIZE, 0);
		transfers++;
		if (ms)
			usbmidi_decode(&dec, buf, n, collect, ms);
		assert_true(transfers < 1000);
	}
	return transfers;
}

static void attach(struct fixture *f, struct mock_usb *m, const struct apc_model *model,
		   const char *key)
{
	mock_usb_init(m, model, key);
	assert_int_equal(bridge_usb_owner.attach(f->b, &m->pub), 0);
	assert_non_null(m->pub.owner_data);
}

/* Attach and take the first repaint off the queue. */
static struct bridge_dev *attach_clean(struct fixture *f, struct mock_usb *m,
				       const struct apc_model *model, const char *key)
{
	attach(f, m, model, key);
	pull_out(f, &m->pub, APCUSB_OUT_BUFSIZE, NULL);
	return m->pub.owner_data;
}

/* Feed the IN transfer made of these MIDI messages (cable 0 unless said),
 * reaped at `reap_ns`. */
static void usb_in_at(struct fixture *f, struct usbdev *u, unsigned int cable,
		      const uint8_t *midi, size_t len, uint64_t reap_ns)
{
	uint8_t pkts[USBMIDI_ENCODE_MAX(64)];
	struct usbmidi_encoder enc;
	int n;

	usbmidi_encoder_init(&enc);
	n = usbmidi_encode(&enc, cable, midi, len, pkts, sizeof(pkts));
	assert_true(n > 0);
	bridge_usb_owner.input(f->b, u, pkts, (size_t)n, reap_ns);
}

static void usb_in(struct fixture *f, struct usbdev *u, unsigned int cable, const uint8_t *midi,
		   size_t len)
{
	usb_in_at(f, u, cable, midi, len, 1000000000ull);
}

static uint64_t ev_time_ns(const snd_seq_event_t *ev)
{
	return (uint64_t)ev->time.time.tv_sec * 1000000000ull + ev->time.time.tv_nsec;
}

/* The transport has handed over every transfer of this wake-up. */
static void usb_in_end(struct fixture *f)
{
	bridge_usb_owner.input_end(f->b);
}

static int is_inquiry(const struct msg *m)
{
	return m->len == sizeof(apc_inquiry_request) &&
	       !memcmp(m->b, apc_inquiry_request, sizeof(apc_inquiry_request));
}

/* ---- tests ---- */

static void test_attach_repaints_all(void **state)
{
	struct fixture *f = *state;
	struct msgs ms;
	uint8_t seen[APC_NUM_LEDS] = { 0 };
	unsigned int i, transfers, inquiries = 0;
	struct apc_led led;
	int idx;

	attach(f, &f->usb, &apc_model_mk1, "port:1-1");
	assert_int_equal(mseq.opens, 1);
	assert_string_equal(mseq.last_name, "APC MINI");
	assert_int_equal(bridge_dev_ports(f->usb.pub.owner_data), 1);
	assert_true(f->usb.kicks >= 1);

	/* The whole first paint plus the inquiry fits one OUT transfer. */
	transfers = pull_out(f, &f->usb.pub, APCUSB_OUT_BUFSIZE, &ms);
	assert_int_equal(transfers, 1);
	assert_int_equal(ms.n, APC_NUM_LEDS + 1);
	for (i = 0; i < ms.n; i++) {
		if (is_inquiry(&ms.m[i])) {
			inquiries++;
			continue;
		}
		idx = apc_led_from_midi(&apc_model_mk1, ms.m[i].b, ms.m[i].len, &led);
		assert_true(idx >= 0);
		assert_int_equal(led.value, 0);
		assert_int_equal(seen[idx], 0);
		seen[idx] = 1;
	}
	assert_int_equal(inquiries, 1);
	/* Nothing left. */
	assert_int_equal(pull_out(f, &f->usb.pub, APCUSB_OUT_BUFSIZE, NULL), 0);
}

static void test_in_transfer_one_drain(void **state)
{
	struct fixture *f = *state;
	/* pad 5 pressed, fader 1 to 64, pad 5 released (mk1 note-off) */
	static const uint8_t midi[] = { 0x90, 5, 127, 0xb0, 48, 64, 0x80, 5, 0 };
	struct mock_seq_event *e;

	attach_clean(f, &f->usb, &apc_model_mk1, "port:1-1");
	usb_in(f, &f->usb.pub, 0, midi, sizeof(midi));
	/* Buffered until the transport has handed over the whole wake-up. */
	assert_int_equal(mseq.drains, 0);
	usb_in_end(f);

	assert_int_equal(mseq.n_out, 3);
	assert_int_equal(mseq.drains, 1);
	e = &mseq.out[0];
	assert_int_equal(e->ev.type, SND_SEQ_EVENT_NOTEON);
	assert_int_equal(e->ev.data.note.channel, 0);
	assert_int_equal(e->ev.data.note.note, 5);
	assert_int_equal(e->ev.data.note.velocity, 127);
	e = &mseq.out[1];
	assert_int_equal(e->ev.type, SND_SEQ_EVENT_CONTROLLER);
	assert_int_equal(e->ev.data.control.param, 48);
	assert_int_equal(e->ev.data.control.value, 64);
	e = &mseq.out[2];
	assert_int_equal(e->ev.type, SND_SEQ_EVENT_NOTEOFF);
	assert_int_equal(e->ev.data.note.note, 5);
	for (e = mseq.out; e < mseq.out + 3; e++) {
		assert_int_equal(e->drain, 1);
		assert_int_equal(e->ev.source.port, 0);
		assert_int_equal(e->ev.dest.client, SND_SEQ_ADDRESS_SUBSCRIBERS);
		assert_int_equal(e->ev.queue, SND_SEQ_QUEUE_DIRECT);
		assert_int_equal(e->ev.flags & SND_SEQ_TIME_STAMP_MASK, SND_SEQ_TIME_STAMP_REAL);
	}

	/* A later wake-up is a second drain. */
	usb_in(f, &f->usb.pub, 0, midi, 3);
	usb_in_end(f);
	assert_int_equal(mseq.n_out, 4);
	assert_int_equal(mseq.drains, 2);
	assert_int_equal(mseq.out[3].drain, 2);
	assert_int_equal(bridge_devs(f->b)->stats.in_drains, 2);

	/* A wake-up without events drains nothing. */
	usb_in_end(f);
	assert_int_equal(mseq.drains, 2);
}

static void test_in_transfers_one_drain_per_wakeup(void **state)
{
	struct fixture *f = *state;
	static const uint8_t press[] = { 0x90, 5, 127 }, fader[] = { 0xb0, 48, 64 };
	struct bridge_dev *bd;
	unsigned int i;

	bd = attach_clean(f, &f->usb, &apc_model_mk1, "port:1-1");
	/* Several transfers reaped in one wake-up, within the hold bound:
	 * one write for all, in order, each event stamped with its own
	 * transfer's time. */
	static const uint64_t reaped[] = { 5000000001ull, 5000250002ull, 5000900003ull };

	usb_in_at(f, &f->usb.pub, 0, press, sizeof(press), reaped[0]);
	usb_in_at(f, &f->usb.pub, 0, fader, sizeof(fader), reaped[1]);
	usb_in_at(f, &f->usb.pub, 0, press, sizeof(press), reaped[2]);
	assert_int_equal(mseq.drains, 0);
	usb_in_end(f);
	assert_int_equal(mseq.drains, 1);
	assert_int_equal(mseq.n_out, 3);
	assert_int_equal(mseq.out[0].ev.type, SND_SEQ_EVENT_NOTEON);
	assert_int_equal(mseq.out[1].ev.type, SND_SEQ_EVENT_CONTROLLER);
	assert_int_equal(mseq.out[2].ev.type, SND_SEQ_EVENT_NOTEON);
	for (i = 0; i < 3; i++) {
		assert_int_equal(mseq.out[i].drain, 1);
		assert_int_equal(mseq.out[i].ev.flags & SND_SEQ_TIME_MODE_MASK,
				 SND_SEQ_TIME_MODE_ABS);
	}
	/* Each event carries the reap time of the transfer it came in,
	 * to the nanosecond, not the time of the drain. */
	for (i = 0; i < 3; i++)
		assert_true(ev_time_ns(&mseq.out[i].ev) == reaped[i]);
	assert_int_equal(bd->stats.in_drains, 1);
	assert_int_equal(bd->stats.in_events, 3);
}

/* A wake-up's batch is held neither past the bound nor past the device:
 * when libusb moves on to another controller, the last one's events leave;
 * a transfer reaped BRIDGE_IN_HOLD_NS (1 ms) after its batch's first sends
 * the batch before it is decoded. */
static void test_in_batch_bounded(void **state)
{
	struct fixture *f = *state;
	static const uint8_t press[] = { 0x90, 5, 127 };
	struct mock_usb second;
	struct bridge_dev *a, *b;
	uint64_t t = 5000000000ull;

	a = attach_clean(f, &f->usb, &apc_model_mk1, "port:1-1");
	b = attach_clean(f, &second, &apc_model_mk1, "port:1-2");
	mseq.n_out = 0;
	mseq.drains = 0;
	usb_in_at(f, &f->usb.pub, 0, press, sizeof(press), t);
	usb_in_at(f, &f->usb.pub, 0, press, sizeof(press), t + 100000);
	assert_int_equal(mseq.drains, 0);
	/* the second controller's transfer: the first one's two leave */
	usb_in_at(f, &second.pub, 0, press, sizeof(press), t + 200000);
	assert_int_equal(mseq.drains, 1);
	assert_int_equal(mseq.n_out, 3);
	assert_int_equal(mseq.out[0].drain, 1);
	assert_int_equal(mseq.out[1].drain, 1);
	assert_int_equal(mseq.out[2].drain, 0);
	/* 0.999 ms after its batch's first: still held */
	usb_in_at(f, &second.pub, 0, press, sizeof(press), t + 1199999);
	assert_int_equal(mseq.drains, 1);
	/* 1 ms after: the batch leaves first, this one starts the next */
	usb_in_at(f, &second.pub, 0, press, sizeof(press), t + 1200000);
	assert_int_equal(mseq.drains, 2);
	assert_int_equal(mseq.out[3].drain, 2);
	assert_int_equal(mseq.out[4].drain, 0);
	usb_in_end(f);
	assert_int_equal(mseq.drains, 3);
	assert_int_equal(mseq.out[4].drain, 3);
	assert_int_equal(a->stats.in_drains, 1);
	assert_int_equal(b->stats.in_drains, 2);
	bridge_usb_owner.detach(f->b, &second.pub);
}

/* With a local consumer, every device message reaches it first, with its
 * transfer's reap time, and still goes to the sequencer; the answer to the
 * bridge's own question goes to neither. */
static void test_local_tap(void **state)
{
	struct fixture *f = *state;
	static const uint8_t press[] = { 0x90, 7, 127 }, note[] = { 0x90, 60, 100 };
	struct bridge_options opt = { .gone = fixture_gone, .local = fixture_local,
				     .local_user = f, .user = f };
	uint8_t reply[64];
	int n;

	bridge_free(f->b);
	assert_int_equal(bridge_new(&f->b, mock_seq_ops, NULL, &opt), 0);
	attach_clean(f, &f->usb, &apc_model_mk2, "serial:L1");
	n = apc_inquiry_reply(&apc_model_mk2, 0, reply, sizeof(reply));
	usb_in_at(f, &f->usb.pub, 0, reply, (size_t)n, 3000);
	assert_int_equal(f->n_local, 0);
	usb_in_at(f, &f->usb.pub, 0, press, sizeof(press), 4000000123ull);
	usb_in_at(f, &f->usb.pub, 1, note, sizeof(note), 4000500456ull);
	assert_int_equal(f->n_local, 2);
	assert_int_equal(f->local[0].cable, 0);
	assert_int_equal(f->local[0].len, 3);
	assert_memory_equal(f->local[0].msg, press, 3);
	assert_true(f->local[0].t_ns == 4000000123ull);
	assert_int_equal(f->local[1].cable, 1);
	assert_memory_equal(f->local[1].msg, note, 3);
	assert_true(f->local[1].t_ns == 4000500456ull);
	/* Before the sequencer: the local path does not wait for the drain. */
	assert_int_equal(f->local[0].seq_before, 0);
	usb_in_end(f);
	assert_int_equal(mseq.n_out, 2);
}

static void test_identity_reply_swallowed_once(void **state)
{
	struct fixture *f = *state;
	struct bridge_dev *bd;
	uint8_t reply[64];
	int n;

	bd = attach_clean(f, &f->usb, &apc_model_mk2, "serial:X1");
	assert_true(bd->inquiry_pending);
	n = apc_inquiry_reply(&apc_model_mk2, 0, reply, sizeof(reply));
	assert_true(n > 0);
	usb_in(f, &f->usb.pub, 0, reply, (size_t)n);
	assert_int_equal(mseq.n_out, 0);
	assert_ptr_equal(bd->confirmed, &apc_model_mk2);
	assert_false(bd->inquiry_pending);

	/* Unasked-for replies are the clients' business. */
	usb_in(f, &f->usb.pub, 0, reply, (size_t)n);
	assert_int_equal(mseq.n_out, 1);
	assert_int_equal(mseq.out[0].ev.type, SND_SEQ_EVENT_SYSEX);
	assert_int_equal(mseq.out[0].ev.data.ext.len, n);
	assert_memory_equal(mseq.out[0].data, reply, (size_t)n);
}

static void test_led_burst_coalesced(void **state)
{
	struct fixture *f = *state;
	struct msgs ms;
	unsigned int round, pad, kicks, i;
	uint8_t want[APC_NUM_PADS] = { 0 };
	struct apc_led led;
	int idx;

	attach_clean(f, &f->usb, &apc_model_mk1, "port:1-1");
	kicks = f->usb.kicks;
	/* 3 rounds over pads 0-9 (latest wins), pad 20 set to what it shows
	 * already (off), pad 30 on and back off: 32 events, 10 changes. */
	for (round = 0; round < 3; round++)
		for (pad = 0; pad < 10; pad++) {
			want[pad] = (uint8_t)((round + pad) % 6 + 1);
			mock_seq_in_note(0, 0x90, pad, want[pad]);
		}
	mock_seq_in_note(0, 0x90, 20, 0);
	mock_seq_in_note(0, 0x90, 30, 5);
	mock_seq_in_note(0, 0x80, 30, 0);
	bridge_dev_seq_ready(f->usb.pub.owner_data);

	assert_int_equal(mseq.in_pos, mseq.n_in);
	assert_int_equal(f->usb.kicks, kicks + 1);
	assert_int_equal(pull_out(f, &f->usb.pub, APCUSB_OUT_BUFSIZE, &ms), 1);
	assert_int_equal(ms.n, 10);
	for (i = 0; i < ms.n; i++) {
		idx = apc_led_from_midi(&apc_model_mk1, ms.m[i].b, ms.m[i].len, &led);
		assert_true(idx >= 0 && idx < 10);
		assert_int_equal(led.value, want[idx]);
		want[idx] = 0xff; /* each LED once */
	}

	/* The same values again change nothing: no kick, nothing to send. */
	mseq.n_in = mseq.in_pos = 0;
	mock_seq_in_note(0, 0x90, 3, (3 + 2) % 6 + 1);
	bridge_dev_seq_ready(f->usb.pub.owner_data);
	assert_int_equal(f->usb.kicks, kicks + 1);
	assert_int_equal(pull_out(f, &f->usb.pub, APCUSB_OUT_BUFSIZE, NULL), 0);
}

static void test_ordered_messages_keep_order(void **state)
{
	struct fixture *f = *state;
	static const uint8_t sysex[] = { 0xf0, 0x47, 0x7f, 0x4f, 0x62, 0x00, 0x01, 0x00, 0xf7 };
	struct msgs ms;

	attach_clean(f, &f->usb, &apc_model_mk2, "serial:X1");
	mock_seq_in_note(0, 0x96, 1, 5);
	mock_seq_in_sysex(0, sysex, sizeof(sysex));
	mock_seq_in_note(0, 0x96, 2, 9);
	bridge_dev_seq_ready(f->usb.pub.owner_data);

	assert_int_equal(pull_out(f, &f->usb.pub, APCUSB_OUT_BUFSIZE, &ms), 1);
	assert_int_equal(ms.n, 3);
	assert_int_equal(ms.m[0].len, 3);
	assert_int_equal(ms.m[0].b[0], 0x96);
	assert_int_equal(ms.m[0].b[1], 1);
	assert_int_equal(ms.m[1].len, sizeof(sysex));
	assert_memory_equal(ms.m[1].b, sysex, sizeof(sysex));
	assert_int_equal(ms.m[2].b[1], 2);
	assert_int_equal(ms.m[2].b[2], 9);
}

static void test_small_transfers_split(void **state)
{
	struct fixture *f = *state;
	unsigned int pad;
	struct msgs ms;

	attach_clean(f, &f->usb, &apc_model_mk1, "port:1-1");
	for (pad = 0; pad < APC_NUM_PADS; pad++)
		mock_seq_in_note(0, 0x90, pad, 1);
	bridge_dev_seq_ready(f->usb.pub.owner_data);
	/* One 64-byte USB packet per transfer (the --out-gap case). */
	assert_int_equal(pull_out(f, &f->usb.pub, 64, &ms), APC_NUM_PADS / 16);
	assert_int_equal(ms.n, APC_NUM_PADS);
}

static void test_replug_repaints(void **state)
{
	struct fixture *f = *state;
	struct bridge_dev *bd;
	struct mock_usb again;
	struct msgs ms;
	struct apc_led led;
	unsigned int i, inquiries = 0;
	int idx;

	bd = attach_clean(f, &f->usb, &apc_model_mk1, "port:1-1");
	mock_seq_in_note(0, 0x90, 7, 3);
	mock_seq_in_note(0, 0x90, 64, 1); /* track button 1 */
	bridge_dev_seq_ready(bd);
	pull_out(f, &f->usb.pub, APCUSB_OUT_BUFSIZE, NULL);

	f->usb.pub.gone = 1;
	bridge_usb_owner.detach(f->b, &f->usb.pub);
	assert_int_equal(f->gone, 1);
	assert_null(bd->usb);
	assert_int_equal(mseq.closes, 0);

	/* Written while unplugged: kept, not sent anywhere. */
	mock_seq_in_note(0, 0x90, 8, 5);
	bridge_dev_seq_ready(bd);

	attach(f, &again, &apc_model_mk1, "port:1-1");
	assert_ptr_equal(again.pub.owner_data, bd);
	assert_int_equal(mseq.opens, 1);
	assert_int_equal(bd->plugs, 2);
	assert_int_equal(pull_out(f, &again.pub, APCUSB_OUT_BUFSIZE, &ms), 1);
	assert_int_equal(ms.n, APC_NUM_LEDS + 1);
	for (i = 0; i < ms.n; i++) {
		if (is_inquiry(&ms.m[i])) {
			inquiries++;
			continue;
		}
		idx = apc_led_from_midi(&apc_model_mk1, ms.m[i].b, ms.m[i].len, &led);
		assert_true(idx >= 0);
		if (idx == 7)
			assert_int_equal(led.value, 3);
		else if (idx == 8)
			assert_int_equal(led.value, 5);
		else if (idx == APC_LED_TRACK0)
			assert_int_equal(led.value, 1);
		else
			assert_int_equal(led.value, 0);
	}
	assert_int_equal(inquiries, 1);
	bridge_usb_owner.detach(f->b, &again.pub);
}

static void test_release_at_exit_is_no_unplug(void **state)
{
	struct fixture *f = *state;
	struct bridge_dev *bd;

	bd = attach_clean(f, &f->usb, &apc_model_mk1, "port:1-1");
	/* The transport lets a present device go (apcminid exits). */
	bridge_usb_owner.detach(f->b, &f->usb.pub);
	assert_int_equal(f->gone, 0);
	assert_null(bd->usb);
	assert_int_equal(bridge_num_present(f->b), 0);
}

static void test_two_devices_two_clients(void **state)
{
	struct fixture *f = *state;
	struct mock_usb second, third;
	struct bridge_dev *a, *b, *c;

	a = attach_clean(f, &f->usb, &apc_model_mk1, "port:1-1");
	b = attach_clean(f, &second, &apc_model_mk1, "port:1-2");
	assert_string_equal(mseq.last_name, "APC MINI 2");
	c = attach_clean(f, &third, &apc_model_mk2, "serial:Z");
	assert_string_equal(mseq.last_name, "APC mini mk2");
	assert_int_equal(bridge_dev_ports(c), 2);
	assert_int_equal(mseq.opens, 3);
	assert_true(a != b && b != c && a->client != b->client);
	assert_int_equal(bridge_num_present(f->b), 3);

	/* Input on one goes out of that one's client only. */
	usb_in(f, &second.pub, 0, (const uint8_t[]){ 0x90, 1, 127 }, 3);
	assert_int_equal(mseq.n_out, 1);
	assert_int_equal(b->stats.in_events, 1);
	assert_int_equal(a->stats.in_events, 0);
	bridge_usb_owner.detach(f->b, &second.pub);
	bridge_usb_owner.detach(f->b, &third.pub);
	assert_int_equal(bridge_num_present(f->b), 1);
}

static void test_mk2_notes_port(void **state)
{
	struct fixture *f = *state;
	struct msgs ms;

	attach_clean(f, &f->usb, &apc_model_mk2, "serial:X1");
	/* Note mode pads come on cable 1 and leave from port 1. */
	usb_in(f, &f->usb.pub, 1, (const uint8_t[]){ 0x90, 40, 100 }, 3);
	assert_int_equal(mseq.n_out, 1);
	assert_int_equal(mseq.out[0].ev.source.port, 1);
	/* And what is written to port 1 goes out on cable 1, in order. */
	mock_seq_in_note(1, 0x90, 40, 1);
	bridge_dev_seq_ready(f->usb.pub.owner_data);
	pull_out(f, &f->usb.pub, APCUSB_OUT_BUFSIZE, &ms);
	assert_int_equal(ms.n, 1);
	assert_int_equal(ms.m[0].cable, 1);
	assert_int_equal(ms.m[0].b[1], 40);
	/* Port 0 is cable 0 both ways: a note written there is an LED. */
	mock_seq_in_note(0, 0x96, 1, 5);
	bridge_dev_seq_ready(f->usb.pub.owner_data);
	pull_out(f, &f->usb.pub, APCUSB_OUT_BUFSIZE, &ms);
	assert_int_equal(ms.n, 1);
	assert_int_equal(ms.m[0].cable, 0);
	assert_int_equal(ms.m[0].b[1], 1);
}

/* Pads held when the device goes: their note-offs reach the subscribers
 * (and the in-process consumer), at once; released ones are not repeated. */
static void test_held_notes_released(void **state)
{
	struct fixture *f = *state;
	struct bridge_options opt = { .gone = fixture_gone, .local = fixture_local,
				      .local_user = f, .user = f };
	struct bridge_dev *bd;
	unsigned int drains;

	bridge_free(f->b);
	assert_int_equal(bridge_new(&f->b, mock_seq_ops, NULL, &opt), 0);
	bd = attach_clean(f, &f->usb, &apc_model_mk2, "serial:H1");
	usb_in(f, &f->usb.pub, 0, (const uint8_t[]){ 0x90, 5, 127 }, 3);
	usb_in(f, &f->usb.pub, 0, (const uint8_t[]){ 0x90, 9, 127 }, 3);
	usb_in(f, &f->usb.pub, 0, (const uint8_t[]){ 0x80, 9, 0 }, 3);
	usb_in(f, &f->usb.pub, 1, (const uint8_t[]){ 0x90, 40, 100 }, 3);
	usb_in_end(f);
	assert_int_equal(mseq.n_out, 4);
	drains = mseq.drains;
	f->n_local = 0;

	f->usb.pub.gone = 1;
	bridge_usb_owner.detach(f->b, &f->usb.pub);
	assert_int_equal(mseq.n_out, 6);
	assert_int_equal(mseq.drains, drains + 1);
	assert_int_equal(mseq.out[4].ev.type, SND_SEQ_EVENT_NOTEOFF);
	assert_int_equal(mseq.out[4].ev.data.note.note, 5);
	assert_int_equal(mseq.out[4].ev.source.port, 0);
	assert_int_equal(mseq.out[5].ev.type, SND_SEQ_EVENT_NOTEOFF);
	assert_int_equal(mseq.out[5].ev.data.note.note, 40);
	assert_int_equal(mseq.out[5].ev.source.port, 1);
	assert_int_equal(f->n_local, 2);
	assert_int_equal(f->local[0].msg[0], 0x80);
	assert_int_equal(bd->stats.notes_released, 2);
	/* Back and gone again with nothing held: nothing more is sent. */
	f->usb.pub.gone = 0;
	attach_clean(f, &f->usb, &apc_model_mk2, "serial:H1");
	f->usb.pub.gone = 1;
	bridge_usb_owner.detach(f->b, &f->usb.pub);
	assert_int_equal(mseq.n_out, 6);
}

/* An mk2 is asked for its faders on attach; its answer becomes the nine
 * control changes the faders send, and is not passed on itself. */
static void test_mk2_faders_synced(void **state)
{
	static const uint8_t pos[APC_NUM_FADERS] = { 0, 10, 20, 30, 40, 50, 60, 70, 127 };
	struct fixture *f = *state;
	struct bridge_dev *bd;
	struct msgs ms;
	uint8_t reply[32];
	unsigned int i, intros = 0;
	int n;

	attach(f, &f->usb, &apc_model_mk2, "serial:F1");
	pull_out(f, &f->usb.pub, APCUSB_OUT_BUFSIZE, &ms);
	for (i = 0; i < ms.n; i++)
		if (apc_mk2_sysex_cmd(ms.m[i].b, ms.m[i].len) == APC_MK2_CMD_INTRO)
			intros++;
	assert_int_equal(intros, 1);
	bd = f->usb.pub.owner_data;
	n = apc_mk2_intro_reply(pos, reply, sizeof(reply));
	assert_true(n > 0);
	usb_in(f, &f->usb.pub, 0, reply, (size_t)n);
	usb_in_end(f);
	assert_int_equal(mseq.n_out, APC_NUM_FADERS);
	for (i = 0; i < APC_NUM_FADERS; i++) {
		assert_int_equal(mseq.out[i].ev.type, SND_SEQ_EVENT_CONTROLLER);
		assert_int_equal(mseq.out[i].ev.data.control.param, 48 + i);
		assert_int_equal(mseq.out[i].ev.data.control.value, pos[i]);
	}
	assert_int_equal(bd->stats.fader_syncs, 1);
	/* A second, unasked-for reply is the clients' business. */
	usb_in(f, &f->usb.pub, 0, reply, (size_t)n);
	assert_int_equal(mseq.n_out, APC_NUM_FADERS + 1);
	assert_int_equal(mseq.out[APC_NUM_FADERS].ev.type, SND_SEQ_EVENT_SYSEX);
}

/* An mk1 has no introduction: nothing but the inquiry is asked. */
static void test_mk1_no_intro(void **state)
{
	struct fixture *f = *state;
	struct msgs ms;
	unsigned int i;

	attach(f, &f->usb, &apc_model_mk1, "port:1-1");
	pull_out(f, &f->usb.pub, APCUSB_OUT_BUFSIZE, &ms);
	for (i = 0; i < ms.n; i++)
		assert_true(apc_mk2_sysex_cmd(ms.m[i].b, ms.m[i].len) < 0);
}

/* Per-device settings: the configuration names a device's client and keeps
 * its LEDs; a reconfiguration renames the client at once. */
static const char *conf_name = "Left deck";

static void fixture_configure(void *user, const struct bridge_dev *bd,
			      struct bridge_dev_config *cfg)
{
	(void)user;
	if (!strcmp(bd->serial, "S1")) {
		snprintf(cfg->name, sizeof(cfg->name), "%s", conf_name);
		cfg->keep_leds = 1;
	}
}

static void test_configure_names(void **state)
{
	struct fixture *f = *state;
	struct bridge_options opt = { .gone = fixture_gone, .configure = fixture_configure,
				      .user = f };
	struct mock_usb second;
	struct bridge_dev *a, *b;
	struct msgs ms;

	bridge_free(f->b);
	assert_int_equal(bridge_new(&f->b, mock_seq_ops, NULL, &opt), 0);
	mock_usb_init(&f->usb, &apc_model_mk2, "serial:S1");
	snprintf(f->usb.pub.serial, sizeof(f->usb.pub.serial), "S1");
	assert_int_equal(bridge_usb_owner.attach(f->b, &f->usb.pub), 0);
	pull_out(f, &f->usb.pub, APCUSB_OUT_BUFSIZE, NULL);
	a = f->usb.pub.owner_data;
	assert_string_equal(mseq.last_name, "Left deck");
	b = attach_clean(f, &second, &apc_model_mk2, "serial:S2");
	/* Not configured: the kernel's name, unnumbered (the other one is
	 * not called that). */
	assert_string_equal(mseq.last_name, "APC mini mk2");
	conf_name = "Right deck";
	bridge_reconfigure(f->b);
	assert_int_equal(mseq.renames, 1);
	assert_string_equal(a->name, "Right deck");
	assert_string_equal(b->name, "APC mini mk2");
	/* keep-leds for the first only. */
	bridge_leds_off(f->b);
	assert_int_equal(pull_out(f, &f->usb.pub, APCUSB_OUT_BUFSIZE, NULL), 0);
	pull_out(f, &second.pub, APCUSB_OUT_BUFSIZE, &ms);
	assert_int_equal(ms.n, 0); /* already off: nothing changes */
	conf_name = "Left deck";
	/* It lives on this stack: gone before the teardown looks. */
	bridge_usb_owner.detach(f->b, &second.pub);
}

static void test_out_error_repaints(void **state)
{
	struct fixture *f = *state;
	struct msgs ms;

	attach_clean(f, &f->usb, &apc_model_mk1, "port:1-1");
	bridge_usb_owner.out_error(f->b, &f->usb.pub);
	pull_out(f, &f->usb.pub, APCUSB_OUT_BUFSIZE, &ms);
	assert_int_equal(ms.n, APC_NUM_LEDS);
}

static void test_leds_off_on_exit(void **state)
{
	struct fixture *f = *state;
	struct msgs ms;
	struct apc_led led;
	unsigned int i;

	attach_clean(f, &f->usb, &apc_model_mk1, "port:1-1");
	mock_seq_in_note(0, 0x90, 10, 1);
	mock_seq_in_note(0, 0x90, 11, 3);
	mock_seq_in_note(0, 0x90, 82, 2); /* scene 1 blinking */
	bridge_dev_seq_ready(f->usb.pub.owner_data);
	pull_out(f, &f->usb.pub, APCUSB_OUT_BUFSIZE, NULL);
	assert_true(bridge_out_idle(f->b));

	bridge_leds_off(f->b);
	assert_false(bridge_out_idle(f->b));
	pull_out(f, &f->usb.pub, APCUSB_OUT_BUFSIZE, &ms);
	assert_int_equal(ms.n, 3);
	for (i = 0; i < ms.n; i++) {
		assert_true(apc_led_from_midi(&apc_model_mk1, ms.m[i].b, ms.m[i].len, &led) >= 0);
		assert_int_equal(led.value, 0);
	}
	assert_true(bridge_out_idle(f->b));
	f->usb.in_flight = 1;
	assert_false(bridge_out_idle(f->b));
	f->usb.in_flight = 0;
}

static void test_keep_leds(void **state)
{
	struct fixture *f = *state;

	attach_clean(f, &f->usb, &apc_model_mk1, "port:1-1");
	mock_seq_in_note(0, 0x90, 10, 1);
	bridge_dev_seq_ready(f->usb.pub.owner_data);
	pull_out(f, &f->usb.pub, APCUSB_OUT_BUFSIZE, NULL);
	bridge_leds_off(f->b);
	assert_int_equal(pull_out(f, &f->usb.pub, APCUSB_OUT_BUFSIZE, NULL), 0);
}

static void test_overrun_counted(void **state)
{
	struct fixture *f = *state;
	struct bridge_dev *bd;

	bd = attach_clean(f, &f->usb, &apc_model_mk1, "port:1-1");
	mseq.overrun_once = 1;
	mock_seq_in_note(0, 0x90, 1, 1);
	bridge_dev_seq_ready(bd);
	assert_int_equal(bd->stats.seq_overruns, 1);
	assert_int_equal(bd->stats.led_events, 1);
}

/* ---- the play port ---- */

static const struct apcmap_config *play_conf; /* NULL: the defaults */

static void play_configure(void *user, const struct bridge_dev *bd,
			   struct bridge_dev_config *cfg)
{
	(void)user;
	(void)bd;
	if (play_conf)
		cfg->map = *play_conf;
}

/* A bridge whose devices take their mapping from play_conf. */
static struct bridge_dev *play_setup(struct fixture *f, const struct apc_model *model)
{
	struct bridge_options opt = { .gone = fixture_gone, .configure = play_configure,
				      .user = f };

	bridge_free(f->b);
	play_conf = NULL;
	assert_int_equal(bridge_new(&f->b, mock_seq_ops, NULL, &opt), 0);
	return attach_clean(f, &f->usb, model, "port:1-1");
}

/* Let the bridge read what was queued for it. */
static void seq_read(struct bridge_dev *bd)
{
	bridge_dev_seq_ready(bd);
}

/* The events on `port` from out[from] on: "on N V", "off N", "cc C V". */
static unsigned int port_events(unsigned int from, unsigned int port, char out[][16],
				unsigned int max)
{
	unsigned int i, n = 0;
	const snd_seq_event_t *ev;

	for (i = from; i < mseq.n_out && n < max; i++) {
		ev = &mseq.out[i].ev;
		if (ev->source.port != port)
			continue;
		if (ev->type == SND_SEQ_EVENT_NOTEON)
			snprintf(out[n++], 16, "on %u %u", ev->data.note.note, ev->data.note.velocity);
		else if (ev->type == SND_SEQ_EVENT_NOTEOFF)
			snprintf(out[n++], 16, "off %u", ev->data.note.note);
		else if (ev->type == SND_SEQ_EVENT_CONTROLLER)
			snprintf(out[n++], 16, "cc %u %d", ev->data.control.param,
				 ev->data.control.value);
	}
	return n;
}

/* The play port comes after the kernel's and plays only while subscribed:
 * the default mapping (C major from C3, velocity 100) on the play port,
 * the device's own notes on port 0 as ever, the note-off of a pad held
 * across a transposition its note-on's. */
static void test_play_port(void **state)
{
	struct fixture *f = *state;
	struct bridge_dev *bd = play_setup(f, &apc_model_mk1);
	char ev[8][16];
	unsigned int from;

	assert_int_equal(bridge_dev_play_port(bd), 1);
	assert_string_equal(bd->play_port_name, "APC MINI Play");
	/* Nobody listens: only the raw note. */
	usb_in(f, &f->usb.pub, 0, (const uint8_t[]){ 0x90, 1, 127, 0x80, 1, 0 }, 6);
	usb_in_end(f);
	assert_int_equal(port_events(0, 1, ev, 8), 0);
	assert_int_equal(port_events(0, 0, ev, 8), 2);

	mock_seq_in_subscription(1, bd->client, 1);
	seq_read(bd);
	assert_true(bridge_dev_map_draws(bd));
	from = mseq.n_out;
	usb_in(f, &f->usb.pub, 0, (const uint8_t[]){ 0x90, 0, 127, 0x90, 9, 127 }, 6);
	usb_in_end(f);
	assert_int_equal(port_events(from, 1, ev, 8), 2);
	assert_string_equal(ev[0], "on 48 100"); /* C3 */
	assert_string_equal(ev[1], "on 55 100"); /* a row up (F3), a pad right: G3 */
	assert_int_equal(port_events(from, 0, ev, 8), 2);
	assert_string_equal(ev[0], "on 0 127");
	/* Octave up (track 1) while pad 0 is held, then release both. */
	from = mseq.n_out;
	usb_in(f, &f->usb.pub, 0,
	       (const uint8_t[]){ 0x90, 64, 127, 0x80, 64, 0, 0x80, 0, 0, 0x90, 1, 127 }, 12);
	usb_in_end(f);
	assert_int_equal(port_events(from, 1, ev, 8), 2);
	assert_string_equal(ev[0], "off 48");
	assert_string_equal(ev[1], "on 62 100"); /* D4 */
	assert_int_equal(bd->stats.play_events, 4);

	/* Pulled with pads 9 and 1 held: their note-offs on both ports. */
	from = mseq.n_out;
	f->usb.pub.gone = 1;
	bridge_usb_owner.detach(f->b, &f->usb.pub);
	assert_int_equal(port_events(from, 1, ev, 8), 2);
	assert_string_equal(ev[0], "off 62");
	assert_string_equal(ev[1], "off 55");
	assert_int_equal(port_events(from, 0, ev, 8), 2);
}

/* A picture in the LED state: how many LEDs are lit (value not 0). */
static unsigned int lit(const struct apc_led_state *s, const struct apc_led *want)
{
	unsigned int i, n = 0;

	for (i = 0; i < APC_NUM_LEDS; i++)
		n += want ? !memcmp(&s->want[i], want, sizeof(*want)) : s->want[i].value != 0;
	return n;
}

/* The first subscriber hands the LEDs to the mapping: the roots lit (mk2:
 * blue 45 at full brightness); what clients send to the LEDs meanwhile is
 * kept, not shown, and shown when the last subscriber goes. */
static void test_play_leds_shared(void **state)
{
	struct fixture *f = *state;
	struct bridge_dev *bd = play_setup(f, &apc_model_mk2);
	const struct apc_led root = { .value = 45, .behaviour = 6 };
	const struct apc_led app = { .value = 5, .behaviour = 6 };
	struct msgs ms;
	uint64_t due;

	mock_seq_in_note(0, 0x96, 10, 5);
	seq_read(bd);
	pull_out(f, &f->usb.pub, APCUSB_OUT_BUFSIZE, &ms);
	assert_int_equal(ms.n, 1);

	mock_seq_in_subscription(1, bd->client, 2);
	mock_seq_in_subscription(1, bd->client, 2);
	seq_read(bd);
	assert_int_equal(bd->grid.subs, 2);
	/* C major from C3, rows a fourth apart: a C in each row but one. */
	assert_true(lit(&bd->leds, &root) >= 7);
	assert_int_equal(lit(&bd->leds, &app), 0);
	pull_out(f, &f->usb.pub, APCUSB_OUT_BUFSIZE, &ms);
	assert_true(ms.n >= 64);

	/* A client's LED change waits behind the picture. */
	mock_seq_in_note(0, 0x96, 11, 5);
	seq_read(bd);
	assert_int_equal(pull_out(f, &f->usb.pub, APCUSB_OUT_BUFSIZE, NULL), 0);
	assert_int_equal(bd->stats.app_led_events, 1);
	/* A press lights its pad green (21), drawn 1 ms after its event left. */
	usb_in(f, &f->usb.pub, 0, (const uint8_t[]){ 0x90, 0, 127 }, 3);
	usb_in_end(f);
	assert_int_equal(bd->leds.want[0].value, 45);
	assert_int_equal(bridge_next_deadline(f->b, &due), 1);
	assert_true(due > 0);
	bridge_tick(f->b, due - 1);
	assert_int_equal(bd->leds.want[0].value, 45);
	bridge_tick(f->b, due);
	assert_int_equal(bd->leds.want[0].value, 21);
	assert_int_equal(bridge_next_deadline(f->b, &due), 0);
	pull_out(f, &f->usb.pub, APCUSB_OUT_BUFSIZE, &ms);
	assert_true(ms.n >= 1);

	/* One of two leaves: still drawn. The other: the clients' picture. */
	mock_seq_in_subscription(0, bd->client, 2);
	seq_read(bd);
	assert_true(bridge_dev_map_draws(bd));
	mock_seq_in_subscription(0, bd->client, 2);
	seq_read(bd);
	assert_false(bridge_dev_map_draws(bd));
	assert_int_equal(lit(&bd->leds, NULL), 2);
	assert_int_equal(lit(&bd->leds, &app), 2);
	pull_out(f, &f->usb.pub, APCUSB_OUT_BUFSIZE, &ms);
	assert_true(ms.n >= 10);
	/* Someone else's subscription is none of the mapping's business. */
	mock_seq_in_subscription(1, bd->client + 1, 2);
	mock_seq_in_subscription(1, bd->client, 0);
	seq_read(bd);
	assert_false(bridge_dev_map_draws(bd));
}

/* A new configuration (SIGHUP) plays the same presses differently through
 * the same subscription; a held note keeps its note-off. */
static void test_play_reconfigure(void **state)
{
	struct fixture *f = *state;
	struct bridge_dev *bd = play_setup(f, &apc_model_mk2);
	struct apcmap_config chromatic;
	char ev[8][16];
	unsigned int from;

	mock_seq_in_subscription(1, bd->client, 2);
	seq_read(bd);
	usb_in(f, &f->usb.pub, 0, (const uint8_t[]){ 0x90, 1, 127 }, 3);
	usb_in_end(f);
	apcmap_config_default(&chromatic);
	chromatic.layout = APCMAP_CHROMATIC;
	chromatic.root = 2; /* D */
	play_conf = &chromatic;
	bridge_reconfigure(f->b);
	from = mseq.n_out;
	usb_in(f, &f->usb.pub, 0, (const uint8_t[]){ 0x90, 1, 0, 0x90, 1, 127, 0x90, 2, 127 }, 9);
	usb_in_end(f);
	assert_int_equal(port_events(from, 2, ev, 8), 3);
	assert_string_equal(ev[0], "off 50"); /* D3, from before */
	assert_string_equal(ev[1], "on 51 100"); /* D#3 */
	assert_string_equal(ev[2], "on 52 100");
	play_conf = NULL;
}

/* The LED mirror (after the play port): nothing until subscribed; then
 * the whole state, then only changes, whoever made them (a client, the
 * mapping), an RGB colour as its sysex. */
static void test_leds_mirror(void **state)
{
	struct fixture *f = *state;
	struct bridge_dev *bd = play_setup(f, &apc_model_mk2);
	unsigned int port = bridge_dev_leds_port(bd), from, i, n;
	static const uint8_t rgb[] = { 0xf0, 0x47, 0x7f, 0x4f, 0x24, 0x00, 0x08, 0x05,
				       0x05, 0x01, 0x7f, 0x00, 0x01, 0x00, 0x02, 0xf7 };

	assert_int_equal(port, 3);
	assert_string_equal(bd->leds_port_name, "APC mini mk2 LEDs");
	mock_seq_in_note(0, 0x96, 10, 5);
	seq_read(bd);
	for (i = 0; i < mseq.n_out; i++)
		assert_int_not_equal(mseq.out[i].ev.source.port, port);

	from = mseq.n_out;
	mock_seq_in_subscription(1, bd->client, port);
	seq_read(bd);
	assert_int_equal(mseq.n_out - from, APC_NUM_LEDS);
	assert_int_equal(mseq.out[from + 10].ev.source.port, port);
	assert_int_equal(mseq.out[from + 10].ev.type, SND_SEQ_EVENT_NOTEON);
	assert_int_equal(mseq.out[from + 10].ev.data.note.channel, 6);
	assert_int_equal(mseq.out[from + 10].ev.data.note.velocity, 5);

	/* One change: one message; a colour: its sysex. */
	from = mseq.n_out;
	mock_seq_in_note(0, 0x96, 11, 7);
	mock_seq_in_sysex(0, rgb, sizeof(rgb));
	seq_read(bd);
	assert_int_equal(mseq.n_out - from, 3);
	assert_int_equal(mseq.out[from].ev.type, SND_SEQ_EVENT_NOTEON); /* pad 5 solid */
	assert_int_equal(mseq.out[from].ev.data.note.note, 5);
	assert_int_equal(mseq.out[from + 1].ev.type, SND_SEQ_EVENT_SYSEX);
	assert_int_equal(mseq.out[from + 1].ev.data.ext.len, 16);
	assert_int_equal(mseq.out[from + 2].ev.data.note.note, 11);

	/* The mapping takes the LEDs: the mirror shows its picture. */
	from = mseq.n_out;
	mock_seq_in_subscription(1, bd->client, bridge_dev_play_port(bd));
	seq_read(bd);
	for (i = from, n = 0; i < mseq.n_out; i++)
		n += mseq.out[i].ev.source.port == port;
	assert_true(n >= 64);
	/* Gone: nothing more. */
	mock_seq_in_subscription(0, bd->client, port);
	seq_read(bd);
	from = mseq.n_out;
	mock_seq_in_subscription(0, bd->client, bridge_dev_play_port(bd));
	seq_read(bd);
	for (i = from; i < mseq.n_out; i++)
		assert_int_not_equal(mseq.out[i].ev.source.port, port);
}

/* A sysex in pieces, as a raw MIDI port hands it over (256 bytes each):
 * joined into the whole message, whether LED state (an mk2 RGB sysex for
 * every pad, 520 bytes) or ordered; one too long to join, and a piece of
 * nothing, dropped and counted, each piece once. */
static void test_sysex_pieces(void **state)
{
	static const uint8_t mode[] = { 0xf0, 0x47, 0x7f, 0x4f, 0x62, 0x00, 0x01, 0x01, 0xf7 };
	struct fixture *f = *state;
	struct bridge_dev *bd = attach_clean(f, &f->usb, &apc_model_mk2, "serial:P1");
	uint8_t rgb[520], big[1500];
	struct msgs ms;
	unsigned int i, coloured = 0;
	size_t n = 0;

	memcpy(rgb, (const uint8_t[]){ 0xf0, 0x47, 0x7f, 0x4f, 0x24, 0x04, 0x00 }, 7);
	n = 7;
	for (i = 0; i < APC_NUM_PADS; i++) {
		const uint8_t range[8] = { (uint8_t)i, (uint8_t)i, 0, 10, 0, 20, 0, (uint8_t)i };

		memcpy(rgb + n, range, 8);
		n += 8;
	}
	rgb[n++] = 0xf7;
	assert_int_equal(n, sizeof(rgb));
	mock_seq_in_sysex(0, rgb, 256);
	mock_seq_in_sysex(0, rgb + 256, 256);
	mock_seq_in_sysex(0, rgb + 512, 8);
	bridge_dev_seq_ready(bd);
	for (i = 0; i < APC_NUM_PADS; i++)
		coloured += bd->leds.want[i].rgb && bd->leds.want[i].c.b == i;
	assert_int_equal(coloured, APC_NUM_PADS);
	assert_int_equal(bd->stats.sysex_joined, 2);

	mock_seq_in_sysex(0, mode, 4);
	mock_seq_in_sysex(0, mode + 4, sizeof(mode) - 4);
	bridge_dev_seq_ready(bd);
	pull_out(f, &f->usb.pub, APCUSB_OUT_BUFSIZE, &ms);
	for (i = 0; i < ms.n; i++)
		if (ms.m[i].len == sizeof(mode) && !memcmp(ms.m[i].b, mode, sizeof(mode)))
			break;
	assert_true(i < ms.n);
	assert_int_equal(bd->stats.sysex_joined, 3);
	assert_int_equal(bd->stats.out_dropped, 0);

	/* 1500 bytes in six pieces: more than a message may be. */
	memset(big, 0x11, sizeof(big));
	big[0] = 0xf0;
	big[sizeof(big) - 1] = 0xf7;
	for (n = 0; n < sizeof(big); n += 250)
		mock_seq_in_sysex(0, big + n, 250);
	/* A piece whose start never came. */
	mock_seq_in_sysex(0, mode + 4, sizeof(mode) - 4);
	bridge_dev_seq_ready(bd);
	assert_int_equal(bd->stats.out_dropped, 7);
	assert_int_equal(bd->stats.sysex_joined, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_attach_repaints_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_transfer_one_drain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_transfers_one_drain_per_wakeup, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_in_batch_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_at_exit_is_no_unplug, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity_reply_swallowed_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_local_tap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_led_burst_coalesced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ordered_messages_keep_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_transfers_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replug_repaints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_devices_two_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mk2_notes_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_notes_released, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mk2_faders_synced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mk1_no_intro, setup, teardown),
		cmocka_unit_test_setup_teardown(test_configure_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_error_repaints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leds_off_on_exit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keep_leds, setup_keep_leds, teardown),
		cmocka_unit_test_setup_teardown(test_overrun_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_play_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_play_leds_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_play_reconfigure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leds_mirror, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sysex_pieces, setup, teardown),
	};

	return cmocka_run_group_tests_name("bridge", tests, NULL, NULL);
}
