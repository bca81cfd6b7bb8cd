/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcbench internals: the result model filled by the measurements and read
 * by the report writers, and the endpoints (device side, sequencer, libusb)
 * the measurements drive.
 */
#ifndef APC_BENCH_H
#define APC_BENCH_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "apcbench-stats.h"

#define BENCH_MAX_LAT 12
#define BENCH_MAX_RATES 10
#define BENCH_MAX_BATCH 8
#define BENCH_MAX_RES 4

static inline uint64_t bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

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

/* ---- report (apcbench-report.c) ---- */

void bench_report_table(FILE *f, const struct bench_run *run);
void bench_report_methods(FILE *f);
int bench_report_json(const char *file, const struct bench_run *run);
int bench_report_csv(const char *file, const struct bench_run *run);
/* Data files for the gnuplot script: latency-<path>.dat, throughput.dat,
 * repaint.dat in `dir`. */
int bench_report_plotdata(const char *dir, const struct bench_run *run);

/* Flat metrics used by --baseline: name, value, direction (+1 higher is
 * better, -1 lower is better). Calls fn for each measured one. */
typedef void (*bench_metric_fn)(void *user, const char *name, double value, int better);
void bench_metrics(const struct bench_run *run, bench_metric_fn fn, void *user);
/* Parse the "metrics" object of a JSON file this program wrote: calls fn
 * with every "name": number pair in it (better = 0). Returns the number of
 * pairs or -EINVAL. */
int bench_metrics_parse(const char *json, bench_metric_fn fn, void *user);

/* ---- recording ---- */

/* Keys and stamps of messages, appended without allocation. `n` is atomic
 * because a sink thread appends while the main thread reads. */
struct bench_log {
	uint32_t *key;
	uint64_t *t;
	size_t cap;
	_Atomic size_t n;
	uint64_t dropped;	/* appends beyond cap */
	uint64_t other;		/* messages that carry no key */
};

int bench_log_init(struct bench_log *l, size_t cap);
void bench_log_free(struct bench_log *l);
static inline void bench_log_reset(struct bench_log *l)
{
	atomic_store(&l->n, 0);
	l->dropped = l->other = 0;
}
static inline void bench_log_add(struct bench_log *l, uint32_t key, uint64_t t)
{
	size_t n = atomic_load_explicit(&l->n, memory_order_relaxed);

	if (n >= l->cap) {
		l->dropped++;
		return;
	}
	l->key[n] = key;
	l->t[n] = t;
	atomic_store_explicit(&l->n, n + 1, memory_order_release);
}

#endif
