/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the SPSC event ring: capacity, order across wrap-around,
 * full and empty, overflow counting, and a two-thread hand-off. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "synth-ring.h"

static struct synth_event ev_n(uint64_t n)
{
	struct synth_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.frame = n;
	ev.type = SYNTH_EV_NOTEON;
	ev.key = (uint8_t)(n & 0x7f);
	return ev;
}

static void test_capacity(void **state)
{
	static const struct {
		unsigned int asked, got;
	} cases[] = {
		{ 0, 2 }, { 1, 2 }, { 2, 2 }, { 3, 4 }, { 5, 8 }, { 1000, 1024 }, { 4096, 4096 },
	};
	struct synth_ring r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(synth_ring_init(&r, cases[i].asked), 0);
		assert_int_equal(synth_ring_capacity(&r), cases[i].got);
		assert_int_equal(synth_ring_count(&r), 0);
		synth_ring_release(&r);
	}
	assert_int_equal(synth_ring_init(&r, (1u << 24) + 1), -EINVAL);
}

static void test_empty(void **state)
{
	struct synth_ring r;
	struct synth_event ev = ev_n(7);

	assert_int_equal(synth_ring_init(&r, 4), 0);
	assert_null(synth_ring_peek(&r));
	assert_int_equal(synth_ring_push(&r, &ev), 0);
	assert_non_null(synth_ring_peek(&r));
	/* Peek does not consume. */
	assert_int_equal(synth_ring_peek(&r)->frame, 7);
	assert_int_equal(synth_ring_peek(&r)->frame, 7);
	synth_ring_pop(&r);
	assert_null(synth_ring_peek(&r));
	assert_int_equal(synth_ring_overflows(&r), 0);
	synth_ring_release(&r);
}

static void test_full_and_overflow(void **state)
{
	struct synth_ring r;
	struct synth_event ev;
	unsigned int i;

	assert_int_equal(synth_ring_init(&r, 8), 0);
	for (i = 0; i < 8; i++) {
		ev = ev_n(i);
		assert_int_equal(synth_ring_push(&r, &ev), 0);
	}
	assert_int_equal(synth_ring_count(&r), 8);
	for (i = 0; i < 3; i++) {
		ev = ev_n(100 + i);
		assert_int_equal(synth_ring_push(&r, &ev), -ENOBUFS);
	}
	assert_int_equal(synth_ring_overflows(&r), 3);
	/* The dropped events did not overwrite anything. */
	for (i = 0; i < 8; i++) {
		assert_int_equal(synth_ring_peek(&r)->frame, i);
		synth_ring_pop(&r);
	}
	assert_null(synth_ring_peek(&r));
	/* Room again once drained. */
	ev = ev_n(9);
	assert_int_equal(synth_ring_push(&r, &ev), 0);
	assert_int_equal(synth_ring_overflows(&r), 3);
	synth_ring_release(&r);
}

/* Interleaved pushes and pops so slots wrap many times; also start the
 * indices just below UINT_MAX so the 32-bit counters wrap. */
static void test_wrap(void **state)
{
	static const struct {
		unsigned int cap, push, pop, rounds, start;
	} cases[] = {
		{ 4, 3, 2, 50, 0 },
		{ 4, 4, 4, 10, 0 },
		{ 8, 5, 3, 40, UINT_MAX - 6 },
		{ 2, 1, 1, 10, UINT_MAX },
	};
	size_t c;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct synth_ring r;
		uint64_t next_in = 0, next_out = 0;
		unsigned int k, i;

		assert_int_equal(synth_ring_init(&r, cases[c].cap), 0);
		atomic_store(&r.head, cases[c].start);
		atomic_store(&r.tail, cases[c].start);
		for (k = 0; k < cases[c].rounds; k++) {
			for (i = 0; i < cases[c].push; i++) {
				struct synth_event ev = ev_n(next_in);

				if (synth_ring_push(&r, &ev) == 0)
					next_in++;
			}
			for (i = 0; i < cases[c].pop && synth_ring_peek(&r); i++) {
				assert_int_equal(synth_ring_peek(&r)->frame, next_out);
				synth_ring_pop(&r);
				next_out++;
			}
			assert_int_equal(synth_ring_count(&r), next_in - next_out);
		}
		while (synth_ring_peek(&r)) {
			assert_int_equal(synth_ring_peek(&r)->frame, next_out);
			synth_ring_pop(&r);
			next_out++;
		}
		assert_int_equal(next_out, next_in);
		synth_ring_release(&r);
	}
}

#define STRESS_N 200000

static void *producer(void *arg)
{
	struct synth_ring *r = arg;
	uint64_t i;

	for (i = 0; i < STRESS_N; i++) {
		struct synth_event ev = ev_n(i);

		ev.value = (int32_t)(i * 7);
		/* Full: let the consumer run (under valgrind, which runs one
		 * thread at a time, a bare spin holds it off for a whole
		 * time slice per hand-off). */
		while (synth_ring_push(r, &ev) < 0)
			sched_yield();
	}
	return NULL;
}

/* Order and contents survive the hand-off between two threads. */
static void test_threads(void **state)
{
	struct synth_ring r;
	pthread_t th;
	uint64_t want = 0;

	assert_int_equal(synth_ring_init(&r, 64), 0);
	assert_int_equal(pthread_create(&th, NULL, producer, &r), 0);
	while (want < STRESS_N) {
		const struct synth_event *ev = synth_ring_peek(&r);

		if (!ev) {
			sched_yield();
			continue;
		}
		assert_int_equal(ev->frame, want);
		assert_int_equal(ev->value, (int32_t)(want * 7));
		synth_ring_pop(&r);
		want++;
	}
	pthread_join(th, NULL);
	assert_null(synth_ring_peek(&r));
	synth_ring_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_full_and_overflow),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests_name("synth-ring", tests, NULL, NULL);
}
