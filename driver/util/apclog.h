/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Levelled logging for every program of the tree: one level per process,
 * set from the environment variable <PROGRAM>_LOG_LEVEL (APCMINID_LOG_LEVEL,
 * APCSYNTH_LOG_LEVEL, ...) and raised by -v; messages go to stderr behind
 * the program's name and, for the log_dev_* macros, the context they name
 * (a device, "APC mini mk2 1-1.2"). Fatal errors of main() go through here
 * too, as "Cannot <do what>: <why>". Trace messages are
 * compiled out unless APC_ENABLE_TRACE is defined, so they cost nothing in
 * the USB and sequencer hot paths; they are still format-checked.
 *
 * Never call these from a real-time thread (apcsynth's audio and render
 * threads): it counts instead, and the main loop reports the counts.
 */
#ifndef APC_APCLOG_H
#define APC_APCLOG_H

#include <stddef.h>

enum apclog_level {
	APCLOG_ERR = 0,
	APCLOG_WARN,
	APCLOG_INFO,
	APCLOG_DEBUG,
	APCLOG_TRACE,
};

/* Messages at or below this level are printed; APCLOG_WARN until
 * apclog_init() or the program changes it. */
extern int apclog_level;

/* Names the program in front of every message (the process's short name
 * until then), takes the starting level from <PROG>_LOG_LEVEL (the name in
 * upper case, '-' as '_') when it is set, and raises it by `verbose` (the
 * number of -v), up to APCLOG_TRACE. The level apclog_level holds is kept
 * when the variable is unset. Returns -EINVAL, after a warning, when it
 * names no level. */
int apclog_init(const char *prog, int verbose);

/* The environment variable apclog_init() reads for `prog`, in `out`. */
void apclog_env_name(const char *prog, char *out, size_t outsz);

/* "error", "warning", "info", "debug", "trace" (any case; also "err" and
 * "warn") or a number 0-4; -EINVAL if the string names no level. */
int apclog_parse_level(const char *s);

/* Prints whatever the current level; callers go through the macros, which
 * test the level first so that a filtered message costs one comparison. */
/* `ctx` (NULL: none) is printed after the program's name. */
void apclog_printf(int level, const char *ctx, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define apclog_at(lvl, ctx, ...)                                              \
	do {                                                                  \
		if ((lvl) <= apclog_level)                                    \
			apclog_printf((lvl), (ctx), __func__, __VA_ARGS__);   \
	} while (0)

#define log_err(...) apclog_at(APCLOG_ERR, NULL, __VA_ARGS__)
#define log_warn(...) apclog_at(APCLOG_WARN, NULL, __VA_ARGS__)
#define log_info(...) apclog_at(APCLOG_INFO, NULL, __VA_ARGS__)
#define log_dbg(...) apclog_at(APCLOG_DEBUG, NULL, __VA_ARGS__)

/* The same, naming the device (or other context) the message is about. */
#define log_dev_err(ctx, ...) apclog_at(APCLOG_ERR, (ctx), __VA_ARGS__)
#define log_dev_warn(ctx, ...) apclog_at(APCLOG_WARN, (ctx), __VA_ARGS__)
#define log_dev_info(ctx, ...) apclog_at(APCLOG_INFO, (ctx), __VA_ARGS__)
#define log_dev_dbg(ctx, ...) apclog_at(APCLOG_DEBUG, (ctx), __VA_ARGS__)

#ifdef APC_ENABLE_TRACE
#define log_dev_trace(ctx, ...) apclog_at(APCLOG_TRACE, (ctx), __VA_ARGS__)
#else
#define log_dev_trace(ctx, ...)                                               \
	do {                                                                  \
		if (0)                                                        \
			apclog_printf(APCLOG_TRACE, (ctx), __func__, __VA_ARGS__); \
	} while (0)
#endif
#define log_trace(...) log_dev_trace(NULL, __VA_ARGS__)

#endif
