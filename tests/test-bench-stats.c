/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of apcbench's pure parts: summaries, percentiles, histogram,
 * matching, patterns, the keys of what the device side parses, the
 * metrics file and the baseline comparison, the pad-to-sound analysis
 * (capture clock, onsets, spacing) and its report. One thread. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "apcdev.h"
#include "bench-baseline.h"
#include "bench-onset.h"
#include "bench-report.h"

static void test_summary_known_set(void **state)
{
	uint64_t v[] = { 5, 1, 4, 2, 3, 10, 9, 8, 7, 6 };
	struct bench_summary s;

	bench_summarize(v, 10, &s);
	assert_int_equal(s.n, 10);
	assert_true(s.min == 1 && s.max == 10);
	assert_true(fabs(s.mean - 5.5) < 1e-9);
	/* population stddev of 1..10 = sqrt(8.25) */
	assert_true(fabs(s.stddev - sqrt(8.25)) < 1e-9);
	assert_true(s.p50 == 5); /* nearest rank: ceil(0.5 * 10) = 5th */
	assert_true(s.p95 == 10 && s.p99 == 10);
	assert_int_equal(v[0], 1); /* sorted in place */
}

static void test_summary_empty_and_one(void **state)
{
	uint64_t v[1] = { 42 };
	struct bench_summary s;

	bench_summarize(v, 0, &s);
	assert_int_equal(s.n, 0);
	assert_true(s.max == 0 && s.mean == 0);
	bench_summarize(v, 1, &s);
	assert_true(s.min == 42 && s.p50 == 42 && s.p99 == 42 && s.stddev == 0);
}

static void test_percentile_table(void **state)
{
	static const struct {
		double p;
		uint64_t want;
	} rows[] = {
		{ 0, 1 }, { 1, 1 }, { 1.01, 2 }, { 50, 50 }, { 95, 95 }, { 99, 99 },
		{ 99.5, 100 }, { 100, 100 },
	};
	uint64_t v[100];
	size_t i;

	for (i = 0; i < 100; i++)
		v[i] = i + 1;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(bench_percentile(v, 100, rows[i].p), rows[i].want);
	assert_int_equal(bench_percentile(v, 0, 50), 0);
}

static void test_median(void **state)
{
	double odd[] = { 3, 1, 2 }, even[] = { 4, 1, 3, 2 };

	assert_true(bench_median(odd, 3) == 2);
	assert_true(bench_median(even, 4) == 2.5);
	assert_true(bench_median(odd, 0) == 0);
}

static void test_hist_edges(void **state)
{
	struct bench_hist h;
	unsigned int k;
	uint64_t total = 0;

	bench_hist_init(&h, 4, 4);
	bench_hist_add(&h, 0);	 /* below lo */
	bench_hist_add(&h, 3.9); /* below lo */
	bench_hist_add(&h, 4);	 /* first bin, its lower edge */
	bench_hist_add(&h, 8);	 /* one octave up: bin 5 */
	bench_hist_add(&h, 1e12); /* overflow bin */
	assert_int_equal(h.count[0], 2);
	assert_int_equal(h.count[1], 1);
	assert_int_equal(h.count[5], 1);
	assert_int_equal(h.count[BENCH_HIST_BINS - 1], 1);
	assert_true(fabs(bench_hist_lower(&h, 5) - 8) < 1e-9);
	assert_true(isinf(bench_hist_upper(&h, BENCH_HIST_BINS - 1)));
	/* nothing is lost, whatever the value */
	for (k = 0; k < 2000; k++)
		bench_hist_add(&h, 4 * pow(1.01, k));
	for (k = 0; k < BENCH_HIST_BINS; k++)
		total += h.count[k];
	assert_int_equal(total, 2005);
}

static void test_hist_bin_contains_value(void **state)
{
	struct bench_hist h;
	unsigned int i, k;

	for (i = 0; i < 500; i++) {
		double v = 4 * pow(1.037, i);

		bench_hist_init(&h, 4, 4);
		bench_hist_add(&h, v);
		for (k = 0; k < BENCH_HIST_BINS; k++)
			if (h.count[k])
				break;
		assert_true(v >= bench_hist_lower(&h, k));
		assert_true(v < bench_hist_upper(&h, k));
	}
}

static void test_match_in_order(void **state)
{
	uint32_t sk[] = { 10, 11, 12, 13 }, rk[] = { 10, 11, 12, 13 };
	uint64_t st[] = { 100, 200, 300, 400 }, rt[] = { 150, 260, 370, 480 }, lat[4];
	size_t idx[4];
	struct bench_match_result r;

	bench_match(sk, st, 4, rk, rt, 4, 100, 0, lat, idx, &r);
	assert_int_equal(r.matched, 4);
	assert_int_equal(r.lost, 0);
	assert_int_equal(r.unexpected, 0);
	assert_int_equal(lat[0], 50);
	assert_int_equal(lat[3], 80);
	assert_int_equal(idx[2], 2);
}

static void test_match_loss_and_strays(void **state)
{
	/* 11 and 13 lost on the way, 99 never sent, 14 sent and not seen */
	uint32_t sk[] = { 10, 11, 12, 13, 14 }, rk[] = { 10, 99, 12 };
	uint64_t st[] = { 1, 2, 3, 4, 5 }, rt[] = { 10, 11, 12 }, lat[3];
	size_t idx[3];
	struct bench_match_result r;

	bench_match(sk, st, 5, rk, rt, 3, 100, 0, lat, idx, &r);
	assert_int_equal(r.matched, 2);
	assert_int_equal(r.unexpected, 1);
	assert_int_equal(r.lost, 3);
	assert_int_equal(idx[1], 2);
	assert_int_equal(lat[1], 9);
}

static void test_match_window_and_repeats(void **state)
{
	/* keys repeat with a period: the nearest one ahead is taken */
	uint32_t sk[] = { 1, 2, 1, 2 }, rk[] = { 2, 1, 2 };
	uint64_t st[] = { 0, 0, 0, 0 }, rt[] = { 1, 1, 1 }, lat[3];
	size_t idx[3];
	struct bench_match_result r;

	bench_match(sk, st, 4, rk, rt, 3, 1, 0, lat, idx, &r);
	/* window 1: only the next sent one is looked at, so the first
	 * received (2) is a stray and the others match sent 0 and 1 */
	assert_int_equal(r.matched, 2);
	assert_int_equal(r.unexpected, 1);
	assert_int_equal(r.lost, 2);
	assert_int_equal(idx[0], 0);
	bench_match(sk, st, 4, rk, rt, 3, 3, 0, lat, idx, &r);
	assert_int_equal(r.matched, 3);
	assert_int_equal(r.lost, 1);
	assert_int_equal(idx[0], 1);
	assert_int_equal(idx[2], 3);
}

static void test_match_reordered_streams(void **state)
{
	/* two controllers: A sends 10, 11, 12 and B 20, 21, 22, interleaved;
	 * each arrives in order, B ahead of A */
	uint32_t sk[] = { 10, 20, 11, 21, 12, 22 }, rk[] = { 20, 21, 10, 22, 11, 12 };
	uint64_t st[] = { 0, 1, 2, 3, 4, 5 }, rt[] = { 10, 11, 12, 13, 14, 15 }, lat[6];
	size_t idx[6];
	struct bench_match_result r;

	/* in order only: what came behind is stray, its sent one lost */
	bench_match(sk, st, 6, rk, rt, 6, 100, 0, lat, idx, &r);
	assert_int_equal(r.matched, 3);
	assert_int_equal(r.unexpected, 3);
	assert_int_equal(r.lost, 3);
	/* reordering allowed: all of them, each with its own send stamp */
	bench_match(sk, st, 6, rk, rt, 6, 100, 8, lat, idx, &r);
	assert_int_equal(r.matched, 6);
	assert_int_equal(r.unexpected, 0);
	assert_int_equal(r.lost, 0);
	assert_int_equal(idx[2], 0);
	assert_int_equal(lat[2], 12);
	assert_int_equal(idx[4], 2);
	assert_int_equal(idx[5], 4);
	assert_int_equal(lat[5], 11);
}

static void test_match_reorder_bounded(void **state)
{
	/* 10 arrives five behind the last one matched: beyond a reorder of
	 * 1 it is a stray; with 5 it matches, and a repeated key takes the
	 * nearest unmatched one */
	uint32_t sk[] = { 10, 20, 11, 21, 12, 22 }, rk[] = { 20, 21, 22, 10 };
	uint32_t sk2[] = { 7, 8, 7, 9 }, rk2[] = { 9, 7, 7 };
	uint64_t st[] = { 0, 0, 0, 0, 0, 0 }, rt[] = { 1, 1, 1, 1 }, lat[4];
	size_t idx[4];
	struct bench_match_result r;

	bench_match(sk, st, 6, rk, rt, 4, 100, 1, lat, idx, &r);
	assert_int_equal(r.matched, 3);
	assert_int_equal(r.unexpected, 1);
	assert_int_equal(r.lost, 3);
	bench_match(sk, st, 6, rk, rt, 4, 100, 5, lat, idx, &r);
	assert_int_equal(r.matched, 4);
	assert_int_equal(r.lost, 2);
	assert_int_equal(idx[3], 0);
	bench_match(sk2, st, 4, rk2, rt, 3, 100, 4, lat, idx, &r);
	assert_int_equal(r.matched, 3);
	assert_int_equal(idx[1], 2);
	assert_int_equal(idx[2], 0);
	assert_int_equal(r.lost, 1);
}

/* An identity reply, whoever sends it, has the identity key; the
 * request's bytes as a pattern sysex do not. */
static void test_identity_key(void **state)
{
	static const uint8_t mk1[] = { 0xf0, 0x7e, 0x00, 0x06, 0x02, 0x47, 0x28, 0xf7 };
	static const uint8_t any[] = { 0xf0, 0x7e, 0x7f, 0x06, 0x02, 0x00, 0xf7 };
	static const uint8_t other[] = { 0xf0, 0x7e, 0x00, 0x09, 0x01, 0xf7 };
	static const uint8_t pat[] = { 0xf0, 0x7d, 0x01, 0x02, 0xf7 };

	assert_int_equal(bench_key_of_msg(mk1, sizeof(mk1)), BENCH_KEY_IDENTITY);
	assert_int_equal(bench_key_of_msg(any, 4), BENCH_KEY_IDENTITY);
	assert_int_equal(bench_key_of_msg(other, sizeof(other)), 0);
	assert_true(bench_key_of_msg(pat, sizeof(pat)) != BENCH_KEY_IDENTITY);
	assert_true(bench_key_of_msg(pat, sizeof(pat)) != 0);
}

static void test_match_clamps_negative(void **state)
{
	uint32_t k = 5;
	uint64_t st = 100, rt = 50, lat;
	struct bench_match_result r;

	bench_match(&k, &st, 1, &k, &rt, 1, 1, 0, &lat, NULL, &r);
	assert_int_equal(r.matched, 1);
	assert_int_equal(lat, 0);
}

static void test_patterns_unique_within_period(void **state)
{
	static const enum bench_pattern pats[] = { BENCH_PAT_NOTE, BENCH_PAT_CC, BENCH_PAT_SYSEX };
	size_t p, i, j;

	for (p = 0; p < 3; p++) {
		size_t period = bench_pattern_period(pats[p]);
		/* every key differs from the next period - 1 ones */
		for (i = 0; i < 300; i++)
			for (j = 1; j < period && j < 2000; j++)
				assert_true(bench_pattern_key(pats[p], i) !=
					    bench_pattern_key(pats[p], i + j));
		assert_int_equal(bench_pattern_key(pats[p], 7),
				 bench_pattern_key(pats[p], 7 + period));
	}
}

static void test_patterns_are_apc_controls(void **state)
{
	uint8_t m[300];
	uint64_t i;

	for (i = 0; i < bench_pattern_period(BENCH_PAT_NOTE); i++) {
		assert_int_equal(bench_pattern_msg(BENCH_PAT_NOTE, i, 0, m), 3);
		assert_true(m[0] == 0x90 || m[0] == 0x80);
		assert_true(m[1] < 64);
		assert_true(m[2] >= 1 && m[2] <= 127);
		assert_int_equal(bench_key_of_msg(m, 3), bench_pattern_key(BENCH_PAT_NOTE, i));
	}
	for (i = 0; i < bench_pattern_period(BENCH_PAT_CC); i++) {
		bench_pattern_msg(BENCH_PAT_CC, i, 0, m);
		assert_true(m[0] == 0xb0 && m[1] >= 48 && m[1] <= 56 && m[2] < 128);
	}
	assert_int_equal(bench_pattern_msg(BENCH_PAT_SYSEX, 300, 256, m), 256);
	assert_int_equal(m[0], 0xf0);
	assert_int_equal(m[255], 0xf7);
	for (i = 1; i < 255; i++)
		assert_true(m[i] < 0x80);
	assert_int_equal(bench_key_of_msg(m, 256), bench_pattern_key(BENCH_PAT_SYSEX, 300));
	/* a sysex that is not ours has no key */
	m[1] = 0x47;
	assert_int_equal(bench_key_of_msg(m, 256), 0);
}

/* The device side parses what the host sends with the core's apcdev; the
 * keys it records must be the ones the patterns make. */
struct dev_seen {
	size_t lens[8];
	uint32_t keys[8];
	size_t n;
};

static void dev_msg(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
	struct dev_seen *d = user;

	if (msg[0] >= 0xf8) /* realtime: the device side counts it, no key */
		return;
	if (d->n < 8) {
		d->lens[d->n] = len;
		d->keys[d->n++] = bench_key_of_msg(msg, len);
	}
}

static void dev_send(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
}

static void test_device_parse_keys(void **state)
{
	static const uint8_t in[] = {
		0x90, 0x01, 0x02,	/* note-on */
		0x03, 0x04,		/* running status */
		0xf8,			/* realtime, dropped */
		0xf0, 0x7d, 0x01, 0xf8, 0x02, 0xf7, /* sysex with realtime inside */
		0x05,			/* stray data after sysex: no running status */
		0xb0, 0x30, 0x7f,
	};
	static struct apcdev dev;
	struct dev_seen d = { 0 };
	size_t i;

	apcdev_init(&dev, &apc_model_mk1, dev_send, dev_msg, &d);
	for (i = 0; i < sizeof(in); i++)
		apcdev_input(&dev, 0, &in[i], 1);
	assert_int_equal(d.n, 4);
	assert_int_equal(d.keys[0], 0x900102);
	assert_int_equal(d.keys[1], 0x900304);
	assert_int_equal(d.lens[2], 5);
	assert_int_equal(d.keys[2], 0xf0u << 16 | 1 << 7 | 2);
	assert_int_equal(d.keys[3], 0xb0307f);
}

static void test_worsening(void **state)
{
	assert_true(fabs(bench_worsening_pct(100, 120, -1) - 20) < 1e-9); /* latency up */
	assert_true(fabs(bench_worsening_pct(100, 80, -1) + 20) < 1e-9);
	assert_true(fabs(bench_worsening_pct(1000, 900, 1) - 10) < 1e-9); /* rate down */
	assert_true(bench_worsening_pct(0, 5, -1) == 0);
	assert_true(bench_worsening_pct(5, -1, -1) == 0);
}

struct seen {
	char names[8][64];
	double v[8];
	int better[8];
	int n;
};

static void collect(void *user, const char *name, double v, int better)
{
	struct seen *s = user;

	if (s->n < 8) {
		snprintf(s->names[s->n], sizeof(s->names[s->n]), "%s", name);
		s->better[s->n] = better;
		s->v[s->n++] = v;
	}
}

static void test_metrics_file(void **state)
{
	static struct bench_run run;
	struct bench_path_result *p = &run.path[0];
	char path[] = "/tmp/test-bench-stats-XXXXXX";
	struct seen s = { 0 };
	FILE *f;
	int fd;

	run.npath = 1;
	snprintf(p->name, sizeof(p->name), "kernel");
	p->repaint64.reps = 3;
	p->repaint64.median_us = 812.5;
	p->nrate = 1;
	p->rate[0] = (struct bench_rate){ .offered = 1000, .recv_rate = 999.25, .sent = 10,
					  .received = 10 };
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(bench_report_metrics(path, &run), 0);
	assert_int_equal(bench_baseline_read(path, collect, &s), 3);
	assert_string_equal(s.names[0], "kernel.throughput.max_per_s");
	assert_true(s.v[0] == 999.25);
	assert_int_equal(s.better[0], 1);
	assert_string_equal(s.names[2], "kernel.repaint64_us");
	assert_true(s.v[2] == 812.5);
	assert_int_equal(s.better[2], -1);

	/* the same run against itself is not worse; a slower one is */
	f = tmpfile();
	assert_non_null(f);
	assert_int_equal(bench_baseline_compare(f, path, 10, &run), 0);
	p->repaint64.median_us = 1000;
	assert_int_equal(bench_baseline_compare(f, path, 10, &run), 1);
	fclose(f);

	/* anything but NAME<TAB>VALUE<TAB>BETTER lines is refused */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"metrics\": {\"a\": 1}}\n", f);
	fclose(f);
	assert_int_equal(bench_baseline_read(path, collect, &s), -EINVAL);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("a\t1\t0\n", f);
	fclose(f);
	assert_int_equal(bench_baseline_read(path, collect, &s), -EINVAL);
	assert_int_equal(bench_baseline_read("/nonexistent/apcbench.metrics", collect, &s),
			 -ENOENT);
	unlink(path);
}

static void test_metrics_roundtrip(void **state)
{
	static struct bench_run run;
	struct bench_path_result *p = &run.path[0];
	struct seen s = { 0 };

	run.npath = 1;
	snprintf(p->name, sizeof(p->name), "kernel");
	p->repaint64.reps = 3;
	p->repaint64.median_us = 900;
	p->nrate = 2;
	p->rate[0] = (struct bench_rate){ .offered = 1000, .recv_rate = 999, .sent = 10,
					  .received = 10 };
	p->rate[1] = (struct bench_rate){ .offered = 9000, .recv_rate = 5000, .sent = 90,
					  .received = 50, .lost = 40 };
	bench_metrics(&run, collect, &s);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.names[0], "kernel.throughput.max_per_s");
	assert_true(s.v[0] == 5000);
	assert_string_equal(s.names[1], "kernel.throughput.max_lossless_per_s");
	assert_true(s.v[1] == 999);
	assert_string_equal(s.names[2], "kernel.repaint64_us");
}

/* The round trip is a latency row like the one-way ones: its p50, p99,
 * mean and stddev reach the metrics (so JSON and --baseline) and the table
 * prints it beside the input rows. */
static void test_roundtrip_report(void **state)
{
	static struct bench_run run;
	struct bench_path_result *p = &run.path[0];
	struct bench_latency *l = &p->lat[0];
	uint64_t v[4] = { 1000000, 2000000, 3000000, 4000000 };
	struct seen s = { 0 };
	char buf[16384];
	FILE *f;
	size_t n;

	run.npath = 1;
	snprintf(p->name, sizeof(p->name), "apcminid");
	p->nlat = 1;
	snprintf(l->name, sizeof(l->name), "roundtrip");
	l->measured = 1;
	bench_summarize(v, 4, &l->s);
	bench_metrics(&run, collect, &s);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.names[0], "apcminid.latency.roundtrip.p50_us");
	assert_true(s.v[0] == 2000);
	assert_string_equal(s.names[1], "apcminid.latency.roundtrip.p99_us");
	assert_true(s.v[1] == 4000);
	assert_string_equal(s.names[3], "apcminid.latency.roundtrip.stddev_us");
	assert_true(fabs(s.v[3] - sqrt(1.25e6)) < 1e-6);
	assert_int_equal(s.better[3], -1);

	f = tmpfile();
	assert_non_null(f);
	bench_report_table(f, &run);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	assert_non_null(strstr(buf, "round trip p50 (us)"));
	assert_non_null(strstr(buf, "2000.0"));
	assert_non_null(strstr(buf, "round trip stddev (us)"));
}

/* ---- pad to sound ---- */

static void test_clock_steady(void **state)
{
	/* 64 frames every 1333333 ns from t = 1 s: frame f is in at
	 * 1 s + (f + 1) / 48 kHz */
	struct bench_clock_pt p[10];
	unsigned int i;

	for (i = 0; i < 10; i++) {
		p[i].h = 64 * (i + 1);
		p[i].t = 1000000000ull + (uint64_t)(64 * (i + 1)) * 1000000000ull / 48000;
	}
	assert_true(fabs(bench_clock_time_of(p, 10, 48000, 0) - (1e9 + 1e9 / 48000)) < 2);
	assert_true(fabs(bench_clock_time_of(p, 10, 48000, 100) - (1e9 + 101 * 1e9 / 48000)) < 2);
	assert_true(bench_clock_time_of(p, 10, 48000, 640) == 0); /* not captured yet */
	assert_int_equal(bench_clock_frame_at(p, 10, 48000, 1000000000ull + 2104166), 100);
	assert_int_equal(bench_clock_frame_at(p, 10, 48000, 999000000ull), 0);
	assert_int_equal(bench_clock_frame_at(p, 10, 48000, 2000000000ull), -1);
	assert_true(fabs(bench_clock_ratio(p, 10, 48000) - 1) < 1e-6);
}

static void test_clock_behind(void **state)
{
	/* a stall: frames 64..127 seen only 10 ms after 0..63 */
	struct bench_clock_pt p[] = {
		{ 64, 1000000000ull }, { 128, 1011333333ull }, { 192, 1012666666ull },
	};

	/* frames 64..127 take the time of the status that first saw them */
	assert_true(fabs(bench_clock_time_of(p, 3, 48000, 127) - 1011333333.0) < 1);
	assert_true(fabs(bench_clock_time_of(p, 3, 48000, 64) - (1011333333.0 - 63e9 / 48000)) < 1);
	/* a time inside the stall maps to the first frame not yet seen */
	assert_int_equal(bench_clock_frame_at(p, 3, 48000, 1005000000ull), 64);
	assert_true(bench_clock_ratio(p, 3, 48000) < 0.25);
	assert_true(bench_clock_ratio(p, 1, 48000) == 0);
}

static void test_onset_find(void **state)
{
	float env[200];
	unsigned int i;

	for (i = 0; i < 200; i++)
		env[i] = i < 50 ? 0.02f * (50 - i) / 50 : 0.001f; /* a decaying tail */
	env[120] = 0.002f; /* below 3 x background and the level */
	env[150] = 0.2f;
	env[151] = 0.3f;
	/* background of the 10 frames before 100: 0.001 -> threshold 0.003 */
	assert_int_equal(bench_onset_find(env, 200, 100, 200, 10, 0.003f, 3), 150);
	/* window ends before it */
	assert_int_equal(bench_onset_find(env, 200, 100, 150, 10, 0.003f, 3), -1);
	/* a loud tail before `from` raises the bar: 3 x 0.02 ... */
	env[5] = 0.25f;
	assert_int_equal(bench_onset_find(env, 200, 10, 200, 10, 0.003f, 3), -1);
	assert_int_equal(bench_onset_find(env, 200, 10, 200, 4, 0.003f, 3), 150);
	assert_int_equal(bench_onset_find(env, 200, 210, 300, 10, 0.003f, 3), -1);
}

static void test_spacing(void **state)
{
	uint64_t a = 7, b = 7, v, lo = UINT64_MAX, hi = 0;
	unsigned int i, same = 0;

	for (i = 0; i < 1000; i++) {
		v = bench_spacing_ns(&a, 300000000, 100000000);
		assert_true(v == bench_spacing_ns(&b, 300000000, 100000000)); /* repeatable */
		assert_true(v >= 300000000 && v < 400000000);
		if (v % 1333333 == 0)
			same++;
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	assert_true(hi - lo > 90000000); /* spread over the span */
	assert_true(same < 5);		 /* not locked to a 64-frame period */
}

static void test_sound_report(void **state)
{
	static struct bench_run run;
	char dir[] = "/tmp/test-bench-sound-XXXXXX", file[64], line[512];
	struct bench_sound_chain *c;
	FILE *f;
	int found = 0;

	memset(&run, 0, sizeof(run));
	assert_non_null(mkdtemp(dir));
	run.sound.measured = 1;
	run.sound.rounds = 2;
	run.sound.nchain = 1;
	c = &run.sound.chain[0];
	snprintf(c->name, sizeof(c->name), "apcminid-synth");
	c->presses = 10, c->onsets = 9, c->no_onset = 1;
	c->s.n = 9, c->s.min = 4e6, c->s.p50 = 5e6, c->s.p99 = 7e6, c->s.max = 7e6;
	c->s.stddev = 1e6, c->p1_ns = 4e6;
	c->round_p50_ns[0] = 5e6, c->round_p50_ns[1] = -1;
	c->lat_ms[0] = 4, c->lat_ms[1] = 5, c->nlat = 2;
	snprintf(file, sizeof(file), "%s/a.json", dir);
	assert_int_equal(bench_report_json(file, &run), 0);
	f = fopen(file, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "\"round_p50_ms\": [5.000, null]"))
			found++;
	fclose(f);
	unlink(file);
	assert_int_equal(found, 1);
	snprintf(file, sizeof(file), "%s/a.metrics", dir);
	assert_int_equal(bench_report_metrics(file, &run), 0);
	f = fopen(file, "r");
	assert_non_null(f);
	found = 0;
	while (fgets(line, sizeof(line), f))
		if (!strcmp(line, "sound.apcminid-synth.jitter_p99_p1_us\t3000\t-1\n"))
			found++;
	fclose(f);
	unlink(file);
	assert_int_equal(found, 1);
	assert_int_equal(bench_report_plotdata(dir, &run), 0);
	snprintf(file, sizeof(file), "%s/sound-apcminid-synth.dat", dir);
	f = fopen(file, "r");
	assert_non_null(f);
	found = 0;
	while (fgets(line, sizeof(line), f))
		if (!strcmp(line, "5.0000 1.000000\n"))
			found++;
	fclose(f);
	assert_int_equal(found, 1);
	snprintf(line, sizeof(line), "rm -rf '%s'", dir);
	assert_int_equal(system(line), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary_known_set),
		cmocka_unit_test(test_summary_empty_and_one),
		cmocka_unit_test(test_percentile_table),
		cmocka_unit_test(test_median),
		cmocka_unit_test(test_hist_edges),
		cmocka_unit_test(test_hist_bin_contains_value),
		cmocka_unit_test(test_match_in_order),
		cmocka_unit_test(test_match_loss_and_strays),
		cmocka_unit_test(test_match_window_and_repeats),
		cmocka_unit_test(test_match_reordered_streams),
		cmocka_unit_test(test_match_reorder_bounded),
		cmocka_unit_test(test_identity_key),
		cmocka_unit_test(test_match_clamps_negative),
		cmocka_unit_test(test_patterns_unique_within_period),
		cmocka_unit_test(test_patterns_are_apc_controls),
		cmocka_unit_test(test_device_parse_keys),
		cmocka_unit_test(test_worsening),
		cmocka_unit_test(test_metrics_file),
		cmocka_unit_test(test_metrics_roundtrip),
		cmocka_unit_test(test_roundtrip_report),
		cmocka_unit_test(test_clock_steady),
		cmocka_unit_test(test_clock_behind),
		cmocka_unit_test(test_onset_find),
		cmocka_unit_test(test_spacing),
		cmocka_unit_test(test_sound_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
