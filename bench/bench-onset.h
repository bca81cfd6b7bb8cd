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

/* Where frames and times meet, from the statuses of one stream (h and t
 * both rising; points with t == 0 are not there). The device's clock is
 * not assumed steady (snd-aloop on a timer that misses ticks under load
 * falls behind real time), so each frame takes the time of the first
 * status that saw it captured (frame f is in once h > f), less the frames
 * captured after it at the nominal rate: frame f -> t_p - (h_p - 1 - f) /
 * rate, p the first point with h_p > f. 0 when f is past the last point. */
double bench_clock_time_of(const struct bench_clock_pt *p, size_t n, unsigned int rate,
			   uint64_t f);
/* The inverse: the first frame captured at or after time t (ns), never
 * before the frames an earlier status already saw; -1 past the last
 * point. */
int64_t bench_clock_frame_at(const struct bench_clock_pt *p, size_t n, unsigned int rate,
			     uint64_t t);
/* The device's frames per second of CLOCK_MONOTONIC over the statuses,
 * relative to `rate` (1: steady; below 1: the device fell behind). 0
 * with fewer than two points. */
double bench_clock_ratio(const struct bench_clock_pt *p, size_t n, unsigned int rate);

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
