/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz harness: the byte-stream encoder (usbmidi_encode, usbmidi_encode_msg)
 * and its round trip through the decoder. A reference reading of MIDI 1.0
 * byte streams (running status, realtime anywhere, system common and sysex
 * cancelling running status, stray data dropped) says which messages each
 * cable's bytes carry; encoding them and decoding the packets must give
 * exactly those messages, in order, with no packet the decoder calls
 * invalid. A sysex longer than the decoder's USBMIDI_SYSEX_MAX is the one
 * documented loss: counted as an overflow by the decoder, not delivered.
 * An encode refused with -ENOSPC must leave the encoder as it was.
 *
 * Input: chunks of [header][length][bytes]: header bits 0-3 the cable,
 * bit 4 an invalid cable (16), bit 5 a too small output buffer first,
 * bit 6 the chunk also through usbmidi_encode_msg.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "midimsg.h"
#include "usbmidi.h"

struct ref_cable {
	uint8_t running, buf[3], len, need;
	int in_sysex, sx_over;
	size_t sx_len, sx_total;
	uint8_t sx[USBMIDI_SYSEX_MAX];
};

struct ref {
	struct ref_cable cable[USBMIDI_MAX_CABLES];
	uint64_t dropped, long_sysex;
	uint8_t out[1 << 16]; /* cable, len (2 bytes), bytes; per message */
	size_t len;
	int full;
};

struct got {
	uint8_t out[1 << 16];
	size_t len;
	int full;
};

static void record(uint8_t *out, size_t *len, int *full, unsigned int cable, const uint8_t *msg,
		   size_t n)
{
	if (*full || *len + 3 + n > 1 << 16) {
		*full = 1;
		return;
	}
	out[(*len)++] = (uint8_t)cable;
	out[(*len)++] = (uint8_t)(n >> 8);
	out[(*len)++] = (uint8_t)n;
	memcpy(out + *len, msg, n);
	*len += n;
}

static void ref_emit(struct ref *r, unsigned int cable, const uint8_t *msg, size_t n)
{
	record(r->out, &r->len, &r->full, cable, msg, n);
}

static void ref_sysex_add(struct ref_cable *c, uint8_t b)
{
	c->sx_total++;
	if (c->sx_len < sizeof(c->sx))
		c->sx[c->sx_len++] = b;
	else
		c->sx_over = 1;
}

/* A sysex cut short (by a status byte or the end of the input): the
 * encoder sent its bytes in packets of three and drops what was pending,
 * so the decoder saw an overflow if those packets alone were too long. */
static void ref_sysex_abandon(struct ref *r, struct ref_cable *c)
{
	if (c->in_sysex && c->sx_total / 3 * 3 > USBMIDI_SYSEX_MAX)
		r->long_sysex++;
	c->in_sysex = 0;
}

/* MIDI 1.0 as a receiver on a DIN cable reads it. */
static void ref_byte(struct ref *r, unsigned int cable, uint8_t b)
{
	struct ref_cable *c = &r->cable[cable];

	if (b >= 0xf8) {
		ref_emit(r, cable, &b, 1);
		return;
	}
	if (b >= 0xf0) {
		int was_sysex = c->in_sysex;

		if (b != 0xf7)
			ref_sysex_abandon(r, c);
		c->in_sysex = 0;
		c->running = 0;
		c->len = 0;
		c->need = 0;
		switch (b) {
		case 0xf0:
			c->in_sysex = 1;
			c->sx_over = 0;
			c->sx_len = 0;
			c->sx_total = 0;
			ref_sysex_add(c, b);
			break;
		case 0xf7:
			if (!was_sysex) {
				r->dropped++;
				break;
			}
			ref_sysex_add(c, b);
			if (c->sx_over)
				r->long_sysex++;
			else
				ref_emit(r, cable, c->sx, c->sx_len);
			break;
		case 0xf6:
			ref_emit(r, cable, &b, 1);
			break;
		case 0xf1:
		case 0xf2:
		case 0xf3:
			c->buf[0] = b;
			c->len = 1;
			c->need = (uint8_t)midi_msg_length(b);
			break;
		default:
			r->dropped++;
			break;
		}
		return;
	}
	if (b >= 0x80) {
		ref_sysex_abandon(r, c);
		c->running = b;
		c->buf[0] = b;
		c->len = 1;
		c->need = (uint8_t)midi_msg_length(b);
		return;
	}
	if (c->in_sysex) {
		ref_sysex_add(c, b);
		return;
	}
	if (c->len == 0) {
		if (!c->running) {
			r->dropped++;
			return;
		}
		c->buf[0] = c->running;
		c->need = (uint8_t)midi_msg_length(c->running);
		c->len = 1;
	}
	c->buf[c->len++] = b;
	if (c->len == c->need) {
		ref_emit(r, cable, c->buf, c->len);
		c->len = 0;
	}
}

static void got_msg(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
	struct got *g = user;

	record(g->out, &g->len, &g->full, cable, msg, len);
}

static struct ref ref, ref_msg;
static struct got got, got_one;
static struct usbmidi_encoder enc;
static struct usbmidi_decoder dec, dec_one;

/* usbmidi_encode_msg on one chunk: accepted means one complete message
 * (perhaps with running status and realtime bytes) that decodes to what
 * the reference reads in it. */
static void check_encode_msg(unsigned int cable, const uint8_t *msg, size_t len)
{
	uint8_t pkts[USBMIDI_ENCODE_MAX(256)];
	size_t i;
	int n;

	n = usbmidi_encode_msg(cable, msg, len, pkts, sizeof(pkts));
	if (cable >= USBMIDI_MAX_CABLES || len == 0) {
		FUZZ_CHECK(n == -EINVAL);
		return;
	}
	FUZZ_CHECK(n == -EINVAL || n > 0);
	if (n < 0)
		return;
	FUZZ_CHECK(n % USBMIDI_PACKET_SIZE == 0);
	memset(&ref_msg, 0, offsetof(struct ref, out));
	ref_msg.len = 0;
	ref_msg.full = 0;
	for (i = 0; i < len; i++)
		ref_byte(&ref_msg, cable, msg[i]);
	FUZZ_CHECK(ref_msg.dropped == 0);
	FUZZ_CHECK(ref_msg.len > 0 || ref_msg.long_sysex > 0);

	usbmidi_decoder_init(&dec_one);
	got_one.len = 0;
	got_one.full = 0;
	usbmidi_decode(&dec_one, pkts, (size_t)n, got_msg, &got_one);
	FUZZ_CHECK(dec_one.stats.invalid == 0);
	FUZZ_CHECK(got_one.len == ref_msg.len && !memcmp(got_one.out, ref_msg.out, ref_msg.len));

	/* Too small a buffer: refused, not cut. */
	if (n > USBMIDI_PACKET_SIZE)
		FUZZ_CHECK(usbmidi_encode_msg(cable, msg, len, pkts, (size_t)n - 1) == -ENOSPC);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t pkts[USBMIDI_ENCODE_MAX(64)];
	struct usbmidi_encoder before;

	memset(&ref, 0, offsetof(struct ref, out));
	ref.len = 0;
	ref.full = 0;
	got.len = 0;
	got.full = 0;
	usbmidi_encoder_init(&enc);
	usbmidi_decoder_init(&dec);

	while (in.n) {
		uint8_t hdr = fuzz_byte(&in);
		unsigned int cable = hdr & 0x10 ? USBMIDI_MAX_CABLES : hdr & 0x0f;
		size_t len = fuzz_byte(&in) & 0x3f, outsz = sizeof(pkts);
		const uint8_t *chunk = in.p;
		int n;

		if (len > in.n)
			len = in.n;
		in.p += len;
		in.n -= len;
		if (hdr & 0x40)
			check_encode_msg(cable, chunk, len);
		if (hdr & 0x20)
			outsz = (size_t)(fuzz_byte(&in) % (len + 1)) * USBMIDI_PACKET_SIZE;
		before = enc;
		n = usbmidi_encode(&enc, cable, chunk, len, pkts, outsz);
		if (cable >= USBMIDI_MAX_CABLES) {
			FUZZ_CHECK(n == -EINVAL);
			FUZZ_CHECK(!memcmp(&before, &enc, sizeof(enc)));
			continue;
		}
		if (n == -ENOSPC) {
			FUZZ_CHECK(outsz < sizeof(pkts));
			FUZZ_CHECK(!memcmp(&before, &enc, sizeof(enc)));
			n = usbmidi_encode(&enc, cable, chunk, len, pkts, sizeof(pkts));
		}
		FUZZ_CHECK(n >= 0 && n % USBMIDI_PACKET_SIZE == 0);
		FUZZ_CHECK((size_t)n <= USBMIDI_ENCODE_MAX(len));
		for (size_t i = 0; i < len; i++)
			ref_byte(&ref, cable, chunk[i]);
		usbmidi_decode(&dec, pkts, (size_t)n, got_msg, &got);
		FUZZ_CHECK(dec.stats.invalid == 0);
	}
	for (unsigned int k = 0; k < USBMIDI_MAX_CABLES; k++)
		ref_sysex_abandon(&ref, &ref.cable[k]);
	FUZZ_CHECK(got.full == ref.full);
	FUZZ_CHECK(got.len == ref.len && !memcmp(got.out, ref.out, ref.len));
	FUZZ_CHECK(dec.stats.sysex_overflows == ref.long_sysex);
	FUZZ_CHECK(enc.dropped == ref.dropped);
	return 0;
}
