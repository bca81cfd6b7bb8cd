/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcbench's direct path: the transport apcminid ships (libapcusb) in the
 * bench's own process, on its own thread and loop, with the bench as the
 * device's owner: no sequencer between the USB transfers and the bench.
 */
#ifndef APC_BENCH_DIRECT_H
#define APC_BENCH_DIRECT_H

#include <stddef.h>
#include <stdint.h>

#include "bench-log.h"

struct loop;
struct bench_direct;

/* Start the transport and wait (up to 5 s) until it opened an APC mini;
 * `desc` gets what it opened. `loop` is the main thread's: recv and leds
 * wait on it. -ENODEV when no device came. */
int bench_direct_open(struct bench_direct **d, struct loop *loop, char *desc, size_t descsz);
/* Stop the transport (it gives the device back to the kernel driver). */
void bench_direct_close(struct bench_direct *d);
/* struct bench_target's recv and leds. */
int bench_direct_recv(void *ctx, uint64_t until_ns, struct bench_log *rx);
int bench_direct_leds(void *ctx, const uint8_t *msgs, size_t n, int per_event);
/* struct bench_target's identity: the request in one OUT transfer. */
int bench_direct_identity(void *ctx);

#endif
