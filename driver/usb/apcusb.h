/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The libusb transport: one libusb context with hotplug, every APC mini
 * (mk1, mk2) that arrives is opened (retrying the race with udev's
 * permissions from a timer), its MIDIStreaming interface found in the
 * descriptors, taken from snd-usb-audio and claimed; IN transfers are kept
 * in flight, OUT transfers are filled from the owner (usbdev.h) when free.
 * The caller owns the event loop: it watches the fds apcusb asks for, arms a
 * timer for apcusb_next_deadline(), and calls apcusb_dispatch() when either
 * fires. Nothing here blocks except opening a device (descriptor reads) and
 * apcusb_free(), which waits a bounded time for cancelled transfers.
 */
#ifndef APC_APCUSB_H
#define APC_APCUSB_H

#include <stdint.h>
#include <stdio.h>

#include "usbdev.h"

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
	/* Which device to serve: NULL for all; "BUS:ADDRESS", a port path
	 * "BUS-PORT[.PORT...]", an index as --list prints it, a model
	 * ("mk1", "mk2") or a serial number. */
	const char *device;
	/* Minimum time between OUT transfer submissions, 0 for none. With a
	 * gap each OUT transfer also carries at most one USB packet. */
	unsigned int out_gap_us;
};

/* How apcusb asks its caller's event loop to watch file descriptors. */
struct apcusb_host {
	int (*watch_fd)(void *user, int fd, short events);
	void (*unwatch_fd)(void *user, int fd);
};

/* Create the context (no device is touched yet). 0 or -errno. */
int apcusb_new(struct apcusb **out, const struct apcusb_config *cfg,
	       const struct usbdev_owner *owner, void *owner_user,
	       const struct apcusb_host *host, void *host_user);
/* Register for hotplug: devices already present arrive now. 0 or -errno;
 * -EOPNOTSUPP when libusb has no hotplug (the present devices are still
 * opened, later ones are not seen). */
int apcusb_start(struct apcusb *u);
/* Close every device, giving it back to the kernel driver, and free. */
void apcusb_free(struct apcusb *u);

/* A watched fd or the deadline fired: handle libusb events without
 * blocking, then whatever timers are due. */
void apcusb_dispatch(struct apcusb *u);
/* Earliest CLOCK_MONOTONIC time (ns) at which apcusb_dispatch() has work,
 * libusb's own timeouts included. Returns 1 and sets *deadline_ns, or 0 when
 * nothing is scheduled. */
int apcusb_next_deadline(struct apcusb *u, uint64_t *deadline_ns);

/* Devices known: arrived (opening or open) and not yet gone. */
unsigned int apcusb_num_devices(const struct apcusb *u);

/* Print the APC minis present, one a line, in the order --device counts
 * them. Returns how many were found or -errno. */
int apcusb_list(FILE *f);

/* CLOCK_MONOTONIC in ns. */
uint64_t apcusb_now_ns(void);

/* The one place where a LIBUSB_ERROR_* code becomes -errno, for the
 * transport and for anything else in the tree that calls libusb (the
 * bench). Non-negative values (counts, lengths) pass through. */
int apcusb_errno(int libusb_error);

#endif
