/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What one path looks like to the measurements: who plays the device
 * (inject), how the bench receives (recv) and sends LEDs (leds), where
 * the device side records the LEDs it saw, and who echoes for the round
 * trip (echo), and what a path needs before each run (prepare). Filled by bench-paths.c from the
 * endpoints (bench-device, bench-peer, bench-seq, bench-direct). Types only.
 */
#ifndef APC_BENCH_TARGET_H
#define APC_BENCH_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "bench-log.h"

struct bench_target {
	/* device side, from the sender thread: hand over whole messages of
	 * `unit` bytes each (len is a multiple of unit) without blocking,
	 * appending keys[i] to `tx`, stamped right before message i is
	 * handed over; returns how many were handed over (0: no room) or
	 * -errno. */
	int (*inject)(void *ctx, const uint8_t *bytes, size_t len, size_t unit,
		      const uint32_t *keys, struct bench_log *tx);
	void *inject_ctx;
	/* bench side, main thread: wait until `until_ns` at most for input,
	 * append every message received (key, stamp) to rx; returns messages
	 * added or -errno. */
	int (*recv)(void *ctx, uint64_t until_ns, struct bench_log *rx);
	/* bench side, main thread: send n LED messages (3 bytes each:
	 * note-on, note-off or control change; the round trip sends CCs);
	 * per_event: each one written and flushed on its own, else all in
	 * one flush. Returns 0 once they are handed on (the direct path: once
	 * the transfers completed). */
	int (*leds)(void *ctx, const uint8_t *msgs, size_t n, int per_event);
	void *bench_ctx;
	/* bench side, main thread: send the universal identity request
	 * (apc_inquiry_request) into the path's writable port, which the
	 * device, emulated or real, answers; 0 once handed on, or -errno.
	 * NULL where no device answers (the sequencer-only path). */
	int (*identity)(void *ctx);
	/* device side LED log and an eventfd signalled on appends */
	struct bench_log *ledlog;
	int led_efd;
	/* device side, main thread: from on (1) to off (0), send every
	 * message the host sends straight back as the device, whatever it
	 * is (the round trip); NULL when nothing can (a real device). 0 or
	 * -errno. */
	int (*echo)(void *ctx, int on);
	void *echo_ctx;
	/* main thread, before each run of the sender (bench_plan_run): bring
	 * the path to a known state and let what that sends arrive, none of
	 * it into the run's logs (the play port: release the pads the
	 * previous run left pressed); NULL: nothing to do. 0 or -errno. */
	int (*prepare)(void *ctx);
	void *prepare_ctx;
	/* the path delivers only what the device's controls become (the
	 * play port): no sysex tests */
	int controls_only;
	/* inject plays this many controllers in turn (--controllers; 0 or 1:
	 * one); the paced tests divide their interval by it */
	unsigned int controllers;
};

#endif
