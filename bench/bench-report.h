/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcbench's reports of a run: the terminal table and the methods text,
 * JSON, CSV, gnuplot data files, and the flat metrics (name, value,
 * direction) that --baseline compares.
 */
#ifndef APC_BENCH_REPORT_H
#define APC_BENCH_REPORT_H

#include <stdio.h>

#include "bench-result.h"

void bench_report_table(FILE *f, const struct bench_run *run);
void bench_report_methods(FILE *f);
int bench_report_json(const char *file, const struct bench_run *run);
int bench_report_csv(const char *file, const struct bench_run *run);
/* Data files for the gnuplot script: latency-<path>.dat, throughput.dat,
 * repaint.dat in `dir`. */
int bench_report_plotdata(const char *dir, const struct bench_run *run);

/* Flat metrics: name, value, direction (+1 higher is better, -1 lower is
 * better). Calls fn for each measured one. */
typedef void (*bench_metric_fn)(void *user, const char *name, double value, int better);
void bench_metrics(const struct bench_run *run, bench_metric_fn fn, void *user);
/* The same as a file, one metric a line: NAME<TAB>VALUE<TAB>BETTER, the
 * value in C's %.17g (apcbench.metrics; what --baseline reads). 0 or
 * -errno. */
int bench_report_metrics(const char *file, const struct bench_run *run);

#endif
