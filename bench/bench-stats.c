/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcbench statistics, histograms, message matching and patterns (pure).
 * Called from the main thread only, after a measurement, never in it. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench-stats.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

uint64_t bench_percentile(const uint64_t *sorted, size_t n, double p)
{
	size_t rank;

	if (n == 0)
		return 0;
	if (p <= 0)
		return sorted[0];
	/* nearest rank: the smallest value with at least p % at or below it */
	rank = (size_t)ceil(p / 100.0 * (double)n);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

void bench_summarize(uint64_t *v, size_t n, struct bench_summary *s)
{
	double sum = 0, sq = 0, mean;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (n == 0)
		return;
	qsort(v, n, sizeof(*v), cmp_u64);
	for (i = 0; i < n; i++)
		sum += (double)v[i];
	mean = sum / (double)n;
	for (i = 0; i < n; i++)
		sq += ((double)v[i] - mean) * ((double)v[i] - mean);
	s->n = n;
	s->min = (double)v[0];
	s->max = (double)v[n - 1];
	s->mean = mean;
	/* population standard deviation: the set is the whole measurement */
	s->stddev = sqrt(sq / (double)n);
	s->p50 = (double)bench_percentile(v, n, 50);
	s->p95 = (double)bench_percentile(v, n, 95);
	s->p99 = (double)bench_percentile(v, n, 99);
}

double bench_median(double *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	if (n % 2)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2;
}

void bench_hist_init(struct bench_hist *h, double lo, unsigned int per_octave)
{
	memset(h, 0, sizeof(*h));
	h->lo = lo > 0 ? lo : 1;
	h->per_octave = per_octave ? per_octave : 1;
}

double bench_hist_lower(const struct bench_hist *h, unsigned int k)
{
	if (k == 0)
		return 0;
	return h->lo * pow(2.0, (double)(k - 1) / h->per_octave);
}

double bench_hist_upper(const struct bench_hist *h, unsigned int k)
{
	if (k >= BENCH_HIST_BINS - 1)
		return INFINITY;
	return h->lo * pow(2.0, (double)k / h->per_octave);
}

void bench_hist_add(struct bench_hist *h, double v)
{
	double k;
	unsigned int bin;

	if (v < h->lo) {
		h->count[0]++;
		return;
	}
	k = floor(log2(v / h->lo) * h->per_octave) + 1;
	bin = k >= BENCH_HIST_BINS - 1 ? BENCH_HIST_BINS - 1 : (unsigned int)k;
	/* log2 rounding can put an exact edge one bin low or high */
	if (bin < BENCH_HIST_BINS - 1 && v >= bench_hist_upper(h, bin))
		bin++;
	else if (bin > 1 && v < bench_hist_lower(h, bin))
		bin--;
	h->count[bin]++;
}

/* The sent index a received key matches, or nsent: `next` and those after
 * it up to `end`, and with `done` (reorder > 0) also the unmatched ones down
 * to `low`, the nearest to `next` first. */
static size_t match_one(const uint32_t *sent_key, size_t next, size_t end, size_t low,
			const uint8_t *done, uint32_t key, size_t nsent)
{
	size_t d, k;

	for (d = 0; next + d < end || (done && next > low + d); d++) {
		k = next + d;
		if (k < end && sent_key[k] == key && !(done && done[k]))
			return k;
		if (done && next > low + d) {
			k = next - 1 - d;
			if (!done[k] && sent_key[k] == key)
				return k;
		}
	}
	return nsent;
}

void bench_match(const uint32_t *sent_key, const uint64_t *sent_t, size_t nsent,
		 const uint32_t *recv_key, const uint64_t *recv_t, size_t nrecv, size_t window,
		 size_t reorder, uint64_t *lat, size_t *sent_idx, struct bench_match_result *r)
{
	uint8_t *done = reorder ? calloc(nsent ? nsent : 1, 1) : NULL;
	size_t next = 0, i, k, end, low;

	/* without memory for the flags, in order only: more shows as lost */
	if (!done)
		reorder = 0;
	memset(r, 0, sizeof(*r));
	for (i = 0; i < nrecv; i++) {
		end = next + window < nsent ? next + window : nsent;
		/* the `reorder` sent ones before the last one matched */
		low = next > reorder + 1 ? next - 1 - reorder : 0;
		k = match_one(sent_key, next, end, low, done, recv_key[i], nsent);
		if (k == nsent) {
			r->unexpected++;
			continue;
		}
		/* a receive stamp before the send stamp cannot happen on one
		 * clock; clamp so a misuse shows as 0, not as 2^64 */
		lat[r->matched] = recv_t[i] > sent_t[k] ? recv_t[i] - sent_t[k] : 0;
		if (sent_idx)
			sent_idx[r->matched] = k;
		r->matched++;
		if (done)
			done[k] = 1;
		if (k >= next)
			next = k + 1;
	}
	r->lost = nsent - r->matched;
	free(done);
}

#define PAT_SYSEX_ID 0x7d /* non-commercial / educational use */

size_t bench_pattern_period(enum bench_pattern p)
{
	switch (p) {
	case BENCH_PAT_NOTE:
		return 64 * 2 * 127;
	case BENCH_PAT_CC:
		return 9 * 128;
	case BENCH_PAT_SYSEX:
		return 1 << 14;
	}
	return 1;
}

size_t bench_pattern_msg(enum bench_pattern p, uint64_t i, size_t len, uint8_t *out)
{
	size_t k;
	uint64_t c;

	switch (p) {
	case BENCH_PAT_NOTE:
		c = i % bench_pattern_period(p);
		out[0] = (c / 64) % 2 ? 0x80 : 0x90;
		out[1] = (uint8_t)(c % 64);
		out[2] = (uint8_t)(1 + c / 128);
		return 3;
	case BENCH_PAT_CC:
		c = i % bench_pattern_period(p);
		out[0] = 0xb0;
		out[1] = (uint8_t)(48 + c % 9);
		out[2] = (uint8_t)(c / 9);
		return 3;
	case BENCH_PAT_SYSEX:
		if (len < 5)
			len = 5;
		c = i % bench_pattern_period(p);
		out[0] = 0xf0;
		out[1] = PAT_SYSEX_ID;
		out[2] = (uint8_t)(c >> 7);
		out[3] = (uint8_t)(c & 0x7f);
		for (k = 4; k < len - 1; k++)
			out[k] = (uint8_t)(k & 0x7f);
		out[len - 1] = 0xf7;
		return len;
	}
	return 0;
}

uint32_t bench_key_of_msg(const uint8_t *msg, size_t len)
{
	if (len == 0)
		return 0;
	if (msg[0] == 0xf0) {
		/* universal non-realtime, general information: identity */
		if (len >= 4 && msg[1] == 0x7e && msg[3] == 0x06)
			return BENCH_KEY_IDENTITY;
		if (len < 4 || msg[1] != PAT_SYSEX_ID)
			return 0;
		return 0xf0u << 16 | (uint32_t)msg[2] << 7 | msg[3];
	}
	return bench_key(msg[0], len > 1 ? msg[1] : 0, len > 2 ? msg[2] : 0);
}

uint32_t bench_pattern_key(enum bench_pattern p, uint64_t i)
{
	uint8_t m[5];
	size_t n = bench_pattern_msg(p, i, 5, m);

	return bench_key_of_msg(m, n);
}

double bench_worsening_pct(double base, double cur, int better)
{
	if (base <= 0 || cur < 0)
		return 0;
	if (better > 0)
		return (base - cur) / base * 100.0;
	return (cur - base) / base * 100.0;
}
