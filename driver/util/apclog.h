/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Levelled logging for every program of the tree: one level per process,
 * set from an environment variable the program names and raised by -v;
 * messages go to stderr behind the program's name. Trace messages are
 * compiled out unless APC_ENABLE_TRACE is defined, so they cost nothing in
 * the USB and sequencer hot paths; they are still format-checked.
 *
 * Never call these from a real-time thread (apcsynth's audio and render
 * threads): it counts instead, and the main loop reports the counts.
 */
#ifndef APC_APCLOG_H
#define APC_APCLOG_H

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
 * until then), takes the starting level from the environment variable `env`
 * when it is set (NULL: none) and raises it by `verbose` (the number of -v),
 * up to APCLOG_TRACE. The level apclog_level holds is kept when `env` is
 * unset. Returns -EINVAL, after a warning, when `env` names no level. */
int apclog_init(const char *prog, const char *env, int verbose);

/* "error", "warning", "info", "debug", "trace" (any case; also "err" and
 * "warn") or a number 0-4; -EINVAL if the string names no level. */
int apclog_parse_level(const char *s);

/* Prints whatever the current level; callers go through the macros, which
 * test the level first so that a filtered message costs one comparison. */
void apclog_printf(int level, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define apclog_at(lvl, ...)                                                   \
	do {                                                                  \
		if ((lvl) <= apclog_level)                                    \
			apclog_printf((lvl), __func__, __VA_ARGS__);          \
	} while (0)

#define log_err(...) apclog_at(APCLOG_ERR, __VA_ARGS__)
#define log_warn(...) apclog_at(APCLOG_WARN, __VA_ARGS__)
#define log_info(...) apclog_at(APCLOG_INFO, __VA_ARGS__)
#define log_dbg(...) apclog_at(APCLOG_DEBUG, __VA_ARGS__)

#ifdef APC_ENABLE_TRACE
#define log_trace(...) apclog_at(APCLOG_TRACE, __VA_ARGS__)
#else
#define log_trace(...)                                                        \
	do {                                                                  \
		if (0)                                                        \
			apclog_printf(APCLOG_TRACE, __func__, __VA_ARGS__);   \
	} while (0)
#endif

#endif
