/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* YIN pitch detection for the guest's synth checks; single-threaded. */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "probe-pitch.h"

/* The integration window of the difference function, and the range of
 * periods searched: 40 Hz to 4.2 kHz (C8) at up to 48 kHz fits the frames read. */
#define PITCH_WINDOW 2048
#define PITCH_HZ_MIN 40.0
#define PITCH_HZ_MAX 4200.0
/* YIN's absolute threshold on the normalised difference: the first dip
 * below it is the period (the paper's 0.1-0.15). */
#define PITCH_THRESHOLD 0.15

double probe_pitch_hz(const float *data, unsigned int channels, uint64_t frames, uint64_t start,
		      unsigned int rate)
{
	float x[PROBE_PITCH_FRAMES];
	double d[PROBE_PITCH_FRAMES / 2], sum = 0, energy = 0, best_v = 1e30, a, b, c, shift;
	unsigned int tau_min = (unsigned int)(rate / PITCH_HZ_MAX);
	unsigned int tau_max = (unsigned int)(rate / PITCH_HZ_MIN);
	unsigned int i, ch, tau, best = 0;

	if (!channels || !rate || start + PROBE_PITCH_FRAMES > frames ||
	    PITCH_WINDOW + tau_max + 1 > PROBE_PITCH_FRAMES)
		return 0;
	for (i = 0; i < PROBE_PITCH_FRAMES; i++) {
		x[i] = 0;
		for (ch = 0; ch < channels; ch++)
			x[i] += data[(start + i) * channels + ch];
		energy += (double)x[i] * x[i];
	}
	if (energy < 1e-9)
		return 0;
	/* The cumulative-mean-normalised difference d'(tau). */
	d[0] = 1;
	for (tau = 1; tau <= tau_max; tau++) {
		double diff = 0, e;

		for (i = 0; i < PITCH_WINDOW; i++) {
			e = (double)x[i] - x[i + tau];
			diff += e * e;
		}
		sum += diff;
		d[tau] = sum > 0 ? diff * tau / sum : 1;
	}
	for (tau = tau_min; tau <= tau_max; tau++) {
		if (d[tau] < PITCH_THRESHOLD) {
			/* Down to the bottom of this dip. */
			while (tau + 1 <= tau_max && d[tau + 1] < d[tau])
				tau++;
			best = tau;
			break;
		}
		if (d[tau] < best_v) {
			best_v = d[tau];
			best = tau;
		}
	}
	/* No dip at all: noise, not a note. */
	if (!best || d[best] > 0.5)
		return 0;
	/* Between the frames: the vertex of the parabola through the dip. */
	shift = 0;
	if (best > tau_min && best < tau_max) {
		a = d[best - 1];
		b = d[best];
		c = d[best + 1];
		if (a - 2 * b + c > 0)
			shift = 0.5 * (a - c) / (a - 2 * b + c);
	}
	return rate / (best + shift);
}

int probe_pitch_note(double hz)
{
	if (hz <= 0)
		return -1;
	return (int)lround(69 + 12 * log2(hz / 440.0));
}
