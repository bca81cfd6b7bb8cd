/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the command language of a played APC mini
 * (driver/core/apccmd.c): every command, its defaults, and every kind of
 * malformed line with its message. Single-threaded test program. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "apccmd.h"
#define TEST_TABLE_MAX 128
#include "test-table.h"

struct row {
	const char *line;
	int rc;
	enum apccmd_op op;
	/* checked when op matches: control, value; n, rate, ms; text; hex */
	enum apc_control_type type;
	int index, value;
	unsigned long n, rate, ms;
	const char *text; /* mark/log text, or the error message */
	const char *hex;  /* send: the bytes, as "90057f" */
	unsigned int cable;
	int on;
};

static const struct row rows[] = {
	{ .line = "", .rc = 0, .op = APCCMD_NONE },
	{ .line = "   # only a comment", .rc = 0, .op = APCCMD_NONE },
	{ .line = "press pad 5", .rc = 0, .op = APCCMD_PRESS, .type = APC_CTL_PAD, .index = 5, .value = 127 },
	{ .line = "press pad 63 100", .rc = 0, .op = APCCMD_PRESS, .type = APC_CTL_PAD, .index = 63, .value = 100 },
	{ .line = "press pad 0x3f 0", .rc = 0, .op = APCCMD_PRESS, .type = APC_CTL_PAD, .index = 63, .value = 127 },
	{ .line = "  tap\tscene 2 # comment", .rc = 0, .op = APCCMD_TAP, .type = APC_CTL_SCENE, .index = 2, .value = 127 },
	{ .line = "press track 7", .rc = 0, .op = APCCMD_PRESS, .type = APC_CTL_TRACK, .index = 7, .value = 127 },
	{ .line = "press shift", .rc = 0, .op = APCCMD_PRESS, .type = APC_CTL_SHIFT, .index = 0, .value = 127 },
	{ .line = "release pad 5", .rc = 0, .op = APCCMD_RELEASE, .type = APC_CTL_PAD, .index = 5, .value = 0 },
	{ .line = "fader 0 100", .rc = 0, .op = APCCMD_FADER, .type = APC_CTL_FADER, .index = 0, .value = 100 },
	{ .line = "fader master 0", .rc = 0, .op = APCCMD_FADER, .type = APC_CTL_FADER, .index = 8, .value = 0 },
	{ .line = "fader 8 127", .rc = 0, .op = APCCMD_FADER, .type = APC_CTL_FADER, .index = 8, .value = 127 },
	{ .line = "send 90 05 7f", .rc = 0, .op = APCCMD_SEND, .hex = "90057f" },
	{ .line = "send -c 1 F07E7F0601F7", .rc = 0, .op = APCCMD_SEND, .hex = "f07e7f0601f7", .cable = 1 },
	{ .line = "burst 100", .rc = 0, .op = APCCMD_BURST, .n = 100 },
	{ .line = "burst 10000 2000", .rc = 0, .op = APCCMD_BURST, .n = 10000, .rate = 2000 },
	{ .line = "grid", .rc = 0, .op = APCCMD_GRID },
	{ .line = "stats", .rc = 0, .op = APCCMD_STATS },
	{ .line = "stats reset", .rc = 0, .op = APCCMD_STATS, .on = 1 },
	{ .line = "wait leds 80", .rc = 0, .op = APCCMD_WAIT, .n = 80, .ms = 5000 },
	{ .line = "wait sysex 2 100", .rc = 0, .op = APCCMD_WAIT, .n = 2, .ms = 100 },
	{ .line = "sleep 10", .rc = 0, .op = APCCMD_SLEEP, .ms = 10 },
	{ .line = "echo on", .rc = 0, .op = APCCMD_ECHO, .on = 1 },
	{ .line = "monitor off", .rc = 0, .op = APCCMD_MONITOR, .on = 0 },
	{ .line = "log /tmp/tx.log", .rc = 0, .op = APCCMD_LOG, .text = "/tmp/tx.log" },
	{ .line = "rxlog off", .rc = 0, .op = APCCMD_RXLOG, .text = "" },
	{ .line = "mark  two   words", .rc = 0, .op = APCCMD_MARK, .text = "two words" },
	{ .line = "unplug", .rc = 0, .op = APCCMD_UNPLUG },
	{ .line = "replug", .rc = 0, .op = APCCMD_REPLUG },
	{ .line = "info", .rc = 0, .op = APCCMD_INFO },
	{ .line = "ping", .rc = 0, .op = APCCMD_PING },
	{ .line = "help", .rc = 0, .op = APCCMD_HELP },
	{ .line = "quit", .rc = 0, .op = APCCMD_QUIT },
	/* malformed */
	{ .line = "jump", .rc = -EINVAL, .text = "unknown command 'jump' (try help)" },
	{ .line = "press", .rc = -EINVAL, .text = "which control? pad N, track N, scene N, shift" },
	{ .line = "press pad", .rc = -EINVAL, .text = "pad needs a number 0-63" },
	{ .line = "press pad 64", .rc = -EINVAL, .text = "pad needs a number 0-63" },
	{ .line = "press pad -1", .rc = -EINVAL, .text = "pad needs a number 0-63" },
	{ .line = "press track 8", .rc = -EINVAL, .text = "track needs a number 0-7" },
	{ .line = "press knob 1", .rc = -EINVAL, .text = "unknown control 'knob'" },
	{ .line = "press pad 1 128", .rc = -EINVAL, .text = "bad velocity '128'" },
	{ .line = "press pad 1 1 1", .rc = -EINVAL, .text = "too many arguments" },
	{ .line = "release pad 1 64", .rc = -EINVAL, .text = "release takes no velocity" },
	{ .line = "fader 9 1", .rc = -EINVAL, .text = "fader is 0-8 or master" },
	{ .line = "fader 1 128", .rc = -EINVAL, .text = "fader value is 0-127" },
	{ .line = "fader 1", .rc = -EINVAL, .text = "usage: fader N|master VALUE" },
	{ .line = "send", .rc = -EINVAL, .text = "usage: send [-c CABLE] HEX..." },
	{ .line = "send 9", .rc = -EINVAL, .text = "odd number of hex digits in '9'" },
	{ .line = "send zz", .rc = -EINVAL, .text = "not hex: 'zz'" },
	{ .line = "send -c 2 90", .rc = -EINVAL, .text = "bad cable '2'" },
	{ .line = "burst", .rc = -EINVAL, .text = "usage: burst N [RATE]" },
	{ .line = "burst x", .rc = -EINVAL, .text = "usage: burst N [RATE]" },
	{ .line = "stats now", .rc = -EINVAL, .text = "usage: stats [reset]" },
	{ .line = "wait leds", .rc = -EINVAL, .text = "usage: wait leds|msgs|sysex|bytes N [MS]" },
	{ .line = "wait beer 1", .rc = -EINVAL, .text = "cannot wait for 'beer'" },
	{ .line = "sleep", .rc = -EINVAL, .text = "usage: sleep MS" },
	{ .line = "echo maybe", .rc = -EINVAL, .text = "usage: echo on|off" },
	{ .line = "log", .rc = -EINVAL, .text = "usage: log FILE|off" },
	{ .line = "ping pong", .rc = -EINVAL, .text = "ping takes no arguments" },
};

static void hex(const uint8_t *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = '\0';
}

static void test_row(void **state)
{
	const struct row *r = *state;
	static struct apccmd c;
	char err[256], got[2 * APCCMD_MSG_MAX + 1];
	int rc;

	memset(&c, 0x5a, sizeof(c)); /* garbage in: the parser must set it all */
	rc = apccmd_parse(r->line, &c, err, sizeof(err));
	assert_int_equal(rc, r->rc);
	if (rc < 0) {
		assert_string_equal(err, r->text);
		assert_int_equal(c.op, APCCMD_NONE);
		return;
	}
	assert_int_equal(c.op, r->op);
	assert_string_equal(err, "");
	switch (r->op) {
	case APCCMD_PRESS:
	case APCCMD_RELEASE:
	case APCCMD_TAP:
	case APCCMD_FADER:
		assert_int_equal(c.ctl.type, r->type);
		assert_int_equal(c.ctl.index, r->index);
		assert_int_equal(c.ctl.value, r->value);
		break;
	case APCCMD_SEND:
		hex(c.msg, c.len, got);
		assert_string_equal(got, r->hex);
		assert_int_equal(c.cable, r->cable);
		break;
	case APCCMD_BURST:
		assert_int_equal(c.n, r->n);
		assert_int_equal(c.rate, r->rate);
		break;
	case APCCMD_WAIT:
		assert_int_equal(c.n, r->n);
		assert_int_equal(c.ms, r->ms);
		break;
	case APCCMD_SLEEP:
		assert_int_equal(c.ms, r->ms);
		break;
	case APCCMD_STATS:
	case APCCMD_ECHO:
	case APCCMD_MONITOR:
		assert_int_equal(c.on, r->on);
		break;
	case APCCMD_MARK:
	case APCCMD_LOG:
	case APCCMD_RXLOG:
		assert_string_equal(c.text, r->text);
		break;
	default:
		break;
	}
}

/* Every word the parser knows has a name, and help names every command. */
static void test_names(void **state)
{
	int op;

	(void)state;
	for (op = APCCMD_PRESS; op <= APCCMD_QUIT; op++) {
		const char *n = apccmd_name((enum apccmd_op)op);
		struct apccmd c;

		assert_true(n[0] != '\0');
		assert_non_null(strstr(apccmd_help, n));
		if (op != APCCMD_PRESS && op != APCCMD_RELEASE && op != APCCMD_TAP &&
		    op != APCCMD_FADER && op != APCCMD_SEND && op != APCCMD_BURST &&
		    op != APCCMD_WAIT && op != APCCMD_SLEEP && op != APCCMD_ECHO &&
		    op != APCCMD_MONITOR && op != APCCMD_LOG && op != APCCMD_RXLOG) {
			assert_int_equal(apccmd_parse(n, &c, NULL, 0), 0);
			assert_int_equal(c.op, op);
		}
	}
	assert_string_equal(apccmd_counter_name(APCCMD_WAIT_SYSEX), "sysex");
}

static void test_long_line(void **state)
{
	static char line[APCCMD_LINE_MAX + 10];
	static struct apccmd c;
	char err[64];
	size_t i;

	(void)state;
	strcpy(line, "send");
	for (i = 4; i + 3 < sizeof(line) - 1 && i < 4 + 3 * 1100; i += 3)
		memcpy(line + i, " 00", 3);
	line[i] = '\0';
	assert_int_equal(apccmd_parse(line, &c, err, sizeof(err)), -E2BIG);
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	assert_int_equal(apccmd_parse(line, &c, err, sizeof(err)), -E2BIG);
	assert_string_equal(err, "line too long");
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		add_test(rows[i].line[0] ? rows[i].line : "(empty line)", test_row, &rows[i]);
	add_test("names and help", test_names, NULL);
	add_test("long lines", test_long_line, NULL);
	return _cmocka_run_group_tests("apccmd", tests, n_tests, NULL, NULL);
}
