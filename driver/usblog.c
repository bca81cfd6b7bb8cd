/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Logging backend shared by the transport, the bridge and apcminid's main.
 * Runs in the event loop thread (the only thread apcminid has). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "usblog.h"

int usblog_level = USBLOG_WARN;

static const char *const usblog_names[] = {
	[USBLOG_ERR] = "error",
	[USBLOG_WARN] = "warning",
	[USBLOG_INFO] = "info",
	[USBLOG_DEBUG] = "debug",
	[USBLOG_TRACE] = "trace",
};

void usblog_printf(int level, const char *func, const char *fmt, ...)
{
	va_list ap;

	if (level < USBLOG_ERR)
		level = USBLOG_ERR;
	if (level > USBLOG_TRACE)
		level = USBLOG_TRACE;
	/* Errors and warnings are for users and read as sentences; the
	 * function name only helps whoever asked for -v. */
	if (usblog_level >= USBLOG_DEBUG)
		fprintf(stderr, "apcminid: %s: %s: ", usblog_names[level], func);
	else
		fprintf(stderr, "apcminid: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int usblog_parse_level(const char *s)
{
	unsigned int i;
	char *end;
	long v;

	if (!s || !*s)
		return -EINVAL;
	for (i = 0; i < sizeof(usblog_names) / sizeof(usblog_names[0]); i++)
		if (!strcasecmp(s, usblog_names[i]))
			return (int)i;
	if (!strcasecmp(s, "err"))
		return USBLOG_ERR;
	if (!strcasecmp(s, "warn"))
		return USBLOG_WARN;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < USBLOG_ERR || v > USBLOG_TRACE)
		return -EINVAL;
	return (int)v;
}
