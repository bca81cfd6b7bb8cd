/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcbench's device side on the emulated APC mini: the core's device model
 * (apcdev) answers what the host sends and records each LED message with
 * its receive stamp; the bench's sender plays controls through gadget-seq,
 * the one way the test rig sends as the device, which also carries the
 * echo of the round trip.
 */
#ifndef APC_BENCH_DEVICE_H
#define APC_BENCH_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "bench-log.h"

struct apc_model;
struct bench_device;

/* Use `name` (a rawmidi device on a gadget card, hw:N,0) or else the nth
 * gadget card (driver "MIDI Gadget", from 0 in card order), and start the
 * device side's thread. -ENODEV when there is no such gadget (a real
 * device). */
int bench_device_open(struct bench_device **d, const char *name, unsigned int nth,
		      const struct apc_model *m, size_t logcap);
void bench_device_close(struct bench_device *d);
/* struct bench_target's inject: controls on cable 0. */
int bench_device_inject(void *ctx, const uint8_t *bytes, size_t len, size_t unit,
			const uint32_t *keys, struct bench_log *tx);
/* Several emulated controllers played as one (--controllers): each
 * message goes to the next device in turn (the paced tests divide their
 * interval by n, so that each device still plays at --interval). */
#define BENCH_MAX_CONTROLLERS 8
struct bench_device_set {
	struct bench_device *d[BENCH_MAX_CONTROLLERS];
	unsigned int n, next;
};
/* struct bench_target's inject over a bench_device_set. */
int bench_device_set_inject(void *ctx, const uint8_t *bytes, size_t len, size_t unit,
			    const uint32_t *keys, struct bench_log *tx);
/* struct bench_target's echo: while on, every message the host sends is
 * written back as the device on its cable, right after it was read (and
 * recorded as before). */
int bench_device_echo(void *ctx, int on);
struct bench_log *bench_device_ledlog(struct bench_device *d);
int bench_device_efd(struct bench_device *d);
const char *bench_device_name(struct bench_device *d);
int bench_device_tid(struct bench_device *d);

#endif
