/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcbench's resource figures of the components of a path (the bench, its
 * device thread, apcminid, the whole system), sampled from /proc at the
 * start, around the idle window and at the end of a path's run.
 */
#ifndef APC_BENCH_PROC_H
#define APC_BENCH_PROC_H

#include <stdint.h>

#include "bench-result.h"

struct bench_proc_sample {
	double cpu_s;
	uint64_t ctxt;
	long hwm_kb;
	int fds;
};

/* pid 0: the whole system (every CPU, the kernel included); tid > 0: one
 * thread of process pid. Fields that cannot be read stay -1. */
void bench_proc_sample(int pid, int tid, struct bench_proc_sample *s);

struct bench_component {
	const char *name;
	int pid, tid;
	struct bench_proc_sample start, idle0, idle1;
};

/* which: 0 start, 1 idle window start, 2 idle window end. */
void bench_components_sample(struct bench_component *cs, unsigned int n, int which);
/* One resource row per component into r (end sample taken now). */
void bench_components_finish(struct bench_component *cs, unsigned int n, double idle_s,
			     struct bench_path_result *r);

#endif
