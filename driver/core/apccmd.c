/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The command language of a played APC mini, parsed; no I/O. Runs in the
 * thread of whoever reads the commands (apcemu, apcvirt). */

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apccmd.h"

#define APCCMD_MAX_ARGS 64

const char apccmd_help[] =
	"press CONTROL [VEL]      CONTROL: pad N (0-63) | track N | scene N (0-7) | shift\n"
	"release CONTROL          note-off (mk1) / the model's release\n"
	"tap CONTROL [VEL]        press and release\n"
	"fader N|master VALUE     N 0-8 (8 = master), VALUE 0-127\n"
	"send [-c CABLE] HEX...   raw bytes to the host\n"
	"burst N [RATE]           N press/release events, RATE per second (0 = flat out)\n"
	"grid                     the LED state as text\n"
	"stats [reset]            counters\n"
	"wait leds|msgs|sysex|bytes N [MS]   until the rx counter reaches N\n"
	"sleep MS                 pause this command source\n"
	"echo on|off              send every received message back\n"
	"monitor on|off           print received messages on stdout\n"
	"log FILE|off             log sent events: seq ns bytes\n"
	"rxlog FILE|off           log received messages: seq ns bytes\n"
	"unplug | replug          cable out / in (replug = power-up state)\n"
	"info | mark TEXT | ping | help | quit\n";

static const char *const op_names[] = {
	[APCCMD_NONE] = "",	     [APCCMD_PRESS] = "press",	   [APCCMD_RELEASE] = "release",
	[APCCMD_TAP] = "tap",	     [APCCMD_FADER] = "fader",	   [APCCMD_SEND] = "send",
	[APCCMD_BURST] = "burst",    [APCCMD_GRID] = "grid",	   [APCCMD_STATS] = "stats",
	[APCCMD_WAIT] = "wait",	     [APCCMD_SLEEP] = "sleep",	   [APCCMD_ECHO] = "echo",
	[APCCMD_MONITOR] = "monitor", [APCCMD_LOG] = "log",	   [APCCMD_RXLOG] = "rxlog",
	[APCCMD_UNPLUG] = "unplug",  [APCCMD_REPLUG] = "replug",   [APCCMD_INFO] = "info",
	[APCCMD_MARK] = "mark",	     [APCCMD_PING] = "ping",	   [APCCMD_HELP] = "help",
	[APCCMD_QUIT] = "quit",
};

static const char *const counter_names[] = { "leds", "msgs", "sysex", "bytes" };

const char *apccmd_name(enum apccmd_op op)
{
	return (unsigned int)op < sizeof(op_names) / sizeof(op_names[0]) ? op_names[op] : "?";
}

const char *apccmd_counter_name(enum apccmd_counter counter)
{
	return (unsigned int)counter < 4 ? counter_names[counter] : "?";
}

struct parse {
	char *err;
	size_t errsz;
};

__attribute__((format(printf, 3, 4)))
static int fail(struct parse *p, int err, const char *fmt, ...)
{
	va_list ap;

	if (p->errsz) {
		va_start(ap, fmt);
		vsnprintf(p->err, p->errsz, fmt, ap);
		va_end(ap);
	}
	return err;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* CONTROL: "pad N" | "track N" | "scene N" | "shift"; returns args used. */
static int parse_control(struct parse *p, int argc, char **argv, struct apc_control *c)
{
	static const struct {
		const char *name;
		enum apc_control_type type;
		unsigned long max;
	} kinds[] = {
		{ "pad", APC_CTL_PAD, APC_NUM_PADS - 1 },
		{ "track", APC_CTL_TRACK, APC_NUM_TRACK - 1 },
		{ "scene", APC_CTL_SCENE, APC_NUM_SCENE - 1 },
	};
	unsigned long v;
	size_t i;

	if (argc < 1)
		return fail(p, -EINVAL, "which control? pad N, track N, scene N, shift");
	if (!strcmp(argv[0], "shift")) {
		c->type = APC_CTL_SHIFT;
		c->index = 0;
		return 1;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(argv[0], kinds[i].name))
			continue;
		if (argc < 2 || parse_uint(argv[1], kinds[i].max, &v))
			return fail(p, -EINVAL, "%s needs a number 0-%lu", kinds[i].name,
				    kinds[i].max);
		c->type = kinds[i].type;
		c->index = (uint8_t)v;
		return 2;
	}
	return fail(p, -EINVAL, "unknown control '%s'", argv[0]);
}

static int parse_press(struct parse *p, int argc, char **argv, struct apccmd *c)
{
	unsigned long vel = 127;
	int used;

	used = parse_control(p, argc - 1, argv + 1, &c->ctl);
	if (used < 0)
		return used;
	if (c->op == APCCMD_RELEASE && argc > 1 + used)
		return fail(p, -EINVAL, "release takes no velocity");
	if (argc > 1 + used && parse_uint(argv[1 + used], 127, &vel))
		return fail(p, -EINVAL, "bad velocity '%s'", argv[1 + used]);
	if (argc > 2 + used)
		return fail(p, -EINVAL, "too many arguments");
	/* A press with velocity 0 would read as a release: full velocity. */
	c->ctl.value = c->op == APCCMD_RELEASE ? 0 : (vel ? (uint8_t)vel : 127);
	return 0;
}

static int parse_fader(struct parse *p, int argc, char **argv, struct apccmd *c)
{
	unsigned long idx, v;

	if (argc != 3)
		return fail(p, -EINVAL, "usage: fader N|master VALUE");
	if (!strcmp(argv[1], "master"))
		idx = APC_NUM_FADERS - 1;
	else if (parse_uint(argv[1], APC_NUM_FADERS - 1, &idx))
		return fail(p, -EINVAL, "fader is 0-%d or master", APC_NUM_FADERS - 1);
	if (parse_uint(argv[2], 127, &v))
		return fail(p, -EINVAL, "fader value is 0-127");
	c->ctl.type = APC_CTL_FADER;
	c->ctl.index = (uint8_t)idx;
	c->ctl.value = (uint8_t)v;
	return 0;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int parse_send(struct parse *p, int argc, char **argv, struct apccmd *c)
{
	unsigned long cable = 0;
	int i = 1;

	if (argc > 2 && !strcmp(argv[1], "-c")) {
		if (parse_uint(argv[2], APCDEV_MAX_CABLES - 1, &cable))
			return fail(p, -EINVAL, "bad cable '%s'", argv[2]);
		i = 3;
	}
	c->cable = (unsigned int)cable;
	for (; i < argc; i++) {
		const char *s = argv[i];

		if (strlen(s) % 2)
			return fail(p, -EINVAL, "odd number of hex digits in '%s'", s);
		for (; *s; s += 2) {
			int hi = hexval(s[0]), lo = hexval(s[1]);

			if (hi < 0 || lo < 0)
				return fail(p, -EINVAL, "not hex: '%s'", argv[i]);
			if (c->len == sizeof(c->msg))
				return fail(p, -E2BIG, "message too long");
			c->msg[c->len++] = (uint8_t)(hi << 4 | lo);
		}
	}
	if (!c->len)
		return fail(p, -EINVAL, "usage: send [-c CABLE] HEX...");
	return 0;
}

static int parse_args(struct parse *p, int argc, char **argv, struct apccmd *c)
{
	size_t i;

	switch (c->op) {
	case APCCMD_PRESS:
	case APCCMD_RELEASE:
	case APCCMD_TAP:
		return parse_press(p, argc, argv, c);
	case APCCMD_FADER:
		return parse_fader(p, argc, argv, c);
	case APCCMD_SEND:
		return parse_send(p, argc, argv, c);
	case APCCMD_BURST:
		if (argc < 2 || argc > 3 || parse_uint(argv[1], 1000000000, &c->n) ||
		    (argc > 2 && parse_uint(argv[2], 1000000, &c->rate)))
			return fail(p, -EINVAL, "usage: burst N [RATE]");
		return 0;
	case APCCMD_STATS:
		if (argc > 2 || (argc == 2 && strcmp(argv[1], "reset")))
			return fail(p, -EINVAL, "usage: stats [reset]");
		c->on = argc == 2;
		return 0;
	case APCCMD_WAIT:
		c->ms = 5000;
		if (argc < 3 || argc > 4 || parse_uint(argv[2], 0xffffffffUL, &c->n) ||
		    (argc > 3 && parse_uint(argv[3], 86400000, &c->ms)))
			return fail(p, -EINVAL, "usage: wait leds|msgs|sysex|bytes N [MS]");
		for (i = 0; i < 4; i++)
			if (!strcmp(argv[1], counter_names[i]))
				break;
		if (i == 4)
			return fail(p, -EINVAL, "cannot wait for '%s'", argv[1]);
		c->counter = (enum apccmd_counter)i;
		return 0;
	case APCCMD_SLEEP:
		if (argc != 2 || parse_uint(argv[1], 86400000, &c->ms))
			return fail(p, -EINVAL, "usage: sleep MS");
		return 0;
	case APCCMD_ECHO:
	case APCCMD_MONITOR:
		if (argc != 2 || (strcmp(argv[1], "on") && strcmp(argv[1], "off")))
			return fail(p, -EINVAL, "usage: %s on|off", argv[0]);
		c->on = !strcmp(argv[1], "on");
		return 0;
	case APCCMD_LOG:
	case APCCMD_RXLOG:
		if (argc != 2)
			return fail(p, -EINVAL, "usage: %s FILE|off", argv[0]);
		if (strcmp(argv[1], "off"))
			snprintf(c->text, sizeof(c->text), "%s", argv[1]);
		return 0;
	case APCCMD_MARK: {
		size_t len = 0;
		int a;

		for (a = 1; a < argc; a++)
			len += (size_t)snprintf(c->text + len, sizeof(c->text) - len, "%s%s",
						a > 1 ? " " : "", argv[a]);
		return 0;
	}
	default:
		if (argc > 1)
			return fail(p, -EINVAL, "%s takes no arguments", argv[0]);
		return 0;
	}
}

int apccmd_parse(const char *line, struct apccmd *c, char *err, size_t errsz)
{
	struct parse p = { .err = err, .errsz = errsz };
	char buf[APCCMD_LINE_MAX], *argv[APCCMD_MAX_ARGS], *s;
	int argc = 0;
	size_t i;

	/* Not the whole struct: msg and text are large and written as used. */
	memset(c, 0, offsetof(struct apccmd, msg));
	c->len = 0;
	c->n = c->rate = c->ms = 0;
	c->counter = APCCMD_WAIT_LEDS;
	c->on = 0;
	c->text[0] = '\0';
	if (errsz)
		err[0] = '\0';
	if (strlen(line) >= sizeof(buf))
		return fail(&p, -E2BIG, "line too long");
	strcpy(buf, line);
	buf[strcspn(buf, "#")] = '\0';
	for (s = buf; *s;) {
		s += strspn(s, " \t\r\n");
		if (!*s)
			break;
		if (argc == APCCMD_MAX_ARGS)
			return fail(&p, -E2BIG, "too many words");
		argv[argc++] = s;
		s += strcspn(s, " \t\r\n");
		if (*s)
			*s++ = '\0';
	}
	if (argc == 0)
		return 0;
	for (i = 1; i < sizeof(op_names) / sizeof(op_names[0]); i++)
		if (!strcmp(argv[0], op_names[i]))
			break;
	if (i == sizeof(op_names) / sizeof(op_names[0]))
		return fail(&p, -EINVAL, "unknown command '%s' (try help)", argv[0]);
	c->op = (enum apccmd_op)i;
	i = (size_t)parse_args(&p, argc, argv, c);
	if ((int)i < 0) {
		c->op = APCCMD_NONE;
		return (int)i;
	}
	return 0;
}
