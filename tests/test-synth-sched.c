/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests (one thread) of the scheduler against a recording engine:
 * events take effect at their exact frame whatever the block size and
 * offset, in order, on the engine's grid when it has one, late ones at once. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "synth-sched.h"

#define MAX_EV 32

/* The engine writes each frame's absolute index into the output, so the
 * test sees exactly which frames were rendered where, and records the
 * frame at which each event was applied. */
struct rec_engine {
	uint64_t rendered;
	uint64_t applied_at[MAX_EV];
	int applied_key[MAX_EV];
	int napplied;
};

static void rec_render(void *ctx, float *l, float *r, unsigned int n)
{
	struct rec_engine *e = ctx;
	unsigned int i;

	for (i = 0; i < n; i++) {
		l[i] = (float)(e->rendered + i);
		r[i] = -(float)(e->rendered + i);
	}
	e->rendered += n;
}

static void rec_apply(void *ctx, const struct synth_event *ev)
{
	struct rec_engine *e = ctx;

	assert_true(e->napplied < MAX_EV);
	e->applied_at[e->napplied] = e->rendered;
	e->applied_key[e->napplied] = ev->key;
	e->napplied++;
}

/* A source that only releases events once `visible` says so, like a ring
 * the producer fills over time. */
struct arr_source {
	struct synth_event ev[MAX_EV];
	int n, pos, visible;
};

static const struct synth_event *arr_peek(void *ctx)
{
	struct arr_source *s = ctx;

	return s->pos < s->n && s->pos < s->visible ? &s->ev[s->pos] : NULL;
}

static void arr_pop(void *ctx)
{
	struct arr_source *s = ctx;

	s->pos++;
}

struct sched_case {
	const char *name;
	unsigned int quantum;
	unsigned int blocks[8];		/* block sizes, cycled; 0 ends */
	uint64_t total;			/* frames to render */
	uint64_t frames[MAX_EV];	/* event frames, time-ordered */
	int nev;
	uint64_t want[MAX_EV];		/* frame at which each takes effect */
};

static const struct sched_case sched_cases[] = {
	{ "exact, block 64", 1, { 64 }, 512,
	  { 0, 1, 63, 64, 65, 127, 128, 200, 511 }, 9,
	  { 0, 1, 63, 64, 65, 127, 128, 200, 511 } },
	{ "exact, odd block 37", 1, { 37 }, 400,
	  { 0, 36, 37, 38, 73, 74, 75, 111, 399 }, 9,
	  { 0, 36, 37, 38, 73, 74, 75, 111, 399 } },
	{ "exact, block 1", 1, { 1 }, 20, { 0, 5, 5, 19 }, 4, { 0, 5, 5, 19 } },
	{ "exact, mixed blocks", 1, { 5, 100, 3, 64, 1, 17 }, 600,
	  { 4, 5, 104, 105, 107, 108, 171, 172, 173, 190, 590 }, 11,
	  { 4, 5, 104, 105, 107, 108, 171, 172, 173, 190, 590 } },
	{ "same frame keeps order", 1, { 16 }, 64,
	  { 10, 10, 10, 16, 16 }, 5, { 10, 10, 10, 16, 16 } },
	{ "grid 64, nearest line", 64, { 64 }, 512,
	  { 0, 31, 32, 33, 95, 96, 160, 300 }, 8,
	  { 0, 0, 64, 64, 64, 128, 192, 320 } },
	{ "grid 64, blocks not on the grid", 64, { 50 }, 500,
	  { 10, 40, 100, 250, 420 }, 5,
	  { 0, 64, 128, 256, 448 } },
	{ "past the end stays queued", 1, { 64 }, 128, { 10, 127, 128, 500 }, 4,
	  { 10, 127, UINT64_MAX, UINT64_MAX } },
};

static void run_case(const struct sched_case *c)
{
	struct rec_engine eng_ctx = { 0 };
	struct arr_source src_ctx;
	struct synth_engine eng = { rec_render, rec_apply, &eng_ctx, c->quantum };
	struct synth_source src = { arr_peek, arr_pop, &src_ctx };
	struct synth_sched s;
	float *l = calloc(c->total, sizeof(float)), *r = calloc(c->total, sizeof(float));
	uint64_t done = 0, i;
	int k, nb = 0, b = 0;

	assert_non_null(l);
	assert_non_null(r);
	memset(&src_ctx, 0, sizeof(src_ctx));
	for (k = 0; k < c->nev; k++) {
		src_ctx.ev[k].frame = c->frames[k];
		src_ctx.ev[k].key = (uint8_t)k;
	}
	src_ctx.n = c->nev;
	src_ctx.visible = c->nev;
	while (nb < 8 && c->blocks[nb])
		nb++;
	synth_sched_init(&s, &eng, &src);
	while (done < c->total) {
		unsigned int n = c->blocks[b++ % nb];

		if (n > c->total - done)
			n = (unsigned int)(c->total - done);
		synth_sched_run(&s, l + done, r + done, n);
		done += n;
		assert_int_equal(s.frame, done);
	}
	/* Every frame rendered once, in order, into its own place. */
	for (i = 0; i < c->total; i++) {
		assert_true(l[i] == (float)i);
		assert_true(r[i] == -(float)i);
	}
	for (k = 0; k < c->nev; k++) {
		if (c->want[k] == UINT64_MAX) {
			assert_true(k >= eng_ctx.napplied);
			continue;
		}
		assert_true(k < eng_ctx.napplied);
		assert_int_equal(eng_ctx.applied_key[k], k);
		if (eng_ctx.applied_at[k] != c->want[k])
			fail_msg("%s: event %d at frame %llu took effect at %llu, want %llu",
				 c->name, k, (unsigned long long)c->frames[k],
				 (unsigned long long)eng_ctx.applied_at[k],
				 (unsigned long long)c->want[k]);
	}
	assert_int_equal(s.stats.late, 0);
	free(l);
	free(r);
}

static void test_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(sched_cases) / sizeof(sched_cases[0]); i++)
		run_case(&sched_cases[i]);
}

/* Events that show up after their frame was rendered take effect at the
 * start of the next block and are counted as late. */
static void test_late(void **state)
{
	struct rec_engine eng_ctx = { 0 };
	struct arr_source src_ctx;
	struct synth_engine eng = { rec_render, rec_apply, &eng_ctx, 1 };
	struct synth_source src = { arr_peek, arr_pop, &src_ctx };
	struct synth_sched s;
	float l[64], r[64];

	memset(&src_ctx, 0, sizeof(src_ctx));
	src_ctx.ev[0].frame = 10;
	src_ctx.ev[1].frame = 100;
	src_ctx.ev[2].frame = 130;
	src_ctx.n = 3;
	src_ctx.visible = 0;
	synth_sched_init(&s, &eng, &src);
	synth_sched_run(&s, l, r, 64);
	synth_sched_run(&s, l, r, 64);
	src_ctx.visible = 3;	/* all arrive now, at frame 128 */
	synth_sched_run(&s, l, r, 64);
	assert_int_equal(eng_ctx.napplied, 3);
	assert_int_equal(eng_ctx.applied_at[0], 128);
	assert_int_equal(eng_ctx.applied_at[1], 128);
	assert_int_equal(eng_ctx.applied_at[2], 130);
	assert_int_equal(s.stats.late, 2);
	assert_int_equal(s.stats.late_max, 118);
	assert_int_equal(s.stats.applied, 3);
}

static void test_effective(void **state)
{
	static const struct {
		unsigned int q;
		uint64_t in, out;
	} cases[] = {
		{ 0, 33, 33 }, { 1, 33, 33 }, { 64, 0, 0 }, { 64, 31, 0 }, { 64, 32, 64 },
		{ 64, 63, 64 }, { 64, 64, 64 }, { 64, 95, 64 }, { 64, 96, 128 }, { 10, 14, 10 },
		{ 10, 15, 20 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct synth_engine eng = { rec_render, rec_apply, NULL, cases[i].q };
		struct synth_source src = { arr_peek, arr_pop, NULL };
		struct synth_sched s;

		synth_sched_init(&s, &eng, &src);
		assert_int_equal(synth_sched_effective(&s, cases[i].in), cases[i].out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_late),
		cmocka_unit_test(test_effective),
	};

	return cmocka_run_group_tests_name("synth-sched", tests, NULL, NULL);
}
