/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Levelled logging for apcsynth and its core. Never call these from the
 * audio thread: it counts instead, and the main loop reports the counts.
 */
#ifndef APC_SYNTH_LOG_H
#define APC_SYNTH_LOG_H

enum synth_log_level {
	SYNTH_LOG_ERR = 0,
	SYNTH_LOG_WARN,
	SYNTH_LOG_INFO,
	SYNTH_LOG_DEBUG,
};

extern int synth_log_level;

/* Level from APCSYNTH_LOG (error, warning, info, debug or 0-3), then
 * raised by `verbose` (the number of -v). */
void synth_log_init(const char *prog, int verbose);

void synth_log_printf(int level, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define synth_err(...) synth_log_printf(SYNTH_LOG_ERR, __func__, __VA_ARGS__)
#define synth_warn(...) synth_log_printf(SYNTH_LOG_WARN, __func__, __VA_ARGS__)
#define synth_info(...) synth_log_printf(SYNTH_LOG_INFO, __func__, __VA_ARGS__)
#define synth_dbg(...)                                                                   \
	do {                                                                             \
		if (synth_log_level >= SYNTH_LOG_DEBUG)                                  \
			synth_log_printf(SYNTH_LOG_DEBUG, __func__, __VA_ARGS__);        \
	} while (0)

#endif
