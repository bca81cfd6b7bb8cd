/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Bytes written as hex for the cmocka tables of the pure core:
 * "09 90 3c 40" -> bytes. The tables are easier to check against the spec
 * written this way than as C arrays.
 */
#ifndef APC_TEST_HEX_H
#define APC_TEST_HEX_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

static inline size_t hex(const char *s, uint8_t *out, size_t outsz)
{
	size_t n = 0;

	while (*s) {
		char *end;
		unsigned long v;

		if (*s == ' ') {
			s++;
			continue;
		}
		v = strtoul(s, &end, 16);
		assert_true(end != s && v <= 0xff && n < outsz);
		out[n++] = (uint8_t)v;
		s = end;
	}
	return n;
}

#endif
