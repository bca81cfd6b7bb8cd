/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcbench statistics: summary figures, histograms, matching of sent and
 * received messages, and the comparison against a saved baseline. Pure: no
 * I/O, no allocation (callers pass the storage), so it is unit-tested.
 */
#ifndef APC_BENCH_STATS_H
#define APC_BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Summary of a set of samples (nanoseconds in, any unit out: the caller
 * divides). Percentiles use the nearest-rank method on the sorted set. */
struct bench_summary {
	size_t n;
	double min, p50, mean, p95, p99, max, stddev;
};

/* Sorts `v` in place and fills `s`. n == 0 gives all zeros. */
void bench_summarize(uint64_t *v, size_t n, struct bench_summary *s);
/* Nearest-rank percentile of a sorted array, p in [0, 100]. */
uint64_t bench_percentile(const uint64_t *sorted, size_t n, double p);
/* Median of n doubles (sorts them in place); 0 when n == 0. */
double bench_median(double *v, size_t n);

/* Logarithmic histogram: bin 0 holds values below `lo`; bin k (1..nbins-2)
 * holds [lo * r^(k-1), lo * r^k) with r = 2^(1/per_octave); the last bin
 * holds everything above. */
#define BENCH_HIST_BINS 66
struct bench_hist {
	double lo;		/* lower edge of bin 1, same unit as the samples */
	unsigned int per_octave;
	uint64_t count[BENCH_HIST_BINS];
};

void bench_hist_init(struct bench_hist *h, double lo, unsigned int per_octave);
void bench_hist_add(struct bench_hist *h, double v);
/* Lower and upper edge of bin k (bin 0: 0; last bin: upper = infinity). */
double bench_hist_lower(const struct bench_hist *h, unsigned int k);
double bench_hist_upper(const struct bench_hist *h, unsigned int k);

/* Matching of what the device side sent with what the receiver got. Both
 * lists are in time order; keys identify a message (bytes packed, a counter
 * encoded in them). One path delivers in order, so a received key is
 * looked up from the first unmatched sent one, at most `window` ahead; the
 * sent messages skipped over are lost, a received key not found is
 * unexpected. Several controllers (several USB buses) deliver each in
 * order but not in order with each other: with `reorder` > 0 a received
 * key may also match one of the `reorder` sent messages before the last
 * one matched that are still unmatched, the nearest first; only those that
 * fall further behind are lost. */
struct bench_match_result {
	size_t matched, lost, unexpected;
};

/* lat[] (size nrecv) gets recv_t - sent_t for each matched message, in
 * order of receipt; sent_idx[] (may be NULL) the sent index of each.
 * Messages still unmatched at the end are counted lost. */
void bench_match(const uint32_t *sent_key, const uint64_t *sent_t, size_t nsent,
		 const uint32_t *recv_key, const uint64_t *recv_t, size_t nrecv, size_t window,
		 size_t reorder, uint64_t *lat, size_t *sent_idx, struct bench_match_result *r);

/* Message keys: the bytes of a 1-3 byte message packed as
 * status << 16 | d1 << 8 | d2; a sysex as 0xF0 << 16 | its 14-bit counter. */
static inline uint32_t bench_key(uint8_t status, uint8_t d1, uint8_t d2)
{
	return (uint32_t)status << 16 | (uint32_t)d1 << 8 | d2;
}

/* The i-th message of a test pattern. Returns its length. `len` is the sysex
 * length wanted (>= 6) for BENCH_PAT_SYSEX, ignored otherwise; `out` needs
 * max(3, len) bytes. Note and CC patterns use only controls the APC mini
 * has (pads 0-63, faders CC 48-56) and vary the values so that the key
 * repeats only after bench_pattern_period() messages. */
enum bench_pattern {
	BENCH_PAT_NOTE = 1, /* pad note-on (velocity 1-127) then note-off */
	BENCH_PAT_CC,	    /* fader moves */
	BENCH_PAT_SYSEX,    /* F0 7D <hi> <lo> filler F7 (non-commercial ID) */
};

size_t bench_pattern_msg(enum bench_pattern p, uint64_t i, size_t len, uint8_t *out);
uint32_t bench_pattern_key(enum bench_pattern p, uint64_t i);
size_t bench_pattern_period(enum bench_pattern p);
/* Key of a received message (as bench_pattern_key makes them); sysex needs
 * at least F0 7D hi lo. A device's identity reply (F0 7E dev 06 ...) has
 * the one key BENCH_KEY_IDENTITY. Returns 0 for a message that carries no
 * key. */
#define BENCH_KEY_IDENTITY (0xf0u << 16 | 0x8000u)
uint32_t bench_key_of_msg(const uint8_t *msg, size_t len);

/* Baseline comparison of one metric. `better` is +1 if higher is better
 * (throughput), -1 if lower is better (latency). Returns the change in
 * percent towards worse (positive = worse, negative = better); 0 when the
 * baseline is 0 or either value is negative (not measured). */
double bench_worsening_pct(double base, double cur, int better);

#endif
