/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checker for the guest's synth scenarios (one thread): writes the timing
 * probe, and checks a WAV that apcsynth recorded (header, onsets, spacing). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe-onset.h"
#include "probe-pitch.h"
#include "probe-wav.h"
#include "synth-fluid.h"

#define MAX_NOTES 256

static const char usage_text[] =
	"Usage: synth-wavcheck -S\n"
	"       synth-wavcheck -P FILE.mid\n"
	"       synth-wavcheck [-g MS] [-n COUNT] [-e TIMES] [-t MS] [-m MS] [-p PEAK] [-l LEVEL]\n"
	"                      [-N NOTES] FILE.wav\n"
	"\n"
	"  -S, --soundfont       print the SoundFont apcsynth would load (exit 77:\n"
	"                        none)\n"
	"  -P, --probe=FILE.mid  write the timing probe, print its note times (s)\n"
	"  -g, --gap=MS          silence before an onset (default 100)\n"
	"  -n, --count=N         want exactly N onsets\n"
	"  -e, --expect=FILE     note times in seconds, one a line; the onsets must\n"
	"                        be spaced as they are (err: each onset's offset\n"
	"                        from its time less the median offset of all)\n"
	"  -t, --tolerance=MS    largest spacing error allowed with -e (default:\n"
	"                        report only)\n"
	"  -m, --median=MS       largest median of the absolute spacing errors\n"
	"  -p, --peak=LEVEL      want a peak of at least LEVEL (default 0.001)\n"
	"  -l, --level=LEVEL     an onset is the first sample above LEVEL after the\n"
	"                        gap (default 0: any sound)\n"
	"  -N, --notes=N,N,...   the MIDI note each onset must sound (pitch detected\n"
	"                        50 ms after the onset; \"-\" prints them unchecked)\n"
	"  -h, --help\n"
	"\n"
	"The WAV's header must agree with the file's length (finalised on close).\n"
	"Exit: 0 all checks passed, 1 a check failed, 2 usage.\n";

static int usage_error(const char *msg)
{
	fprintf(stderr, "synth-wavcheck: %s\n%s", msg, usage_text);
	return 2;
}

static int read_times(const char *path, double *t, size_t max)
{
	FILE *fp = fopen(path, "r");
	size_t n = 0;
	double v;

	if (!fp)
		return -errno;
	while (fscanf(fp, "%lf", &v) == 1) {
		if (n == max) {
			fclose(fp);
			return -E2BIG;
		}
		t[n++] = v;
	}
	fclose(fp);
	return (int)n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int write_probe(const char *path)
{
	double times[MAX_NOTES];
	int n = probe_timing_write(path, times, MAX_NOTES), i;

	if (n < 0) {
		fprintf(stderr, "synth-wavcheck: Cannot write %s: %s\n", path, strerror(-n));
		return 1;
	}
	for (i = 0; i < n; i++)
		printf("%.9f\n", times[i]);
	return 0;
}

/* "60,62,-" -> notes (-1 for "-"); returns how many, or -1. */
static int read_notes(const char *list, int *notes, int max)
{
	const char *p = list;
	char *end;
	long v;
	int n = 0;

	while (*p) {
		if (n == max)
			return -1;
		if (*p == '-') {
			notes[n++] = -1;
			end = (char *)p + 1;
		} else {
			v = strtol(p, &end, 10);
			if (end == p || v < 0 || v > 127)
				return -1;
			notes[n++] = (int)v;
		}
		if (*end != ',' && *end)
			return -1;
		p = *end ? end + 1 : end;
	}
	return n;
}

static int print_soundfont(void)
{
	int err;
	char *sf = synth_fluid_find_soundfont(NULL, &err);

	if (!sf) {
		fprintf(stderr, "synth-wavcheck: no SoundFont: %s\n", strerror(-err));
		return 77;
	}
	printf("%s\n", sf);
	free(sf);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "soundfont", no_argument, NULL, 'S' },
		{ "probe", required_argument, NULL, 'P' },
		{ "gap", required_argument, NULL, 'g' },
		{ "count", required_argument, NULL, 'n' },
		{ "expect", required_argument, NULL, 'e' },
		{ "tolerance", required_argument, NULL, 't' },
		{ "median", required_argument, NULL, 'm' },
		{ "peak", required_argument, NULL, 'p' },
		{ "level", required_argument, NULL, 'l' },
		{ "notes", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *probe = NULL, *expect = NULL, *path;
	double gap_ms = 100, tol_ms = -1, med_ms = -1, want_peak = 0.001, peak = 0, level = 0;
	double times[MAX_NOTES], errs[MAX_NOTES], offset = 0;
	size_t ne = 0;
	uint64_t on[MAX_NOTES];
	struct probe_wav_info info;
	float *data;
	size_t found, i;
	int c, want_n = -1, nt = 0, bad = 0, ret, find_sf = 0;
	int notes[MAX_NOTES], nn = -1, heard[MAX_NOTES];

	while ((c = getopt_long(argc, argv, "SP:g:n:e:t:m:p:l:N:h", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			find_sf = 1;
			break;
		case 'P':
			probe = optarg;
			break;
		case 'g':
			gap_ms = atof(optarg);
			break;
		case 'n':
			want_n = atoi(optarg);
			break;
		case 'e':
			expect = optarg;
			break;
		case 't':
			tol_ms = atof(optarg);
			break;
		case 'm':
			med_ms = atof(optarg);
			break;
		case 'p':
			want_peak = atof(optarg);
			break;
		case 'l':
			level = atof(optarg);
			break;
		case 'N':
			nn = read_notes(optarg, notes, MAX_NOTES);
			if (nn < 1)
				return usage_error("notes: want MIDI notes 0-127 or '-', comma-separated");
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return usage_error("bad option");
		}
	}
	if (find_sf)
		return optind == argc ? print_soundfont() : usage_error("unexpected argument");
	if (probe)
		return optind == argc ? write_probe(probe) : usage_error("unexpected argument");
	if (optind != argc - 1)
		return usage_error("want one WAV file");
	if (gap_ms <= 0)
		return usage_error("the gap must be positive");
	path = argv[optind];

	if (expect) {
		nt = read_times(expect, times, MAX_NOTES);
		if (nt < 1) {
			fprintf(stderr, "synth-wavcheck: Cannot read note times from %s: %s\n",
				expect, nt < 0 ? strerror(-nt) : "no times");
			return 1;
		}
		if (want_n < 0)
			want_n = nt;
	}

	ret = probe_wav_read(path, &info, &data);
	if (ret < 0) {
		fprintf(stderr, "synth-wavcheck: Cannot read %s: %s\n", path, strerror(-ret));
		return 1;
	}
	if (!info.finalised) {
		fprintf(stderr, "synth-wavcheck: %s: the header's sizes do not reach the end "
			"of the file: not finalised\n", path);
		bad++;
	}
	for (i = 0; i < info.frames * info.channels; i++)
		if (fabs(data[i]) > peak)
			peak = fabs(data[i]);
	/* Level 0 (the default): the first sample a voice makes, which needs
	 * float output of a dry synth to be exact; 16-bit output rounds the
	 * tails to 0. A recording of an audio device carries the driver's
	 * dither (a few LSB): -l sets the level above it. */
	found = probe_onsets_find(data, info.channels, info.frames, (float)level,
				  (uint64_t)(gap_ms * info.rate / 1000), on, MAX_NOTES);
	/* Past the attack, where the partials have settled. */
	for (i = 0; i < found && i < MAX_NOTES && nn > 0; i++)
		heard[i] = probe_pitch_note(probe_pitch_hz(data, info.channels, info.frames,
							   on[i] + info.rate / 20, info.rate));
	free(data);
	printf("%s: %u Hz, %u channel(s), %s, %llu frames (%.3f s), peak %.4f, %zu onset(s)\n",
	       path, info.rate, info.channels, info.is_float ? "float" : "16-bit",
	       (unsigned long long)info.frames, (double)info.frames / info.rate, peak, found);
	if (found > MAX_NOTES)
		found = MAX_NOTES;

	printf("%5s %10s %12s %10s", "onset", "frame", "time s", "+first ms");
	if (nt)
		printf(" %10s %9s", "want ms", "err ms");
	if (nn > 0)
		printf(" %5s %5s", "note", "want");
	printf("\n");
	/* The reference: the median of every note's offset from its time in
	 * the file, so that one note delivered late (the first one
	 * included) moves only itself. */
	for (i = 0; i < found && i < (size_t)nt; i++)
		errs[i] = (double)on[i] * 1000.0 / info.rate - times[i] * 1000.0;
	if (i) {
		qsort(errs, i, sizeof(errs[0]), cmp_double);
		offset = i % 2 ? errs[i / 2] : (errs[i / 2 - 1] + errs[i / 2]) / 2;
	}
	for (i = 0; i < found; i++) {
		double rel = (double)(on[i] - on[0]) * 1000.0 / info.rate;

		printf("%5zu %10llu %12.6f %10.3f", i, (unsigned long long)on[i],
		       (double)on[i] / info.rate, rel);
		if (i < (size_t)nt) {
			double want = (times[i] - times[0]) * 1000.0;
			double e = (double)on[i] * 1000.0 / info.rate - times[i] * 1000.0 - offset;
			int out = tol_ms >= 0 && fabs(e) > tol_ms;

			printf(" %10.3f %+9.3f%s", want, e, out ? "  <-- out of tolerance" : "");
			if (out)
				bad++;
			errs[ne++] = fabs(e);
		}
		if (nn > 0) {
			int w = i < (size_t)nn ? notes[i] : -1, out = w >= 0 && heard[i] != w;
			char want[12] = "-";

			if (w >= 0)
				snprintf(want, sizeof(want), "%d", w);
			printf(" %5d %5s%s", heard[i], want, out ? "  <-- wrong note" : "");
			if (out)
				bad++;
		}
		printf("\n");
	}
	if (ne) {
		double med;

		qsort(errs, ne, sizeof(errs[0]), cmp_double);
		med = ne % 2 ? errs[ne / 2] : (errs[ne / 2 - 1] + errs[ne / 2]) / 2;
		printf("spacing error |e|: median %.3f ms, max %.3f ms over %zu note(s)\n", med,
		       errs[ne - 1], ne);
		if (med_ms >= 0 && med > med_ms) {
			fprintf(stderr, "synth-wavcheck: median spacing error %.3f ms, want at "
				"most %.3f ms\n", med, med_ms);
			bad++;
		}
	}
	if (want_n < 0 && nn > 0 && notes[nn - 1] >= 0)
		want_n = nn;
	if (want_n >= 0 && found != (size_t)want_n) {
		fprintf(stderr, "synth-wavcheck: %zu onset(s), want %d\n", found, want_n);
		bad++;
	}
	if (peak < want_peak) {
		fprintf(stderr, "synth-wavcheck: peak %.6f, want at least %.6f (silent)\n", peak,
			want_peak);
		bad++;
	}
	return bad ? 1 : 0;
}
