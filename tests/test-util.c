/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the shared utilities (driver/util): the event loop (fds,
 * deadlines, one dispatch per wake-up, removal from a callback) and the log
 * level parsing and environment. Single-threaded test program. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "apclog.h"
#include "clock.h"
#include "loop.h"

struct probe {
	struct loop *loop;
	int fds[2][2];		/* two pipes */
	unsigned int called[2]; /* fd callbacks per pipe */
	unsigned int dispatched;
	unsigned int prepared;
	uint64_t deadline;	/* what prepare asks for, 0 none */
	uint64_t fired_at;	/* dispatch after the deadline had come */
	int del_other;		/* pipe 0's callback removes pipe 1 */
	int quit_after;		/* dispatch count at which to quit */
};

static void on_fd(void *user, int fd, short revents)
{
	struct probe *p = user;
	char c;
	int i = fd == p->fds[0][0] ? 0 : 1;

	assert_true(revents & POLLIN);
	assert_int_equal(read(fd, &c, 1), 1);
	p->called[i]++;
	if (i == 0 && p->del_other)
		loop_del_fd(p->loop, p->fds[1][0]);
}

static void on_prepare(void *user, uint64_t *deadline)
{
	struct probe *p = user;

	p->prepared++;
	if (p->deadline && (!*deadline || p->deadline < *deadline))
		*deadline = p->deadline;
}

static void on_dispatch(void *user)
{
	struct probe *p = user;
	uint64_t now = apc_now_ns();

	p->dispatched++;
	if (p->deadline && now >= p->deadline) {
		p->fired_at = now;
		p->deadline = 0;
	}
	if (p->quit_after && p->dispatched == (unsigned int)p->quit_after)
		loop_quit(p->loop);
}

static int setup(void **state)
{
	struct probe *p = calloc(1, sizeof(*p));
	int i;

	assert_non_null(p);
	assert_int_equal(loop_new(&p->loop), 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(pipe(p->fds[i]), 0);
		assert_int_equal(loop_add_fd(p->loop, p->fds[i][0], POLLIN, on_fd, p), 0);
	}
	assert_int_equal(loop_add_hook(p->loop, on_prepare, on_dispatch, p), 0);
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	struct probe *p = *state;
	int i;

	loop_free(p->loop);
	for (i = 0; i < 2; i++) {
		close(p->fds[i][0]);
		close(p->fds[i][1]);
	}
	free(p);
	return 0;
}

/* Two descriptors ready at once: each callback once, the hook's dispatch
 * once for the whole wake-up. */
static void test_one_dispatch_per_wakeup(void **state)
{
	struct probe *p = *state;

	assert_int_equal(write(p->fds[0][1], "a", 1), 1);
	assert_int_equal(write(p->fds[1][1], "b", 1), 1);
	assert_int_equal(loop_iterate(p->loop, 0), 0);
	assert_int_equal(p->called[0], 1);
	assert_int_equal(p->called[1], 1);
	assert_int_equal(p->dispatched, 1);
	assert_int_equal(p->prepared, 1);
	assert_int_equal(loop_add_fd(p->loop, p->fds[0][0], POLLIN, on_fd, p), -EEXIST);
}

/* A descriptor removed by an earlier callback of the same wake-up is not
 * called, then or later. */
static void test_del_from_callback(void **state)
{
	struct probe *p = *state;

	p->del_other = 1;
	assert_int_equal(write(p->fds[0][1], "a", 1), 1);
	assert_int_equal(write(p->fds[1][1], "b", 1), 1);
	assert_int_equal(loop_iterate(p->loop, 0), 0);
	assert_int_equal(p->called[0], 1);
	assert_int_equal(p->called[1], 0);
	assert_int_equal(write(p->fds[1][1], "c", 1), 1);
	assert_int_equal(loop_iterate(p->loop, apc_now_ns() + 20000000ull), 0);
	assert_int_equal(p->called[1], 0);
	/* Removed, it can be added again. */
	assert_int_equal(loop_add_fd(p->loop, p->fds[1][0], POLLIN, on_fd, p), 0);
}

/* A deadline wakes the loop with nothing else to do, not before it. */
static void test_deadline(void **state)
{
	struct probe *p = *state;
	uint64_t start = apc_now_ns();

	p->deadline = start + 30000000ull; /* 30 ms */
	while (!p->fired_at)
		assert_int_equal(loop_iterate(p->loop, 0), 0);
	assert_true(p->fired_at >= start + 30000000ull);
	assert_int_equal(p->called[0] + p->called[1], 0);
	/* One wake-up for it, or a few if poll() rounds: never a busy loop. */
	assert_true(p->dispatched <= 3);
}

/* loop_iterate() with `until` returns by then when nothing happens, and
 * loop_run() returns once a callback quits. */
static void test_until_and_quit(void **state)
{
	struct probe *p = *state;
	uint64_t start = apc_now_ns();

	assert_int_equal(loop_iterate(p->loop, start + 20000000ull), 0);
	assert_true(apc_now_ns() >= start + 20000000ull);
	p->quit_after = 3;
	p->dispatched = 0;
	assert_int_equal(write(p->fds[0][1], "abc", 3), 3);
	assert_int_equal(loop_run(p->loop), 0);
	assert_int_equal(p->dispatched, 3);
	assert_int_equal(p->called[0], 3);
}

static void on_file(void *user, int fd, short revents)
{
	unsigned int *n = user;

	assert_int_equal(revents, POLLIN);
	(*n)++;
}

/* A regular file cannot be waited for (epoll refuses it): as poll() says,
 * it is ready at every wake-up, which then does not wait; once removed,
 * the loop waits again. */
static void test_regular_file_always_ready(void **state)
{
	struct probe *p = *state;
	char name[] = "/tmp/test-util-XXXXXX";
	unsigned int n = 0;
	uint64_t start;
	int fd = mkstemp(name);

	assert_true(fd >= 0);
	unlink(name);
	assert_int_equal(loop_add_fd(p->loop, fd, POLLIN, on_file, &n), 0);
	start = apc_now_ns();
	assert_int_equal(loop_iterate(p->loop, start + 2000000000ull), 0);
	assert_int_equal(loop_iterate(p->loop, start + 2000000000ull), 0);
	assert_int_equal(n, 2);
	assert_true(apc_now_ns() - start < 1000000000ull);
	assert_int_equal(p->called[0] + p->called[1], 0);
	loop_del_fd(p->loop, fd);
	start = apc_now_ns();
	assert_int_equal(loop_iterate(p->loop, start + 20000000ull), 0);
	assert_int_equal(n, 2);
	assert_true(apc_now_ns() >= start + 20000000ull);
	close(fd);
}

/* ---- log ---- */

static const struct level_case {
	const char *text;
	int level;
} level_cases[] = {
	{ "error", APCLOG_ERR },  { "ERR", APCLOG_ERR },	{ "warning", APCLOG_WARN },
	{ "Warn", APCLOG_WARN },  { "info", APCLOG_INFO },	{ "debug", APCLOG_DEBUG },
	{ "trace", APCLOG_TRACE }, { "0", APCLOG_ERR },	{ "4", APCLOG_TRACE },
	{ "5", -EINVAL },	  { "-1", -EINVAL },		{ "", -EINVAL },
	{ "loud", -EINVAL },	  { "2x", -EINVAL },		{ NULL, -EINVAL },
};

static void test_parse_level(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(level_cases) / sizeof(level_cases[0]); i++)
		assert_int_equal(apclog_parse_level(level_cases[i].text), level_cases[i].level);
}

static void test_env_name(void **state)
{
	char name[64];

	(void)state;
	apclog_env_name("apcminid", name, sizeof(name));
	assert_string_equal(name, "APCMINID_LOG_LEVEL");
	apclog_env_name("apc-codec-bench", name, sizeof(name));
	assert_string_equal(name, "APC_CODEC_BENCH_LOG_LEVEL");
}

/* The variable sets the level, -v raises it (up to trace), a bad value is
 * refused and leaves the level as it was. */
static void test_init_env(void **state)
{
	(void)state;
	setenv("TESTPROG_LOG_LEVEL", "info", 1);
	apclog_level = APCLOG_WARN;
	assert_int_equal(apclog_init("testprog", 1), 0);
	assert_int_equal(apclog_level, APCLOG_DEBUG);
	assert_int_equal(apclog_init("testprog", 5), 0);
	assert_int_equal(apclog_level, APCLOG_TRACE);
	setenv("TESTPROG_LOG_LEVEL", "loud", 1);
	apclog_level = APCLOG_ERR; /* the warning about it is then not printed */
	assert_int_equal(apclog_init("testprog", 0), -EINVAL);
	assert_int_equal(apclog_level, APCLOG_ERR);
	unsetenv("TESTPROG_LOG_LEVEL");
	apclog_level = APCLOG_WARN;
	assert_int_equal(apclog_init("testprog", 0), 0);
	assert_int_equal(apclog_level, APCLOG_WARN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_dispatch_per_wakeup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_del_from_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_until_and_quit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_regular_file_always_ready, setup, teardown),
		cmocka_unit_test(test_parse_level),
		cmocka_unit_test(test_env_name),
		cmocka_unit_test(test_init_env),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
