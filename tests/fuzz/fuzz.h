/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The libFuzzer entry point every harness in tests/fuzz/ defines, and the
 * check that turns a broken property into a crash libFuzzer reports (an
 * abort, so the input is saved and the harness's replay fails in make
 * check). Harnesses are built by tests/fuzz/run (clang, libFuzzer) and by
 * make check with replay.c as their main.
 */
#ifndef APC_FUZZ_H
#define APC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                   \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, __LINE__, \
				#cond);                                                    \
			abort();                                                           \
		}                                                                          \
	} while (0)

/* Reading an input as a sequence of choices: bytes run out as zeros. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fuzz_byte(struct fuzz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

#endif
