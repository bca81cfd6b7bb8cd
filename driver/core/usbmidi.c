/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* USB-MIDI 1.0 event packet codec: packets <-> MIDI messages per cable.
 * Core: any thread may call it; all state lives in the caller's structs. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "midimsg.h"
#include "usbmidi.h"

/* Section 4 of the class spec: MIDI bytes carried per code index number. */
static const uint8_t cin_length[16] = { 0, 0, 2, 3, 3, 1, 2, 3, 3, 3, 3, 3, 2, 2, 3, 1 };

unsigned int usbmidi_cin_length(unsigned int cin)
{
	return cin < 16 ? cin_length[cin] : 0;
}

static int is_data(uint8_t b)
{
	return b < 0x80;
}

static int is_realtime(uint8_t b)
{
	return b >= 0xf8;
}

void usbmidi_decoder_init(struct usbmidi_decoder *d)
{
	memset(d, 0, sizeof(*d));
}

static void sysex_reset(struct usbmidi_decoder_cable *c)
{
	c->in_sysex = 0;
	c->sysex_overflowed = 0;
	c->sysex_len = 0;
}

/* A sysex that overflowed was already counted once as an overflow; counting
 * it again as truncated would report one lost message twice. */
static void sysex_abandon(struct usbmidi_decoder *d, struct usbmidi_decoder_cable *c)
{
	if (c->in_sysex && !c->sysex_overflowed)
		d->stats.sysex_truncated++;
	sysex_reset(c);
}

static void sysex_start(struct usbmidi_decoder *d, struct usbmidi_decoder_cable *c)
{
	sysex_abandon(d, c);
	c->in_sysex = 1;
}

static void sysex_append(struct usbmidi_decoder *d, struct usbmidi_decoder_cable *c,
			 const uint8_t *p, size_t n)
{
	if (c->sysex_overflowed)
		return;
	if (c->sysex_len + n > USBMIDI_SYSEX_MAX) {
		c->sysex_overflowed = 1;
		d->stats.sysex_overflows++;
		return;
	}
	memcpy(c->sysex + c->sysex_len, p, n);
	c->sysex_len += n;
}

/* Handles CIN 4-7 once the bytes are known to be well formed. Returns the
 * number of messages delivered (0 or 1). */
static size_t decode_sysex(struct usbmidi_decoder *d, unsigned int cable, const uint8_t *p,
			   unsigned int n, int ends, usbmidi_msg_fn fn, void *user)
{
	struct usbmidi_decoder_cable *c = &d->cable[cable];
	size_t delivered = 0;

	if (p[0] == 0xf0)
		sysex_start(d, c);
	sysex_append(d, c, p, n);
	if (!ends)
		return 0;
	if (!c->sysex_overflowed) {
		fn(user, cable, c->sysex, c->sysex_len);
		delivered = 1;
	}
	sysex_reset(c);
	return delivered;
}

/* Are the bytes of a sysex packet (CIN 4, 6, 7) consistent with the state?
 * F0 only leads, F7 only ends, everything else is data, and a packet that
 * does not start with F0 needs a sysex in progress. */
static int sysex_packet_valid(const struct usbmidi_decoder_cable *c, const uint8_t *p,
			      unsigned int n, int ends)
{
	unsigned int i;

	if (p[0] != 0xf0 && !c->in_sysex)
		return 0;
	for (i = p[0] == 0xf0 ? 1 : 0; i < n; i++) {
		if (ends && i == n - 1) {
			if (p[i] != 0xf7)
				return 0;
		} else if (!is_data(p[i])) {
			return 0;
		}
	}
	return 1;
}

static int data_valid(const uint8_t *p, unsigned int n)
{
	unsigned int i;

	for (i = 1; i < n; i++)
		if (!is_data(p[i]))
			return 0;
	return 1;
}

/* Returns the number of messages delivered for one packet, or -1 if the
 * packet is malformed. */
static int decode_packet(struct usbmidi_decoder *d, const uint8_t *pkt, usbmidi_msg_fn fn,
			 void *user)
{
	unsigned int cable = pkt[0] >> 4;
	unsigned int cin = pkt[0] & 0x0f;
	struct usbmidi_decoder_cable *c = &d->cable[cable];
	const uint8_t *p = pkt + 1;
	uint8_t s = p[0];

	switch (cin) {
	case 0x0: /* reserved for future extensions */
	case 0x1: /* cable events, reserved */
		return -1;
	case 0x2:
		if ((s != 0xf1 && s != 0xf3) || !data_valid(p, 2))
			return -1;
		break;
	case 0x3:
		if (s != 0xf2 || !data_valid(p, 3))
			return -1;
		break;
	case 0x4:
		if (!sysex_packet_valid(c, p, 3, 0))
			goto bad_sysex;
		return (int)decode_sysex(d, cable, p, 3, 0, fn, user);
	case 0x5:
		/* The one CIN that is ambiguous: either the sole system
		 * common message without data (tune request), or the F7 that
		 * ends a sysex whose length was a multiple of three. */
		if (s == 0xf7) {
			if (!c->in_sysex)
				return -1;
			return (int)decode_sysex(d, cable, p, 1, 1, fn, user);
		}
		if (s != 0xf6)
			return -1;
		break;
	case 0x6:
	case 0x7:
		if (!sysex_packet_valid(c, p, cin_length[cin], 1))
			goto bad_sysex;
		return (int)decode_sysex(d, cable, p, cin_length[cin], 1, fn, user);
	case 0xf:
		/* CIN F may also carry an unparsed byte stream; the APC mini
		 * never sends one, so only self-contained bytes are taken. */
		if (is_realtime(s)) {
			fn(user, cable, p, 1);
			return 1;
		}
		if (s != 0xf6)
			return -1;
		break;
	default: /* 0x8-0xE: channel voice, status must match the CIN */
		if ((unsigned int)(s >> 4) != cin || !data_valid(p, cin_length[cin]))
			return -1;
		break;
	}

	/* Any non-realtime message ends a sysex in MIDI 1.0. */
	sysex_abandon(d, c);
	fn(user, cable, p, cin_length[cin]);
	return 1;

bad_sysex:
	/* A sysex with a corrupt piece would be delivered with bytes missing:
	 * drop it whole. */
	sysex_abandon(d, c);
	return -1;
}

size_t usbmidi_decode(struct usbmidi_decoder *d, const uint8_t *buf, size_t len,
		      usbmidi_msg_fn fn, void *user)
{
	size_t delivered = 0;
	size_t off;

	for (off = 0; off + USBMIDI_PACKET_SIZE <= len; off += USBMIDI_PACKET_SIZE) {
		int r;

		/* Hosts and devices pad short transfers with zero packets;
		 * the kernel skips on the first byte alone, and so do we. */
		if (buf[off] == 0) {
			d->stats.padding++;
			continue;
		}
		d->stats.packets++;
		r = decode_packet(d, buf + off, fn, user);
		if (r < 0)
			d->stats.invalid++;
		else
			delivered += (size_t)r;
	}
	if (off < len)
		d->stats.invalid++;
	d->stats.messages += delivered;
	return delivered;
}

/* ---- Encoder ---- */

void usbmidi_encoder_init(struct usbmidi_encoder *e)
{
	memset(e, 0, sizeof(*e));
}

static void put_packet(uint8_t *out, size_t *n, unsigned int cable, unsigned int cin, uint8_t b0,
		       uint8_t b1, uint8_t b2)
{
	if (out) {
		uint8_t *p = out + *n * USBMIDI_PACKET_SIZE;

		p[0] = (uint8_t)(cable << 4 | cin);
		p[1] = b0;
		p[2] = b1;
		p[3] = b2;
	}
	(*n)++;
}

/* F7 closes a sysex with whatever is pending: CIN 5, 6 or 7 for 0, 1 or 2
 * bytes before it. */
static void put_sysex_end(uint8_t *out, size_t *n, unsigned int cable,
			  const struct usbmidi_encoder_cable *c)
{
	switch (c->len) {
	case 0:
		put_packet(out, n, cable, 0x5, 0xf7, 0, 0);
		break;
	case 1:
		put_packet(out, n, cable, 0x6, c->buf[0], 0xf7, 0);
		break;
	default:
		put_packet(out, n, cable, 0x7, c->buf[0], c->buf[1], 0xf7);
		break;
	}
}

/* Status bytes F0-F7: all of them cancel running status, and any of them
 * inside a sysex ends it (for F7 properly; for the others the sender broke
 * the sysex and what was pending is lost, as on a DIN cable). */
static void encode_system(struct usbmidi_encoder_cable *c, unsigned int cable, uint8_t b,
			  uint8_t *out, size_t *n, uint64_t *dropped)
{
	int was_sysex = c->in_sysex;

	if (b == 0xf7 && was_sysex)
		put_sysex_end(out, n, cable, c);
	c->running = 0;
	c->in_sysex = 0;
	c->len = 0;
	c->need = 0;
	switch (b) {
	case 0xf0:
		c->buf[0] = b;
		c->len = 1;
		c->in_sysex = 1;
		break;
	case 0xf1:
	case 0xf2:
	case 0xf3:
		c->buf[0] = b;
		c->len = 1;
		c->need = midi_msg_length(b);
		break;
	case 0xf6:
		put_packet(out, n, cable, 0x5, b, 0, 0);
		break;
	case 0xf7:
		if (!was_sysex && dropped)
			(*dropped)++;
		break;
	default: /* F4, F5: undefined */
		if (dropped)
			(*dropped)++;
		break;
	}
}

/* The state machine proper, one byte at a time as the kernel's
 * snd_usbmidi_transmit_byte(). With out == NULL it only counts packets,
 * which lets usbmidi_encode() check the space on a copy of the state first.
 * Returns the number of packets. */
static size_t encode_bytes(struct usbmidi_encoder_cable *c, unsigned int cable,
			   const uint8_t *midi, size_t len, uint8_t *out, uint64_t *dropped)
{
	size_t n = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		uint8_t b = midi[i];

		if (is_realtime(b)) {
			/* Realtime may sit anywhere, even inside sysex, and
			 * leaves everything pending untouched. */
			put_packet(out, &n, cable, 0xf, b, 0, 0);
		} else if (b >= 0xf0) {
			encode_system(c, cable, b, out, &n, dropped);
		} else if (b >= 0x80) {
			c->in_sysex = 0;
			c->running = b;
			c->buf[0] = b;
			c->len = 1;
			c->need = midi_msg_length(b);
		} else if (c->in_sysex) {
			c->buf[c->len++] = b;
			if (c->len == 3) {
				put_packet(out, &n, cable, 0x4, c->buf[0], c->buf[1], c->buf[2]);
				c->len = 0;
			}
		} else if (c->len == 0 || c->need == 0) {
			if (dropped)
				(*dropped)++;
		} else {
			c->buf[c->len++] = b;
			if (c->len < c->need)
				continue;
			/* Channel messages use their status nibble as CIN,
			 * system common its length (2 or 3). */
			put_packet(out, &n, cable, c->buf[0] < 0xf0 ? c->buf[0] >> 4u : c->need,
				   c->buf[0], c->buf[1], c->need == 3 ? c->buf[2] : 0);
			/* Running status: the next data byte starts a new
			 * message with the same status byte. */
			if (c->running) {
				c->len = 1;
			} else {
				c->len = 0;
				c->need = 0;
			}
		}
	}
	return n;
}

int usbmidi_encode(struct usbmidi_encoder *e, unsigned int cable, const uint8_t *midi, size_t len,
		   uint8_t *out, size_t outsz)
{
	struct usbmidi_encoder_cable *c;
	size_t n;

	if (cable >= USBMIDI_MAX_CABLES)
		return -EINVAL;
	c = &e->cable[cable];

	/* Every packet is triggered by one input byte, so when the buffer
	 * holds one packet per byte there is nothing to check; otherwise a
	 * dry run on a copy keeps the "nothing written" promise. */
	if (len > outsz / USBMIDI_PACKET_SIZE) {
		struct usbmidi_encoder_cable dry = *c;

		n = encode_bytes(&dry, cable, midi, len, NULL, NULL);
		if (n > outsz / USBMIDI_PACKET_SIZE)
			return -ENOSPC;
	}
	n = encode_bytes(c, cable, midi, len, out, &e->dropped);
	return (int)(n * USBMIDI_PACKET_SIZE);
}

int usbmidi_encode_msg(unsigned int cable, const uint8_t *msg, size_t len, uint8_t *out,
		       size_t outsz)
{
	struct usbmidi_encoder_cable c;
	uint64_t dropped = 0;
	size_t n = 0, i, k;
	int open = 0; /* a status byte whose message is not complete yet */

	if (cable >= USBMIDI_MAX_CABLES || len == 0 || is_data(msg[0]))
		return -EINVAL;
	memset(&c, 0, sizeof(c));
	for (i = 0; i < len; i++) {
		uint8_t b = msg[i];

		/* A status byte that cuts the message before it short (a
		 * sysex ended by a note-on, "90 40 7f 80"): the encoder
		 * would send the pieces of a broken message. Realtime bytes
		 * and running status are fine. */
		if (!is_data(b) && !is_realtime(b) && (c.in_sysex ? b != 0xf7 : open))
			return -EINVAL;
		k = encode_bytes(&c, cable, &b, 1, NULL, &dropped);
		n += k;
		if (!is_data(b) && !is_realtime(b))
			open = k == 0;
		else if (k && !is_realtime(b) && !c.in_sysex)
			open = 0;
	}
	/* Incomplete (a pending status or an open sysex) or with stray bytes:
	 * not the one complete message the caller promised. */
	if (open || dropped || c.in_sysex || c.len > (c.running ? 1 : 0) || n == 0)
		return -EINVAL;
	if (n > outsz / USBMIDI_PACKET_SIZE)
		return -ENOSPC;
	memset(&c, 0, sizeof(c));
	encode_bytes(&c, cable, msg, len, out, &dropped);
	return (int)(n * USBMIDI_PACKET_SIZE);
}

/* ---- names ---- */

void usbmidi_card_name(char out[USBMIDI_NAME_MAX], const char *product, uint16_t vid,
		       uint16_t pid)
{
	size_t start = 0, end;

	end = product ? strlen(product) : 0;
	while (start < end && isspace((unsigned char)product[start]))
		start++;
	while (end > start && isspace((unsigned char)product[end - 1]))
		end--;
	if (start == end) {
		snprintf(out, USBMIDI_NAME_MAX, "USB Device %#04x:%#04x", vid, pid);
		return;
	}
	if (end - start > USBMIDI_NAME_MAX - 1)
		end = start + USBMIDI_NAME_MAX - 1;
	memcpy(out, product + start, end - start);
	out[end - start] = '\0';
}

void usbmidi_port_name(char out[USBMIDI_NAME_MAX], const char *card, const char *jack,
		       unsigned int number)
{
	if (!jack || !*jack)
		snprintf(out, USBMIDI_NAME_MAX, "%s MIDI %u", card, number + 1);
	else if (!strncmp(card, jack, strlen(card)))
		snprintf(out, USBMIDI_NAME_MAX, "%s", jack); /* the maker named it in full */
	else
		snprintf(out, USBMIDI_NAME_MAX, "%s %s", card, jack);
}
