/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pitch detection on rendered audio, for the tests (not part of the synth):
 * the fundamental of a stretch of sound by the YIN difference function
 * (de Cheveigné and Kawahara, 2002), and the MIDI note nearest to it.
 */
#ifndef APC_PROBE_PITCH_H
#define APC_PROBE_PITCH_H

#include <stdint.h>

/* Frames probe_pitch_hz reads from `start` on. */
#define PROBE_PITCH_FRAMES 4096

/* The fundamental (Hz, 40-4200) of the sound in frames [start, start +
 * PROBE_PITCH_FRAMES) of interleaved `data` (channels mixed), or 0 if
 * those frames are not all there or hold no periodic sound. */
double probe_pitch_hz(const float *data, unsigned int channels, uint64_t frames, uint64_t start,
		      unsigned int rate);

/* The MIDI note nearest to `hz` (A4 = 440 Hz = 69), or -1 for 0. */
int probe_pitch_note(double hz);

#endif
