/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * synth-bench: apcsynth against fluidsynth on the same SoundFont and files.
 * Offline render speed (x real time), note onset timing error on a probe
 * file rendered offline, and, where a sequencer exists, the same probe
 * played through the sequencer by aplaymidi into each synth. Single thread;
 * the synths run as child processes through the shell.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "probe-onset.h"
#include "probe-smf.h"
#include "probe-wav.h"
#include "synth-fluid.h"

#define MAX_NOTES 32
#define GRID 64

static const char *apcsynth = "synth/apcsynth";
static const char *fluidsynth = "fluidsynth";
static const char *sf;
static unsigned int rate = 48000;
static unsigned int seconds = 30;
static int runs = 3;
static unsigned int latency;
static char tmp[256];

static double now(void)
{
	return (double)apc_now_ns() / 1e9;
}

/* A busy, deterministic piece for the speed test: 16 tracks, one per
 * channel, eighth-note chords at 120 bpm with sustain, bends and pan
 * moves; drums on channel 10. About 70 voices sound at once. */
static int write_load_file(const char *path, unsigned int secs)
{
	unsigned int steps = secs * 4, ch, i;	/* eighth notes at 120 bpm */
	struct probe_smf file = { 0 };
	uint32_t seed = 12345;
	int ret;

	probe_smf_header(&file, 1, 16, 480);
	for (ch = 0; ch < 16; ch++) {
		struct probe_smf trk = { 0 };

		probe_smf_vlq(&trk, 0);
		probe_smf_bytes(&trk, (uint8_t[]){ (uint8_t)(0xc0 | ch),
						   (uint8_t)(ch == 9 ? 0 : (ch * 8 + 1) & 0x7f) }, 2);
		for (i = 0; i < steps; i++) {
			uint8_t key, k2;

			seed = seed * 1103515245u + 12345u;
			key = (uint8_t)(ch == 9 ? 35 + (seed >> 16) % 20 : 36 + (seed >> 16) % 48);
			k2 = (uint8_t)(key + 4);
			probe_smf_vlq(&trk, 0);
			probe_smf_bytes(&trk, (uint8_t[]){ (uint8_t)(0x90 | ch), key, 100 }, 3);
			probe_smf_vlq(&trk, 0);
			probe_smf_bytes(&trk, (uint8_t[]){ k2, 90 }, 2);	/* running status */
			if (i % 8 == 0) {
				probe_smf_vlq(&trk, 0);
				probe_smf_bytes(&trk, (uint8_t[]){ (uint8_t)(0xe0 | ch), 0,
								   (uint8_t)(0x40 + (i / 8) % 8) }, 3);
				probe_smf_vlq(&trk, 0);
				probe_smf_bytes(&trk, (uint8_t[]){ (uint8_t)(0xb0 | ch), 10,
								   (uint8_t)((i * 5) & 0x7f) }, 3);
			}
			probe_smf_vlq(&trk, 220);
			probe_smf_bytes(&trk, (uint8_t[]){ (uint8_t)(0x80 | ch), key, 0 }, 3);
			probe_smf_vlq(&trk, 20);
			probe_smf_bytes(&trk, (uint8_t[]){ k2, 0 }, 2);
		}
		probe_smf_vlq(&trk, 0);
		probe_smf_bytes(&trk, "\xff\x2f\x00", 3);
		if (trk.err && !file.err)
			file.err = trk.err;
		probe_smf_track(&file, trk.p, trk.len);
		probe_smf_free(&trk);
	}
	ret = probe_smf_save(&file, path);
	probe_smf_free(&file);
	return ret;
}

static int run(const char *cmd, double *secs)
{
	double t0 = now();
	int ret = system(cmd);

	*secs = now() - t0;
	return ret;
}

/* Best of `runs` wall times; returns the length of the audio written.
 * fluidsynth -F keeps rendering until every voice has died away, however
 * long the release; apcsynth stops 2 s after the end at most. So both the
 * audio length and the file's own length are reported. */
static double bench_speed(const char *cmd, const char *wav, double *best)
{
	struct probe_wav_info info;
	float *data;
	double t;
	int i;

	*best = 1e30;
	for (i = 0; i < runs; i++) {
		if (run(cmd, &t) != 0) {
			fprintf(stderr, "synth-bench: failed: %s\n", cmd);
			return -1;
		}
		if (t < *best)
			*best = t;
	}
	if (probe_wav_read(wav, &info, &data) < 0)
		return -1;
	free(data);
	return (double)info.frames / info.rate;
}

struct timing {
	int n;
	double mean_abs, max_abs, mean;	/* frames */
	int ok;
};

/* Errors against frame = round(time * rate), after removing the engine's
 * start delay `delay` (both synths use the same libfluidsynth voices, so
 * one calibration from apcsynth's note at frame 0 serves both). With
 * relative set, the first note is the reference instead (sequencer runs,
 * where the start time is unknown). */
static int timing_of(const char *wav, const double *times, int n, int64_t *delay, int relative,
		     struct timing *t)
{
	struct probe_wav_info info;
	uint64_t on[MAX_NOTES];
	float *data;
	size_t found;
	int i;

	memset(t, 0, sizeof(*t));
	if (probe_wav_read(wav, &info, &data) < 0)
		return -1;
	found = probe_onsets_find(data, info.channels, info.frames, 0.0f, info.rate / 10, on,
				  MAX_NOTES);
	free(data);
	if (found != (size_t)n) {
		fprintf(stderr, "synth-bench: %s: %zu onsets, want %d\n", wav, found, n);
		return -1;
	}
	if (*delay < 0)
		*delay = (int64_t)on[0];
	for (i = relative ? 1 : 0; i < n; i++) {
		int64_t want = llround(times[i] * info.rate);
		double e;

		if (relative)
			e = (double)((int64_t)on[i] - (int64_t)on[0]) -
			    (double)(want - llround(times[0] * info.rate));
		else
			e = (double)((int64_t)on[i] - *delay - want);
		t->mean += e;
		t->mean_abs += fabs(e);
		if (fabs(e) > t->max_abs)
			t->max_abs = fabs(e);
		t->n++;
	}
	if (t->n) {
		t->mean /= t->n;
		t->mean_abs /= t->n;
	}
	t->ok = 1;
	return 0;
}

static void print_timing(const char *who, const struct timing *t, const char *cmd)
{
	if (!t->ok) {
		printf("| %-26s | %8s | %8s | %8s | %s\n", who, "-", "-", "-", cmd);
		return;
	}
	printf("| %-26s | %8.1f | %8.1f | %8.1f | %s\n", who, t->mean_abs, t->max_abs, t->mean,
	       cmd);
}

/* One synth on the sequencer path: start it in the background, wait for
 * its client (loading a SoundFont takes seconds in an emulated guest, so
 * no fixed sleep), play the probe into it with aplaymidi, let the last
 * note ring, stop it so that it finalises its WAV. `setup` runs before the
 * synth, `started` and `stop` after it, with its pid in $p; `stop` waits
 * for it and gives its status. */
static int seq_run(const char *setup, const char *start, const char *started, const char *client,
		   const char *stop, const char *probe)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd),
		 "cd '%s' || exit 1; %s %s & p=$!; %s i=0; "
		 "until aplaymidi -l 2>/dev/null | grep -q '%s'; do "
		 "i=$((i + 1)); if [ $i -gt 600 ] || ! kill -0 $p 2>/dev/null; then "
		 "echo 'synth-bench: no sequencer client %s' >&2; kill $p 2>/dev/null; exit 1; fi; "
		 "sleep 0.05; done; "
		 "aplaymidi -p '%s:0' '%s' || { kill $p; exit 1; }; sleep 0.5; %s",
		 tmp, setup, start, started, client, client, client, probe, stop);
	printf("  %s\n", cmd);
	fflush(stdout);
	return system(cmd) == 0 ? 0 : -1;
}

static void sequencer_part(const char *probe, const double *times, int n)
{
	char start[2048], wav_a[300], wav_l[300], wav_f[300], lat[32];
	/* apcsynth -v ends with its counters: events applied, late, dropped. */
	static const char stop_a[] = "kill -TERM $p; wait $p; r=$?; "
				     "sed 's/^/    /' seq-apcsynth.log; exit $r";
	static const char stop_l[] = "kill -TERM $p; wait $p; r=$?; "
				     "sed 's/^/    /' seq-apcsynth-latency.log; exit $r";
	struct timing ta, tl, tf;
	int64_t d = -1;

	printf("\nSequencer (aplaymidi into each synth, WAV out at real-time pace; error vs "
	       "the first note, frames at %u Hz)\n", rate);
	if (access("/dev/snd/seq", R_OK | W_OK) != 0) {
		printf("skipped: no sequencer\n");
		return;
	}
	snprintf(wav_a, sizeof(wav_a), "%s/seq-apcsynth.wav", tmp);
	snprintf(wav_l, sizeof(wav_l), "%s/seq-apcsynth-latency.wav", tmp);
	snprintf(wav_f, sizeof(wav_f), "%s/seq-fluidsynth.wav", tmp);

	/* apcsynth with its default latency (one period), then with -L. */
	snprintf(start, sizeof(start),
		 "'%s' -v -n benchsynth -o '%s' -O float -R 0 -C 0 -r %u -s '%s' 2>seq-apcsynth.log",
		 apcsynth, wav_a, rate, sf);
	if (seq_run("", start, "", "benchsynth", stop_a, probe) < 0 ||
	    timing_of(wav_a, times, n, &d, 1, &ta) < 0)
		memset(&ta, 0, sizeof(ta));
	memset(&tl, 0, sizeof(tl));
	if (latency) {
		snprintf(start, sizeof(start),
			 "'%s' -v -n benchsynth -o '%s' -O float -R 0 -C 0 -r %u -L %u -s '%s' "
			 "2>seq-apcsynth-latency.log", apcsynth, wav_l, rate, latency, sf);
		if (seq_run("", start, "", "benchsynth", stop_l, probe) < 0 ||
		    timing_of(wav_l, times, n, &d, 1, &tl) < 0)
			memset(&tl, 0, sizeof(tl));
	}

	/* fluidsynth's file driver writes at real-time pace, its alsa_seq
	 * driver applies events as they arrive. -i would make it exit at
	 * once, and only its shell's quit closes the file (a signal leaves a
	 * WAV without sizes): the shell reads a FIFO held open on fd 3. */
	snprintf(start, sizeof(start),
		 "'%s' -q -a file -m alsa_seq -o midi.alsa_seq.id=bench "
		 "-o audio.file.name='%s' -o audio.file.type=wav -o audio.file.format=float "
		 "-R 0 -C 0 -r %u '%s' <fs.cmd >seq-fluidsynth.log 2>&1",
		 fluidsynth, wav_f, rate, sf);
	if (seq_run("rm -f fs.cmd; mkfifo fs.cmd || exit 1;", start, "exec 3>fs.cmd;",
		    "FLUID Synth (bench)", "echo quit >&3; exec 3>&-; wait $p", probe) < 0 ||
	    timing_of(wav_f, times, n, &d, 1, &tf) < 0)
		memset(&tf, 0, sizeof(tf));

	snprintf(lat, sizeof(lat), "apcsynth -L %u", latency);
	printf("| %-26s | %8s | %8s | %8s |\n", "synth", "mean|e|", "max|e|", "mean e");
	print_timing("apcsynth (default -L)", &ta, "");
	if (latency)
		print_timing(lat, &tl, "");
	print_timing("fluidsynth -m alsa_seq", &tf, "");
}

static void usage(FILE *fp)
{
	fprintf(fp, "Usage: synth-bench [-s SF2] [-A APCSYNTH] [-f FLUIDSYNTH] [-d SECONDS] "
		    "[-n RUNS] [-r RATE] [-L FRAMES]\n"
		    "Compares apcsynth with fluidsynth: offline render speed and note onset "
		    "timing;\nwith a sequencer, also played through it by aplaymidi (-L: one "
		    "more apcsynth run\nwith that latency).\n");
}

int main(int argc, char **argv)
{
	char load[300], probe[300], wav_a[300], wav_f[300], cmd_a[1024], cmd_f[1024];
	double times[MAX_NOTES], best_a, best_f, xa, xf;
	struct timing ta, tf;
	int64_t delay = -1;
	int c, n, err;
	char *found = NULL;

	while ((c = getopt(argc, argv, "s:A:f:d:n:r:L:h")) != -1) {
		switch (c) {
		case 's':
			sf = optarg;
			break;
		case 'A':
			apcsynth = optarg;
			break;
		case 'f':
			fluidsynth = optarg;
			break;
		case 'd':
			seconds = (unsigned int)atoi(optarg);
			break;
		case 'n':
			runs = atoi(optarg);
			break;
		case 'r':
			rate = (unsigned int)atoi(optarg);
			break;
		case 'L':
			latency = (unsigned int)atoi(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (seconds < 1 || runs < 1 || rate < 8000) {
		usage(stderr);
		return 2;
	}
	if (!sf) {
		found = synth_fluid_find_soundfont(NULL, &err);
		if (!found) {
			fprintf(stderr, "synth-bench: Cannot find a SoundFont: %s\n",
				strerror(-err));
			return 1;
		}
		sf = found;
	}
	snprintf(tmp, sizeof(tmp), "%s/synth-bench.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmp)) {
		fprintf(stderr, "synth-bench: Cannot create a temporary directory: %s\n",
			strerror(errno));
		return 1;
	}
	snprintf(load, sizeof(load), "%s/load.mid", tmp);
	snprintf(probe, sizeof(probe), "%s/probe.mid", tmp);
	snprintf(wav_a, sizeof(wav_a), "%s/apcsynth.wav", tmp);
	snprintf(wav_f, sizeof(wav_f), "%s/fluidsynth.wav", tmp);
	if (write_load_file(load, seconds) < 0 ||
	    (n = probe_timing_write(probe, times, MAX_NOTES)) < 0) {
		fprintf(stderr, "synth-bench: Cannot write the test files in %s\n", tmp);
		return 1;
	}

	printf("SoundFont %s, %u Hz, best of %d runs; files in %s\n\n", sf, rate, runs, tmp);
	printf("Offline render speed (%u s, 16 channels, dense)\n", seconds);
	snprintf(cmd_a, sizeof(cmd_a), "'%s' -F '%s' -r %u -s '%s' '%s'", apcsynth, wav_a, rate,
		 sf, load);
	snprintf(cmd_f, sizeof(cmd_f), "'%s' -q -n -i -F '%s' -T wav -O s16 -r %u '%s' '%s'",
		 fluidsynth, wav_f, rate, sf, load);
	xa = bench_speed(cmd_a, wav_a, &best_a);
	xf = bench_speed(cmd_f, wav_f, &best_f);
	printf("| %-10s | %8s | %8s | %12s | %12s | %s\n", "synth", "wall s", "audio s",
	       "x rt (audio)", "x rt (file)", "command");
	printf("| %-10s | %8.3f | %8.1f | %12.1f | %12.1f | %s\n", "apcsynth", best_a, xa,
	       xa / best_a, seconds / best_a, cmd_a);
	printf("| %-10s | %8.3f | %8.1f | %12.1f | %12.1f | %s\n", "fluidsynth", best_f, xf,
	       xf / best_f, seconds / best_f, cmd_f);

	printf("\nOnset timing, offline (probe: %d notes off the 64-frame grid; error = onset - "
	       "round(t * rate), frames at %u Hz)\n", n, rate);
	snprintf(cmd_a, sizeof(cmd_a), "'%s' -F '%s' -O float -R 0 -C 0 -r %u -s '%s' '%s'",
		 apcsynth, wav_a, rate, sf, probe);
	snprintf(cmd_f, sizeof(cmd_f),
		 "'%s' -q -n -i -F '%s' -T wav -O float -R 0 -C 0 -r %u '%s' '%s'", fluidsynth,
		 wav_f, rate, sf, probe);
	if (system(cmd_a) != 0 || timing_of(wav_a, times, n, &delay, 0, &ta) < 0)
		memset(&ta, 0, sizeof(ta));
	if (system(cmd_f) != 0 || timing_of(wav_f, times, n, &delay, 0, &tf) < 0)
		memset(&tf, 0, sizeof(tf));
	printf("| %-26s | %8s | %8s | %8s | %s\n", "synth", "mean|e|", "max|e|", "mean e",
	       "command");
	print_timing("apcsynth -F", &ta, cmd_a);
	print_timing("fluidsynth -F", &tf, cmd_f);
	printf("(engine start delay %lld frame(s), measured on the note at time 0)\n",
	       (long long)delay);

	sequencer_part(probe, times, n);
	free(found);
	return 0;
}
