/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The logging backend of apcminid, apcsynth, the bench and the tests. Runs
 * in whichever thread logs; apcsynth's real-time threads never do. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apclog.h"

int apclog_level = APCLOG_WARN;

/* A library's messages carry the name of the program that linked it, even
 * one (a test, the bench) that never calls apclog_init(). */
static const char *apclog_prog;

static const char *const apclog_names[] = {
	[APCLOG_ERR] = "error",
	[APCLOG_WARN] = "warning",
	[APCLOG_INFO] = "info",
	[APCLOG_DEBUG] = "debug",
	[APCLOG_TRACE] = "trace",
};

int apclog_parse_level(const char *s)
{
	unsigned int i;
	char *end;
	long v;

	if (!s || !*s)
		return -EINVAL;
	for (i = 0; i < sizeof(apclog_names) / sizeof(apclog_names[0]); i++)
		if (!strcasecmp(s, apclog_names[i]))
			return (int)i;
	if (!strcasecmp(s, "err"))
		return APCLOG_ERR;
	if (!strcasecmp(s, "warn"))
		return APCLOG_WARN;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < APCLOG_ERR || v > APCLOG_TRACE)
		return -EINVAL;
	return (int)v;
}

void apclog_env_name(const char *prog, char *out, size_t outsz)
{
	size_t i, n = 0;

	if (!outsz)
		return;
	for (i = 0; prog[i] && n + 1 < outsz; i++)
		out[n++] = prog[i] == '-' ? '_' : (char)toupper((unsigned char)prog[i]);
	out[n] = '\0';
	snprintf(out + n, outsz - n, "_LOG_LEVEL");
}

int apclog_init(const char *prog, int verbose)
{
	char env[64];
	const char *val;
	int r = 0, lvl;

	if (prog)
		apclog_prog = prog;
	apclog_env_name(apclog_prog ? apclog_prog : program_invocation_short_name, env,
			sizeof(env));
	val = getenv(env);
	if (val && *val) {
		lvl = apclog_parse_level(val);
		if (lvl < 0) {
			r = lvl;
			apclog_printf(APCLOG_WARN, NULL, __func__,
				      "ignoring %s=%s: not a log level", env, val);
		} else {
			apclog_level = lvl;
		}
	}
	apclog_level += verbose;
	if (apclog_level > APCLOG_TRACE)
		apclog_level = APCLOG_TRACE;
	return r;
}

void apclog_printf(int level, const char *ctx, const char *func, const char *fmt, ...)
{
	const char *prog = apclog_prog ? apclog_prog : program_invocation_short_name;
	va_list ap;

	if (level < APCLOG_ERR)
		level = APCLOG_ERR;
	if (level > APCLOG_TRACE)
		level = APCLOG_TRACE;
	/* One line per message even when two threads log at once. */
	flockfile(stderr);
	/* Users read errors, warnings and notices as sentences; the level and
	 * the function only help whoever asked for debug output. */
	if (apclog_level >= APCLOG_DEBUG)
		fprintf(stderr, "%s: %s: %s: ", prog, apclog_names[level], func);
	else if (level == APCLOG_WARN)
		fprintf(stderr, "%s: warning: ", prog);
	else
		fprintf(stderr, "%s: ", prog);
	if (ctx)
		fprintf(stderr, "%s: ", ctx);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}
