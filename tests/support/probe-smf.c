/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Standard MIDI File writer for the tests and the benchmark; runs on the
 * one thread of whichever test or bench program builds a file. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe-smf.h"

void probe_smf_free(struct probe_smf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void probe_smf_bytes(struct probe_smf *b, const void *src, size_t n)
{
	if (b->err || !n)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		uint8_t *np;

		while (cap < b->len + n)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np) {
			b->err = -ENOMEM;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

void probe_smf_be(struct probe_smf *b, uint32_t v, int n)
{
	uint8_t tmp[4];
	int i;

	for (i = 0; i < n && i < 4; i++)
		tmp[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	probe_smf_bytes(b, tmp, (size_t)i);
}

void probe_smf_vlq(struct probe_smf *b, uint32_t v)
{
	uint8_t tmp[5];
	int n = 0, i;

	do {
		tmp[n++] = v & 0x7f;
		v >>= 7;
	} while (v);
	for (i = n - 1; i >= 0; i--) {
		uint8_t c = (uint8_t)(tmp[i] | (i ? 0x80 : 0));

		probe_smf_bytes(b, &c, 1);
	}
}

void probe_smf_header(struct probe_smf *b, unsigned int format, unsigned int ntracks,
		      unsigned int division)
{
	probe_smf_bytes(b, "MThd", 4);
	probe_smf_be(b, 6, 4);
	probe_smf_be(b, format, 2);
	probe_smf_be(b, ntracks, 2);
	probe_smf_be(b, division, 2);
}

void probe_smf_track(struct probe_smf *b, const void *events, size_t n)
{
	probe_smf_bytes(b, "MTrk", 4);
	probe_smf_be(b, (uint32_t)n, 4);
	probe_smf_bytes(b, events, n);
}

int probe_smf_save(const struct probe_smf *b, const char *path)
{
	FILE *fp;
	int ret = 0;

	if (b->err)
		return b->err;
	fp = fopen(path, "wb");
	if (!fp)
		return -errno;
	if (fwrite(b->p, 1, b->len, fp) != b->len)
		ret = errno ? -errno : -EIO;
	if (fclose(fp) && !ret)
		ret = -errno;
	return ret;
}
