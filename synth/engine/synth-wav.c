/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WAV writer: opened and closed by the main thread, written by the render
 * thread (-o) or the offline render loop (-F, main thread). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "synth-wav.h"

#define WAV_FMT_PCM 1
#define WAV_FMT_FLOAT 3

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

int synth_wav_parse_format(const char *s, enum synth_wav_format *fmt)
{
	if (!strcmp(s, "s16"))
		*fmt = SYNTH_WAV_S16;
	else if (!strcmp(s, "float"))
		*fmt = SYNTH_WAV_FLOAT;
	else
		return -EINVAL;
	return 0;
}

/* The header for `frames` frames. PCM: RIFF, 16-byte fmt, data (44 bytes).
 * Float: 18-byte fmt and a fact chunk, as the format requires for
 * non-PCM data (58 bytes). Sizes saturate at 4 GiB, like other writers. */
static size_t wav_header(const struct synth_wav *w, uint64_t frames, uint8_t *h)
{
	unsigned int bps = w->format == SYNTH_WAV_FLOAT ? 4 : 2;
	unsigned int block = bps * w->channels;
	uint64_t data = frames * block;
	size_t hlen = w->format == SYNTH_WAV_FLOAT ? 58 : 44;
	size_t p = 12;

	if (data > 0xffffffffu - hlen)
		data = 0xffffffffu - hlen;
	memcpy(h, "RIFF", 4);
	put32(h + 4, (uint32_t)(hlen - 8 + data));
	memcpy(h + 8, "WAVE", 4);
	memcpy(h + p, "fmt ", 4);
	put32(h + p + 4, w->format == SYNTH_WAV_FLOAT ? 18 : 16);
	put16(h + p + 8, w->format == SYNTH_WAV_FLOAT ? WAV_FMT_FLOAT : WAV_FMT_PCM);
	put16(h + p + 10, w->channels);
	put32(h + p + 12, w->rate);
	put32(h + p + 16, w->rate * block);
	put16(h + p + 20, block);
	put16(h + p + 22, bps * 8);
	p += 24;
	if (w->format == SYNTH_WAV_FLOAT) {
		put16(h + p, 0);
		p += 2;
		memcpy(h + p, "fact", 4);
		put32(h + p + 4, 4);
		put32(h + p + 8, (uint32_t)(frames > 0xffffffffu ? 0xffffffffu : frames));
		p += 12;
	}
	memcpy(h + p, "data", 4);
	put32(h + p + 4, (uint32_t)data);
	return p + 8;
}

int synth_wav_open(struct synth_wav *w, const char *path, unsigned int rate,
		   unsigned int channels, enum synth_wav_format fmt)
{
	uint8_t h[64];
	struct stat st;
	size_t n;
	int err;

	memset(w, 0, sizeof(*w));
	w->format = fmt;
	w->channels = channels;
	w->rate = rate;
	w->path = strdup(path);
	if (!w->path)
		return -ENOMEM;
	w->fp = fopen(path, "wb");
	if (!w->fp) {
		err = -errno;
		goto err_path;
	}
	w->regular = fstat(fileno(w->fp), &st) == 0 && S_ISREG(st.st_mode);
	n = wav_header(w, 0, h);
	if (fwrite(h, 1, n, w->fp) != n) {
		err = errno ? -errno : -EIO;
		synth_wav_discard(w);
		return err;
	}
	return 0;

err_path:
	free(w->path);
	w->path = NULL;
	return err;
}

void synth_wav_discard(struct synth_wav *w)
{
	if (w->fp) {
		fclose(w->fp);
		w->fp = NULL;
		if (w->regular)
			unlink(w->path);
	}
	free(w->path);
	w->path = NULL;
}

static int16_t to_s16(float v)
{
	/* Round to nearest, clip; no dither, so renders are reproducible. */
	float x = v * 32767.0f;

	if (x >= 32767.0f)
		return 32767;
	if (x <= -32768.0f)
		return -32768;
	return (int16_t)lrintf(x);
}

int synth_wav_write_planar(struct synth_wav *w, const float *l, const float *r, unsigned int n)
{
	uint8_t buf[4096];
	unsigned int bpf = w->format == SYNTH_WAV_FLOAT ? 8 : 4;
	unsigned int i = 0;

	if (w->err)
		return w->err;
	while (i < n) {
		unsigned int chunk = n - i, j;
		uint8_t *p = buf;

		if (chunk > sizeof(buf) / bpf)
			chunk = sizeof(buf) / bpf;
		for (j = 0; j < chunk; j++) {
			if (w->format == SYNTH_WAV_FLOAT) {
				uint32_t a, b;

				memcpy(&a, &l[i + j], 4);
				memcpy(&b, &r[i + j], 4);
				put32(p, a);
				put32(p + 4, b);
			} else {
				put16(p, (uint16_t)to_s16(l[i + j]));
				put16(p + 2, (uint16_t)to_s16(r[i + j]));
			}
			p += bpf;
		}
		if (fwrite(buf, 1, (size_t)(p - buf), w->fp) != (size_t)(p - buf)) {
			w->err = errno ? -errno : -EIO;
			return w->err;
		}
		i += chunk;
	}
	w->frames += n;
	return 0;
}

int synth_wav_close(struct synth_wav *w)
{
	uint8_t h[64];
	size_t n;
	int err = w->err;

	if (!w->fp)
		return err;
	n = wav_header(w, w->frames, h);
	if (!err && (fflush(w->fp) || fseek(w->fp, 0, SEEK_SET) ||
		     fwrite(h, 1, n, w->fp) != n))
		err = errno ? -errno : -EIO;
	if (fclose(w->fp) && !err)
		err = -errno;
	w->fp = NULL;
	if (err && w->regular)
		unlink(w->path);
	free(w->path);
	w->path = NULL;
	return err;
}
