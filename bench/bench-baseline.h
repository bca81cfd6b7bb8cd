/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcbench --baseline: reads a metrics file an earlier run wrote
 * (bench_report_metrics: NAME<TAB>VALUE<TAB>BETTER lines) and compares
 * the current run's metrics with it.
 */
#ifndef APC_BENCH_BASELINE_H
#define APC_BENCH_BASELINE_H

#include <stdio.h>

#include "bench-report.h"

/* Calls fn for every line of the file. Returns the number of metrics,
 * -EINVAL for a line that is not NAME<TAB>VALUE<TAB>BETTER, or -errno. */
int bench_baseline_read(const char *file, bench_metric_fn fn, void *user);

/* Prints a WORSE line to `out` for every metric worse than the baseline by
 * more than margin percent, then a summary line. Returns the number of
 * worse metrics, or -errno when the file cannot be read. */
int bench_baseline_compare(FILE *out, const char *file, double margin,
			   const struct bench_run *run);

#endif
