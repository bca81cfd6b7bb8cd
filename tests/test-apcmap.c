/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the play mapping (driver/core/apcmap.c): every layout and
 * scale, roots, transposition and its limits, channel and velocity, drums,
 * faders and their smoothing, the shift page, note-offs across changes and
 * the LED picture on both models. Single-threaded test program. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "apcmap.h"
#define TEST_TABLE_MAX 256
#include "test-table.h"

#define NONE APCMAP_NONE
#define MS 1000000ull

/* ---- helpers ---- */

static const struct apc_model *const models[] = { &apc_model_mk1, &apc_model_mk2 };

static void init_map(struct apcmap *m, const struct apc_model *model,
		     const struct apcmap_config *c)
{
	assert_int_equal(apcmap_init(m, model, c), 0);
}

/* Sends one control and checks what is played: `expect` holds n messages. */
static void ctl_expect(struct apcmap *m, enum apc_control_type type, unsigned int index,
		       unsigned int value, uint64_t now, const uint8_t (*expect)[3], unsigned int n)
{
	struct apc_control c = { type, (uint8_t)index, (uint8_t)value };
	struct apcmap_out out;
	unsigned int i;

	memset(&out, 0xaa, sizeof(out));
	assert_int_equal(apcmap_control(m, &c, now, &out), (int)n);
	assert_int_equal(out.n, n);
	for (i = 0; i < n; i++)
		if (memcmp(out.msg[i], expect[i], 3))
			fail_msg("message %u: got %02x %02x %02x, expected %02x %02x %02x", i,
				 out.msg[i][0], out.msg[i][1], out.msg[i][2], expect[i][0],
				 expect[i][1], expect[i][2]);
}

static void ctl_silent(struct apcmap *m, enum apc_control_type type, unsigned int index,
		       unsigned int value)
{
	ctl_expect(m, type, index, value, 0, NULL, 0);
}

static void press_expect(struct apcmap *m, unsigned int pad, uint8_t s, uint8_t d1, uint8_t d2)
{
	const uint8_t e[1][3] = { { s, d1, d2 } };

	ctl_expect(m, APC_CTL_PAD, pad, 127, 0, e, 1);
}

static void release_expect(struct apcmap *m, unsigned int pad, uint8_t s, uint8_t d1)
{
	const uint8_t e[1][3] = { { s, d1, 0 } };

	ctl_expect(m, APC_CTL_PAD, pad, 0, 0, e, 1);
}

static void button(struct apcmap *m, enum apc_control_type type, unsigned int index)
{
	ctl_silent(m, type, index, 127);
	ctl_silent(m, type, index, 0);
}

/* Shift held, one pad of the shift page pressed and let go, Shift let go. */
static void shift_pad(struct apcmap *m, unsigned int pad)
{
	ctl_silent(m, APC_CTL_SHIFT, 0, 127);
	ctl_silent(m, APC_CTL_PAD, pad, 127);
	ctl_silent(m, APC_CTL_PAD, pad, 0);
	ctl_silent(m, APC_CTL_SHIFT, 0, 0);
}

/* ---- scales: every pad of the in-key grid ---- */

struct scale_case {
	const char *name;
	const char *scale_name; /* as in the file */
	enum apcmap_scale scale;
	unsigned int n;
	uint8_t steps[12];
	unsigned int row_degrees; /* of a fourth (row-interval 5) */
	uint8_t top_right;	  /* pad 63, root C3 = 48 */
};

/* The scales written out again, independently of apcmap.c's table. */
/* clang-format off */
static const struct scale_case scale_cases[] = {
	{ "scale_major", "major", APCMAP_MAJOR, 7, { 0, 2, 4, 5, 7, 9, 11 }, 3, 96 },
	{ "scale_ionian", "ionian", APCMAP_MAJOR, 7, { 0, 2, 4, 5, 7, 9, 11 }, 3, 96 },
	{ "scale_minor", "minor", APCMAP_MINOR, 7, { 0, 2, 3, 5, 7, 8, 10 }, 3, 96 },
	{ "scale_aeolian", "aeolian", APCMAP_MINOR, 7, { 0, 2, 3, 5, 7, 8, 10 }, 3, 96 },
	{ "scale_dorian", "dorian", APCMAP_DORIAN, 7, { 0, 2, 3, 5, 7, 9, 10 }, 3, 96 },
	{ "scale_phrygian", "phrygian", APCMAP_PHRYGIAN, 7, { 0, 1, 3, 5, 7, 8, 10 }, 3, 96 },
	{ "scale_lydian", "lydian", APCMAP_LYDIAN, 7, { 0, 2, 4, 6, 7, 9, 11 }, 3, 96 },
	{ "scale_mixolydian", "mixolydian", APCMAP_MIXOLYDIAN, 7, { 0, 2, 4, 5, 7, 9, 10 }, 3, 96 },
	{ "scale_locrian", "locrian", APCMAP_LOCRIAN, 7, { 0, 1, 3, 5, 6, 8, 10 }, 3, 96 },
	/* 7 * 3 + 7 = 28 degrees: 5 octaves and 3 degrees (G) of 5. */
	{ "scale_major_pentatonic", "major-pentatonic", APCMAP_MAJOR_PENTATONIC, 5,
	  { 0, 2, 4, 7, 9 }, 3, 48 + 60 + 7 },
	/* 7 * 2 + 7 = 21 degrees: 4 octaves and 1 degree (Eb). */
	{ "scale_minor_pentatonic", "minor-pentatonic", APCMAP_MINOR_PENTATONIC, 5,
	  { 0, 3, 5, 7, 10 }, 2, 48 + 48 + 3 },
	/* 7 * 2 + 7 = 21 degrees: 3 octaves and 3 degrees (F#) of 6. */
	{ "scale_blues", "blues", APCMAP_BLUES, 6, { 0, 3, 5, 6, 7, 10 }, 2, 48 + 36 + 6 },
	{ "scale_harmonic_minor", "harmonic-minor", APCMAP_HARMONIC_MINOR, 7,
	  { 0, 2, 3, 5, 7, 8, 11 }, 3, 96 },
	/* In key with the chromatic scale is the chromatic layout. */
	{ "scale_chromatic", "chromatic", APCMAP_CHROMATIC_SCALE, 12,
	  { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 }, 5, 48 + 35 + 7 },
};
/* clang-format on */

static void test_scale(void **state)
{
	const struct scale_case *tc = *state;
	struct apcmap_config c;
	struct apcmap m;
	const uint8_t *steps;
	unsigned int pad, k, x, y;
	int note;

	assert_int_equal(apcmap_scale_by_name(tc->scale_name, strlen(tc->scale_name)),
			 (int)tc->scale);
	assert_int_equal(apcmap_scale_steps(tc->scale, &steps), tc->n);
	assert_memory_equal(steps, tc->steps, tc->n);

	apcmap_config_default(&c);
	c.scale = tc->scale;
	init_map(&m, &apc_model_mk2, &c);
	for (pad = 0; pad < APC_NUM_PADS; pad++) {
		x = apc_pad_x(pad);
		y = apc_pad_y(pad);
		k = x + y * tc->row_degrees;
		note = 48 + (int)(k / tc->n) * 12 + tc->steps[k % tc->n];
		if (apcmap_pad_note(&m, pad) != note)
			fail_msg("pad %u (x %u, y %u): %d, expected %d", pad, x, y,
				 apcmap_pad_note(&m, pad), note);
	}
	assert_int_equal(apcmap_pad_note(&m, 63), tc->top_right);
	/* And it is what a press plays. */
	press_expect(&m, 63, 0x90, tc->top_right, 100);
	release_expect(&m, 63, 0x80, tc->top_right);
}

/* ---- roots ---- */

struct root_case {
	const char *name;
	const char *text;
	int root; /* -EINVAL: refused */
};

/* clang-format off */
static const struct root_case root_cases[] = {
	{ "root_C", "C", 0 }, { "root_c_lower", "c", 0 }, { "root_C_sharp", "C#", 1 },
	{ "root_Db", "Db", 1 }, { "root_D", "D", 2 }, { "root_Eb", "Eb", 3 }, { "root_E", "E", 4 },
	{ "root_E_sharp_is_F", "E#", 5 }, { "root_F", "F", 5 }, { "root_F_sharp", "F#", 6 },
	{ "root_Gb", "Gb", 6 }, { "root_G", "G", 7 }, { "root_Ab", "Ab", 8 }, { "root_A", "A", 9 },
	{ "root_Bb", "Bb", 10 }, { "root_bb_lower", "bb", 10 }, { "root_B", "B", 11 },
	{ "root_Cb_is_B", "Cb", 11 }, { "root_number_0", "0", 0 }, { "root_number_7", "7", 7 },
	{ "root_number_11", "11", 11 },
	{ "root_bad_H", "H", -EINVAL }, { "root_bad_12", "12", -EINVAL },
	{ "root_bad_double_sharp", "C##", -EINVAL }, { "root_bad_suffix", "Cx", -EINVAL },
	{ "root_bad_B_flat_word", "B flat", -EINVAL }, { "root_bad_negative", "-1", -EINVAL },
	{ "root_bad_empty", "", -EINVAL },
};
/* clang-format on */

static void test_root(void **state)
{
	const struct root_case *tc = *state;
	struct apcmap_config c;
	struct apcmap m;

	assert_int_equal(apcmap_root_by_name(tc->text, strlen(tc->text)), tc->root);
	if (tc->root < 0)
		return;
	apcmap_config_default(&c);
	c.root = (uint8_t)tc->root;
	init_map(&m, &apc_model_mk1, &c);
	/* The bottom-left pad is the root, in-key rows a fourth up. */
	assert_int_equal(apcmap_pad_note(&m, 0), 48 + tc->root);
	assert_int_equal(apcmap_pad_note(&m, 7), 60 + tc->root);
	assert_int_equal(apcmap_pad_note(&m, 8), 53 + tc->root);
	press_expect(&m, 1, 0x90, (uint8_t)(50 + tc->root), 100);
}

static void test_root_names(void **state)
{
	static const char *const names[12] = { "C",  "C#", "D",	 "D#", "E",  "F",
					       "F#", "G",  "G#", "A",  "A#", "B" };
	unsigned int i;

	(void)state;
	for (i = 0; i < 12; i++) {
		assert_string_equal(apcmap_root_name(i), names[i]);
		assert_int_equal(apcmap_root_by_name(names[i], strlen(names[i])), (int)i);
	}
	assert_null(apcmap_root_name(12));
}

static void test_layout_scale_names(void **state)
{
	static const char *const layouts[] = { "chromatic", "in-key", "drum" };
	unsigned int i;

	(void)state;
	for (i = 0; i < APCMAP_N_LAYOUTS; i++) {
		assert_string_equal(apcmap_layout_name((enum apcmap_layout)i), layouts[i]);
		assert_int_equal(apcmap_layout_by_name(layouts[i], strlen(layouts[i])), (int)i);
	}
	assert_null(apcmap_layout_name(APCMAP_N_LAYOUTS));
	assert_int_equal(apcmap_layout_by_name("inkey", 5), -EINVAL);
	assert_int_equal(apcmap_layout_by_name("in-key ", 7), -EINVAL);
	assert_int_equal(apcmap_layout_by_name("Drum", 4), -EINVAL);
	for (i = 0; i < APCMAP_N_SCALES; i++)
		assert_int_equal(apcmap_scale_by_name(apcmap_scale_name((enum apcmap_scale)i),
						      strlen(apcmap_scale_name((enum apcmap_scale)i))),
				 (int)i);
	assert_null(apcmap_scale_name(APCMAP_N_SCALES));
	assert_int_equal(apcmap_scale_steps(APCMAP_N_SCALES, NULL), 0);
	assert_int_equal(apcmap_scale_by_name("pentatonic", 10), -EINVAL);
	assert_int_equal(apcmap_scale_by_name("Major", 5), -EINVAL);
}

/* ---- chromatic layout ---- */

struct chromatic_case {
	const char *name;
	unsigned int interval;
	uint8_t root;
	int8_t octave;
};

/* clang-format off */
static const struct chromatic_case chromatic_cases[] = {
	{ "chromatic_fourths", 5, 0, 3 },
	{ "chromatic_fifths", 7, 0, 3 },
	{ "chromatic_thirds", 4, 0, 3 },
	{ "chromatic_semitone_rows", 1, 0, 3 },
	{ "chromatic_sequential", 8, 0, 2 },
	{ "chromatic_octave_rows", 12, 0, 1 },
	{ "chromatic_root_A", 5, 9, 2 },
};
/* clang-format on */

static void test_chromatic(void **state)
{
	const struct chromatic_case *tc = *state;
	struct apcmap_config c;
	struct apcmap m;
	unsigned int pad;
	int base = 12 * (tc->octave + 1) + tc->root;

	apcmap_config_default(&c);
	c.layout = APCMAP_CHROMATIC;
	c.row_interval = (uint8_t)tc->interval;
	c.root = tc->root;
	c.octave = tc->octave;
	init_map(&m, &apc_model_mk2, &c);
	for (pad = 0; pad < APC_NUM_PADS; pad++)
		assert_int_equal(apcmap_pad_note(&m, pad),
				 base + (int)(apc_pad_x(pad) + apc_pad_y(pad) * tc->interval));
}

/* ---- drums ---- */

static void test_drum_gm(void **state)
{
	/* Pad, note: the corners of each quadrant and GM's main sounds. */
	static const uint8_t expect[][2] = {
		{ 0, 36 },  /* bass drum 1, bottom left */
		{ 2, 38 },  /* acoustic snare */
		{ 3, 39 },  /* hand clap */
		{ 10, 42 }, /* closed hi-hat: x 2, y 1 */
		{ 18, 46 }, /* open hi-hat: x 2, y 2 */
		{ 27, 51 }, /* ride cymbal 1: top right of the first quadrant */
		{ 4, 52 },  /* bottom right quadrant starts */
		{ 31, 67 }, { 32, 68 }, /* top left */
		{ 59, 83 }, { 36, 84 }, /* top right */
		{ 63, 99 },
	};
	struct apcmap_config c;
	struct apcmap m;
	uint8_t gm[APC_NUM_PADS];
	unsigned int i;

	(void)state;
	apcmap_drum_gm(gm);
	apcmap_config_default(&c);
	assert_memory_equal(c.drum_notes, gm, sizeof(gm));
	c.layout = APCMAP_DRUM;
	init_map(&m, &apc_model_mk1, &c);
	for (i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
		assert_int_equal(apcmap_pad_note(&m, expect[i][0]), expect[i][1]);
	/* Every note 36-99 once. */
	for (i = 0; i < APC_NUM_PADS; i++) {
		unsigned int j;

		for (j = 0; j < APC_NUM_PADS && gm[j] != 36 + i; j++)
			;
		assert_true(j < APC_NUM_PADS);
	}
	/* Drum notes are sounds: the transposition buttons do not move them. */
	button(&m, APC_CTL_TRACK, 0);
	button(&m, APC_CTL_TRACK, 3);
	press_expect(&m, 0, 0x90, 36, 100);
	release_expect(&m, 0, 0x80, 36);
}

static void test_drum_per_pad(void **state)
{
	struct apcmap_config c;
	struct apcmap m;
	unsigned int i;

	(void)state;
	apcmap_config_default(&c);
	c.layout = APCMAP_DRUM;
	memset(c.drum_notes, NONE, sizeof(c.drum_notes));
	c.drum_notes[0] = 35;
	c.drum_notes[1] = 0;
	c.drum_notes[9] = 127;
	init_map(&m, &apc_model_mk2, &c);
	press_expect(&m, 0, 0x90, 35, 100);
	press_expect(&m, 1, 0x90, 0, 100);
	press_expect(&m, 9, 0x90, 127, 100);
	for (i = 2; i < APC_NUM_PADS; i++)
		if (i != 9) {
			assert_int_equal(apcmap_pad_note(&m, i), -1);
			ctl_silent(&m, APC_CTL_PAD, i, 127);
			ctl_silent(&m, APC_CTL_PAD, i, 0);
		}
	release_expect(&m, 9, 0x80, 127);
}

/* ---- transposition ---- */

struct transpose_case {
	const char *name;
	int8_t octave, transpose; /* configured */
	const uint8_t *presses;	  /* track buttons pressed, in order */
	unsigned int n_presses;
	int octave_after, transpose_after;
	int pad0, pad63; /* notes then, -1: silent */
};

static const uint8_t up1[] = { 0 }, up2[] = { 0, 0 }, down1[] = { 1 }, down3[] = { 1, 1, 1 },
		     semi_up2[] = { 3, 3 }, semi_down1[] = { 2 }, mixed[] = { 0, 3, 1, 2, 2 },
		     semi_up13[] = { 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3 },
		     semi_down13[] = { 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2 },
		     unused[] = { 4, 5, 6, 7 };

#define P(a) a, sizeof(a)
/* clang-format off */
static const struct transpose_case transpose_cases[] = {
	{ "transpose_none", 3, 0, NULL, 0, 3, 0, 48, 96 },
	{ "transpose_octave_up", 3, 0, P(up1), 4, 0, 60, 108 },
	{ "transpose_octave_up_twice", 3, 0, P(up2), 5, 0, 72, 120 },
	{ "transpose_octave_down", 3, 0, P(down1), 2, 0, 36, 84 },
	{ "transpose_octave_down_three", 3, 0, P(down3), 0, 0, 12, 60 },
	{ "transpose_semitone_up", 3, 0, P(semi_up2), 3, 2, 50, 98 },
	{ "transpose_semitone_down", 3, 0, P(semi_down1), 3, -1, 47, 95 },
	{ "transpose_mixed", 3, 0, P(mixed), 3, -1, 47, 95 },
	{ "transpose_unused_buttons", 3, 0, P(unused), 3, 0, 48, 96 },
	/* Limits: the button does nothing past -1 / 9 octaves, +-12 semitones. */
	{ "transpose_octave_max", 9, 0, P(up1), 9, 0, 120, -1 },
	{ "transpose_octave_min", -1, 0, P(down1), -1, 0, 0, 48 },
	{ "transpose_semitone_max", 3, 0, P(semi_up13), 3, 12, 60, 108 },
	{ "transpose_semitone_min", 3, 0, P(semi_down13), 3, -12, 36, 84 },
	/* Out of 0..127: those pads are silent, the others play. */
	{ "transpose_high_out_of_range", 8, 0, P(up1), 9, 0, 120, -1 },
	{ "transpose_low_out_of_range", -1, -12, NULL, 0, -1, -12, -1, 36 },
	{ "transpose_configured", 4, 7, NULL, 0, 4, 7, 67, 115 },
};
/* clang-format on */

static void test_transpose(void **state)
{
	const struct transpose_case *tc = *state;
	struct apcmap_config c;
	struct apcmap m;
	unsigned int i;

	apcmap_config_default(&c);
	c.octave = tc->octave;
	c.transpose = tc->transpose;
	init_map(&m, &apc_model_mk2, &c);
	for (i = 0; i < tc->n_presses; i++)
		button(&m, APC_CTL_TRACK, tc->presses[i]);
	assert_int_equal(m.octave, tc->octave_after);
	assert_int_equal(m.transpose, tc->transpose_after);
	assert_int_equal(apcmap_pad_note(&m, 0), tc->pad0);
	assert_int_equal(apcmap_pad_note(&m, 63), tc->pad63);
	if (tc->pad0 >= 0)
		press_expect(&m, 0, 0x90, (uint8_t)tc->pad0, 100);
	else
		ctl_silent(&m, APC_CTL_PAD, 0, 127);
	if (tc->pad63 >= 0)
		press_expect(&m, 63, 0x90, (uint8_t)tc->pad63, 100);
	else
		ctl_silent(&m, APC_CTL_PAD, 63, 127);
	/* A silent pad's release is silent too. */
	if (tc->pad63 < 0)
		ctl_silent(&m, APC_CTL_PAD, 63, 0);
}

/* Other buttons, and none: configured in transpose_buttons. */
static void test_transpose_buttons_configured(void **state)
{
	struct apcmap_config c;
	struct apcmap m;

	(void)state;
	apcmap_config_default(&c);
	c.transpose_buttons[APCMAP_OCTAVE_UP] = APC_LED_SCENE0 + 0;
	c.transpose_buttons[APCMAP_OCTAVE_DOWN] = APC_LED_SCENE0 + 7;
	c.transpose_buttons[APCMAP_SEMITONE_DOWN] = NONE;
	c.transpose_buttons[APCMAP_SEMITONE_UP] = APC_LED_TRACK0 + 7;
	init_map(&m, &apc_model_mk1, &c);
	button(&m, APC_CTL_TRACK, 0); /* no longer octave up */
	button(&m, APC_CTL_TRACK, 2); /* no longer semitone down */
	assert_int_equal(apcmap_pad_note(&m, 0), 48);
	button(&m, APC_CTL_SCENE, 0);
	assert_int_equal(apcmap_pad_note(&m, 0), 60);
	button(&m, APC_CTL_SCENE, 7);
	button(&m, APC_CTL_SCENE, 7);
	assert_int_equal(apcmap_pad_note(&m, 0), 36);
	button(&m, APC_CTL_TRACK, 7);
	assert_int_equal(apcmap_pad_note(&m, 0), 37);
	/* A release does nothing; only presses count. */
	ctl_silent(&m, APC_CTL_TRACK, 7, 0);
	assert_int_equal(apcmap_pad_note(&m, 0), 37);
}

/* ---- channel and velocity ---- */

struct chanvel_case {
	const char *name;
	uint8_t channel, velocity;
};

/* clang-format off */
static const struct chanvel_case chanvel_cases[] = {
	{ "channel_1_velocity_100", 0, 100 },
	{ "channel_10_velocity_127", 9, 127 },
	{ "channel_16_velocity_1", 15, 1 },
	{ "channel_2_velocity_64", 1, 64 },
};
/* clang-format on */

static void test_channel_velocity(void **state)
{
	const struct chanvel_case *tc = *state;
	struct apcmap_config c;
	struct apcmap m;
	const uint8_t cc[1][3] = { { (uint8_t)(0xb0 | tc->channel), 1, 33 } };

	apcmap_config_default(&c);
	c.channel = tc->channel;
	c.velocity = tc->velocity;
	init_map(&m, &apc_model_mk2, &c);
	/* The pads always send 127; what is played is the configured one. */
	press_expect(&m, 5, (uint8_t)(0x90 | tc->channel), 57, tc->velocity);
	release_expect(&m, 5, (uint8_t)(0x80 | tc->channel), 57);
	/* Faders follow the play channel unless given their own. */
	ctl_expect(&m, APC_CTL_FADER, 0, 33, 0, cc, 1);
}

/* ---- faders ---- */

static void test_fader_defaults(void **state)
{
	static const uint8_t cc[APC_NUM_FADERS] = { 1, 74, 71, 73, 72, 10, 91, 93, 7 };
	struct apcmap m;
	unsigned int f;

	(void)state;
	init_map(&m, &apc_model_mk1, NULL);
	for (f = 0; f < APC_NUM_FADERS; f++) {
		const uint8_t e[1][3] = { { 0xb0, cc[f], (uint8_t)(f * 10) } };

		ctl_expect(&m, APC_CTL_FADER, f, f * 10, 0, e, 1);
	}
}

static void test_fader_remap(void **state)
{
	struct apcmap_config c;
	struct apcmap m;
	const uint8_t e0[1][3] = { { 0xbf, 20, 0 } }, e8[1][3] = { { 0xbf, 127, 127 } };
	unsigned int f;

	(void)state;
	apcmap_config_default(&c);
	memset(c.fader_cc, NONE, sizeof(c.fader_cc));
	c.fader_cc[0] = 20;
	c.fader_cc[8] = 127;
	c.fader_channel = 15;
	c.channel = 3;
	init_map(&m, &apc_model_mk2, &c);
	ctl_expect(&m, APC_CTL_FADER, 0, 0, 0, e0, 1);
	ctl_expect(&m, APC_CTL_FADER, 8, 127, 0, e8, 1);
	for (f = 1; f < 8; f++)
		ctl_silent(&m, APC_CTL_FADER, f, 64);
	/* A channel chosen on the shift page does not move a fixed fader
	 * channel. */
	shift_pad(&m, apc_pad_at(0, 6));
	ctl_expect(&m, APC_CTL_FADER, 0, 0, 0, e0, 1);
}

/* A smoothing step: at `t` ms a fader value arrives (value >= 0) or the
 * caller ticks (value -1); what goes out, and the deadline after. */
struct step {
	int t_ms;
	int value;
	int sent;	/* the value sent, -1: nothing */
	int due_ms;	/* -1: no deadline */
};

struct smooth_case {
	const char *name;
	unsigned int smoothing_ms;
	const struct step *steps;
	unsigned int n;
};

/* clang-format off */
static const struct step smooth_off[] = {
	{ 0, 10, 10, -1 }, { 0, 11, 11, -1 }, { 1, 12, 12, -1 }, { 1, 12, 12, -1 },
};
static const struct step smooth_flood[] = {
	{ 100, 10, 10, -1 },	 /* the first of a movement at once */
	{ 101, 11, -1, 110 },	 /* held back */
	{ 102, 12, -1, 110 },
	{ 109, 13, -1, 110 },	 /* the latest replaces the earlier */
	{ 109, -1, -1, 110 },	 /* a tick before it is due: nothing */
	{ 110, -1, 13, -1 },	 /* due: the final value */
	{ 111, 14, -1, 120 },
	{ 125, -1, 14, -1 },	 /* a late tick still delivers it */
	{ 200, 15, 15, -1 },	 /* after a pause at once again */
};
static const struct step smooth_back[] = {
	{ 0, 50, 50, -1 },
	{ 2, 60, -1, 10 },
	{ 4, 50, -1, 10 },	 /* back where it was sent */
	{ 10, -1, -1, -1 },	 /* nothing to say: the receiver has 50 */
};
static const struct step smooth_late_value[] = {
	{ 0, 1, 1, -1 },
	{ 5, 2, -1, 20 },
	{ 30, 3, 3, -1 },	 /* the tick never came: the newer value at once */
	{ 40, -1, -1, -1 },
};
static const struct step smooth_many[] = {
	{ 0, 0, 0, -1 }, { 1, 1, -1, 5 }, { 2, 2, -1, 5 }, { 3, 3, -1, 5 }, { 4, 4, -1, 5 },
	{ 5, 5, 5, -1 }, { 6, 6, -1, 10 }, { 7, 7, -1, 10 }, { 8, 8, -1, 10 },
	{ 10, -1, 8, -1 },
};
/* clang-format on */

static const struct smooth_case smooth_cases[] = {
	{ "smoothing_off", 0, P(smooth_off) },
	{ "smoothing_flood_final_value", 10, P(smooth_flood) },
	{ "smoothing_back_to_sent", 10, P(smooth_back) },
	{ "smoothing_late_value", 20, P(smooth_late_value) },
	{ "smoothing_5ms_sweep", 5, P(smooth_many) },
};

static void test_smoothing(void **state)
{
	const struct smooth_case *tc = *state;
	struct apcmap_config c;
	struct apcmap m;
	struct apcmap_out out;
	uint64_t due;
	unsigned int i;
	int r, has;

	apcmap_config_default(&c);
	c.fader_smoothing_ms = (uint16_t)tc->smoothing_ms;
	init_map(&m, &apc_model_mk2, &c);
	for (i = 0; i < tc->n / sizeof(tc->steps[0]); i++) {
		const struct step *s = &tc->steps[i];
		uint64_t now = (uint64_t)s->t_ms * MS;

		if (s->value >= 0) {
			struct apc_control ctl = { APC_CTL_FADER, 2, (uint8_t)s->value };

			r = apcmap_control(&m, &ctl, now, &out);
		} else {
			r = apcmap_tick(&m, now, &out);
		}
		assert_int_equal(r, s->sent >= 0);
		if (s->sent >= 0) {
			assert_int_equal(out.msg[0][0], 0xb0);
			assert_int_equal(out.msg[0][1], 71);
			assert_int_equal(out.msg[0][2], s->sent);
		}
		has = apcmap_next_deadline(&m, &due);
		if (has != (s->due_ms >= 0) || (has && due != (uint64_t)s->due_ms * MS))
			fail_msg("step %u: deadline %d %llu ms, expected %d", i, has,
				 (unsigned long long)(has ? due / MS : 0), s->due_ms);
	}
}

/* Several faders in a flood: the earliest deadline is reported; one tick
 * delivers every due one. release_all delivers the rest. */
static void test_smoothing_several_faders(void **state)
{
	struct apcmap_config c;
	struct apcmap m;
	struct apcmap_out out;
	struct apc_control ctl = { APC_CTL_FADER, 0, 0 };
	uint64_t due;

	(void)state;
	apcmap_config_default(&c);
	c.fader_smoothing_ms = 10;
	init_map(&m, &apc_model_mk2, &c);
	assert_int_equal(apcmap_next_deadline(&m, &due), 0);
	ctl.index = 0, ctl.value = 1;
	assert_int_equal(apcmap_control(&m, &ctl, 0, &out), 1);
	ctl.index = 8, ctl.value = 1;
	assert_int_equal(apcmap_control(&m, &ctl, 3 * MS, &out), 1);
	ctl.index = 0, ctl.value = 2;
	assert_int_equal(apcmap_control(&m, &ctl, 4 * MS, &out), 0);
	ctl.index = 8, ctl.value = 2;
	assert_int_equal(apcmap_control(&m, &ctl, 5 * MS, &out), 0);
	assert_int_equal(apcmap_next_deadline(&m, &due), 1);
	assert_int_equal(due, 10 * MS);
	assert_int_equal(apcmap_tick(&m, 10 * MS, &out), 1);
	assert_int_equal(out.msg[0][1], 1);
	assert_int_equal(apcmap_next_deadline(&m, &due), 1);
	assert_int_equal(due, 13 * MS);
	assert_int_equal(apcmap_tick(&m, 20 * MS, &out), 1);
	assert_int_equal(out.msg[0][1], 7);
	assert_int_equal(out.msg[0][2], 2);

	ctl.index = 4, ctl.value = 100;
	assert_int_equal(apcmap_control(&m, &ctl, 100 * MS, &out), 1);
	ctl.value = 90;
	assert_int_equal(apcmap_control(&m, &ctl, 101 * MS, &out), 0);
	assert_int_equal(apcmap_release_all(&m, &out), 1);
	assert_int_equal(out.msg[0][0], 0xb0);
	assert_int_equal(out.msg[0][1], 72);
	assert_int_equal(out.msg[0][2], 90);
	assert_int_equal(apcmap_next_deadline(&m, &due), 0);
}

/* ---- the shift page ---- */

struct shift_case {
	const char *name;
	unsigned int x, y;
	int layout, scale, root, octave, channel; /* -1: unchanged (default) */
	int pad0;				  /* what pad 0 plays then */
};

/* clang-format off */
static const struct shift_case shift_cases[] = {
	{ "shift_root_C", 0, 0, -1, -1, 0, -1, -1, 48 },
	{ "shift_root_D", 1, 0, -1, -1, 2, -1, -1, 50 },
	{ "shift_root_E", 2, 0, -1, -1, 4, -1, -1, 52 },
	{ "shift_root_F", 3, 0, -1, -1, 5, -1, -1, 53 },
	{ "shift_root_G", 4, 0, -1, -1, 7, -1, -1, 55 },
	{ "shift_root_A", 5, 0, -1, -1, 9, -1, -1, 57 },
	{ "shift_root_B", 6, 0, -1, -1, 11, -1, -1, 59 },
	{ "shift_root_none_x7", 7, 0, -1, -1, -1, -1, -1, 48 },
	{ "shift_root_none_x0_black", 0, 1, -1, -1, -1, -1, -1, 48 },
	{ "shift_root_C_sharp", 1, 1, -1, -1, 1, -1, -1, 49 },
	{ "shift_root_D_sharp", 2, 1, -1, -1, 3, -1, -1, 51 },
	{ "shift_root_none_x3_black", 3, 1, -1, -1, -1, -1, -1, 48 },
	{ "shift_root_F_sharp", 4, 1, -1, -1, 6, -1, -1, 54 },
	{ "shift_root_G_sharp", 5, 1, -1, -1, 8, -1, -1, 56 },
	{ "shift_root_A_sharp", 6, 1, -1, -1, 10, -1, -1, 58 },
	{ "shift_root_none_x7_black", 7, 1, -1, -1, -1, -1, -1, 48 },
	{ "shift_scale_major", 0, 2, -1, APCMAP_MAJOR, -1, -1, -1, 48 },
	{ "shift_scale_minor", 1, 2, -1, APCMAP_MINOR, -1, -1, -1, 48 },
	{ "shift_scale_dorian", 2, 2, -1, APCMAP_DORIAN, -1, -1, -1, 48 },
	{ "shift_scale_phrygian", 3, 2, -1, APCMAP_PHRYGIAN, -1, -1, -1, 48 },
	{ "shift_scale_lydian", 4, 2, -1, APCMAP_LYDIAN, -1, -1, -1, 48 },
	{ "shift_scale_mixolydian", 5, 2, -1, APCMAP_MIXOLYDIAN, -1, -1, -1, 48 },
	{ "shift_scale_locrian", 6, 2, -1, APCMAP_LOCRIAN, -1, -1, -1, 48 },
	{ "shift_scale_major_pentatonic", 7, 2, -1, APCMAP_MAJOR_PENTATONIC, -1, -1, -1, 48 },
	{ "shift_scale_minor_pentatonic", 0, 3, -1, APCMAP_MINOR_PENTATONIC, -1, -1, -1, 48 },
	{ "shift_scale_blues", 1, 3, -1, APCMAP_BLUES, -1, -1, -1, 48 },
	{ "shift_scale_harmonic_minor", 2, 3, -1, APCMAP_HARMONIC_MINOR, -1, -1, -1, 48 },
	{ "shift_scale_chromatic", 3, 3, -1, APCMAP_CHROMATIC_SCALE, -1, -1, -1, 48 },
	{ "shift_scale_none", 4, 3, -1, -1, -1, -1, -1, 48 },
	{ "shift_layout_chromatic", 0, 4, APCMAP_CHROMATIC, -1, -1, -1, -1, 48 },
	{ "shift_layout_in_key", 1, 4, APCMAP_IN_KEY, -1, -1, -1, -1, 48 },
	{ "shift_layout_drum", 2, 4, APCMAP_DRUM, -1, -1, -1, -1, 36 },
	{ "shift_layout_none", 3, 4, -1, -1, -1, -1, -1, 48 },
	{ "shift_octave_0", 0, 5, -1, -1, -1, 0, -1, 12 },
	{ "shift_octave_1", 1, 5, -1, -1, -1, 1, -1, 24 },
	{ "shift_octave_3", 3, 5, -1, -1, -1, 3, -1, 48 },
	{ "shift_octave_5", 5, 5, -1, -1, -1, 5, -1, 72 },
	{ "shift_octave_7", 7, 5, -1, -1, -1, 7, -1, 96 },
	{ "shift_channel_1", 0, 6, -1, -1, -1, -1, 0, 48 },
	{ "shift_channel_2", 1, 6, -1, -1, -1, -1, 1, 48 },
	{ "shift_channel_8", 7, 6, -1, -1, -1, -1, 7, 48 },
	{ "shift_channel_9", 0, 7, -1, -1, -1, -1, 8, 48 },
	{ "shift_channel_10", 1, 7, -1, -1, -1, -1, 9, 48 },
	{ "shift_channel_16", 7, 7, -1, -1, -1, -1, 15, 48 },
};
/* clang-format on */

static void test_shift(void **state)
{
	const struct shift_case *tc = *state;
	struct apcmap m;
	unsigned int pad = apc_pad_at(tc->x, tc->y);
	int ch = tc->channel >= 0 ? tc->channel : 0;

	init_map(&m, &apc_model_mk2, NULL);
	ctl_silent(&m, APC_CTL_SHIFT, 0, 127);
	/* The page plays nothing. */
	ctl_silent(&m, APC_CTL_PAD, pad, 127);
	ctl_silent(&m, APC_CTL_PAD, pad, 0);
	assert_int_equal(m.layout, tc->layout >= 0 ? tc->layout : APCMAP_IN_KEY);
	assert_int_equal(m.scale, tc->scale >= 0 ? tc->scale : APCMAP_MAJOR);
	assert_int_equal(m.root, tc->root >= 0 ? tc->root : 0);
	assert_int_equal(m.octave, tc->octave >= 0 ? tc->octave : 3);
	assert_int_equal(m.channel, ch);
	ctl_silent(&m, APC_CTL_SHIFT, 0, 0);
	/* The configuration is what it was: a choice is live only. */
	assert_int_equal(m.conf.layout, APCMAP_IN_KEY);
	assert_int_equal(m.conf.channel, 0);
	press_expect(&m, 0, (uint8_t)(0x90 | ch), (uint8_t)tc->pad0, 100);
	release_expect(&m, 0, (uint8_t)(0x80 | ch), (uint8_t)tc->pad0);
}

/* Faders and buttons keep working while Shift is held; Shift itself plays
 * nothing. */
static void test_shift_faders_buttons(void **state)
{
	struct apcmap m;
	const uint8_t e[1][3] = { { 0xb0, 7, 99 } };

	(void)state;
	init_map(&m, &apc_model_mk1, NULL);
	ctl_silent(&m, APC_CTL_SHIFT, 0, 127);
	ctl_expect(&m, APC_CTL_FADER, 8, 99, 0, e, 1);
	button(&m, APC_CTL_TRACK, 0);
	ctl_silent(&m, APC_CTL_SHIFT, 0, 0);
	press_expect(&m, 0, 0x90, 60, 100);
}

/* ---- note-offs match the note-ons, whatever changed in between ---- */

enum change {
	CH_OCTAVE_BUTTON,
	CH_SEMITONE_BUTTON,
	CH_SHIFT_LAYOUT,
	CH_SHIFT_ROOT,
	CH_SHIFT_CHANNEL,
	CH_SHIFT_HELD,
	CH_SET_CONFIG,
};

struct noteoff_case {
	const char *name;
	enum change change;
	uint8_t new_note; /* what pad 9 plays after the change */
	uint8_t new_ch;
};

/* clang-format off */
static const struct noteoff_case noteoff_cases[] = {
	{ "noteoff_after_octave_button", CH_OCTAVE_BUTTON, 67, 0 },
	{ "noteoff_after_semitone_button", CH_SEMITONE_BUTTON, 56, 0 },
	{ "noteoff_after_shift_layout", CH_SHIFT_LAYOUT, 41, 0 },
	{ "noteoff_after_shift_root", CH_SHIFT_ROOT, 64, 0 },
	{ "noteoff_after_shift_channel", CH_SHIFT_CHANNEL, 55, 4 },
	{ "noteoff_release_while_shift_held", CH_SHIFT_HELD, 55, 0 },
	{ "noteoff_after_set_config", CH_SET_CONFIG, 44, 2 },
};
/* clang-format on */

static void test_noteoff(void **state)
{
	const struct noteoff_case *tc = *state;
	struct apcmap_config c;
	struct apcmap m;

	init_map(&m, &apc_model_mk2, NULL);
	/* Pad 9 (x 1, y 1): F3 + 1 degree = G3 = 55. */
	press_expect(&m, 9, 0x90, 55, 100);
	switch (tc->change) {
	case CH_OCTAVE_BUTTON:
		button(&m, APC_CTL_TRACK, 0);
		break;
	case CH_SEMITONE_BUTTON:
		button(&m, APC_CTL_TRACK, 3);
		break;
	case CH_SHIFT_LAYOUT:
		shift_pad(&m, apc_pad_at(2, 4));
		break;
	case CH_SHIFT_ROOT:
		shift_pad(&m, apc_pad_at(5, 0));
		break;
	case CH_SHIFT_CHANNEL:
		shift_pad(&m, apc_pad_at(4, 6));
		break;
	case CH_SHIFT_HELD:
		ctl_silent(&m, APC_CTL_SHIFT, 0, 127);
		release_expect(&m, 9, 0x80, 55);
		ctl_silent(&m, APC_CTL_SHIFT, 0, 0);
		press_expect(&m, 9, 0x90, 55, 100);
		break;
	case CH_SET_CONFIG:
		apcmap_config_default(&c);
		c.layout = APCMAP_CHROMATIC;
		c.root = 2;
		c.octave = 2;
		c.channel = 2;
		assert_int_equal(apcmap_set_config(&m, &c), 0);
		break;
	}
	release_expect(&m, 9, 0x80, 55);
	/* And the next press plays the new note. */
	assert_int_equal(apcmap_pad_note(&m, 9), tc->new_note);
	press_expect(&m, 9, (uint8_t)(0x90 | tc->new_ch), tc->new_note, 100);
	release_expect(&m, 9, (uint8_t)(0x80 | tc->new_ch), tc->new_note);
}

/* A second press without a release (a lost release) ends the first note. */
static void test_double_press(void **state)
{
	struct apcmap m;
	const uint8_t e[2][3] = { { 0x80, 55, 0 }, { 0x90, 67, 100 } };

	(void)state;
	init_map(&m, &apc_model_mk2, NULL);
	press_expect(&m, 9, 0x90, 55, 100);
	button(&m, APC_CTL_TRACK, 0);
	ctl_expect(&m, APC_CTL_PAD, 9, 127, 0, e, 2);
	release_expect(&m, 9, 0x80, 67);
	ctl_silent(&m, APC_CTL_PAD, 9, 0);
}

static void test_release_all(void **state)
{
	struct apcmap m;
	struct apcmap_out out;

	(void)state;
	init_map(&m, &apc_model_mk2, NULL);
	press_expect(&m, 0, 0x90, 48, 100);
	shift_pad(&m, apc_pad_at(2, 7)); /* channel 11 */
	press_expect(&m, 63, 0x9a, 96, 100);
	assert_int_equal(apcmap_release_all(&m, &out), 2);
	assert_memory_equal(out.msg[0], ((uint8_t[]){ 0x80, 48, 0 }), 3);
	assert_memory_equal(out.msg[1], ((uint8_t[]){ 0x8a, 96, 0 }), 3);
	/* Nothing sounds: the releases are silent, and so is a second call. */
	ctl_silent(&m, APC_CTL_PAD, 0, 0);
	assert_int_equal(apcmap_release_all(&m, &out), 0);
}

/* ---- configuration ---- */

static void test_default_config(void **state)
{
	struct apcmap_config c;
	struct apcmap m;
	static const uint8_t bottom[8] = { 48, 50, 52, 53, 55, 57, 59, 60 };
	unsigned int x;

	(void)state;
	apcmap_config_default(&c);
	assert_int_equal(apcmap_config_check(&c), 0);
	assert_int_equal(c.layout, APCMAP_IN_KEY);
	assert_int_equal(c.scale, APCMAP_MAJOR);
	assert_int_equal(c.root, 0);
	assert_int_equal(c.octave, 3);
	assert_int_equal(c.row_interval, 5);
	assert_int_equal(c.channel, 0);
	assert_int_equal(c.velocity, 100);
	assert_int_equal(c.fader_channel, NONE);
	assert_int_equal(c.fader_smoothing_ms, 0);
	/* Playable at once: C major from C3 across the bottom row. */
	init_map(&m, &apc_model_mk2, NULL);
	for (x = 0; x < 8; x++)
		press_expect(&m, x, 0x90, bottom[x], 100);
	/* And four octaves up to C7 at the top right. */
	assert_int_equal(apcmap_pad_note(&m, 56), 84);
	assert_int_equal(apcmap_pad_note(&m, 63), 96);
	assert_int_equal(apcmap_pad_note(&m, 64), -1);
}

struct check_case {
	const char *name;
	void (*bad)(struct apcmap_config *c);
};

#define BAD(n, stmt)                                                                               \
	static void bad_##n(struct apcmap_config *c)                                               \
	{                                                                                          \
		stmt;                                                                              \
	}
BAD(layout, c->layout = APCMAP_N_LAYOUTS)
BAD(scale, c->scale = APCMAP_N_SCALES)
BAD(root, c->root = 12)
BAD(octave_low, c->octave = -2)
BAD(octave_high, c->octave = 10)
BAD(transpose_low, c->transpose = -13)
BAD(transpose_high, c->transpose = 13)
BAD(interval_0, c->row_interval = 0)
BAD(interval_13, c->row_interval = 13)
BAD(channel, c->channel = 16)
BAD(velocity_0, c->velocity = 0)
BAD(velocity_128, c->velocity = 128)
BAD(drum_note, c->drum_notes[5] = 128)
BAD(fader_cc, c->fader_cc[8] = 200)
BAD(fader_channel, c->fader_channel = 16)
BAD(smoothing, c->fader_smoothing_ms = 1001)
BAD(button_pad, c->transpose_buttons[0] = 63)
BAD(button_past, c->transpose_buttons[1] = APC_NUM_LEDS)
BAD(button_twice, c->transpose_buttons[3] = c->transpose_buttons[0])

/* clang-format off */
static const struct check_case check_cases[] = {
	{ "config_bad_layout", bad_layout }, { "config_bad_scale", bad_scale },
	{ "config_bad_root", bad_root }, { "config_bad_octave_low", bad_octave_low },
	{ "config_bad_octave_high", bad_octave_high },
	{ "config_bad_transpose_low", bad_transpose_low },
	{ "config_bad_transpose_high", bad_transpose_high },
	{ "config_bad_interval_0", bad_interval_0 }, { "config_bad_interval_13", bad_interval_13 },
	{ "config_bad_channel", bad_channel }, { "config_bad_velocity_0", bad_velocity_0 },
	{ "config_bad_velocity_128", bad_velocity_128 }, { "config_bad_drum_note", bad_drum_note },
	{ "config_bad_fader_cc", bad_fader_cc }, { "config_bad_fader_channel", bad_fader_channel },
	{ "config_bad_smoothing", bad_smoothing }, { "config_bad_button_pad", bad_button_pad },
	{ "config_bad_button_past", bad_button_past }, { "config_bad_button_twice", bad_button_twice },
};
/* clang-format on */

static void test_config_check(void **state)
{
	const struct check_case *tc = *state;
	struct apcmap_config c;
	struct apcmap m, before;

	apcmap_config_default(&c);
	tc->bad(&c);
	assert_int_equal(apcmap_config_check(&c), -EINVAL);
	assert_int_equal(apcmap_init(&m, &apc_model_mk2, &c), -EINVAL);
	/* A refused reload changes nothing. */
	init_map(&m, &apc_model_mk2, NULL);
	press_expect(&m, 0, 0x90, 48, 100);
	before = m;
	assert_int_equal(apcmap_set_config(&m, &c), -EINVAL);
	assert_memory_equal(&m, &before, sizeof(m));
}

static void test_config_limits_ok(void **state)
{
	struct apcmap_config c;

	(void)state;
	apcmap_config_default(&c);
	c.octave = -1;
	c.transpose = -12;
	c.row_interval = 12;
	c.channel = 15;
	c.velocity = 1;
	c.fader_channel = 0;
	c.fader_smoothing_ms = 1000;
	memset(c.fader_cc, NONE, sizeof(c.fader_cc));
	memset(c.drum_notes, NONE, sizeof(c.drum_notes));
	memset(c.transpose_buttons, NONE, sizeof(c.transpose_buttons));
	assert_int_equal(apcmap_config_check(&c), 0);
	c.octave = 9;
	c.transpose = 12;
	c.velocity = 127;
	assert_int_equal(apcmap_config_check(&c), 0);
	assert_int_equal(apcmap_config_check(NULL), -EINVAL);
	assert_int_equal(apcmap_init(&(struct apcmap){ 0 }, NULL, &c), -EINVAL);
}

/* A reload: what the file changed takes its new value, what it left alone
 * keeps the live choice. */
static void test_set_config_keeps_live(void **state)
{
	struct apcmap_config c;
	struct apcmap m;
	unsigned int gen;

	(void)state;
	init_map(&m, &apc_model_mk2, NULL);
	button(&m, APC_CTL_TRACK, 0);	   /* octave 4 */
	button(&m, APC_CTL_TRACK, 3);	   /* transpose +1 */
	shift_pad(&m, apc_pad_at(1, 2)); /* minor */
	shift_pad(&m, apc_pad_at(3, 6)); /* channel 4 */
	gen = apcmap_leds_generation(&m);

	apcmap_config_default(&c);
	c.root = 7;
	c.octave = 2;
	c.velocity = 90;
	assert_int_equal(apcmap_set_config(&m, &c), 0);
	assert_int_not_equal(apcmap_leds_generation(&m), gen);
	assert_int_equal(m.root, 7);	   /* changed in the file */
	assert_int_equal(m.octave, 2);	   /* changed in the file */
	assert_int_equal(m.transpose, 1);  /* kept */
	assert_int_equal(m.scale, APCMAP_MINOR);
	assert_int_equal(m.channel, 3);
	assert_int_equal(m.layout, APCMAP_IN_KEY);
	press_expect(&m, 0, 0x93, 12 * 3 + 7 + 1, 90);

	/* The same file again changes nothing live. */
	assert_int_equal(apcmap_set_config(&m, &c), 0);
	assert_int_equal(m.transpose, 1);
	assert_int_equal(m.scale, APCMAP_MINOR);
}

static void test_bad_controls(void **state)
{
	struct apcmap m;
	struct apcmap_out out;
	static const struct apc_control bad[] = {
		{ APC_CTL_PAD, 64, 127 },   { APC_CTL_TRACK, 8, 127 }, { APC_CTL_SCENE, 8, 127 },
		{ APC_CTL_SHIFT, 1, 127 },  { APC_CTL_FADER, 9, 0 },   { APC_CTL_PAD, 0, 128 },
		{ (enum apc_control_type)0, 0, 0 }, { (enum apc_control_type)99, 0, 0 },
	};
	unsigned int i;

	(void)state;
	init_map(&m, &apc_model_mk2, NULL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out.n = 5;
		assert_int_equal(apcmap_control(&m, &bad[i], 0, &out), -EINVAL);
		assert_int_equal(out.n, 0);
	}
	assert_int_equal(apcmap_control(&m, NULL, 0, &out), -EINVAL);
	assert_int_equal(apcmap_pad_note(&m, 64), -1);
}

/* ---- LEDs ---- */

/* Expected pad colours per model. */
struct colours {
	uint8_t behaviour; /* of a lit pad */
	uint8_t out_of_key, in_key, root, sounding;
	uint8_t drum[4];
	uint8_t option, chosen[5]; /* root, scale, layout, octave, channel */
};

static const struct colours colours_of[2] = {
	{ 0, 0, 5, 3, 1, { 5, 3, 3, 5 }, 5, { 1, 1, 1, 1, 1 } },
	{ 6, 1, 3, 45, 21, { 9, 13, 37, 53 }, 117, { 45, 3, 9, 13, 21 } },
};

/* Pads have the model's pad channel lit or not (mk2: off on the solid
 * channel too); buttons have none. No custom RGB colour anywhere. */
static void assert_led(const struct apc_led *pic, unsigned int i, uint8_t value,
		       uint8_t behaviour)
{
	if (i >= APC_NUM_PADS)
		behaviour = 0;
	if (pic[i].value != value || pic[i].behaviour != behaviour || pic[i].rgb ||
	    pic[i].c.r || pic[i].c.g || pic[i].c.b)
		fail_msg("LED %u: %u/%u rgb %u, expected %u/%u", i, pic[i].value,
			 pic[i].behaviour, pic[i].rgb, value, behaviour);
}

static void test_leds_default(void **state)
{
	const struct apc_model *model = *state;
	const struct colours *k = &colours_of[model == &apc_model_mk2];
	struct apc_led pic[APC_NUM_LEDS];
	struct apcmap m;
	unsigned int pad, i;

	init_map(&m, model, NULL);
	apcmap_leds(&m, pic);
	for (pad = 0; pad < APC_NUM_PADS; pad++) {
		/* In key with C major: degree x + 3y, a root every 7. */
		unsigned int k7 = (apc_pad_x(pad) + 3 * apc_pad_y(pad)) % 7;

		assert_led(pic, pad, k7 == 0 ? k->root : k->in_key, k->behaviour);
	}
	for (i = APC_LED_TRACK0; i < APC_NUM_LEDS; i++)
		assert_led(pic, i, 0, 0);
	/* The roots by name: C3, C4, and degree 7 at (1, 2) and (4, 1). */
	assert_led(pic, 0, k->root, k->behaviour);
	assert_led(pic, 7, k->root, k->behaviour);
	assert_led(pic, apc_pad_at(1, 2), k->root, k->behaviour);
	assert_led(pic, apc_pad_at(4, 1), k->root, k->behaviour);
}

static void test_leds_chromatic(void **state)
{
	const struct apc_model *model = *state;
	const struct colours *k = &colours_of[model == &apc_model_mk2];
	struct apc_led pic[APC_NUM_LEDS];
	struct apcmap_config c;
	struct apcmap m;
	unsigned int pad, s;

	apcmap_config_default(&c);
	c.layout = APCMAP_CHROMATIC;
	c.root = 2; /* D major */
	init_map(&m, model, &c);
	apcmap_leds(&m, pic);
	for (pad = 0; pad < APC_NUM_PADS; pad++) {
		s = (apc_pad_x(pad) + 5 * apc_pad_y(pad)) % 12;
		if (s == 0)
			assert_led(pic, pad, k->root, k->behaviour);
		else if (s == 2 || s == 4 || s == 5 || s == 7 || s == 9 || s == 11)
			assert_led(pic, pad, k->in_key, k->behaviour);
		else
			assert_led(pic, pad, k->out_of_key, k->behaviour);
	}
	/* A press lights every pad that plays that note: pad 5 (x 5) and pad
	 * 8 (x 0, y 1) are both root + 5. */
	press_expect(&m, 5, 0x90, 55, 100);
	apcmap_leds(&m, pic);
	assert_led(pic, 5, k->sounding, k->behaviour);
	assert_led(pic, 8, k->sounding, k->behaviour);
	assert_led(pic, 0, k->root, k->behaviour);
	release_expect(&m, 5, 0x80, 55);
	apcmap_leds(&m, pic);
	assert_led(pic, 5, k->in_key, k->behaviour);
	assert_led(pic, 8, k->in_key, k->behaviour);
}

static void test_leds_drum(void **state)
{
	const struct apc_model *model = *state;
	const struct colours *k = &colours_of[model == &apc_model_mk2];
	struct apc_led pic[APC_NUM_LEDS];
	struct apcmap_config c;
	struct apcmap m;
	unsigned int pad;

	apcmap_config_default(&c);
	c.layout = APCMAP_DRUM;
	c.drum_notes[63] = NONE;
	init_map(&m, model, &c);
	apcmap_leds(&m, pic);
	for (pad = 0; pad < 63; pad++)
		assert_led(pic, pad,
			   k->drum[(apc_pad_y(pad) / 4) * 2 + apc_pad_x(pad) / 4], k->behaviour);
	assert_led(pic, 63, 0, k->behaviour); /* silent */
	press_expect(&m, 0, 0x90, 36, 100);
	apcmap_leds(&m, pic);
	assert_led(pic, 0, k->sounding, k->behaviour);
}

/* Transposition out of range: pads without a note are dark. */
static void test_leds_out_of_range(void **state)
{
	const struct apc_model *model = *state;
	const struct colours *k = &colours_of[model == &apc_model_mk2];
	struct apc_led pic[APC_NUM_LEDS];
	struct apcmap_config c;
	struct apcmap m;
	unsigned int pad;

	apcmap_config_default(&c);
	c.octave = 9;
	init_map(&m, model, &c);
	apcmap_leds(&m, pic);
	for (pad = 0; pad < APC_NUM_PADS; pad++)
		if (apcmap_pad_note(&m, pad) < 0)
			assert_led(pic, pad, 0, k->behaviour);
		else
			assert_true(pic[pad].value == k->root || pic[pad].value == k->in_key);
	assert_led(pic, 0, k->root, k->behaviour); /* C9 = 120 */
	assert_led(pic, 63, 0, k->behaviour);
}

static void test_leds_buttons(void **state)
{
	const struct apc_model *model = *state;
	struct apc_led pic[APC_NUM_LEDS];
	struct apcmap m;

	init_map(&m, model, NULL);
	button(&m, APC_CTL_TRACK, 0);
	apcmap_leds(&m, pic);
	assert_led(pic, APC_LED_TRACK0 + 0, 1, 0);
	assert_led(pic, APC_LED_TRACK0 + 1, 0, 0);
	button(&m, APC_CTL_TRACK, 1);
	button(&m, APC_CTL_TRACK, 1);
	button(&m, APC_CTL_TRACK, 2);
	apcmap_leds(&m, pic);
	assert_led(pic, APC_LED_TRACK0 + 0, 0, 0);
	assert_led(pic, APC_LED_TRACK0 + 1, 1, 0);
	assert_led(pic, APC_LED_TRACK0 + 2, 1, 0);
	assert_led(pic, APC_LED_TRACK0 + 3, 0, 0);
	button(&m, APC_CTL_TRACK, 3);
	button(&m, APC_CTL_TRACK, 3);
	apcmap_leds(&m, pic);
	assert_led(pic, APC_LED_TRACK0 + 2, 0, 0);
	assert_led(pic, APC_LED_TRACK0 + 3, 1, 0);
}

static void test_leds_shift_page(void **state)
{
	const struct apc_model *model = *state;
	const struct colours *k = &colours_of[model == &apc_model_mk2];
	struct apc_led pic[APC_NUM_LEDS];
	struct apcmap m;
	unsigned int pad, x, y;

	init_map(&m, model, NULL);
	press_expect(&m, 0, 0x90, 48, 100);
	ctl_silent(&m, APC_CTL_SHIFT, 0, 127);
	apcmap_leds(&m, pic);
	for (pad = 0; pad < APC_NUM_PADS; pad++) {
		x = apc_pad_x(pad);
		y = apc_pad_y(pad);
		if ((y == 0 && x == 7) || (y == 1 && (x == 0 || x == 3 || x == 7)) ||
		    (y == 3 && x >= 4) || (y == 4 && x >= 3))
			assert_led(pic, pad, 0, k->behaviour);
		else if (pad == apc_pad_at(0, 0))
			assert_led(pic, pad, k->chosen[0], k->behaviour); /* C */
		else if (pad == apc_pad_at(0, 2))
			assert_led(pic, pad, k->chosen[1], k->behaviour); /* major */
		else if (pad == apc_pad_at(1, 4))
			assert_led(pic, pad, k->chosen[2], k->behaviour); /* in-key */
		else if (pad == apc_pad_at(3, 5))
			assert_led(pic, pad, k->chosen[3], k->behaviour); /* octave 3 */
		else if (pad == apc_pad_at(0, 6))
			assert_led(pic, pad, k->chosen[4], k->behaviour); /* channel 1 */
		else
			assert_led(pic, pad, k->option, k->behaviour);
	}
	/* A choice moves the light. */
	ctl_silent(&m, APC_CTL_PAD, apc_pad_at(4, 1), 127); /* F# */
	ctl_silent(&m, APC_CTL_PAD, apc_pad_at(7, 7), 127); /* channel 16 */
	ctl_silent(&m, APC_CTL_PAD, apc_pad_at(0, 4), 127); /* chromatic */
	apcmap_leds(&m, pic);
	assert_led(pic, apc_pad_at(0, 0), k->option, k->behaviour);
	assert_led(pic, apc_pad_at(4, 1), k->chosen[0], k->behaviour);
	assert_led(pic, apc_pad_at(0, 6), k->option, k->behaviour);
	assert_led(pic, apc_pad_at(7, 7), k->chosen[4], k->behaviour);
	assert_led(pic, apc_pad_at(0, 4), k->chosen[2], k->behaviour);
	/* An octave outside 0-7 lights none of the row. */
	m.octave = 9;
	apcmap_leds(&m, pic);
	for (x = 0; x < 8; x++)
		assert_led(pic, apc_pad_at(x, 5), k->option, k->behaviour);
	m.octave = 3;
	/* Shift let go: the play page, in the new choices (F# chromatic). */
	ctl_silent(&m, APC_CTL_SHIFT, 0, 0);
	apcmap_leds(&m, pic);
	assert_led(pic, 0, k->sounding, k->behaviour); /* still held */
	assert_led(pic, apc_pad_at(2, 2), k->root, k->behaviour); /* 2 + 10 = 12 */
}

/* The generation moves with every change of the picture, and
 * apcmap_leds_apply puts it in an apc_led_state so only changes go out. */
static void test_leds_generation_apply(void **state)
{
	const struct apc_model *model = *state;
	struct apc_led_state s;
	struct apcmap m;
	unsigned int g;

	init_map(&m, model, NULL);
	apc_leds_init(&s, model);
	g = apcmap_leds_generation(&m);
	/* All 64 pads are lit; buttons already wanted off. */
	assert_int_equal(apcmap_leds_apply(&m, &s), APC_NUM_PADS);
	assert_int_equal(apcmap_leds_apply(&m, &s), 0);

	press_expect(&m, 0, 0x90, 48, 100);
	assert_int_not_equal(apcmap_leds_generation(&m), g);
	g = apcmap_leds_generation(&m);
	/* C3 is on pad 0 only in the in-key grid. */
	assert_int_equal(apcmap_leds_apply(&m, &s), 1);
	release_expect(&m, 0, 0x80, 48);
	assert_int_not_equal(apcmap_leds_generation(&m), g);
	assert_int_equal(apcmap_leds_apply(&m, &s), 1);

	/* Nothing that changes the picture leaves the generation alone. */
	g = apcmap_leds_generation(&m);
	ctl_silent(&m, APC_CTL_TRACK, 6, 127);
	ctl_expect(&m, APC_CTL_FADER, 0, 5, 0, (const uint8_t[][3]){ { 0xb0, 1, 5 } }, 1);
	ctl_silent(&m, APC_CTL_SHIFT, 0, 0);
	assert_int_equal(apcmap_leds_generation(&m), g);

	ctl_silent(&m, APC_CTL_SHIFT, 0, 127);
	assert_int_not_equal(apcmap_leds_generation(&m), g);
	assert_true(apcmap_leds_apply(&m, &s) > 0);
	g = apcmap_leds_generation(&m);
	/* Choosing what is chosen already changes nothing. */
	ctl_silent(&m, APC_CTL_PAD, apc_pad_at(0, 0), 127);
	ctl_silent(&m, APC_CTL_PAD, apc_pad_at(7, 0), 127);
	assert_int_equal(apcmap_leds_generation(&m), g);
	ctl_silent(&m, APC_CTL_PAD, apc_pad_at(1, 0), 127);
	assert_int_not_equal(apcmap_leds_generation(&m), g);
	ctl_silent(&m, APC_CTL_SHIFT, 0, 0);
	assert_true(apcmap_leds_apply(&m, &s) > 0);

	/* A transposition button at its limit changes nothing. */
	m.octave = APCMAP_OCTAVE_MAX;
	g = apcmap_leds_generation(&m);
	button(&m, APC_CTL_TRACK, 0);
	assert_int_equal(apcmap_leds_generation(&m), g);
	button(&m, APC_CTL_TRACK, 1);
	assert_int_not_equal(apcmap_leds_generation(&m), g);
}

/* The grid shared with clients: theirs while nobody plays, the mapping's
 * picture while someone does (their messages kept, not shown), theirs again
 * after the last one; a press redraws only when the picture is stale. */
static void test_grid_shared(void **state)
{
	const struct apc_model *model = *state;
	static const uint8_t red7[3] = { 0x90, 7, 3 }, red8[3] = { 0x90, 8, 3 };
	const struct apc_control press = { APC_CTL_PAD, 0, 127 };
	struct apc_led_state leds;
	struct apcmap_grid g;
	struct apcmap m;
	struct apcmap_out out;
	struct apc_led pic[APC_NUM_LEDS];

	assert_int_equal(apcmap_init(&m, model, NULL), 0);
	apc_leds_init(&leds, model);
	apcmap_grid_init(&g, model);
	assert_false(apcmap_grid_draws(&g));
	assert_int_equal(apcmap_grid_client(&g, &leds, red7, 3), 1);
	assert_int_equal(apcmap_grid_client(&g, &leds, (const uint8_t *)"\xb0\x30\x01", 3),
			 -ENOENT);

	assert_int_equal(apcmap_grid_subscribers(&g, &m, &leds, 1), 1);
	assert_int_equal(apcmap_grid_subscribers(&g, &m, &leds, 1), 0);
	apcmap_leds(&m, pic);
	assert_memory_equal(&leds.want[7], &pic[7], sizeof(pic[7]));
	assert_false(apcmap_grid_stale(&g, &m));
	assert_int_equal(apcmap_grid_client(&g, &leds, red8, 3), 0);
	assert_memory_equal(&leds.want[8], &pic[8], sizeof(pic[8]));

	assert_true(apcmap_control(&m, &press, 0, &out) > 0);
	assert_true(apcmap_grid_stale(&g, &m));
	assert_int_equal(apcmap_grid_draw(&g, &m, &leds), 1);
	assert_false(apcmap_grid_stale(&g, &m));
	assert_int_equal(apcmap_grid_draw(&g, &m, &leds), 0);

	assert_int_equal(apcmap_grid_subscribers(&g, &m, &leds, -1), 0);
	assert_int_equal(apcmap_grid_subscribers(&g, &m, &leds, -1), 1);
	assert_false(apcmap_grid_draws(&g));
	assert_int_equal(leds.want[7].value, 3);
	assert_int_equal(leds.want[8].value, 3);
	assert_int_equal(leds.want[0].value, 0);
	/* What sounded is forgotten: the press's release plays nothing. */
	assert_int_equal(apcmap_control(&m, &(struct apc_control){ APC_CTL_PAD, 0, 0 }, 0, &out), 0);
	assert_int_equal(apcmap_grid_subscribers(&g, &m, &leds, -1), 0);
}

int main(void)
{
	static char led_names[2][6][48];
	static void (*const led_tests[6])(void **) = {
		test_leds_default,   test_leds_chromatic,  test_leds_drum,
		test_leds_out_of_range, test_leds_buttons, test_leds_shift_page,
	};
	static const char *const led_test_names[6] = {
		"leds_default", "leds_chromatic", "leds_drum",
		"leds_out_of_range", "leds_buttons", "leds_shift_page",
	};
	static char gen_names[2][48];
	size_t i, j;

	for (i = 0; i < sizeof(scale_cases) / sizeof(scale_cases[0]); i++)
		add_test(scale_cases[i].name, test_scale, &scale_cases[i]);
	for (i = 0; i < sizeof(root_cases) / sizeof(root_cases[0]); i++)
		add_test(root_cases[i].name, test_root, &root_cases[i]);
	add_test("root_names", test_root_names, NULL);
	add_test("layout_scale_names", test_layout_scale_names, NULL);
	for (i = 0; i < sizeof(chromatic_cases) / sizeof(chromatic_cases[0]); i++)
		add_test(chromatic_cases[i].name, test_chromatic, &chromatic_cases[i]);
	add_test("drum_gm", test_drum_gm, NULL);
	add_test("drum_per_pad", test_drum_per_pad, NULL);
	for (i = 0; i < sizeof(transpose_cases) / sizeof(transpose_cases[0]); i++)
		add_test(transpose_cases[i].name, test_transpose, &transpose_cases[i]);
	add_test("transpose_buttons_configured", test_transpose_buttons_configured, NULL);
	for (i = 0; i < sizeof(chanvel_cases) / sizeof(chanvel_cases[0]); i++)
		add_test(chanvel_cases[i].name, test_channel_velocity, &chanvel_cases[i]);
	add_test("fader_defaults", test_fader_defaults, NULL);
	add_test("fader_remap", test_fader_remap, NULL);
	for (i = 0; i < sizeof(smooth_cases) / sizeof(smooth_cases[0]); i++)
		add_test(smooth_cases[i].name, test_smoothing, &smooth_cases[i]);
	add_test("smoothing_several_faders", test_smoothing_several_faders, NULL);
	for (i = 0; i < sizeof(shift_cases) / sizeof(shift_cases[0]); i++)
		add_test(shift_cases[i].name, test_shift, &shift_cases[i]);
	add_test("shift_faders_buttons", test_shift_faders_buttons, NULL);
	for (i = 0; i < sizeof(noteoff_cases) / sizeof(noteoff_cases[0]); i++)
		add_test(noteoff_cases[i].name, test_noteoff, &noteoff_cases[i]);
	add_test("double_press", test_double_press, NULL);
	add_test("release_all", test_release_all, NULL);
	add_test("default_config", test_default_config, NULL);
	for (i = 0; i < sizeof(check_cases) / sizeof(check_cases[0]); i++)
		add_test(check_cases[i].name, test_config_check, &check_cases[i]);
	add_test("config_limits_ok", test_config_limits_ok, NULL);
	add_test("set_config_keeps_live", test_set_config_keeps_live, NULL);
	add_test("bad_controls", test_bad_controls, NULL);
	for (i = 0; i < 2; i++) {
		for (j = 0; j < 6; j++) {
			snprintf(led_names[i][j], sizeof(led_names[i][j]), "%s_%s",
				 led_test_names[j], models[i]->short_name);
			add_test(led_names[i][j], led_tests[j], models[i]);
		}
		snprintf(gen_names[i], sizeof(gen_names[i]), "leds_generation_apply_%s",
			 models[i]->short_name);
		add_test(gen_names[i], test_leds_generation_apply, models[i]);
	}
	add_test("grid_shared_mk1", test_grid_shared, &apc_model_mk1);
	add_test("grid_shared_mk2", test_grid_shared, &apc_model_mk2);

	return _cmocka_run_group_tests("apcmap", tests, n_tests, NULL, NULL);
}
