/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The test list of a table-driven cmocka program, built at run time so that
 * every table row becomes a test case reported by its own name. Define
 * TEST_TABLE_MAX before including this to size the list.
 */
#ifndef APC_TEST_TABLE_H
#define APC_TEST_TABLE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#ifndef TEST_TABLE_MAX
#define TEST_TABLE_MAX 256
#endif

static struct CMUnitTest tests[TEST_TABLE_MAX];
static size_t n_tests;

/* `state` is the table row the case runs with (NULL for none). */
static inline void add_test(const char *name, CMUnitTestFunction fn, const void *state)
{
	assert_true(n_tests < TEST_TABLE_MAX);
	tests[n_tests].name = name;
	tests[n_tests].test_func = fn;
	tests[n_tests].initial_state = (void *)(uintptr_t)state;
	n_tests++;
}

#endif
