/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the held-note bookkeeping (driver/core/held.c): what counts
 * as a press and a release, and the note-offs sent for what is still held.
 * Single-threaded test program. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "held.h"

struct offs {
	uint8_t msg[64][3];
	unsigned int cable[64];
	unsigned int n;
};

static void collect(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
	struct offs *o = user;

	assert_int_equal(len, 3);
	assert_true(o->n < 64);
	memcpy(o->msg[o->n], msg, 3);
	o->cable[o->n++] = cable;
}

static void feed(struct apc_held *h, unsigned int cable, uint8_t s, uint8_t d1, uint8_t d2)
{
	const uint8_t m[3] = { s, d1, d2 };

	apc_held_update(h, cable, m, 3);
}

/* Note-on with a velocity holds; note-off, or note-on velocity 0 (either
 * is a release), lets go; a second press of a held note counts once. */
static void test_press_release(void **state)
{
	struct apc_held h;
	struct offs o = { 0 };

	(void)state;
	apc_held_init(&h);
	feed(&h, 0, 0x90, 5, 127);
	feed(&h, 0, 0x90, 5, 127);
	feed(&h, 0, 0x90, 9, 127);
	feed(&h, 0, 0x90, 9, 0);
	feed(&h, 0, 0x90, 63, 100);
	feed(&h, 0, 0x80, 63, 64);
	assert_int_equal(h.count, 1);
	assert_int_equal(apc_held_release(&h, collect, &o), 1);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.msg[0][0], 0x80);
	assert_int_equal(o.msg[0][1], 5);
	assert_int_equal(o.msg[0][2], 0);
	/* Released means forgotten. */
	assert_int_equal(h.count, 0);
	assert_int_equal(apc_held_release(&h, collect, &o), 0);
	assert_int_equal(o.n, 1);
}

/* Per cable and channel: the mk2's Notes cable and Drum-mode channel 10
 * are kept apart, and each note-off goes where its note-on came from. */
static void test_cables_channels(void **state)
{
	struct apc_held h;
	struct offs o = { 0 };

	(void)state;
	apc_held_init(&h);
	feed(&h, 1, 0x90, 36, 127);
	feed(&h, 0, 0x99, 36, 127);
	feed(&h, 0, 0x90, 36, 127);
	feed(&h, 0, 0x80, 36, 0); /* releases channel 1 only */
	assert_int_equal(apc_held_release(&h, collect, &o), 2);
	assert_int_equal(o.cable[0], 0);
	assert_int_equal(o.msg[0][0], 0x89);
	assert_int_equal(o.msg[0][1], 36);
	assert_int_equal(o.cable[1], 1);
	assert_int_equal(o.msg[1][0], 0x80);
}

/* What is not a note: ignored, and malformed notes too. */
static void test_ignored(void **state)
{
	static const uint8_t sysex[] = { 0xf0, 0x7e, 0x00, 0x06, 0x01, 0xf7 };
	struct apc_held h;

	(void)state;
	apc_held_init(&h);
	feed(&h, 0, 0xb0, 48, 127);
	feed(&h, 0, 0xa0, 5, 127);
	feed(&h, 0, 0x90, 0x80, 127);
	feed(&h, 2, 0x90, 5, 127);
	apc_held_update(&h, 0, sysex, sizeof(sysex));
	apc_held_update(&h, 0, sysex, 2);
	assert_int_equal(h.count, 0);
}

static void count_off(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
	unsigned int *n = user;

	(void)cable;
	assert_int_equal(len, 3);
	assert_int_equal(msg[0] & 0xf0, 0x80);
	(*n)++;
}

/* Every note of every channel of both cables held, then all released. */
static void test_all_notes(void **state)
{
	struct apc_held h;
	unsigned int cable, ch, note, n = 0;

	(void)state;
	apc_held_init(&h);
	for (cable = 0; cable < APC_HELD_CABLES; cable++)
		for (ch = 0; ch < 16; ch++)
			for (note = 0; note < 128; note++)
				feed(&h, cable, (uint8_t)(0x90 | ch), (uint8_t)note, 1);
	assert_int_equal(h.count, APC_HELD_CABLES * 16 * 128);
	assert_int_equal(apc_held_release(&h, count_off, &n), APC_HELD_CABLES * 16 * 128);
	assert_int_equal(n, APC_HELD_CABLES * 16 * 128);
	assert_int_equal(h.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_press_release),
		cmocka_unit_test(test_cables_channels),
		cmocka_unit_test(test_ignored),
		cmocka_unit_test(test_all_notes),
	};

	return cmocka_run_group_tests_name("held", tests, NULL, NULL);
}
