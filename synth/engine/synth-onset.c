/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Onset detection over a whole rendered file; tests and bench, one thread. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth-onset.h"

size_t synth_onsets_find(const float *data, unsigned int channels, uint64_t frames, float level,
			 uint64_t gap, uint64_t *out, size_t max)
{
	uint64_t quiet = gap, i;
	size_t n = 0;
	unsigned int c;

	for (i = 0; i < frames; i++) {
		int loud = 0;

		for (c = 0; c < channels; c++)
			if (fabsf(data[i * channels + c]) > level)
				loud = 1;
		if (!loud) {
			quiet++;
			continue;
		}
		if (quiet >= gap && n < max)
			out[n++] = i;
		else if (quiet >= gap)
			n++;
		quiet = 0;
	}
	return n;
}

/* Probe layout. Track 0 holds the tempo map, track 1 the notes, so a
 * reader must merge tracks and apply tempo changes across them. */
#define PROBE_DIV 480
#define PROBE_TEMPO_SLOW 500000u	/* 1 tick = 1/960 s = 50 frames at 48 kHz */
#define PROBE_TEMPO_FINE 10000u		/* 1 tick = 1/48000 s: one frame at 48 kHz */
#define PROBE_SWITCH_TICK 1920		/* 2 s in */

/* Note ticks. Slow part: multiples of 50 frames (at 48 kHz) that are not
 * multiples of 64. Fine part (after the switch, 2 s = 96000 frames =
 * 1500 grid blocks): 0.5 s apart plus offsets across the grid, including
 * both sides of its midpoint where rounding changes direction. */
static const uint32_t probe_slow_ticks[] = { 0, 481, 960 + 3, 1440 + 7 };
static const uint32_t probe_fine_offsets[] = { 1, 17, 31, 32, 33, 47, 63, 64 + 5 };
#define PROBE_FINE_STEP 24000	/* ticks (0.5 s) between fine-part notes */
#define PROBE_NOTE_TICKS_SLOW 48
#define PROBE_NOTE_TICKS_FINE 2400

struct bytes {
	uint8_t *p;
	size_t len, cap;
	int err;
};

static void put(struct bytes *b, const void *src, size_t n)
{
	if (b->err)
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

static void put_vlq(struct bytes *b, uint32_t v)
{
	uint8_t tmp[5];
	int n = 0, i;

	do {
		tmp[n++] = v & 0x7f;
		v >>= 7;
	} while (v);
	for (i = n - 1; i >= 0; i--) {
		uint8_t c = tmp[i] | (i ? 0x80 : 0);

		put(b, &c, 1);
	}
}

static void put_be(struct bytes *b, uint32_t v, int n)
{
	uint8_t tmp[4];
	int i;

	for (i = 0; i < n; i++)
		tmp[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	put(b, tmp, (size_t)n);
}

static void put_chunk(struct bytes *file, const char *id, const struct bytes *body)
{
	put(file, id, 4);
	put_be(file, (uint32_t)body->len, 4);
	put(file, body->p, body->len);
}

static double probe_time(uint32_t tick)
{
	if (tick <= PROBE_SWITCH_TICK)
		return tick * (PROBE_TEMPO_SLOW / 1e6) / PROBE_DIV;
	return PROBE_SWITCH_TICK * (PROBE_TEMPO_SLOW / 1e6) / PROBE_DIV +
	       (tick - PROBE_SWITCH_TICK) * (PROBE_TEMPO_FINE / 1e6) / PROBE_DIV;
}

int synth_onset_probe_write(const char *path, double *times, size_t max)
{
	struct bytes tempo = { 0 }, notes = { 0 }, file = { 0 };
	uint32_t ticks[32], last = 0, end;
	size_t n = 0, i;
	FILE *fp;
	int ret;

	for (i = 0; i < sizeof(probe_slow_ticks) / sizeof(probe_slow_ticks[0]); i++)
		ticks[n++] = probe_slow_ticks[i];
	for (i = 0; i < sizeof(probe_fine_offsets) / sizeof(probe_fine_offsets[0]); i++)
		ticks[n++] = PROBE_SWITCH_TICK + (uint32_t)(i + 1) * PROBE_FINE_STEP +
			     probe_fine_offsets[i];
	end = ticks[n - 1] + PROBE_FINE_STEP;

	/* Track 0: tempo map. */
	put_vlq(&tempo, 0);
	put(&tempo, "\xff\x51\x03", 3);
	put_be(&tempo, PROBE_TEMPO_SLOW, 3);
	put_vlq(&tempo, PROBE_SWITCH_TICK);
	put(&tempo, "\xff\x51\x03", 3);
	put_be(&tempo, PROBE_TEMPO_FINE, 3);
	put_vlq(&tempo, end - PROBE_SWITCH_TICK);
	put(&tempo, "\xff\x2f\x00", 3);

	/* Track 1: the notes, note-offs with running status (velocity 0). */
	put_vlq(&notes, 0);
	put(&notes, "\xff\x03\x05probe", 8);
	for (i = 0; i < n; i++) {
		uint32_t len = ticks[i] < PROBE_SWITCH_TICK ? PROBE_NOTE_TICKS_SLOW
							    : PROBE_NOTE_TICKS_FINE;

		put_vlq(&notes, ticks[i] - last);
		put(&notes, "\x99\x4c\x7f", 3);
		put_vlq(&notes, len);
		put(&notes, "\x4c\x00", 2);
		last = ticks[i] + len;
		if (i < max)
			times[i] = probe_time(ticks[i]);
	}
	put_vlq(&notes, end - last);
	put(&notes, "\xff\x2f\x00", 3);

	put(&file, "MThd", 4);
	put_be(&file, 6, 4);
	put_be(&file, 1, 2);
	put_be(&file, 2, 2);
	put_be(&file, PROBE_DIV, 2);
	put_chunk(&file, "MTrk", &tempo);
	put_chunk(&file, "MTrk", &notes);

	ret = tempo.err ? tempo.err : notes.err ? notes.err : file.err;
	if (!ret) {
		fp = fopen(path, "wb");
		if (!fp)
			ret = -errno;
		else if (fwrite(file.p, 1, file.len, fp) != file.len)
			ret = -EIO;
		if (fp && fclose(fp) && !ret)
			ret = -errno;
	}
	free(tempo.p);
	free(notes.p);
	free(file.p);
	return ret < 0 ? ret : (int)n;
}
