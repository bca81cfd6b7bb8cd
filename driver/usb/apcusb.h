/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The libusb transport: one libusb context with hotplug, every APC mini
 * (mk1, mk2) that arrives is opened (retrying the race with udev's
 * permissions from a timer), its MIDIStreaming interface found in the
 * descriptors, taken from snd-usb-audio and claimed; IN transfers are kept
 * in flight, OUT transfers are filled from the owner (usbdev.h) when free.
 * It runs on the caller's event loop (loop.h): it watches libusb's
 * descriptors there, asks for its deadlines, and handles libusb's events
 * once per wake-up. Nothing here blocks except opening a device (descriptor
 * reads) and apcusb_free(), which waits a bounded time for cancelled
 * transfers.
 */
#ifndef APC_APCUSB_H
#define APC_APCUSB_H

#include <stdint.h>
#include <stdio.h>

#include "usbdev.h"

struct loop;

struct apcusb;

/* IN transfers always in flight. The kernel's driver keeps 7 and gives
 * each back to the host controller from its completion handler; ours come
 * back only once this process has been woken up and scheduled, which can
 * take a millisecond or more on a loaded machine. A host controller fills at
 * most one transfer of an endpoint per pass over its queue, and once all of
 * them are done it has nothing to put the device's data into: the data then
 * piles up in the device, one short transfer per pass, and the latency of
 * everything behind it grows. 32 transfers of one 64-byte packet cover about
 * 1.7 ms of a full-speed bus at its busiest (19 bulk packets per frame), for
 * 2 KiB of buffers. */
#define APCUSB_IN_TRANSFERS 32
#define APCUSB_OUT_TRANSFERS 4	/* OUT transfers that may be in flight */
#define APCUSB_OUT_BUFSIZE 512	/* bytes per OUT transfer: 128 packets,
				 * a full 80-LED repaint in one transfer */

struct apcusb_config {
	/* Which device to serve: NULL for all, else as usbselect.h parses
	 * it (bus:address, index, port path, model or serial number). */
	const char *device;
	/* Minimum time between OUT transfer submissions, 0 for none. With a
	 * gap each OUT transfer also carries at most one USB packet. */
	unsigned int out_gap_us;
};

/* Create the context on `loop` (no device is touched yet); `loop` must
 * outlive it. 0 or -errno. */
int apcusb_new(struct apcusb **out, const struct apcusb_config *cfg,
	       const struct usbdev_owner *owner, void *owner_user, struct loop *loop);
/* Register for hotplug: devices already present arrive now. 0 or -errno;
 * -EOPNOTSUPP when libusb has no hotplug (the present devices are still
 * opened, later ones are not seen). */
int apcusb_start(struct apcusb *u);
/* Close every device, giving it back to the kernel driver, and free. */
void apcusb_free(struct apcusb *u);

/* Give the APC minis that match `device` (as --device; NULL: all) and that
 * nobody holds back to the kernel driver: re-attach it to every interface
 * without a driver, reset if that is not enough. For a driver that died
 * without cleaning up (apcminid's guardian, apcminid --give-back). Returns
 * how many were given back, or -errno. Blocking; main thread. */
int apcusb_give_back_orphans(const char *device);

/* When a libusb descriptor last woke the loop (CLOCK_MONOTONIC ns), for
 * apcminid's --in-log. */
uint64_t apcusb_woke_ns(const struct apcusb *u);

/* Devices known: arrived (opening or open) and not yet gone. */
unsigned int apcusb_num_devices(const struct apcusb *u);

/* The one place where a LIBUSB_ERROR_* code becomes -errno, for the
 * transport and for anything else in the tree that calls libusb (the
 * bench). Non-negative values (counts, lengths) pass through. */
int apcusb_errno(int libusb_error);

#endif
