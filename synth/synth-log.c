/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Levelled stderr logging; used by the main and sequencer threads only
 * (the audio and render threads count events instead of logging). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth-log.h"

int synth_log_level = SYNTH_LOG_WARN;
static const char *log_prog = "apcsynth";

void synth_log_init(const char *prog, int verbose)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	const char *env = getenv("APCSYNTH_LOG");
	int i;

	if (prog)
		log_prog = prog;
	if (env && *env) {
		for (i = 0; i < 4; i++)
			if (!strcmp(env, names[i]) || (env[0] == '0' + i && !env[1]))
				synth_log_level = i;
	}
	synth_log_level += verbose;
	if (synth_log_level > SYNTH_LOG_DEBUG)
		synth_log_level = SYNTH_LOG_DEBUG;
}

void synth_log_printf(int level, const char *func, const char *fmt, ...)
{
	va_list ap;

	if (level > synth_log_level)
		return;
	if (level >= SYNTH_LOG_DEBUG)
		fprintf(stderr, "%s: %s: ", log_prog, func);
	else if (level == SYNTH_LOG_WARN)
		fprintf(stderr, "%s: warning: ", log_prog);
	else
		fprintf(stderr, "%s: ", log_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
