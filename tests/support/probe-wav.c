/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Whole-file WAV reader for the tests and the benchmark; runs on their one
 * thread. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "probe-wav.h"

#define WAV_FMT_PCM 1
#define WAV_FMT_FLOAT 3
#define WAV_FMT_EXTENSIBLE 0xfffe

static uint32_t get32(const uint8_t *p)
{
	return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}

static unsigned int get16(const uint8_t *p)
{
	return p[0] | (p[1] << 8);
}

int probe_wav_read(const char *path, struct probe_wav_info *info, float **data)
{
	uint8_t hdr[12], ch[8], fmt[40];
	FILE *fp = fopen(path, "rb");
	int have_fmt = 0, ret = -EBADMSG;
	unsigned int fmt_tag = 0;
	uint64_t pos = 12, size;
	struct stat st;
	float *out = NULL;

	*data = NULL;
	memset(info, 0, sizeof(*info));
	if (!fp)
		return -errno;
	if (fstat(fileno(fp), &st) < 0) {
		ret = -errno;
		goto out_close;
	}
	size = (uint64_t)st.st_size;
	if (fread(hdr, 1, 12, fp) != 12 || memcmp(hdr, "RIFF", 4) || memcmp(hdr + 8, "WAVE", 4))
		goto out_close;
	while (fread(ch, 1, 8, fp) == 8) {
		uint32_t len = get32(ch + 4);

		pos += 8;
		if (!memcmp(ch, "fmt ", 4)) {
			if (len < 16 || len > sizeof(fmt) || fread(fmt, 1, len, fp) != len)
				goto out_close;
			fmt_tag = get16(fmt);
			info->channels = get16(fmt + 2);
			info->rate = get32(fmt + 4);
			info->bits = get16(fmt + 14);
			if (fmt_tag == WAV_FMT_EXTENSIBLE && len >= 26)
				fmt_tag = get16(fmt + 24);
			have_fmt = 1;
			pos += len;
			if (len & 1) {
				if (fseek(fp, 1, SEEK_CUR))
					goto out_close;
				pos++;
			}
		} else if (!memcmp(ch, "data", 4) && have_fmt) {
			unsigned int bps = info->bits / 8;
			uint64_t n, i;
			uint8_t s[4];

			if (!info->channels || (!(fmt_tag == WAV_FMT_PCM && bps == 2) &&
						!(fmt_tag == WAV_FMT_FLOAT && bps == 4))) {
				ret = -ENOTSUP;
				goto out_close;
			}
			info->finalised = (uint64_t)get32(hdr + 4) + 8 == size &&
					  (pos + len == size || pos + len + (len & 1) == size);
			info->is_float = fmt_tag == WAV_FMT_FLOAT;
			n = len / bps;
			out = malloc((n ? n : 1) * sizeof(float));
			if (!out) {
				ret = -ENOMEM;
				goto out_close;
			}
			for (i = 0; i < n; i++) {
				if (fread(s, 1, bps, fp) != bps)
					break;
				if (info->is_float) {
					uint32_t u = get32(s);

					memcpy(&out[i], &u, 4);
				} else {
					out[i] = (int16_t)get16(s) / 32768.0f;
				}
			}
			info->frames = i / info->channels;
			*data = out;
			ret = 0;
			goto out_close;
		} else {
			pos += len + (len & 1);
			if (fseek(fp, (long)(len + (len & 1)), SEEK_CUR))
				goto out_close;
		}
	}
out_close:
	fclose(fp);
	return ret;
}
