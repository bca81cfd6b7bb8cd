/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcbench --baseline: the saved metrics file against this run. Main
 * thread, after the measurements. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench-baseline.h"

int bench_baseline_read(const char *file, bench_metric_fn fn, void *user)
{
	char line[256], name[128];
	double v;
	int better, n = 0, err = 0;
	FILE *f = fopen(file, "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char tail;

		if (sscanf(line, "%127[^\t]\t%lf\t%d%c", name, &v, &better, &tail) != 4 ||
		    tail != '\n' || (better != 1 && better != -1)) {
			err = -EINVAL;
			break;
		}
		fn(user, name, v, better);
		n++;
	}
	fclose(f);
	return err ? err : n;
}

struct base_metric {
	char name[128];
	double value;
};

struct base {
	struct base_metric m[1024];
	unsigned int n;
	double margin;
	int worse, compared;
	FILE *out;
};

static void base_add(void *user, const char *name, double v, int better)
{
	struct base *b = user;

	if (b->n < sizeof(b->m) / sizeof(b->m[0])) {
		snprintf(b->m[b->n].name, sizeof(b->m[b->n].name), "%s", name);
		b->m[b->n++].value = v;
	}
}

static void base_check(void *user, const char *name, double v, int better)
{
	struct base *b = user;
	unsigned int i;

	for (i = 0; i < b->n; i++) {
		double pct;

		if (strcmp(b->m[i].name, name))
			continue;
		pct = bench_worsening_pct(b->m[i].value, v, better);
		b->compared++;
		if (pct > b->margin) {
			b->worse++;
			fprintf(b->out, "WORSE %-40s %12.1f -> %12.1f (%+.1f %%)\n", name,
				b->m[i].value, v, pct);
		}
		return;
	}
}

int bench_baseline_compare(FILE *out, const char *file, double margin,
			   const struct bench_run *run)
{
	struct base *b = calloc(1, sizeof(*b));
	int n;

	if (!b)
		return -ENOMEM;
	n = bench_baseline_read(file, base_add, b);
	if (n < 0) {
		free(b);
		return n;
	}
	b->margin = margin;
	b->out = out;
	bench_metrics(run, base_check, b);
	fprintf(out, "baseline %s: %d metrics compared, %d worse by more than %.1f %%\n", file,
		b->compared, b->worse, margin);
	n = b->worse;
	free(b);
	return n;
}
