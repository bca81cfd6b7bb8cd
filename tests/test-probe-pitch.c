/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the guest checker's pitch detection (tests/support/
 * probe-pitch.c) on synthetic tones: every note the grid's layouts play,
 * a piano-like spectrum with a weak fundamental, silence and noise. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "probe-pitch.h"

#define RATE 48000
#define FRAMES (PROBE_PITCH_FRAMES + 1000)

static float buf[FRAMES * 2];

/* A stereo tone of MIDI note `note`: `h` harmonics, the k-th at amplitude
 * weight[k] (1/k when NULL), decaying as a struck string does. */
static void tone(int note, unsigned int h, const double *weight)
{
	double f = 440.0 * pow(2, (note - 69) / 12.0);
	unsigned int i, k;

	for (i = 0; i < FRAMES; i++) {
		double v = 0, t = (double)i / RATE;

		for (k = 1; k <= h; k++)
			v += (weight ? weight[k - 1] : 1.0 / k) * sin(2 * M_PI * f * k * t);
		v *= 0.3 * exp(-t * 2);
		buf[2 * i] = buf[2 * i + 1] = (float)v;
	}
}

static void test_notes(void **state)
{
	int note;

	(void)state;
	for (note = 36; note <= 96; note++) {
		tone(note, 6, NULL);
		assert_int_equal(probe_pitch_note(probe_pitch_hz(buf, 2, FRAMES, 500, RATE)), note);
	}
}

/* The second harmonic stronger than the fundamental, as in a piano's low
 * register: still the fundamental, not an octave up. */
static void test_weak_fundamental(void **state)
{
	static const double w[] = { 0.3, 1.0, 0.6, 0.4, 0.2 };
	int note;

	(void)state;
	for (note = 40; note <= 84; note += 7) {
		tone(note, 5, w);
		assert_int_equal(probe_pitch_note(probe_pitch_hz(buf, 2, FRAMES, 0, RATE)), note);
	}
}

static void test_no_pitch(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < FRAMES * 2; i++)
		buf[i] = 0;
	assert_true(probe_pitch_hz(buf, 2, FRAMES, 0, RATE) == 0);
	assert_int_equal(probe_pitch_note(0), -1);
	srand(1);
	for (i = 0; i < FRAMES * 2; i++)
		buf[i] = (float)rand() / RAND_MAX - 0.5f;
	assert_true(probe_pitch_hz(buf, 2, FRAMES, 0, RATE) == 0);
	/* Not enough frames after the start. */
	tone(60, 3, NULL);
	assert_true(probe_pitch_hz(buf, 2, FRAMES, FRAMES - 100, RATE) == 0);
	assert_int_equal(probe_pitch_note(440.0), 69);
	assert_int_equal(probe_pitch_note(261.63), 60);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_weak_fundamental),
		cmocka_unit_test(test_no_pitch),
	};

	return cmocka_run_group_tests_name("probe-pitch", tests, NULL, NULL);
}
