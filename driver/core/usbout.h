/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The OUT queue of one device: ordered messages (sysex, inquiry, anything
 * that is not an LED change) in a ring of USB-MIDI packets, and the LED
 * state (apc_led_state) whose pending changes are merged, latest value per
 * LED wins, and packed after the ordered packets into as few transfers as
 * possible. Pure: no I/O, no allocation.
 */
#ifndef APC_USBOUT_H
#define APC_USBOUT_H

#include <stddef.h>
#include <stdint.h>

struct apc_led_state;

/* Ordered packets held at most (bytes): an mk2 RGB sysex for every pad one
 * by one is about 700 packets; 1024 packets leave room for a few. */
#define USBOUT_RING_SIZE 4096

struct usbout_stats {
	uint64_t messages;	/* ordered messages queued */
	uint64_t led_packets;	/* LED change packets handed out */
	uint64_t packets;	/* all packets handed out */
	uint64_t fills;		/* usbout_fill() calls that returned data */
	uint64_t dropped;	/* ordered messages dropped: ring full */
};

struct usbout {
	struct apc_led_state *leds; /* not owned; NULL: no LEDs */
	uint8_t ring[USBOUT_RING_SIZE];
	size_t head;		/* first queued byte */
	size_t len;		/* bytes queued */
	struct usbout_stats stats;
};

void usbout_init(struct usbout *q, struct apc_led_state *leds);

/* Queue one complete MIDI message for `cable`, in order. LED changes made
 * before it are moved into the ring first, so a client that sets an LED and
 * then sends a sysex about the same pad sees them applied in that order.
 * Returns 0, -ENOSPC (ring full, message dropped and counted) or -EINVAL. */
int usbout_push(struct usbout *q, unsigned int cable, const uint8_t *msg, size_t len);

/* Non-zero if anything waits to be sent, now or later (usbout_due). */
int usbout_pending(const struct usbout *q);

/* Write the next transfer into `buf`, `now_ns` being when it leaves:
 * ordered packets first, then pending LED changes, whole 4-byte packets
 * only, at most `cap` bytes. LEDs written count as shown. An mk2 RGB colour
 * may have to wait for the firmware (APC_RGB_GAP_NS): then fill returns 0
 * though usbout_pending() is true, and usbout_due() says when to call
 * again. Returns the bytes written. */
size_t usbout_fill(struct usbout *q, uint8_t *buf, size_t cap, uint64_t now_ns);

/* When usbout_fill() will have something to send: `now_ns` if now, a later
 * time if only RGB colours wait for their gap, 0 if nothing is pending. */
uint64_t usbout_due(const struct usbout *q, uint64_t now_ns);

/* Drop the ordered packets (the device went away mid-message). */
void usbout_clear(struct usbout *q);

#endif
