/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OUT queue of one device: ordered packets plus coalesced LED changes.
 * Pure; runs in whichever thread owns the device (apcminid's event loop). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "apcmini.h"
#include "usbmidi.h"
#include "usbout.h"

/* Packets for the longest message usbout_push() takes (a whole sysex of
 * USBMIDI_SYSEX_MAX bytes), as usbmidi.h sizes them. */
#define USBOUT_MSG_PACKETS_MAX USBMIDI_ENCODE_MAX(USBMIDI_SYSEX_MAX)

void usbout_init(struct usbout *q, struct apc_led_state *leds)
{
	memset(q, 0, sizeof(*q));
	q->leds = leds;
}

static void usbout_ring_put(struct usbout *q, const uint8_t *p, size_t n)
{
	size_t tail = (q->head + q->len) % USBOUT_RING_SIZE;
	size_t first = USBOUT_RING_SIZE - tail;

	if (first > n)
		first = n;
	memcpy(q->ring + tail, p, first);
	memcpy(q->ring, p + first, n - first);
	q->len += n;
}

static void usbout_ring_get(struct usbout *q, uint8_t *p, size_t n)
{
	size_t first = USBOUT_RING_SIZE - q->head;

	if (first > n)
		first = n;
	memcpy(p, q->ring + q->head, first);
	memcpy(p + first, q->ring, n - first);
	q->head = (q->head + n) % USBOUT_RING_SIZE;
	q->len -= n;
}

/* The MIDI bytes of a sysex that fit in `cap` bytes of packets (3 per
 * 4-byte packet). */
#define USBOUT_SYSEX_ROOM(cap) ((cap) / USBMIDI_PACKET_SIZE * 3)

/* Turn pending LED changes into cable 0 packets, at most `cap` bytes: the
 * note-ons, then the RGB colours that are due (mk2). `now_ns` is when they
 * leave, or APC_LEDS_QUEUED. */
static size_t usbout_leds_to_packets(struct usbout *q, uint8_t *out, size_t cap, uint64_t now_ns)
{
	uint8_t midi[3 * APC_NUM_LEDS];
	uint8_t rgb[USBOUT_SYSEX_ROOM(USBMIDI_ENCODE_MAX(USBMIDI_SYSEX_MAX))];
	size_t n, i, room, done = 0;
	int r;

	if (!q->leds)
		return 0;
	n = cap / USBMIDI_PACKET_SIZE;
	if (n > APC_NUM_LEDS)
		n = APC_NUM_LEDS;
	n = apc_leds_flush(q->leds, midi, n * 3, now_ns);
	for (i = 0; i + 3 <= n; i += 3) {
		r = usbmidi_encode_msg(0, midi + i, 3, out + done, cap - done);
		if (r < 0)
			break;
		done += (size_t)r;
	}
	if (now_ns != APC_LEDS_QUEUED) {
		room = USBOUT_SYSEX_ROOM(cap - done);
		if (room > sizeof(rgb))
			room = sizeof(rgb);
		n = apc_leds_flush_rgb(q->leds, rgb, room, now_ns);
		if (n) {
			r = usbmidi_encode_msg(0, rgb, n, out + done, cap - done);
			if (r > 0)
				done += (size_t)r;
		}
	}
	q->stats.led_packets += done / USBMIDI_PACKET_SIZE;
	return done;
}

int usbout_push(struct usbout *q, unsigned int cable, const uint8_t *msg, size_t len)
{
	uint8_t pkts[USBOUT_MSG_PACKETS_MAX];
	uint8_t leds[USBMIDI_PACKET_SIZE * APC_NUM_LEDS];
	size_t nleds = 0, room;
	int r;

	if (!len || len > USBMIDI_SYSEX_MAX)
		return -EINVAL;
	r = usbmidi_encode_msg(cable, msg, len, pkts, sizeof(pkts));
	if (r < 0)
		return r;
	if (q->leds)
		nleds = apc_leds_pending(q->leds) * USBMIDI_PACKET_SIZE;
	room = USBOUT_RING_SIZE - q->len;
	if ((size_t)r + nleds > room) {
		q->stats.dropped++;
		return -ENOSPC;
	}
	/* LED changes asked for before this message go out before it. */
	if (nleds) {
		nleds = usbout_leds_to_packets(q, leds, sizeof(leds), APC_LEDS_QUEUED);
		usbout_ring_put(q, leds, nleds);
	}
	usbout_ring_put(q, pkts, (size_t)r);
	q->stats.messages++;
	return 0;
}

int usbout_pending(const struct usbout *q)
{
	return q->len || (q->leds && apc_leds_pending(q->leds));
}

uint64_t usbout_due(const struct usbout *q, uint64_t now_ns)
{
	if (q->len)
		return now_ns;
	return q->leds ? apc_leds_due(q->leds, now_ns) : 0;
}

size_t usbout_fill(struct usbout *q, uint8_t *buf, size_t cap, uint64_t now_ns)
{
	size_t n;

	cap -= cap % USBMIDI_PACKET_SIZE;
	n = q->len < cap ? q->len : cap;
	usbout_ring_get(q, buf, n);
	/* LED messages queued in the ring by usbout_push leave now. */
	if (n && !q->len && q->leds)
		apc_leds_sent(q->leds, now_ns);
	if (!q->len)
		n += usbout_leds_to_packets(q, buf + n, cap - n, now_ns);
	if (n) {
		q->stats.fills++;
		q->stats.packets += n / USBMIDI_PACKET_SIZE;
	}
	return n;
}

void usbout_clear(struct usbout *q)
{
	q->head = 0;
	q->len = 0;
}
