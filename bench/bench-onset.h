/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcbench's pad-to-sound analysis, pure (no I/O, no allocation): the
 * captured frames' time from the capture's status time stamps, and onset
 * detection near a press. Unit-tested in tests/test-bench-stats.c.
 */
#ifndef APC_BENCH_ONSET_H
#define APC_BENCH_ONSET_H

#include <stddef.h>
#include <stdint.h>

/* One capture status: `h` frames had been captured since the stream
 * (re)started when the hardware pointer was last seen moving, at `t`
 * (CLOCK_MONOTONIC ns, the status htstamp). */
struct bench_clock_pt {
	uint64_t h;
	uint64_t t;
};

/* The time of frame 0 of the stream, in ns: the pointer is only ever
 * seen late (a timer or a status call finds it moved), never early, so
 * the earliest t - h / rate is the best estimate. *resid_p50 (may be
 * NULL) gets the median lateness of the others in ns. Points with t == 0
 * are skipped; 0 when none is left. `scratch` holds n doubles. */
double bench_clock_fit(const struct bench_clock_pt *p, size_t n, unsigned int rate,
		       double *scratch, double *resid_p50);

/* The first frame in [from, to) of `env` (one level per frame, 0..1, the
 * loudest channel) above max(level, factor * background), where the
 * background is the loudest frame of the `pre` frames before `from` (so a
 * note still ringing from the previous press does not count). -1 when
 * there is none or the window is empty. */
int64_t bench_onset_find(const float *env, size_t n, size_t from, size_t to, size_t pre,
			 float level, float factor);

/* Deterministic press spacing: min_ns plus a pseudo-random part below
 * span_ns from *state (xorshift64; seed it non-zero), so presses do not
 * beat with an audio period. */
uint64_t bench_spacing_ns(uint64_t *state, uint64_t min_ns, uint64_t span_ns);

#endif
