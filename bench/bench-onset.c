/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcbench's pad-to-sound analysis: capture clock fit, onset detection,
 * press spacing. Pure; main thread. */
#include "config.h"

#include <math.h>

#include "bench-onset.h"

/* The first point with h >= f (n when none). */
static size_t first_h(const struct bench_clock_pt *p, size_t n, uint64_t f)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p[mid].h >= f)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

double bench_clock_time_of(const struct bench_clock_pt *p, size_t n, unsigned int rate,
			   uint64_t f)
{
	size_t i = first_h(p, n, f + 1);

	if (i == n)
		return 0;
	return (double)p[i].t - (double)(p[i].h - f - 1) * 1e9 / rate;
}

int64_t bench_clock_frame_at(const struct bench_clock_pt *p, size_t n, unsigned int rate,
			     uint64_t t)
{
	size_t lo = 0, hi = n;
	double f;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p[mid].t >= t)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (lo == n)
		return -1;
	f = ceil((double)p[lo].h - 1 - (double)(p[lo].t - t) * rate / 1e9);
	if (lo > 0 && f < (double)p[lo - 1].h)
		f = (double)p[lo - 1].h;
	return f < 0 ? 0 : (int64_t)f;
}

double bench_clock_ratio(const struct bench_clock_pt *p, size_t n, unsigned int rate)
{
	if (n < 2 || p[n - 1].t <= p[0].t)
		return 0;
	return (double)(p[n - 1].h - p[0].h) * 1e9 / rate / (double)(p[n - 1].t - p[0].t);
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
