/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One measurement run of apcbench: a plan (which messages, paced, in
 * bursts or at a rate), the sender thread that plays it on the device side
 * of a path, and the main thread receiving until everything arrived or the
 * path went quiet.
 */
#ifndef APC_BENCH_PLAN_H
#define APC_BENCH_PLAN_H

#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>

#include "bench-log.h"
#include "bench-stats.h"
#include "bench-target.h"

/* Set by SIGINT/SIGTERM: every measurement stops early. */
extern volatile sig_atomic_t bench_stop;

struct bench_plan {
	enum bench_pattern pat;
	size_t sysex_len;
	uint64_t count;		/* paced: messages */
	uint64_t interval_ns;	/* paced: between messages (in a burst: 0) */
	unsigned int burst;	/* > 0: bursts of this many, gap_ns apart */
	uint64_t gap_ns;
	double rate;		/* > 0: rate mode, events/s */
	uint64_t duration_ns;
};

/* Buffers of a run, allocated once by main(). */
struct bench_bufs {
	struct bench_log tx, rx;
	uint8_t *send;		/* the largest tick or one sysex */
	size_t sendsz;
	uint32_t *keys;		/* sendsz / 3 */
};

int bench_bufs_init(struct bench_bufs *b, size_t logcap);
void bench_bufs_free(struct bench_bufs *b);

struct bench_sender_result {
	int err;
	uint64_t t_first, t_last;	/* first and last message handed over */
	uint64_t offered;
};

/* Runs tgt->prepare (if any), then plays `p` on tgt->inject from a sender
 * thread while this thread receives into b->rx until everything sent
 * arrived or nothing came for 500 ms. 0 or -errno. */
int bench_plan_run(const struct bench_target *tgt, const struct bench_plan *p,
		   struct bench_bufs *b, struct bench_sender_result *res);

#endif
