/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests (one thread) of the streaming SMF reader on files the tests'
 * SMF writer builds: formats 0 and 1, running status, tempo maps, meta and
 * sysex events, SMPTE time, and truncated or corrupt files answered with an
 * error that says what is wrong. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "probe-smf.h"
#include "synth-smf.h"

/* Files are built with the tests' one SMF writer (probe-smf); only the
 * corrupt ones below, whose chunk structure itself is broken, are bytes. */
static void b_put(struct probe_smf *b, const void *p, size_t n)
{
	probe_smf_bytes(b, p, n);
	assert_int_equal(b->err, 0);
}

static char *write_tmp(const struct probe_smf *b)
{
	const char *dir = getenv("TMPDIR");
	char *path = malloc(512);
	int fd;

	assert_non_null(path);
	snprintf(path, 512, "%s/test-synth-smf-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(b->err, 0);
	assert_int_equal(write(fd, b->p, b->len), (ssize_t)b->len);
	close(fd);
	return path;
}

struct want_ev {
	uint64_t tick;
	double time;
	unsigned int track;
	uint8_t status, meta, d0, d1;
	uint32_t len;
};

static void check_events(const struct probe_smf *b, const struct want_ev *want, size_t n)
{
	char *path = write_tmp(b), err[256];
	struct synth_smf *smf;
	struct synth_smf_event ev;
	size_t i;

	assert_int_equal(synth_smf_open(path, &smf, err, sizeof(err)), 0);
	for (i = 0; i < n; i++) {
		int ret = synth_smf_next(smf, &ev);

		if (ret != 1)
			fail_msg("event %zu: got %d (%s)", i, ret, synth_smf_strerror(smf));
		assert_int_equal(ev.tick, want[i].tick);
		assert_int_equal(ev.track, want[i].track);
		assert_int_equal(ev.status, want[i].status);
		if (ev.status == 0xff)
			assert_int_equal(ev.meta, want[i].meta);
		if (ev.status < 0xf0) {
			assert_int_equal(ev.data[0], want[i].d0);
			if (ev.size == 3)
				assert_int_equal(ev.data[1], want[i].d1);
		} else {
			assert_int_equal(ev.len, want[i].len);
		}
		if (ev.time < want[i].time - 1e-9 || ev.time > want[i].time + 1e-9)
			fail_msg("event %zu: time %.9f, want %.9f", i, ev.time, want[i].time);
	}
	assert_int_equal(synth_smf_next(smf, &ev), 0);
	assert_int_equal(synth_smf_next(smf, &ev), 0);
	synth_smf_free(smf);
	unlink(path);
	free(path);
}

/* Format 0, running status (including across a meta event), default
 * tempo 120 bpm: tick = 0.5 s / 96. */
static void test_format0_running_status(void **state)
{
	static const uint8_t trk[] = {
		0x00, 0x90, 60, 100,	/* note on */
		0x60, 62, 90,		/* running status */
		0x00, 0xff, 0x01, 0x02, 'h', 'i',	/* text meta */
		0x30, 60, 0,		/* running status kept across the meta */
		0x81, 0x00, 0xb0, 7, 100,	/* delta 128, CC */
		0x00, 0xc0, 5,		/* program change: 1 data byte */
		0x10, 10,		/* running status, 1 data byte */
		0x00, 0xe0, 0x00, 0x40,	/* pitch bend centre */
		0x00, 0xff, 0x2f, 0x00,
	};
	const double t = 0.5 / 96;
	const struct want_ev want[] = {
		{ 0, 0, 0, 0x90, 0, 60, 100, 0 },
		{ 96, 96 * t, 0, 0x90, 0, 62, 90, 0 },
		{ 96, 96 * t, 0, 0xff, 0x01, 0, 0, 2 },
		{ 144, 144 * t, 0, 0x90, 0, 60, 0, 0 },
		{ 272, 272 * t, 0, 0xb0, 0, 7, 100, 0 },
		{ 272, 272 * t, 0, 0xc0, 0, 5, 0, 0 },
		{ 288, 288 * t, 0, 0xc0, 0, 10, 0, 0 },
		{ 288, 288 * t, 0, 0xe0, 0, 0x00, 0x40, 0 },
		{ 288, 288 * t, 0, 0xff, 0x2f, 0, 0, 0 },
	};
	struct probe_smf b = { 0 };

	probe_smf_header(&b, 0, 1, 96);
	probe_smf_track(&b, trk, sizeof(trk));
	check_events(&b, want, sizeof(want) / sizeof(want[0]));
	probe_smf_free(&b);
}

/* Format 1: tempo map in track 0 applies to the others; tracks merged by
 * tick, ties in track order; an unknown chunk between tracks is skipped. */
static void test_format1_tempo_merge(void **state)
{
	static const uint8_t t0[] = {
		0x00, 0xff, 0x51, 0x03, 0x07, 0xa1, 0x20,	/* 500000 us */
		0x83, 0x60, 0xff, 0x51, 0x03, 0x0f, 0x42, 0x40,	/* at 480: 1000000 us */
		0x83, 0x60, 0xff, 0x2f, 0x00,			/* at 960 */
	};
	static const uint8_t t1[] = {
		0x00, 0x91, 40, 64,
		0x83, 0x60, 0x81, 40, 0,	/* at 480, same tick as the tempo change */
		0x81, 0x70, 0x91, 41, 64,	/* at 720 */
		0x00, 0xff, 0x2f, 0x00,
	};
	static const uint8_t t2[] = {
		0x81, 0x70, 0x92, 50, 1,	/* at 240 */
		0x83, 0x60, 0x92, 51, 1,	/* at 720, after track 1's */
		0x00, 0xff, 0x2f, 0x00,
	};
	const struct want_ev want[] = {
		{ 0, 0.0, 0, 0xff, 0x51, 0, 0, 3 },
		{ 0, 0.0, 1, 0x91, 0, 40, 64, 0 },
		{ 240, 0.25, 2, 0x92, 0, 50, 1, 0 },
		{ 480, 0.5, 0, 0xff, 0x51, 0, 0, 3 },
		{ 480, 0.5, 1, 0x81, 0, 40, 0, 0 },
		{ 720, 1.0, 1, 0x91, 0, 41, 64, 0 },
		{ 720, 1.0, 1, 0xff, 0x2f, 0, 0, 0 },
		{ 720, 1.0, 2, 0x92, 0, 51, 1, 0 },
		{ 720, 1.0, 2, 0xff, 0x2f, 0, 0, 0 },
		{ 960, 1.5, 0, 0xff, 0x2f, 0, 0, 0 },
	};
	struct probe_smf b = { 0 };

	probe_smf_header(&b, 1, 3, 480);
	probe_smf_track(&b, t0, sizeof(t0));
	b_put(&b, "XFIH\0\0\0\3abc", 11);
	probe_smf_track(&b, t1, sizeof(t1));
	probe_smf_track(&b, t2, sizeof(t2));
	check_events(&b, want, sizeof(want) / sizeof(want[0]));
	probe_smf_free(&b);
}

/* Sysex (F0 and F7 forms), a long sysex cut to the payload limit, and
 * SMPTE division: 25 fps x 40 ticks = 1 ms per tick, tempo ignored. */
static void test_sysex_smpte(void **state)
{
	static const uint8_t head[] = {
		0x00, 0xf0, 0x05, 0x7e, 0x7f, 0x09, 0x01, 0xf7,	/* GM on */
		0x0a, 0xff, 0x51, 0x03, 0x01, 0x00, 0x00,	/* ignored under SMPTE */
		0x0a, 0xf7, 0x02, 0xf3, 0x01,			/* escape */
		0x00, 0xf0, 0xc0, 0x20,				/* 8224 bytes follow */
	};
	static const uint8_t tail[] = { 0x64, 0x90, 1, 1, 0x00, 0xff, 0x2f, 0x00 };
	const struct want_ev want[] = {
		{ 0, 0.0, 0, 0xf0, 0, 0, 0, 5 },
		{ 10, 0.010, 0, 0xff, 0x51, 0, 0, 3 },
		{ 20, 0.020, 0, 0xf7, 0, 0, 0, 2 },
		{ 20, 0.020, 0, 0xf0, 0, 0, 0, 8224 },
		{ 120, 0.120, 0, 0x90, 0, 1, 1, 0 },
		{ 120, 0.120, 0, 0xff, 0x2f, 0, 0, 0 },
	};
	static uint8_t trk[sizeof(head) + 8224 + sizeof(tail)];
	struct probe_smf b = { 0 };
	char *path, err[256];
	struct synth_smf *smf;
	struct synth_smf_event ev;
	int i;

	memcpy(trk, head, sizeof(head));
	memset(trk + sizeof(head), 0x55, 8224);
	trk[sizeof(head) + 8223] = 0xf7;
	memcpy(trk + sizeof(head) + 8224, tail, sizeof(tail));
	probe_smf_header(&b, 0, 1, (uint16_t)((-25 & 0xff) << 8 | 40));
	probe_smf_track(&b, trk, sizeof(trk));
	check_events(&b, want, sizeof(want) / sizeof(want[0]));

	/* Payload contents and the truncation flag. */
	path = write_tmp(&b);
	assert_int_equal(synth_smf_open(path, &smf, err, sizeof(err)), 0);
	assert_int_equal(synth_smf_next(smf, &ev), 1);
	assert_memory_equal(ev.payload, "\x7e\x7f\x09\x01\xf7", 5);
	assert_false(ev.truncated);
	for (i = 0; i < 3; i++)
		assert_int_equal(synth_smf_next(smf, &ev), 1);
	assert_true(ev.truncated);
	assert_int_equal(ev.payload[0], 0x55);
	assert_int_equal(synth_smf_next(smf, &ev), 1);
	assert_int_equal(ev.status, 0x90);
	synth_smf_free(smf);
	unlink(path);
	free(path);
	probe_smf_free(&b);
}

/* Many events, many window refills: order and count survive streaming. */
static void test_long_stream(void **state)
{
	struct probe_smf b = { 0 };
	static uint8_t trk[2][30000];
	size_t n[2] = { 0, 0 };
	int t, i, count = 0;
	char *path, err[256];
	struct synth_smf *smf;
	struct synth_smf_event ev;
	uint64_t last = 0;

	for (t = 0; t < 2; t++) {
		for (i = 0; i < 7000; i++) {
			trk[t][n[t]++] = (uint8_t)(1 + t);	/* delta 1 or 2 */
			if (i == 0)
				trk[t][n[t]++] = (uint8_t)(0x90 | t);
			trk[t][n[t]++] = (uint8_t)(i & 0x7f);
			trk[t][n[t]++] = 1;
		}
		memcpy(trk[t] + n[t], "\x00\xff\x2f\x00", 4);
		n[t] += 4;
	}
	probe_smf_header(&b, 1, 2, 96);
	probe_smf_track(&b, trk[0], n[0]);
	probe_smf_track(&b, trk[1], n[1]);
	path = write_tmp(&b);
	assert_int_equal(synth_smf_open(path, &smf, err, sizeof(err)), 0);
	while (synth_smf_next(smf, &ev) == 1) {
		assert_true(ev.tick >= last);
		last = ev.tick;
		if (ev.status != 0xff)
			count++;
	}
	assert_int_equal(count, 14000);
	assert_int_equal(last, 14000);
	synth_smf_free(smf);
	unlink(path);
	free(path);
	probe_smf_free(&b);
}

struct bad_case {
	const char *name;
	const uint8_t *bytes;
	size_t len;
	int at_open;		/* error at open, else while reading */
	const char *msg;	/* substring of the error message */
};

#define HDR(fmt, ntrk) 'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, fmt, 0, ntrk, 0, 96
#define TRK(len) 'M', 'T', 'r', 'k', 0, 0, 0, len

static const uint8_t bad_magic[] = { 'R', 'I', 'F', 'F', 0, 0, 0, 6, 0, 0, 0, 1, 0, 96 };
static const uint8_t bad_short_hdr[] = { 'M', 'T', 'h', 'd', 0, 0 };
static const uint8_t bad_format[] = { HDR(3, 1), TRK(4), 0, 0xff, 0x2f, 0 };
static const uint8_t bad_missing_track[] = { HDR(1, 2), TRK(4), 0, 0xff, 0x2f, 0 };
static const uint8_t bad_chunk_len[] = { HDR(0, 1), TRK(40), 0, 0x90, 60, 100 };
static const uint8_t bad_trunc_event[] = { HDR(0, 1), TRK(7), 0, 0x90, 60, 100, 0, 0x90, 61 };
static const uint8_t bad_no_running[] = { HDR(0, 1), TRK(4), 0, 60, 100, 0 };
static const uint8_t bad_vlq[] = { HDR(0, 1), TRK(8), 0x81, 0x81, 0x81, 0x81, 0x01, 0x90, 1, 1 };
static const uint8_t bad_tempo[] = { HDR(0, 1), TRK(6), 0, 0xff, 0x51, 0x02, 1, 2 };
static const uint8_t bad_meta_len[] = { HDR(0, 1), TRK(6), 0, 0xff, 0x01, 0x10, 'a', 'b' };
static const uint8_t bad_status_in_data[] = { HDR(0, 1), TRK(4), 0, 0x90, 0x80, 1 };
static const uint8_t bad_realtime[] = { HDR(0, 1), TRK(2), 0, 0xf8 };
static const uint8_t bad_zero_div[] = { 'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 0, 0, 1, 0, 0 };

static const struct bad_case bad_cases[] = {
	{ "not MThd", bad_magic, sizeof(bad_magic), 1, "not a Standard MIDI File" },
	{ "short header", bad_short_hdr, sizeof(bad_short_hdr), 1, "not a Standard MIDI File" },
	{ "format 3", bad_format, sizeof(bad_format), 1, "unknown SMF format 3" },
	{ "missing track", bad_missing_track, sizeof(bad_missing_track), 1, "1 of 2 tracks" },
	{ "chunk past EOF", bad_chunk_len, sizeof(bad_chunk_len), 1, "truncated" },
	{ "truncated event", bad_trunc_event, sizeof(bad_trunc_event), 0,
	  "truncated channel message" },
	{ "data without status", bad_no_running, sizeof(bad_no_running), 0,
	  "without running status" },
	{ "5-byte number", bad_vlq, sizeof(bad_vlq), 1, "longer than 4 bytes" },
	{ "tempo length", bad_tempo, sizeof(bad_tempo), 0, "tempo event" },
	{ "meta past chunk", bad_meta_len, sizeof(bad_meta_len), 0, "truncated meta event" },
	{ "status in data", bad_status_in_data, sizeof(bad_status_in_data), 0, "status byte" },
	{ "realtime byte", bad_realtime, sizeof(bad_realtime), 0, "not allowed" },
	{ "division 0", bad_zero_div, sizeof(bad_zero_div), 1, "bad header" },
};

static void test_corrupt(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct probe_smf b = { 0 };
		struct synth_smf *smf = NULL;
		struct synth_smf_event ev;
		char *path, err[256] = "";
		const char *msg;
		int ret;

		b_put(&b, c->bytes, c->len);
		path = write_tmp(&b);
		ret = synth_smf_open(path, &smf, err, sizeof(err));
		if (c->at_open) {
			if (ret != -EBADMSG)
				fail_msg("%s: open returned %d", c->name, ret);
			msg = err;
		} else {
			if (ret != 0)
				fail_msg("%s: open failed early: %s", c->name, err);
			while ((ret = synth_smf_next(smf, &ev)) == 1)
				;
			if (ret != -EBADMSG)
				fail_msg("%s: reading returned %d", c->name, ret);
			msg = synth_smf_strerror(smf);
			/* Stays failed. */
			assert_int_equal(synth_smf_next(smf, &ev), -EBADMSG);
		}
		if (!strstr(msg, c->msg))
			fail_msg("%s: message \"%s\" lacks \"%s\"", c->name, msg, c->msg);
		synth_smf_free(smf);
		unlink(path);
		free(path);
		probe_smf_free(&b);
	}
}

static void test_missing_file(void **state)
{
	struct synth_smf *smf;
	char err[256];

	assert_int_equal(synth_smf_open("/nonexistent/x.mid", &smf, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "Cannot open /nonexistent/x.mid"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format0_running_status),
		cmocka_unit_test(test_format1_tempo_merge),
		cmocka_unit_test(test_sysex_smpte),
		cmocka_unit_test(test_long_stream),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests_name("synth-smf", tests, NULL, NULL);
}
