/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the in-process hand-off into the synth (synth-rt.c): an
 * event's stamp to its frame, the constant latency, and a full ring that
 * refuses and counts instead of blocking. Single-threaded test program. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"
#include "synth-fluid.h"
#include "synth-rt.h"

#define RATE 48000.0
#define MS 1000000ll

static const struct frame_case {
	const char *name;
	uint64_t frame;	  /* block start the audio thread published */
	int64_t ns;	  /* ... and when */
	int64_t t_ns;	  /* the event's stamp */
	unsigned int latency;
	uint64_t want;
} frame_cases[] = {
	{ "at_block_start", 4800, 100 * MS, 100 * MS, 192, 4800 + 192 },
	{ "one_ms_later", 4800, 100 * MS, 101 * MS, 192, 4800 + 48 + 192 },
	{ "ten_ms_later", 4800, 100 * MS, 110 * MS, 0, 4800 + 480 },
	/* Stamped before the block started (reaped, then the audio thread
	 * ran before the post): earlier on the frame clock, not "now". */
	{ "before_block", 4800, 100 * MS, 99 * MS, 192, 4800 - 48 + 192 },
	{ "before_frame_zero", 10, 100 * MS, 50 * MS, 64, 64 },
	{ "fraction_floors", 0, 0, 20834, 0, 1 },
};

static void test_frame_at(void **state)
{
	const struct frame_case *c = *state;

	assert_true(synth_rt_frame_at(c->frame, c->ns, c->t_ns, RATE, c->latency) == c->want);
}

/* The same stamp gives the same frame whatever block the audio thread has
 * reached meanwhile: the delay from the press is constant. */
static void test_constant_latency(void **state)
{
	const int64_t t = 1000 * MS + 123456;
	uint64_t first = 0, f;
	unsigned int block;

	(void)state;
	for (block = 0; block < 10; block++) {
		/* Blocks of 64 frames, published every 64 / 48 kHz. */
		uint64_t frame = 48000 + 64ull * block;
		int64_t ns = 1000 * MS + (int64_t)(64ull * block * 1000000000ull / 48000);

		f = synth_rt_frame_at(frame, ns, t, RATE, 192);
		if (block == 0)
			first = f;
		assert_true(f + 1 >= first && f <= first + 1); /* rounding only */
	}
	assert_true(first == 48000 + 5 + 192); /* 123456 ns = 5.9 frames */
}

/* A full ring refuses at once and counts; it never waits for the audio
 * thread (here there is none). What it took stays in time order. */
static void test_ring_full_counted(void **state)
{
	struct synth_rt_config rc;
	struct synth_rt_stats st;
	struct synth_rt *rt;
	struct synth_event ev;
	char *sf;
	int err = 0, i, ok = 0, refused = 0;

	(void)state;
	sf = synth_fluid_find_soundfont(NULL, &err);
	if (!sf)
		skip();
	synth_rt_config_defaults(&rc);
	rc.fluid.soundfont = sf;
	rc.fluid.audio_driver = NULL;
	rc.ring_size = 16;
	assert_int_equal(synth_rt_new(&rc, &rt), 0);
	for (i = 0; i < 40; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.type = 1; /* SYNTH_EV_NOTEON */
		ev.key = 60;
		ev.value = 100;
		if (synth_rt_post(rt, &ev, (int64_t)apc_now_ns()) == 0)
			ok++;
		else
			refused++;
	}
	synth_rt_get_stats(rt, &st);
	assert_true(ok > 0 && ok <= 16);
	assert_int_equal(refused, 40 - ok);
	assert_true(st.overflows == (uint64_t)refused);
	synth_rt_free(rt);
	free(sf);
}

int main(void)
{
	struct CMUnitTest tests[16];
	size_t i, n = 0;

	for (i = 0; i < sizeof(frame_cases) / sizeof(frame_cases[0]); i++) {
		memset(&tests[n], 0, sizeof(tests[n]));
		tests[n].name = frame_cases[i].name;
		tests[n].test_func = test_frame_at;
		tests[n].initial_state = (void *)&frame_cases[i];
		n++;
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_constant_latency);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_ring_full_counted);
	return _cmocka_run_group_tests("synth_rt", tests, n, NULL, NULL);
}
