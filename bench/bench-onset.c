/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcbench's pad-to-sound analysis: capture clock fit, onset detection,
 * press spacing. Pure; main thread. */
#include "config.h"

#include <math.h>

#include "bench-onset.h"
#include "bench-stats.h"

double bench_clock_fit(const struct bench_clock_pt *p, size_t n, unsigned int rate,
		       double *scratch, double *resid_p50)
{
	double best = INFINITY;
	size_t i, m = 0;

	for (i = 0; i < n; i++) {
		double off;

		if (!p[i].t)
			continue;
		off = (double)p[i].t - (double)p[i].h * 1e9 / rate;
		scratch[m++] = off;
		if (off < best)
			best = off;
	}
	if (!m) {
		if (resid_p50)
			*resid_p50 = 0;
		return 0;
	}
	if (resid_p50) {
		for (i = 0; i < m; i++)
			scratch[i] -= best;
		*resid_p50 = bench_median(scratch, m);
	}
	return best;
}

int64_t bench_onset_find(const float *env, size_t n, size_t from, size_t to, size_t pre,
			 float level, float factor)
{
	float bg = 0, th;
	size_t i;

	if (to > n)
		to = n;
	if (from >= to)
		return -1;
	for (i = from > pre ? from - pre : 0; i < from; i++)
		if (env[i] > bg)
			bg = env[i];
	th = factor * bg;
	if (th < level)
		th = level;
	for (i = from; i < to; i++)
		if (env[i] > th)
			return (int64_t)i;
	return -1;
}

uint64_t bench_spacing_ns(uint64_t *state, uint64_t min_ns, uint64_t span_ns)
{
	uint64_t x = *state ? *state : 0x9e3779b97f4a7c15ull;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return min_ns + (span_ns ? x % span_ns : 0);
}
