/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A USB-MIDI device as its owner (the sequencer bridge, a test, the bench)
 * sees it, whatever transport drives it: libusb (apcusb.c) or a test's mock.
 * Shaped like the kernel's usb_protocol_ops: the owner never pushes bytes
 * down; it says "there is output" (kick) and the transport pulls the next
 * transfer's worth through fill_out() whenever a transfer is free, so the
 * owner's OUT queue can keep coalescing until the last moment. No libusb or
 * ALSA types here.
 */
#ifndef APC_USBDEV_H
#define APC_USBDEV_H

#include <stddef.h>
#include <stdint.h>

struct apc_model;
struct usbdev;

struct usbdev_stats {
	uint64_t in_transfers;	/* completed IN transfers with data */
	uint64_t in_bytes;
	uint64_t out_transfers; /* completed OUT transfers */
	uint64_t out_bytes;
	uint64_t errors;	/* transfers that failed and were retried */
};

/* What the owner may ask of the transport. */
struct usbdev_ops {
	/* The owner's OUT queue has data: pull it with fill_out() as soon as
	 * a transfer is free and the OUT gap allows. Cheap; call it once
	 * after a batch, not per message. */
	void (*kick)(struct usbdev *d);
	/* OUT transfers submitted and not yet completed. */
	unsigned int (*out_in_flight)(struct usbdev *d);
};

struct usbdev {
	const struct usbdev_ops *ops;
	const struct apc_model *model; /* from VID/PID */
	/* Stable across replug: "serial:<iSerialNumber>" if the device has a
	 * serial number, else "port:<bus>-<port path>". */
	char key[96];
	char serial[64];	/* "" if the device reports none */
	char path[32];		/* "1-2.3": bus and port numbers */
	char name[64];		/* "APC mini mk2 1-2.3": the log's context */
	/* The names snd-usb-audio gives the device, from its strings and
	 * descriptors (usbmidi_card_name, usbmidi_port_name): its client's
	 * and each cable's port's. */
	char card_name[32];
	char port_names[2][32];
	uint8_t busnum, address;
	uint16_t out_packet_size; /* wMaxPacketSize of the OUT endpoint */
	/* Set before detach() when the device went away (unplugged, or its
	 * transfers say it is gone); 0 when the transport lets it go (exit). */
	int gone;
	struct usbdev_stats stats;
	void *owner_data;	/* the owner's per-device state */
};

/* What the transport tells the owner. All calls come from the event loop
 * thread, some from inside libusb's event handling: none may block. */
struct usbdev_owner {
	/* The device is open, claimed and about to start its IN transfers.
	 * Returning < 0 makes the transport give the device up. */
	int (*attach)(void *user, struct usbdev *d);
	/* The device is gone (unplugged) or being closed; `d` is freed after
	 * this returns and fill_out() will not be called again. */
	void (*detach)(void *user, struct usbdev *d);
	/* The bytes of one completed IN transfer (whole USB-MIDI packets) and
	 * the time it was reaped (CLOCK_MONOTONIC ns): what it carried
	 * happened at that time, whenever input_end() passes it on. */
	void (*input)(void *user, struct usbdev *d, const uint8_t *buf, size_t len,
		      uint64_t reap_ns);
	/* Every transfer that had completed when the transport looked has
	 * been handed to input(): pass on what they carried now, once for
	 * all of them (one sequencer write, one wake-up of each reader).
	 * The transport resubmits those transfers after this returns (or
	 * sooner, when half of a device's transfers wait). */
	void (*input_end)(void *user);
	/* Fill one OUT transfer (whole packets, at most `cap` bytes) that
	 * leaves at `now_ns`; return the bytes written, 0 when there is
	 * nothing to send now. Then *due_ns may name a later time to ask
	 * again (an mk2 RGB colour waiting for the firmware), without a kick;
	 * it is 0 on entry. */
	size_t (*fill_out)(void *user, struct usbdev *d, uint8_t *buf, size_t cap, uint64_t now_ns,
			   uint64_t *due_ns);
	/* An OUT transfer failed: what it carried is lost (the owner can
	 * forget what the LEDs show so the next flush repaints). */
	void (*out_error)(void *user, struct usbdev *d);
};

static inline void usbdev_kick(struct usbdev *d)
{
	d->ops->kick(d);
}

#endif
