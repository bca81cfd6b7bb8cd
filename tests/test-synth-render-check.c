/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helper of test-synth-render.sh (one thread): finds a SoundFont, writes
 * the timing probe and a truncated file, and checks the onsets of their
 * rendering. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "probe-onset.h"
#include "probe-smf.h"
#include "probe-wav.h"
#include "synth-fluid.h"
#include "synth-rt.h"
#include "synth-wav.h"

#define MAX_NOTES 32
#define GRID 64

static int cmd_soundfont(void)
{
	int err;
	char *sf = synth_fluid_find_soundfont(NULL, &err);

	if (!sf) {
		fprintf(stderr, "no SoundFont found: %s\n", strerror(-err));
		return 77;
	}
	printf("%s\n", sf);
	free(sf);
	return 0;
}

static int cmd_probe(const char *path)
{
	double times[MAX_NOTES];
	int n = probe_timing_write(path, times, MAX_NOTES);

	if (n < 0) {
		fprintf(stderr, "Cannot write %s: %s\n", path, strerror(-n));
		return 1;
	}
	return 0;
}

/* A file whose only track ends inside a note-on: the reader must say
 * "truncated channel message". */
static int cmd_cut(const char *path)
{
	static const uint8_t trk[] = { 0x00, 0x90, 0x3c };
	struct probe_smf b = { 0 };
	int ret;

	probe_smf_header(&b, 0, 1, 96);
	probe_smf_track(&b, trk, sizeof(trk));
	ret = probe_smf_save(&b, path);
	probe_smf_free(&b);
	if (ret < 0) {
		fprintf(stderr, "Cannot write %s: %s\n", path, strerror(-ret));
		return 1;
	}
	return 0;
}

/* The engine changes state only on its grid, and the scheduler puts each
 * event on the nearest grid line; so a note stamped at frame f must start
 * at that line plus the engine's fixed start delay, measured on the first
 * note, which is at frame 0. */
static int cmd_onsets(const char *wav)
{
	double times[MAX_NOTES];
	uint64_t on[MAX_NOTES];
	struct probe_wav_info info;
	float *data;
	int n, i, ret, bad = 0;
	size_t found;
	int64_t delay;

	n = probe_timing_write("/dev/null", times, MAX_NOTES);
	if (n < 0)
		return 1;
	ret = probe_wav_read(wav, &info, &data);
	if (ret < 0) {
		fprintf(stderr, "Cannot read %s: %s\n", wav, strerror(-ret));
		return 1;
	}
	if (!info.is_float) {
		fprintf(stderr, "%s: want float samples to see the first one\n", wav);
		free(data);
		return 1;
	}
	/* Level 0: the first non-zero sample; gap 0.1 s of exact silence. */
	found = probe_onsets_find(data, info.channels, info.frames, 0.0f, info.rate / 10, on,
				  MAX_NOTES);
	free(data);
	if (found != (size_t)n) {
		fprintf(stderr, "found %zu onsets, want %d\n", found, n);
		return 1;
	}
	delay = (int64_t)on[0];
	printf("rate %u, engine start delay %lld frames\n", info.rate, (long long)delay);
	if (delay < 0 || delay > 2) {
		fprintf(stderr, "start delay %lld out of range\n", (long long)delay);
		bad++;
	}
	printf("%4s %12s %10s %10s %10s %6s %6s\n", "note", "time s", "frame", "expected",
	       "onset", "err", "grid");
	for (i = 0; i < n; i++) {
		int64_t frame = llround(times[i] * info.rate);
		int64_t want = (frame + GRID / 2) / GRID * GRID;
		int64_t got = (int64_t)on[i] - delay;
		int64_t egrid = got - want, eframe = got - frame;
		int ok = llabs(egrid) <= 1 && llabs(eframe) <= GRID / 2;

		printf("%4d %12.6f %10lld %10lld %10lld %6lld %6lld%s\n", i, times[i],
		       (long long)frame, (long long)want, (long long)got, (long long)eframe,
		       (long long)egrid, ok ? "" : "  <-- wrong");
		if (!ok)
			bad++;
	}
	return bad ? 1 : 0;
}

/* The real-time path without a sequencer: post notes from this thread as
 * the sequencer thread would, let the render thread write them at
 * real-time pace, and check they come out spaced as they were posted. */
static int cmd_rt(const char *wav, const char *sfpath)
{
	static const int gap_ms[] = { 0, 150, 230, 170 };
	const int n = sizeof(gap_ms) / sizeof(gap_ms[0]);
	struct synth_rt_config rc;
	struct synth_rt *rt;
	struct synth_rt_stats st;
	struct probe_wav_info info;
	int64_t posted[8], t0 = 0;
	uint64_t on[8];
	float *data;
	size_t found;
	int i, bad = 0;

	synth_rt_config_defaults(&rc);
	rc.fluid.soundfont = sfpath;
	rc.fluid.reverb = rc.fluid.chorus = 0;
	rc.wav_path = wav;
	rc.wav_format = SYNTH_WAV_FLOAT;
	if (synth_rt_new(&rc, &rt) < 0 || synth_rt_start(rt) < 0)
		return 1;
	for (i = 0; i < n; i++) {
		struct synth_event ev;
		static const uint8_t on_msg[3] = { 0x99, 76, 127 }, off_msg[3] = { 0x89, 76, 0 };

		apc_sleep_until_ns(apc_now_ns() + (uint64_t)gap_ms[i] * 1000000u);
		synth_event_from_midi(&ev, on_msg, 3, 0);
		posted[i] = (int64_t)apc_now_ns();
		if (!i)
			t0 = posted[0];
		synth_rt_post(rt, &ev, 0);
		synth_event_from_midi(&ev, off_msg, 3, 0);
		synth_rt_post(rt, &ev, 0);
	}
	apc_sleep_until_ns(apc_now_ns() + 200000000u);
	if (synth_rt_stop(rt, 1) < 0)
		bad++;
	synth_rt_get_stats(rt, &st);
	synth_rt_free(rt);
	if (st.overflows || st.applied < (uint64_t)(2 * n)) {
		fprintf(stderr, "applied %llu, dropped %llu\n", (unsigned long long)st.applied,
			(unsigned long long)st.overflows);
		bad++;
	}
	if (probe_wav_read(wav, &info, &data) < 0)
		return 1;
	found = probe_onsets_find(data, info.channels, info.frames, 0.0f, info.rate / 50, on, 8);
	free(data);
	if (found != (size_t)n) {
		fprintf(stderr, "found %zu onsets, want %d\n", found, n);
		return 1;
	}
	/* Relative spacing; the render thread's pacing and this thread's
	 * wake-ups may jitter by a few ms on a loaded machine. */
	for (i = 1; i < n; i++) {
		double want = (posted[i] - t0) / 1e9 * info.rate;
		double got = (double)(on[i] - on[0]);
		double err_ms = (got - want) * 1000.0 / info.rate;

		printf("rt note %d: posted +%.1f ms, sounded +%.1f ms (%+.2f ms)\n", i,
		       want * 1000.0 / info.rate, got * 1000.0 / info.rate, err_ms);
		if (err_ms > 20 || err_ms < -20)
			bad++;
	}
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "rt"))
		return cmd_rt(argv[2], argv[3]);
	if (argc == 2 && !strcmp(argv[1], "soundfont"))
		return cmd_soundfont();
	if (argc == 3 && !strcmp(argv[1], "probe"))
		return cmd_probe(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "cut"))
		return cmd_cut(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "onsets"))
		return cmd_onsets(argv[2]);
	fprintf(stderr, "usage: %s soundfont | probe FILE.mid | cut FILE.mid | onsets FILE.wav |\n"
		"       rt FILE.wav SF2\n", argv[0]);
	return 2;
}
