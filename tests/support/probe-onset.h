/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Note onset detection on rendered audio, and the timing probe file, for
 * the tests and the benchmark (not part of the synth). An onset is the
 * first frame above `level` on any channel after at least `gap` frames at
 * or below it. With level 0 on float output of a dry synth (no reverb or
 * chorus) this finds the very first sample a voice produces.
 */
#ifndef APC_PROBE_ONSET_H
#define APC_PROBE_ONSET_H

#include <stddef.h>
#include <stdint.h>

/* Writes up to `max` onset frames to `out`; returns how many were found
 * (possibly more than `max`). */
size_t probe_onsets_find(const float *data, unsigned int channels, uint64_t frames, float level,
			 uint64_t gap, uint64_t *out, size_t max);

/* The timing probe: a type 1 Standard MIDI File of short, well separated
 * percussive notes (GM drum channel, hi wood block) whose times fall at
 * chosen offsets from the 64-frame grid at 48 kHz, under two tempos. The
 * first note is at time 0 and calibrates the engine's own start delay.
 * Writes up to `max` note times in seconds (computed from the tick
 * arithmetic, independently of any reader) and returns the note count, or
 * -errno. */
int probe_timing_write(const char *path, double *times, size_t max);

#endif
