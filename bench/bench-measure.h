/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcbench's measurements of one path (input latency, bursts, the round
 * trip, throughput, LED repaints, resources) into its bench_path_result.
 */
#ifndef APC_BENCH_MEASURE_H
#define APC_BENCH_MEASURE_H

#include <stdint.h>
#include <stdio.h>

#include "apcmini.h"
#include "bench-opts.h"
#include "bench-plan.h"
#include "bench-result.h"
#include "bench-target.h"

struct loop;
struct bench_sinks;

/* What the measurements share, allocated once by main(). */
struct bench_measure {
	const struct bench_opts *o;
	struct loop *loop;	/* the main thread's */
	struct bench_bufs *b;
	uint64_t *lat;		/* log capacity */
	size_t *idx;
	uint8_t *ledbuf;	/* 3 * 256 */
	uint8_t last_led[APC_NUM_PADS];
	unsigned int led_counter;
	FILE *stages;		/* --stage-log, or NULL */
	struct bench_sinks *sinks;	/* --subscribers K > 1: the other K - 1 */
	const char *path;	/* the path being measured, for it */
};

/* Measures `tgt` into r: the idle window, then input (when something
 * plays the device) and LEDs (when the path takes them). other_pid: a
 * process of the path to account (apcminid), device_tid: the device side's
 * thread. */
void bench_measure_path(struct bench_measure *c, const struct bench_target *tgt,
			struct bench_path_result *r, int other_pid, int device_tid);

/* Notes in r what was not measured: "what: detail" (detail may be NULL). */
void bench_why(struct bench_path_result *r, const char *what, const char *detail);

#endif
