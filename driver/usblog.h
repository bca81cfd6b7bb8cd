/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Levelled logging for the driver and the bridge: one global level, set
 * from -v or the environment, messages to stderr prefixed with the level and
 * the function. Trace messages are compiled out unless APC_ENABLE_TRACE is
 * defined, so they cost nothing in the USB and sequencer hot paths; they are
 * still format-checked.
 */
#ifndef APC_USBLOG_H
#define APC_USBLOG_H

enum usblog_level {
	USBLOG_ERR = 0,
	USBLOG_WARN,
	USBLOG_INFO,
	USBLOG_DEBUG,
	USBLOG_TRACE,
};

/* Messages at or below this level are printed; USBLOG_WARN by default. */
extern int usblog_level;

void usblog_printf(int level, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "err", "warning", "info", "debug", "trace" or a number 0-4; -EINVAL if
 * the string names no level. */
int usblog_parse_level(const char *s);

#define usblog_at(lvl, ...)                                                   \
	do {                                                                  \
		if ((lvl) <= usblog_level)                                    \
			usblog_printf((lvl), __func__, __VA_ARGS__);          \
	} while (0)

#define log_err(...) usblog_at(USBLOG_ERR, __VA_ARGS__)
#define log_warn(...) usblog_at(USBLOG_WARN, __VA_ARGS__)
#define log_info(...) usblog_at(USBLOG_INFO, __VA_ARGS__)
#define log_dbg(...) usblog_at(USBLOG_DEBUG, __VA_ARGS__)

#ifdef APC_ENABLE_TRACE
#define log_trace(...) usblog_at(USBLOG_TRACE, __VA_ARGS__)
#else
#define log_trace(...)                                                        \
	do {                                                                  \
		if (0)                                                        \
			usblog_printf(USBLOG_TRACE, __func__, __VA_ARGS__);   \
	} while (0)
#endif

#endif
