/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Device <-> sequencer bridge: per-device records, event conversion, LED
 * coalescing. Runs in apcminid's event loop thread, called from libusb
 * callbacks (input, fill_out) and from sequencer fd readiness. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bridge.h"
#include "apclog.h"
#include "clock.h"

struct bridge_in_log {
	FILE *f;
	struct bridge_in_rec *rec;
	unsigned int cap, len;
	unsigned int undrained; /* first record without a drain time */
	uint64_t woke_ns;
	uint64_t seq;	/* transfers seen, numbering the lines */
	uint64_t lost;	/* records the ring had no room for */
};

struct bridge {
	const struct bridge_seq_ops *ops;
	void *seq_user;
	struct bridge_options opt;
	struct bridge_dev *devs;
	struct bridge_dev *in_last;	/* whose IN transfer was decoded last in this wake-up */
	struct bridge_in_log log;
};

/* Largest message either way: a whole sysex. */
#define BRIDGE_MSG_MAX USBMIDI_SYSEX_MAX
/* The play mapping draws its LED feedback this long after the input that
 * changed it: the events have left by then and their readers run first (on
 * a small machine the repaint's USB work competes with them), and the
 * presses of a chord share one repaint. 1 ms is below what a player sees. */
#define BRIDGE_DRAW_DELAY_NS 1000000ull
/* The events of one wake-up's IN transfers leave in one sequencer write per
 * device, but none waits longer than this behind the first of them: on a
 * loaded machine libusb's reaping of one wake-up can run for many
 * milliseconds (seen: 30 ms with eight controllers in the test guest,
 * doc/perf/scale.md). */
#define BRIDGE_IN_HOLD_NS 1000000ull

int bridge_new(struct bridge **out, const struct bridge_seq_ops *ops, void *seq_user,
	       const struct bridge_options *opt)
{
	struct bridge *b;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->ops = ops;
	b->seq_user = seq_user;
	if (opt)
		b->opt = *opt;
	*out = b;
	return 0;
}

void *bridge_seq_user(const struct bridge *b)
{
	return b->seq_user;
}

struct bridge_dev *bridge_devs(const struct bridge *b)
{
	return b->devs;
}

unsigned int bridge_dev_ports(const struct bridge_dev *bd)
{
	return bd->model->n_cables < BRIDGE_MAX_PORTS ? bd->model->n_cables : BRIDGE_MAX_PORTS;
}

unsigned int bridge_dev_play_port(const struct bridge_dev *bd)
{
	return bridge_dev_ports(bd);
}

unsigned int bridge_dev_leds_port(const struct bridge_dev *bd)
{
	return bridge_dev_play_port(bd) + 1;
}

int bridge_dev_map_draws(const struct bridge_dev *bd)
{
	return apcmap_grid_draws(&bd->grid);
}

unsigned int bridge_num_present(const struct bridge *b)
{
	const struct bridge_dev *bd;
	unsigned int n = 0;

	for (bd = b->devs; bd; bd = bd->next)
		n += bd->usb != NULL;
	return n;
}

static void bridge_dev_free(struct bridge_dev *bd)
{
	unsigned int i;

	if (!bd)
		return;
	if (bd->b && bd->b->in_last == bd)
		bd->b->in_last = NULL;
	if (bd->seq_priv)
		bd->b->ops->close(bd);
	for (i = 0; i < BRIDGE_MAX_ALL_PORTS; i++)
		if (bd->to_event[i])
			snd_midi_event_free(bd->to_event[i]);
	if (bd->to_midi)
		snd_midi_event_free(bd->to_midi);
	free(bd);
}

void bridge_free(struct bridge *b)
{
	struct bridge_dev *bd;

	if (!b)
		return;
	while ((bd = b->devs)) {
		b->devs = bd->next;
		bridge_dev_free(bd);
	}
	bridge_in_log_flush(b);
	free(b->log.rec);
	free(b);
}

/* "APC mini", then "APC mini 2", "APC mini 3"... for more of one model. */
/* The kernel's name for the card; when a client of this process has that
 * name already, "<name> 2", "<name> 3" and so on (the kernel's cards would
 * share it; apcmini.conf names them for good). */
static int bridge_name_taken(const struct bridge *b, const char *name)
{
	const struct bridge_dev *bd;

	for (bd = b->devs; bd; bd = bd->next)
		if (!strcmp(bd->name, name))
			return 1;
	return 0;
}

static void bridge_client_name(struct bridge *b, const struct usbdev *u, char *out, size_t outsz)
{
	unsigned int n;

	snprintf(out, outsz, "%s", u->card_name);
	for (n = 2; bridge_name_taken(b, out); n++)
		snprintf(out, outsz, "%s %u", u->card_name, n);
}

/* Ask the configuration about `bd`: its keep-leds and play mapping at once,
 * its client name into `name` (NULL: into bd->name, before the client
 * exists). Returns 1 if the name is not the current one. */
static int bridge_dev_configure(struct bridge_dev *bd, char name[64])
{
	struct bridge_dev_config cfg = { .keep_leds = -1 };
	int r;

	apcmap_config_default(&cfg.map);
	if (bd->b->opt.configure)
		bd->b->opt.configure(bd->b->opt.user, bd, &cfg);
	bd->keep_leds = cfg.keep_leds;
	/* Notes sounding keep their note-offs; the picture follows. */
	r = name ? apcmap_set_config(&bd->map, &cfg.map)
		 : apcmap_init(&bd->map, bd->model, &cfg.map);
	if (r < 0) {
		log_warn("%s: the play mapping's settings are not valid; it keeps what it had",
			 bd->name);
		if (!name)
			apcmap_init(&bd->map, bd->model, NULL);
	}
	if (!bd->b->opt.configure)
		return 0;
	if (!cfg.name[0])
		return 0;
	if (!name) {
		snprintf(bd->name, sizeof(bd->name), "%s", cfg.name);
		return 0;
	}
	snprintf(name, 64, "%s", cfg.name);
	return strcmp(name, bd->name) != 0;
}

static void bridge_dev_draw(struct bridge_dev *bd);

void bridge_reconfigure(struct bridge *b)
{
	struct bridge_dev *bd;
	char name[64];
	int r;

	for (bd = b->devs; bd; bd = bd->next) {
		r = bridge_dev_configure(bd, name);
		bridge_dev_draw(bd);
		if (!r)
			continue;
		r = b->ops->rename(bd, name);
		if (r < 0) {
			log_warn("%s: Cannot rename the client to \"%s\": %s", bd->name, name,
				 strerror(-r));
			continue;
		}
		log_info("client %d \"%s\" is now \"%s\"", bd->client, bd->name, name);
		snprintf(bd->name, sizeof(bd->name), "%s", name);
	}
}

static int bridge_dev_new(struct bridge *b, struct usbdev *u, struct bridge_dev **out)
{
	struct bridge_dev *bd;
	unsigned int i;
	int r;

	bd = calloc(1, sizeof(*bd));
	if (!bd)
		return -ENOMEM;
	bd->b = b;
	bd->model = u->model;
	bd->client = -1;
	snprintf(bd->key, sizeof(bd->key), "%s", u->key);
	snprintf(bd->card_name, sizeof(bd->card_name), "%s", u->card_name);
	snprintf(bd->serial, sizeof(bd->serial), "%s", u->serial);
	snprintf(bd->path, sizeof(bd->path), "%s", u->path);
	bd->keep_leds = -1;
	bridge_client_name(b, u, bd->name, sizeof(bd->name));
	bridge_dev_configure(bd, NULL);
	for (i = 0; i < BRIDGE_MAX_PORTS; i++)
		snprintf(bd->port_names[i], sizeof(bd->port_names[i]), "%s", u->port_names[i]);
	snprintf(bd->play_port_name, sizeof(bd->play_port_name), "%.26s Play", u->card_name);
	snprintf(bd->leds_port_name, sizeof(bd->leds_port_name), "%.26s LEDs", u->card_name);
	apc_leds_init(&bd->leds, u->model);
	apcmap_grid_init(&bd->grid, u->model);
	usbout_init(&bd->out, &bd->leds);
	usbmidi_decoder_init(&bd->in);

	for (i = 0; i < BRIDGE_MAX_ALL_PORTS; i++) {
		r = snd_midi_event_new(BRIDGE_MSG_MAX, &bd->to_event[i]);
		if (r < 0)
			goto err_free;
	}
	r = snd_midi_event_new(BRIDGE_MSG_MAX, &bd->to_midi);
	if (r < 0)
		goto err_free;
	/* Every message decoded alone, status byte included: the LED state
	 * and the USB-MIDI encoder want whole messages. */
	snd_midi_event_no_status(bd->to_midi, 1);

	r = b->ops->open(bd, bd->name);
	if (r < 0)
		goto err_free;
	*out = bd;
	return 0;

err_free:
	bridge_dev_free(bd);
	return r;
}

static struct bridge_dev *bridge_find(struct bridge *b, const struct usbdev *u)
{
	struct bridge_dev *bd;

	for (bd = b->devs; bd; bd = bd->next)
		if (!bd->usb && bd->model == u->model && !strcmp(bd->key, u->key))
			return bd;
	return NULL;
}

static int bridge_attach(void *user, struct usbdev *u)
{
	struct bridge *b = user;
	struct bridge_dev *bd, **pp;
	int r;

	bd = bridge_find(b, u);
	if (!bd) {
		r = bridge_dev_new(b, u, &bd);
		if (r < 0)
			return r;
		for (pp = &b->devs; *pp; pp = &(*pp)->next)
			;
		*pp = bd;
		log_info("%s (%s) is sequencer client %d \"%s\"", u->model->name, u->key,
			 bd->client, bd->name);
	} else {
		log_info("%s (%s) is back on client %d \"%s\"", u->model->name, u->key,
			 bd->client, bd->name);
	}
	bd->usb = u;
	bd->plugs++;
	u->owner_data = bd;
	usbmidi_decoder_init(&bd->in);
	apc_held_init(&bd->held);
	usbout_clear(&bd->out);
	/* The power-up state of the LEDs is not published and a replugged
	 * device shows nothing: repaint everything clients asked for. */
	apc_leds_invalidate(&bd->leds);
	/* Ask who it is; the answer is checked when it comes, nobody waits. */
	r = usbout_push(&bd->out, 0, apc_inquiry_request, sizeof(apc_inquiry_request));
	bd->inquiry_pending = r == 0;
	/* An mk2 tells where its faders are when introduced to: applications
	 * then start in sync instead of jumping at the first move. */
	bd->intro_pending = 0;
	if (bd->model->id == APC_MODEL_MK2) {
		uint8_t intro[16];
		int n = apc_mk2_intro_request(intro, sizeof(intro));

		bd->intro_pending = n > 0 && usbout_push(&bd->out, 0, intro, (size_t)n) == 0;
	}
	bd->stats.kicks++;
	usbdev_kick(u);
	return 0;
}

static void bridge_add_usb_stats(struct usbdev_stats *sum, const struct usbdev_stats *s)
{
	sum->in_transfers += s->in_transfers;
	sum->in_bytes += s->in_bytes;
	sum->out_transfers += s->out_transfers;
	sum->out_bytes += s->out_bytes;
	sum->errors += s->errors;
}

static void bridge_deliver(struct bridge_dev *bd, unsigned int cable, const uint8_t *msg,
			   size_t len);
static void bridge_play(struct bridge_dev *bd, const struct apcmap_out *out);

static void bridge_release_one(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
	bridge_deliver(user, cable, msg, len);
}

/* The device went away (or is let go): pads and buttons still held would
 * sound on in every subscriber; send their note-offs now, stamped now, on
 * their ports and (through the mapping) on the play port, with the fader
 * values the mapping held back. */
static void bridge_release_held(struct bridge_dev *bd)
{
	struct apcmap_out out;
	unsigned int n;
	int r;

	bd->in_time_ns = apc_now_ns();
	n = apc_held_release(&bd->held, bridge_release_one, bd);
	if (apcmap_release_all(&bd->map, &out) > 0)
		bridge_play(bd, &out);
	if (!bd->in_unsent)
		return;
	bd->stats.notes_released += n;
	bd->in_unsent = 0;
	r = bd->b->ops->drain(bd);
	if (r < 0)
		log_dbg("%s: Cannot drain sequencer output: %s", bd->name, strerror(-r));
	if (n)
		log_info("%s (%s): %u held note(s) released", bd->model->name, bd->key, n);
}

static void bridge_detach(void *user, struct usbdev *u)
{
	struct bridge *b = user;
	struct bridge_dev *bd = u->owner_data;

	if (!bd)
		return;
	if (b->in_last == bd)
		b->in_last = NULL;
	bridge_add_usb_stats(&bd->stats.usb, &u->stats);
	u->owner_data = NULL;
	bd->usb = NULL;
	bd->inquiry_pending = 0;
	bd->intro_pending = 0;
	usbout_clear(&bd->out);
	bridge_release_held(bd);
	if (!u->gone) {
		/* Let go at exit: the device is still there. */
		log_info("%s (%s) released", bd->model->name, bd->key);
		return;
	}
	/* The client, its ports and their subscriptions stay: the ports are
	 * absent until the device comes back. LED writes meanwhile still
	 * update the state that is repainted then. */
	log_info("%s (%s) unplugged; client %d \"%s\" waits for it", bd->model->name, bd->key,
		 bd->client, bd->name);
	if (b->opt.gone)
		b->opt.gone(b->opt.user, bd);
}

/* The messages in msg (one or more, whole) to the subscribers of `port`,
 * stamped with the current IN transfer's reap time (bd->in_time_ns). */
static int bridge_send(struct bridge_dev *bd, unsigned int port, const uint8_t *msg, size_t len)
{
	snd_seq_event_t ev;
	long r;

	snd_midi_event_reset_encode(bd->to_event[port]);
next:
	snd_seq_ev_clear(&ev);
	r = snd_midi_event_encode(bd->to_event[port], msg, (long)len, &ev);
	if (r <= 0 || ev.type == SND_SEQ_EVENT_NONE)
		return -EINVAL;
	msg += r;
	len -= (size_t)r;
	snd_seq_ev_set_source(&ev, (int)port);
	snd_seq_ev_set_subs(&ev);
	snd_seq_ev_set_direct(&ev);
	/* A direct event's time refers to no queue and the kernel leaves it
	 * alone (unless a subscription asks for its own queue's time, which
	 * then replaces it): stamp it with the moment its USB transfer was
	 * reaped, CLOCK_MONOTONIC, as real time. */
	ev.flags &= ~(SND_SEQ_TIME_STAMP_MASK | SND_SEQ_TIME_MODE_MASK);
	ev.flags |= SND_SEQ_TIME_STAMP_REAL | SND_SEQ_TIME_MODE_ABS;
	ev.time.time.tv_sec = (unsigned int)(bd->in_time_ns / 1000000000ull);
	ev.time.time.tv_nsec = (unsigned int)(bd->in_time_ns % 1000000000ull);
	if (bd->b->ops->output(bd, &ev) < 0)
		return -ENOSPC;
	if (!bd->in_unsent)
		bd->in_first_ns = bd->in_time_ns;
	bd->in_unsent = 1;
	if (len)
		goto next;
	return 0;
}

/* What the play mapping made of something: on the play port, when anyone
 * listens (the mapping keeps its state either way). */
static void bridge_play(struct bridge_dev *bd, const struct apcmap_out *out)
{
	unsigned int i;

	if (!apcmap_grid_draws(&bd->grid))
		return;
	for (i = 0; i < out->n; i++) {
		if (bridge_send(bd, bridge_dev_play_port(bd), out->msg[i], 3) < 0)
			bd->stats.in_dropped++;
		else
			bd->stats.play_events++;
	}
}

/* One message from the device, as the device sent it, to the in-process
 * consumer and to the subscribers of its cable's port; a control also to
 * the play mapping. */
static void bridge_deliver(struct bridge_dev *bd, unsigned int cable, const uint8_t *msg,
			   size_t len)
{
	struct apc_control c;
	struct apcmap_out out;

	if (bd->b->opt.local)
		bd->b->opt.local(bd->b->opt.local_user, bd, cable, msg, len, bd->in_time_ns);
	apc_held_update(&bd->held, cable, msg, len);
	if (cable >= bridge_dev_ports(bd) || bridge_send(bd, cable, msg, len) < 0)
		bd->stats.in_dropped++;
	else
		bd->stats.in_events++;
	if (cable == 0 && apc_control_from_midi(bd->model, msg, len, &c) == 0 &&
	    apcmap_control(&bd->map, &c, bd->in_time_ns, &out) > 0)
		bridge_play(bd, &out);
}

/* The mk2's answer to our introduction: its nine fader positions, passed on
 * as the control changes the faders send when moved. */
static void bridge_faders(struct bridge_dev *bd, const uint8_t *msg, size_t len)
{
	uint8_t faders[APC_NUM_FADERS], cc[3];
	int n, i;

	n = apc_mk2_intro_reply_parse(msg, len, faders);
	if (n < 0) {
		log_warn("%s (%s): cannot read the fader positions in its reply", bd->model->name,
			 bd->key);
		return;
	}
	for (i = 0; i < n; i++) {
		cc[0] = 0xb0;
		cc[1] = (uint8_t)(bd->model->fader_cc_first + i);
		cc[2] = faders[i];
		bridge_deliver(bd, 0, cc, sizeof(cc));
	}
	bd->stats.fader_syncs++;
	log_info("%s (%s): %d fader positions read", bd->model->name, bd->key, n);
}

static void bridge_in_message(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
	struct bridge_dev *bd = user;
	const struct apc_model *m;

	bd->stats.in_messages++;
	if (bd->inquiry_pending && len > 1 && msg[0] == 0xf0) {
		m = apc_model_by_inquiry_reply(msg, len);
		if (m) {
			/* Our own question's answer: not for the clients. */
			bd->inquiry_pending = 0;
			bd->confirmed = m;
			if (m != bd->model)
				log_warn("%s (%s) says it is an %s", bd->model->name, bd->key,
					 m->name);
			else
				log_info("%s (%s) confirmed by its identity reply", m->name, bd->key);
			return;
		}
	}
	switch (apc_mk2_sysex_cmd(msg, len)) {
	case APC_MK2_CMD_INTRO_REPLY:
		if (bd->intro_pending) {
			bd->intro_pending = 0;
			bridge_faders(bd, msg, len);
			return;
		}
		break;
	case APC_MK2_CMD_MODE:
		bd->stats.mode_changes++;
		break;
	default:
		break;
	}
	bridge_deliver(bd, cable, msg, len);
}

/* Record this transfer for the debug log, unless the ring is full until the
 * loop's next flush. */
static void bridge_in_log_rec(struct bridge_dev *bd, const uint8_t *buf, size_t len)
{
	struct bridge_in_log *log = &bd->b->log;
	struct bridge_in_rec *rec;

	if (!log->f)
		return;
	log->seq++;
	if (log->len == log->cap) {
		log->lost++;
		return;
	}
	rec = &log->rec[log->len++];
	rec->woke_ns = log->woke_ns;
	rec->reap_ns = bd->in_time_ns;
	rec->drain_ns = 0;
	rec->client = bd->client;
	rec->len = (unsigned int)len;
	memcpy(rec->data, buf, len < BRIDGE_IN_LOG_BYTES ? len : BRIDGE_IN_LOG_BYTES);
}

/* The events one device's transfers carried leave in one write to the
 * sequencer, which wakes each subscriber once, instead of one write and one
 * wake-up per transfer. */
static void bridge_in_drain(struct bridge_dev *bd)
{
	int r;

	if (!bd->in_unsent)
		return;
	bd->in_unsent = 0;
	bd->stats.in_drains++;
	r = bd->b->ops->drain(bd);
	if (r < 0)
		log_dbg("%s: Cannot drain sequencer output: %s", bd->name, strerror(-r));
	/* The events left first; the LEDs that show them follow. */
	if (!bd->draw_at && apcmap_grid_stale(&bd->grid, &bd->map))
		bd->draw_at = apc_now_ns() + BRIDGE_DRAW_DELAY_NS;
}

static void bridge_input(void *user, struct usbdev *u, const uint8_t *buf, size_t len,
			 uint64_t reap_ns)
{
	struct bridge_dev *bd = u->owner_data;

	if (!bd)
		return;
	/* libusb reaps one device's transfers, then the next one's: when it
	 * moved on, the last one's batch is whole. A batch held too long
	 * leaves now. */
	if (bd->b->in_last && bd->b->in_last != bd)
		bridge_in_drain(bd->b->in_last);
	else if (bd->in_unsent && reap_ns - bd->in_first_ns >= BRIDGE_IN_HOLD_NS)
		bridge_in_drain(bd);
	bd->b->in_last = bd;
	/* Each transfer's events carry the time it was reaped: the closest
	 * this side of the bus gets to when the device sent it. */
	bd->in_time_ns = reap_ns;
	bridge_in_log_rec(bd, buf, len);
	usbmidi_decode(&bd->in, buf, len, bridge_in_message, bd);
}

/* The end of a wake-up's transfers: what is still held leaves (the
 * transport gives the transfers back to the kernel after this). */
static void bridge_input_end(void *user)
{
	struct bridge *b = user;
	struct bridge_dev *bd;
	unsigned int i;
	uint64_t now;

	for (bd = b->devs; bd; bd = bd->next)
		bridge_in_drain(bd);
	b->in_last = NULL;
	if (b->log.f) {
		now = apc_now_ns();
		for (i = b->log.undrained; i < b->log.len; i++)
			b->log.rec[i].drain_ns = now;
		b->log.undrained = b->log.len;
	}
}

static size_t bridge_fill_out(void *user, struct usbdev *u, uint8_t *buf, size_t cap,
			      uint64_t now_ns, uint64_t *due_ns)
{
	struct bridge_dev *bd = u->owner_data;
	size_t n;

	if (!bd)
		return 0;
	n = usbout_fill(&bd->out, buf, cap, now_ns);
	if (!n)
		*due_ns = usbout_due(&bd->out, now_ns);
	return n;
}

static void bridge_out_error(void *user, struct usbdev *u)
{
	struct bridge_dev *bd = u->owner_data;

	/* What the lost transfer set is unknown now: repaint it all. */
	if (bd)
		apc_leds_invalidate(&bd->leds);
}

const struct usbdev_owner bridge_usb_owner = {
	.attach = bridge_attach,
	.detach = bridge_detach,
	.input = bridge_input,
	.input_end = bridge_input_end,
	.fill_out = bridge_fill_out,
	.out_error = bridge_out_error,
};

/* Tell the LED mirror's subscribers what changed in what the LEDs are to
 * show since they were last told (everything after a new subscription). */
static void bridge_mirror_sync(struct bridge_dev *bd)
{
	const struct apc_led *l;
	uint8_t msg[32];
	unsigned int i;
	int n, sent = 0;

	if (!bd->leds_subs)
		return;
	for (i = 0; i < APC_NUM_LEDS; i++) {
		l = &bd->leds.want[i];
		if (bd->mirror_known && !memcmp(l, &bd->mirrored[i], sizeof(*l)))
			continue;
		bd->mirrored[i] = *l;
		n = apc_led_show_msgs(bd->model, i, l, msg, sizeof(msg));
		if (n > 0 && bridge_send(bd, bridge_dev_leds_port(bd), msg, (size_t)n) == 0)
			sent = 1;
	}
	bd->mirror_known = 1;
	if (sent) {
		bd->in_unsent = 0;
		bd->b->ops->drain(bd);
	}
}

/* The play mapping's LED picture, if it draws and it changed: into the LED
 * state, and to the device. */
static void bridge_dev_draw(struct bridge_dev *bd)
{
	if (apcmap_grid_draw(&bd->grid, &bd->map, &bd->leds) && bd->usb) {
		bd->stats.kicks++;
		usbdev_kick(bd->usb);
	}
	bridge_mirror_sync(bd);
}

/* One piece of a sysex event: 1 and the whole message in *msg, *n when it
 * is complete (joined to earlier pieces or whole already), 0 when it is
 * kept for the rest or dropped (counted: each piece once, as joined or
 * dropped, when its message is settled). */
static int bridge_sysex_piece(struct bridge_dev *bd, unsigned int cable, uint8_t **msg, long *n)
{
	const uint8_t *p = *msg;
	size_t len = (size_t)*n;
	int first = p[0] == 0xf0, last = p[len - 1] == 0xf7;

	if (first && last && !bd->sx_pieces && !bd->sx_skip)
		return 1;
	if (first || cable != bd->sx_cable) {
		/* A new one: what was under way never ends. */
		bd->stats.out_dropped += bd->sx_pieces;
		bd->sx_pieces = 0;
		bd->sx_len = 0;
		bd->sx_skip = 0;
	}
	if (bd->sx_skip || (!first && !bd->sx_pieces) || bd->sx_len + len > sizeof(bd->sx)) {
		/* Too long to join, or a piece of nothing: dropped. */
		bd->stats.out_dropped += bd->sx_pieces + 1;
		bd->sx_pieces = 0;
		bd->sx_len = 0;
		bd->sx_skip = !last;
		return 0;
	}
	memcpy(bd->sx + bd->sx_len, p, len);
	bd->sx_len += len;
	bd->sx_cable = cable;
	bd->sx_pieces++;
	if (!last)
		return 0;
	bd->stats.sysex_joined += bd->sx_pieces - 1;
	*msg = bd->sx;
	*n = (long)bd->sx_len;
	bd->sx_pieces = 0;
	bd->sx_len = 0;
	return 1;
}

int bridge_dev_seq_event(struct bridge_dev *bd, const snd_seq_event_t *ev)
{
	uint8_t buf[BRIDGE_MSG_MAX], *msg = buf;
	unsigned int cable;
	long n;
	int r;

	bd->stats.seq_events++;
	if ((ev->type == SND_SEQ_EVENT_PORT_SUBSCRIBED ||
	     ev->type == SND_SEQ_EVENT_PORT_UNSUBSCRIBED) &&
	    ev->data.connect.sender.client == bd->client) {
		/* The first hands the LEDs to the mapping, the last gives
		 * them back to the clients' picture. */
		if (ev->data.connect.sender.port == bridge_dev_play_port(bd))
			return apcmap_grid_subscribers(
				&bd->grid, &bd->map, &bd->leds,
				ev->type == SND_SEQ_EVENT_PORT_SUBSCRIBED ? 1 : -1);
		if (ev->data.connect.sender.port != bridge_dev_leds_port(bd))
			return 0;
		if (ev->type == SND_SEQ_EVENT_PORT_SUBSCRIBED) {
			bd->leds_subs++;
			bd->mirror_known = 0; /* the new one knows nothing */
		} else if (bd->leds_subs) {
			bd->leds_subs--;
		}
		return 0;
	}
	if (ev->dest.port >= bridge_dev_ports(bd))
		return 0;
	cable = ev->dest.port;
	snd_midi_event_reset_decode(bd->to_midi);
	n = snd_midi_event_decode(bd->to_midi, buf, sizeof(buf), ev);
	/* Echoes, announcements and the like are no MIDI: -ENOENT. */
	if (n == -ENOENT)
		return 0;
	if (n <= 0) {
		bd->stats.out_dropped++;
		return 0;
	}
	if (ev->type == SND_SEQ_EVENT_SYSEX && !bridge_sysex_piece(bd, cable, &msg, &n))
		return 0;
	if (cable == 0) {
		r = apcmap_grid_client(&bd->grid, &bd->leds, msg, (size_t)n);
		if (r >= 0) {
			bd->stats.led_events++;
			bd->stats.app_led_events += bridge_dev_map_draws(bd);
			return r > 0;
		}
	}
	if (!bd->usb) {
		/* Ordered messages mean nothing to a device that is not
		 * there; LED changes were kept above. */
		bd->stats.out_dropped++;
		return 0;
	}
	r = usbout_push(&bd->out, cable, msg, (size_t)n);
	if (r < 0) {
		bd->stats.out_dropped++;
		log_dbg("%s: Cannot queue a %ld-byte message: %s", bd->name, n, strerror(-r));
		return 0;
	}
	return 1;
}

void bridge_dev_seq_ready(struct bridge_dev *bd)
{
	snd_seq_event_t *ev;
	int r, work = 0;

	/* All that one wake-up brings becomes one batch for the device. */
	for (;;) {
		r = bd->b->ops->input(bd, &ev);
		if (r == -EAGAIN)
			break;
		if (r == -ENOSPC) {
			bd->stats.seq_overruns++;
			log_warn("%s: sequencer input overrun, events were lost", bd->name);
			continue;
		}
		if (r < 0) {
			log_err("%s: Cannot read sequencer events: %s", bd->name, strerror(-r));
			break;
		}
		work |= bridge_dev_seq_event(bd, ev);
	}
	bridge_mirror_sync(bd);
	if (work && bd->usb && usbout_pending(&bd->out)) {
		bd->stats.kicks++;
		usbdev_kick(bd->usb);
	}
}

int bridge_next_deadline(const struct bridge *b, uint64_t *due_ns)
{
	const struct bridge_dev *bd;
	uint64_t t;
	int any = 0;

	for (bd = b->devs; bd; bd = bd->next) {
		if (apcmap_next_deadline(&bd->map, &t) && (!any || t < *due_ns)) {
			*due_ns = t;
			any = 1;
		}
		if (bd->draw_at && (!any || bd->draw_at < *due_ns)) {
			*due_ns = bd->draw_at;
			any = 1;
		}
	}
	return any;
}

void bridge_tick(struct bridge *b, uint64_t now_ns)
{
	struct bridge_dev *bd;
	struct apcmap_out out;
	uint64_t t;
	int r;

	for (bd = b->devs; bd; bd = bd->next) {
		if (bd->draw_at && bd->draw_at <= now_ns) {
			bd->draw_at = 0;
			bridge_dev_draw(bd);
		}
		if (!apcmap_next_deadline(&bd->map, &t) || t > now_ns)
			continue;
		if (apcmap_tick(&bd->map, now_ns, &out) <= 0)
			continue;
		/* Stamped when they leave: the device sent them earlier. */
		bd->in_time_ns = now_ns;
		bridge_play(bd, &out);
		bd->in_unsent = 0;
		r = b->ops->drain(bd);
		if (r < 0)
			log_dbg("%s: Cannot drain sequencer output: %s", bd->name, strerror(-r));
	}
}

void bridge_leds_off(struct bridge *b)
{
	static const struct apc_led off = { .value = 0, .behaviour = 0 };
	struct bridge_dev *bd;
	unsigned int i;

	for (bd = b->devs; bd; bd = bd->next) {
		if (bd->keep_leds > 0 || (bd->keep_leds < 0 && b->opt.keep_leds))
			continue;
		for (i = 0; i < APC_NUM_LEDS; i++)
			apc_leds_set(&bd->leds, i, &off);
		bridge_mirror_sync(bd);
		if (bd->usb && usbout_pending(&bd->out)) {
			bd->stats.kicks++;
			usbdev_kick(bd->usb);
		}
	}
}

int bridge_out_idle(const struct bridge *b)
{
	const struct bridge_dev *bd;

	for (bd = b->devs; bd; bd = bd->next) {
		if (!bd->usb)
			continue;
		if (usbout_pending(&bd->out) || bd->usb->ops->out_in_flight(bd->usb))
			return 0;
	}
	return 1;
}

void bridge_print_stats(const struct bridge *b, FILE *f)
{
	const struct bridge_dev *bd;
	struct usbdev_stats usb;

	for (bd = b->devs; bd; bd = bd->next) {
		usb = bd->stats.usb;
		if (bd->usb)
			bridge_add_usb_stats(&usb, &bd->usb->stats);
		fprintf(f,
			"%s (client %d, %s, %s): plugged %u times\n"
			"  in:  %llu USB transfers, %llu bytes -> %llu messages -> %llu events "
			"in %llu drains, %llu dropped\n"
			"  out: %llu sequencer events, %llu LED events -> %llu LED packets; "
			"%llu ordered messages; %llu USB transfers, %llu bytes; %llu batches, "
			"%llu dropped, %llu sysex pieces joined\n"
			"  errors: %llu USB transfer errors, %llu sequencer overruns, "
			"%llu events refused by a full subscriber\n",
			bd->name, bd->client, bd->key, bd->usb ? "present" : "absent", bd->plugs,
			(unsigned long long)usb.in_transfers, (unsigned long long)usb.in_bytes,
			(unsigned long long)bd->stats.in_messages,
			(unsigned long long)bd->stats.in_events,
			(unsigned long long)bd->stats.in_drains,
			(unsigned long long)bd->stats.in_dropped,
			(unsigned long long)bd->stats.seq_events,
			(unsigned long long)bd->stats.led_events,
			(unsigned long long)bd->out.stats.led_packets,
			(unsigned long long)bd->out.stats.messages,
			(unsigned long long)usb.out_transfers, (unsigned long long)usb.out_bytes,
			(unsigned long long)bd->stats.kicks,
			(unsigned long long)(bd->stats.out_dropped + bd->out.stats.dropped),
			(unsigned long long)bd->stats.sysex_joined,
			(unsigned long long)usb.errors, (unsigned long long)bd->stats.seq_overruns,
			(unsigned long long)bd->stats.seq_refused);
		fprintf(f,
			"  from the device: %llu malformed USB-MIDI packets, %llu sysex too "
			"long, %llu sysex cut short (dropped)\n",
			(unsigned long long)bd->in.stats.invalid,
			(unsigned long long)bd->in.stats.sysex_overflows,
			(unsigned long long)bd->in.stats.sysex_truncated);
		fprintf(f,
			"  device: %llu held notes released when it went, %llu fader "
			"readings, %llu mode changes\n",
			(unsigned long long)bd->stats.notes_released,
			(unsigned long long)bd->stats.fader_syncs,
			(unsigned long long)bd->stats.mode_changes);
	}
}

int bridge_in_log_open(struct bridge *b, FILE *f, unsigned int nrec)
{
	struct bridge_in_rec *rec;

	if (!f || !nrec)
		return -EINVAL;
	rec = calloc(nrec, sizeof(*rec));
	if (!rec)
		return -ENOMEM;
	free(b->log.rec);
	b->log.rec = rec;
	b->log.cap = nrec;
	b->log.len = 0;
	b->log.f = f;
	fprintf(f, "# SEQ CLIENT WOKE_NS REAP_NS DRAIN_NS LEN HEX...\n");
	return 0;
}

int bridge_in_log_enabled(const struct bridge *b)
{
	return b->log.f != NULL;
}

void bridge_in_log_woke(struct bridge *b, uint64_t ns)
{
	b->log.woke_ns = ns;
}

void bridge_in_log_flush(struct bridge *b)
{
	struct bridge_in_log *log = &b->log;
	const struct bridge_in_rec *rec;
	uint64_t first = log->seq - log->len - log->lost;
	unsigned int i, j, n;

	if (!log->f)
		return;
	for (i = 0; i < log->len; i++) {
		rec = &log->rec[i];
		fprintf(log->f, "%llu %d %llu %llu %llu %u", (unsigned long long)(first + i),
			rec->client, (unsigned long long)rec->woke_ns,
			(unsigned long long)rec->reap_ns, (unsigned long long)rec->drain_ns,
			rec->len);
		n = rec->len < BRIDGE_IN_LOG_BYTES ? rec->len : BRIDGE_IN_LOG_BYTES;
		for (j = 0; j < n; j++)
			fprintf(log->f, " %02x", rec->data[j]);
		fputc('\n', log->f);
	}
	if (log->lost) {
		fprintf(log->f, "# %llu transfers not recorded: the ring was full\n",
			(unsigned long long)log->lost);
		log->lost = 0;
	}
	log->len = 0;
	log->undrained = 0;
	fflush(log->f);
}
