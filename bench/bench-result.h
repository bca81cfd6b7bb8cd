/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcbench's result model: filled by the measurements (bench-measure.c),
 * read by the report writers (bench-report.c). Types only.
 */
#ifndef APC_BENCH_RESULT_H
#define APC_BENCH_RESULT_H

#include <stdint.h>

#include "bench-stats.h"

#define BENCH_MAX_LAT 12
#define BENCH_MAX_RATES 10
#define BENCH_MAX_BATCH 8
#define BENCH_MAX_RES 4

/* ---- results ---- */

struct bench_latency {
	char name[24];		/* "note", "cc", "sysex-64", "burst-first", ... */
	int measured;
	struct bench_summary s; /* nanoseconds */
	struct bench_hist hist; /* microseconds */
	uint64_t sent, received, lost, unexpected;
};

struct bench_rate {
	double offered;		/* events/s asked of the device side */
	double sent_rate;	/* events/s the device side got out */
	double recv_rate;	/* events/s received, first sent to last received */
	uint64_t sent, received, lost, unexpected;
	uint64_t overruns;	/* times the kernel told the bench it dropped */
	double p50_us, p99_us;	/* latency of the matched ones under this load */
};

struct bench_repaint {
	unsigned int batch;	/* LED events per write */
	unsigned int reps;
	double median_us, min_us, max_us;
	double seen;		/* median LED messages the device saw per repaint */
	unsigned int timeouts;
};

struct bench_resource {
	char component[24];
	int pid;		/* 0: system-wide */
	double cpu_s;		/* user + system over the path's whole run */
	double cpu_us_per_msg;
	long hwm_kb;		/* peak RSS (VmHWM), -1 unknown */
	int fds;		/* open descriptors, -1 unknown */
	double idle_wakeups;	/* context switches per second while idle */
};

struct bench_path_result {
	char name[16];
	char desc[96];
	int measured;		/* anything at all */
	char why[160];		/* why a part was not measured, "" if all was */
	struct bench_latency lat[BENCH_MAX_LAT];
	unsigned int nlat;
	struct bench_rate rate[BENCH_MAX_RATES];
	unsigned int nrate;
	struct bench_repaint repaint64;	/* 64 events, one write each */
	struct bench_repaint batch[BENCH_MAX_BATCH]; /* sweep, one write per batch */
	unsigned int nbatch;
	struct bench_resource res[BENCH_MAX_RES];
	unsigned int nres;
	uint64_t msgs;		/* messages moved in this path's run */
};

#define BENCH_MAX_PATHS 4

struct bench_run {
	char host[64], kernel[96], model[8], started[32];
	char device[64];	/* "emulated gadget (...)" or "real APC mini" */
	char config[256];	/* counts and rates used */
	struct bench_path_result path[BENCH_MAX_PATHS];
	unsigned int npath;
};

#endif
