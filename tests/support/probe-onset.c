/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Onset detection over a whole rendered file and the timing probe writer;
 * tests and bench, on their one thread. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>

#include "probe-onset.h"
#include "probe-smf.h"

size_t probe_onsets_find(const float *data, unsigned int channels, uint64_t frames, float level,
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

static double probe_time(uint32_t tick)
{
	if (tick <= PROBE_SWITCH_TICK)
		return tick * (PROBE_TEMPO_SLOW / 1e6) / PROBE_DIV;
	return PROBE_SWITCH_TICK * (PROBE_TEMPO_SLOW / 1e6) / PROBE_DIV +
	       (tick - PROBE_SWITCH_TICK) * (PROBE_TEMPO_FINE / 1e6) / PROBE_DIV;
}

int probe_timing_write(const char *path, double *times, size_t max)
{
	struct probe_smf tempo = { 0 }, notes = { 0 }, file = { 0 };
	uint32_t ticks[32], last = 0, end;
	size_t n = 0, i;
	int ret;

	for (i = 0; i < sizeof(probe_slow_ticks) / sizeof(probe_slow_ticks[0]); i++)
		ticks[n++] = probe_slow_ticks[i];
	for (i = 0; i < sizeof(probe_fine_offsets) / sizeof(probe_fine_offsets[0]); i++)
		ticks[n++] = PROBE_SWITCH_TICK + (uint32_t)(i + 1) * PROBE_FINE_STEP +
			     probe_fine_offsets[i];
	end = ticks[n - 1] + PROBE_FINE_STEP;

	/* Track 0: tempo map. */
	probe_smf_vlq(&tempo, 0);
	probe_smf_bytes(&tempo, "\xff\x51\x03", 3);
	probe_smf_be(&tempo, PROBE_TEMPO_SLOW, 3);
	probe_smf_vlq(&tempo, PROBE_SWITCH_TICK);
	probe_smf_bytes(&tempo, "\xff\x51\x03", 3);
	probe_smf_be(&tempo, PROBE_TEMPO_FINE, 3);
	probe_smf_vlq(&tempo, end - PROBE_SWITCH_TICK);
	probe_smf_bytes(&tempo, "\xff\x2f\x00", 3);

	/* Track 1: the notes, note-offs with running status (velocity 0). */
	probe_smf_vlq(&notes, 0);
	probe_smf_bytes(&notes, "\xff\x03\x05probe", 8);
	for (i = 0; i < n; i++) {
		uint32_t len = ticks[i] < PROBE_SWITCH_TICK ? PROBE_NOTE_TICKS_SLOW
							    : PROBE_NOTE_TICKS_FINE;

		probe_smf_vlq(&notes, ticks[i] - last);
		probe_smf_bytes(&notes, "\x99\x4c\x7f", 3);
		probe_smf_vlq(&notes, len);
		probe_smf_bytes(&notes, "\x4c\x00", 2);
		last = ticks[i] + len;
		if (i < max)
			times[i] = probe_time(ticks[i]);
	}
	probe_smf_vlq(&notes, end - last);
	probe_smf_bytes(&notes, "\xff\x2f\x00", 3);

	probe_smf_header(&file, 1, 2, PROBE_DIV);
	probe_smf_track(&file, tempo.p, tempo.len);
	probe_smf_track(&file, notes.p, notes.len);
	ret = tempo.err ? tempo.err : notes.err ? notes.err : probe_smf_save(&file, path);
	probe_smf_free(&tempo);
	probe_smf_free(&notes);
	probe_smf_free(&file);
	return ret < 0 ? ret : (int)n;
}
