/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the USB-MIDI 1.0 packet codec: tables of packets in, messages
 * out, and back. Single-threaded test program. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "usbmidi.h"
#include "test-hex.h"
#define TEST_TABLE_MAX 256
#include "test-table.h"

/* ---- helpers ---- */

/* Decoded messages, as "cable:bytes;..." for short ones, and raw for the
 * long sysex tests. */
struct capture {
	char text[4096];
	size_t text_len;
	size_t count;
	unsigned int last_cable;
	uint8_t last[USBMIDI_SYSEX_MAX + 16];
	size_t last_len;
	unsigned int cable_count[USBMIDI_MAX_CABLES];
	size_t bad; /* messages that break a decoder invariant */
};

static void capture_fn(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
	struct capture *c = user;
	size_t i;

	c->count++;
	c->last_cable = cable;
	if (cable < USBMIDI_MAX_CABLES)
		c->cable_count[cable]++;
	if (len <= sizeof(c->last)) {
		memcpy(c->last, msg, len);
		c->last_len = len;
	}
	/* Whatever the input, the decoder must only ever deliver well formed
	 * messages: a status first, data after, sysex framed by F0..F7. */
	if (cable >= USBMIDI_MAX_CABLES || len == 0 || msg[0] < 0x80)
		c->bad++;
	else if (msg[0] == 0xf0) {
		if (len < 2 || len > USBMIDI_SYSEX_MAX || msg[len - 1] != 0xf7)
			c->bad++;
		for (i = 1; i + 1 < len; i++)
			if (msg[i] >= 0x80)
				c->bad++;
	} else {
		if (len > 3)
			c->bad++;
		for (i = 1; i < len; i++)
			if (msg[i] >= 0x80)
				c->bad++;
	}
	/* Tests with many messages only look at the counts. */
	if (len > 16 || c->text_len + 64 > sizeof(c->text))
		return;
	c->text_len += (size_t)snprintf(c->text + c->text_len, sizeof(c->text) - c->text_len,
					"%s%u:", c->text_len ? ";" : "", cable);
	for (i = 0; i < len; i++)
		c->text_len +=
			(size_t)snprintf(c->text + c->text_len, sizeof(c->text) - c->text_len,
					 "%s%02x", i ? " " : "", msg[i]);
}

/* Packs F0..F7 the way the class spec lays it out (CIN 4 while more than
 * three bytes remain, then 5, 6 or 7); written independently of the encoder
 * under test. Returns the bytes written. */
static size_t pack_sysex(unsigned int cable, const uint8_t *sx, size_t len, uint8_t *out)
{
	size_t n = 0, i = 0;

	while (len - i > 3) {
		out[n++] = (uint8_t)(cable << 4 | 0x4);
		memcpy(out + n, sx + i, 3);
		n += 3;
		i += 3;
	}
	out[n++] = (uint8_t)(cable << 4 | (0x4 + (len - i)));
	memset(out + n, 0, 3);
	memcpy(out + n, sx + i, len - i);
	return n + 3;
}

/* F0, len - 2 data bytes that depend on `seed`, F7. */
static void make_sysex(uint8_t *sx, size_t len, unsigned int seed)
{
	size_t i;

	sx[0] = 0xf0;
	for (i = 1; i + 1 < len; i++)
		sx[i] = (uint8_t)((i * 7 + seed) & 0x7f);
	sx[len - 1] = 0xf7;
}

/* ---- decoder: one table row per case ---- */

struct decode_case {
	const char *name;
	const char *in;
	const char *expect;
	struct usbmidi_decoder_stats stats; /* messages filled in by the test */
};

/* clang-format off */
#define ST(pk, pad, inv, ovf, trunc) { .packets = pk, .padding = pad, .invalid = inv, \
	.sysex_overflows = ovf, .sysex_truncated = trunc }
static const struct decode_case decode_cases[] = {
	{ "decode_cin0_reserved", "10 00 00 00", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cin0_reserved_with_note", "50 90 3c 40", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cin1_cable_event", "01 12 34 56", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cin2_mtc_quarter_frame", "02 f1 23 00", "0:f1 23", ST(1, 0, 0, 0, 0) },
	{ "decode_cin2_song_select", "32 f3 05 00", "3:f3 05", ST(1, 0, 0, 0, 0) },
	{ "decode_cin2_wrong_status", "02 f2 01 00", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cin2_status_as_data", "02 f1 81 00", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cin3_song_position", "03 f2 10 20", "0:f2 10 20", ST(1, 0, 0, 0, 0) },
	{ "decode_cin3_wrong_status", "03 f1 10 20", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cin3_status_as_data", "03 f2 10 a0", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cin4_then_cin5_end", "04 f0 7e 7f 05 f7 00 00", "0:f0 7e 7f f7", ST(2, 0, 0, 0, 0) },
	{ "decode_cin4_without_start", "04 01 02 03", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cin4_status_inside", "04 f0 01 90", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cin4_f7_inside", "04 f0 01 f7", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cin5_tune_request", "05 f6 00 00", "0:f6", ST(1, 0, 0, 0, 0) },
	{ "decode_cin5_stray_end", "05 f7 00 00", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cin5_realtime_rejected", "05 f8 00 00", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cin5_channel_status", "05 90 00 00", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cin5_data_byte", "05 3c 00 00", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cin6_empty_sysex", "06 f0 f7 00", "0:f0 f7", ST(1, 0, 0, 0, 0) },
	{ "decode_cin6_end_of_four", "04 f0 01 02 06 03 f7 00", "0:f0 01 02 03 f7", ST(2, 0, 0, 0, 0) },
	{ "decode_cin6_missing_f7", "06 f0 01 00", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cin6_stray", "06 01 f7 00", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cin7_short_sysex", "07 f0 01 f7", "0:f0 01 f7", ST(1, 0, 0, 0, 0) },
	{ "decode_cin7_end_of_six", "04 f0 01 02 07 03 04 f7", "0:f0 01 02 03 04 f7", ST(2, 0, 0, 0, 0) },
	{ "decode_cin7_stray", "07 01 02 f7", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cin7_missing_f7", "07 f0 01 02", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cin8_note_off", "08 80 3c 40", "0:80 3c 40", ST(1, 0, 0, 0, 0) },
	{ "decode_cin8_channel_16", "08 8f 3c 40", "0:8f 3c 40", ST(1, 0, 0, 0, 0) },
	{ "decode_cin9_note_on_cable1", "19 90 3c 7f", "1:90 3c 7f", ST(1, 0, 0, 0, 0) },
	{ "decode_cin9_cable15", "f9 96 00 05", "15:96 00 05", ST(1, 0, 0, 0, 0) },
	{ "decode_cinA_poly_pressure", "0a a3 3c 10", "0:a3 3c 10", ST(1, 0, 0, 0, 0) },
	{ "decode_cinB_control_change", "0b b0 30 40", "0:b0 30 40", ST(1, 0, 0, 0, 0) },
	{ "decode_cinC_program_change", "0c c5 07 00", "0:c5 07", ST(1, 0, 0, 0, 0) },
	{ "decode_cinC_ignores_unused_byte", "0c c5 07 55", "0:c5 07", ST(1, 0, 0, 0, 0) },
	{ "decode_cinD_channel_pressure", "0d d0 40 00", "0:d0 40", ST(1, 0, 0, 0, 0) },
	{ "decode_cinE_pitch_bend", "0e e0 00 40", "0:e0 00 40", ST(1, 0, 0, 0, 0) },
	{ "decode_cinF_clock", "0f f8 00 00", "0:f8", ST(1, 0, 0, 0, 0) },
	{ "decode_cinF_every_realtime",
	  "0f f8 00 00 0f f9 00 00 0f fa 00 00 0f fb 00 00 0f fc 00 00 0f fd 00 00 0f fe 00 00 0f ff 00 00",
	  "0:f8;0:f9;0:fa;0:fb;0:fc;0:fd;0:fe;0:ff", ST(8, 0, 0, 0, 0) },
	{ "decode_cinF_tune_request", "0f f6 00 00", "0:f6", ST(1, 0, 0, 0, 0) },
	{ "decode_cinF_data_byte", "0f 3c 00 00", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cinF_sysex_start", "0f f0 00 00", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cin9_data_in_status_position", "09 3c 40 00", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cin9_status_mismatch", "09 80 3c 40", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cin9_status_in_data", "09 90 80 00", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cinB_status_in_value", "0b b0 30 90", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cinC_status_in_data", "0c c0 80 00", "", ST(1, 0, 1, 0, 0) },
	{ "decode_cinE_system_status", "0e f2 00 40", "", ST(1, 0, 1, 0, 0) },
	{ "decode_padding_skipped", "00 00 00 00 09 90 3c 40 00 00 00 00 00 90 3c 40",
	  "0:90 3c 40", ST(1, 3, 0, 0, 0) },
	{ "decode_padding_only",
	  "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00", "", ST(0, 4, 0, 0, 0) },
	{ "decode_empty", "", "", ST(0, 0, 0, 0, 0) },
	{ "decode_partial_trailing_packet", "09 90 3c 40 09 90", "0:90 3c 40", ST(1, 0, 1, 0, 0) },
	{ "decode_partial_only", "09 90 3c", "", ST(0, 0, 1, 0, 0) },
	{ "decode_truncated_by_note", "04 f0 01 02 09 90 3c 7f 05 f7 00 00", "0:90 3c 7f",
	  ST(3, 0, 1, 0, 1) },
	{ "decode_truncated_by_new_start", "04 f0 01 02 06 f0 f7 00", "0:f0 f7", ST(2, 0, 0, 0, 1) },
	{ "decode_truncated_by_system_common", "04 f0 01 02 02 f1 01 00", "0:f1 01",
	  ST(2, 0, 0, 0, 1) },
	{ "decode_truncated_by_tune_request", "04 f0 01 02 05 f6 00 00", "0:f6", ST(2, 0, 0, 0, 1) },
	{ "decode_other_cable_does_not_truncate", "04 f0 01 02 19 90 3c 7f 06 03 f7 00",
	  "1:90 3c 7f;0:f0 01 02 03 f7", ST(3, 0, 0, 0, 0) },
	{ "decode_realtime_inside_sysex", "04 f0 01 02 0f f8 00 00 04 03 04 05 0f fe 00 00 06 06 f7 00",
	  "0:f8;0:fe;0:f0 01 02 03 04 05 06 f7", ST(5, 0, 0, 0, 0) },
	{ "decode_padding_inside_sysex", "04 f0 01 02 00 00 00 00 05 f7 00 00",
	  "0:f0 01 02 f7", ST(2, 1, 0, 0, 0) },
	{ "decode_invalid_packet_inside_sysex", "04 f0 01 02 09 80 3c 40 06 03 f7 00",
	  "0:f0 01 02 03 f7", ST(3, 0, 1, 0, 0) },
	{ "decode_corrupt_sysex_piece_drops_sysex", "04 f0 01 02 04 03 90 05 06 03 f7 00",
	  "", ST(3, 0, 2, 0, 1) },
	{ "decode_sysex_then_note", "07 f0 01 f7 09 90 3c 7f", "0:f0 01 f7;0:90 3c 7f",
	  ST(2, 0, 0, 0, 0) },
	{ "decode_unterminated_sysex_not_delivered", "04 f0 01 02 04 03 04 05", "",
	  ST(2, 0, 0, 0, 0) },
};
/* clang-format on */

static void test_decode_case(void **state)
{
	const struct decode_case *tc = *state;
	struct usbmidi_decoder d;
	struct capture cap;
	uint8_t in[256];
	size_t n, got;

	memset(&cap, 0, sizeof(cap));
	n = hex(tc->in, in, sizeof(in));
	usbmidi_decoder_init(&d);
	got = usbmidi_decode(&d, in, n, capture_fn, &cap);

	assert_string_equal(cap.text, tc->expect);
	assert_int_equal(got, cap.count);
	assert_int_equal(d.stats.messages, cap.count);
	assert_int_equal(d.stats.packets, tc->stats.packets);
	assert_int_equal(d.stats.padding, tc->stats.padding);
	assert_int_equal(d.stats.invalid, tc->stats.invalid);
	assert_int_equal(d.stats.sysex_overflows, tc->stats.sysex_overflows);
	assert_int_equal(d.stats.sysex_truncated, tc->stats.sysex_truncated);
	assert_int_equal(cap.bad, 0);
}

/* The same input fed one packet per call gives the same result: state
 * carries across transfers. */
static void test_decode_case_per_packet(void **state)
{
	const struct decode_case *tc = *state;
	struct usbmidi_decoder d;
	struct capture cap;
	uint8_t in[256];
	size_t n, off;

	memset(&cap, 0, sizeof(cap));
	n = hex(tc->in, in, sizeof(in));
	usbmidi_decoder_init(&d);
	for (off = 0; off < n; off += USBMIDI_PACKET_SIZE) {
		size_t chunk = n - off < USBMIDI_PACKET_SIZE ? n - off : USBMIDI_PACKET_SIZE;

		usbmidi_decode(&d, in + off, chunk, capture_fn, &cap);
	}
	assert_string_equal(cap.text, tc->expect);
	assert_int_equal(d.stats.invalid, tc->stats.invalid);
	assert_int_equal(d.stats.sysex_truncated, tc->stats.sysex_truncated);
}

/* ---- decoder: sysex lengths across 1..N packets ---- */

static const size_t sysex_lengths[] = {
	2, 3, 4, 5, 6, 7, 8, 9, 10, 100, 520, 1021, 1022, 1023, 1024, 1025, 1026, 1027, 3000, 70000,
};

static uint8_t big_sx[80000];
static uint8_t big_pk[4 * 80000 / 3 + 16];

static void check_sysex_length(size_t len, int per_packet)
{
	struct usbmidi_decoder d;
	struct capture cap;
	size_t n, off;

	memset(&cap, 0, sizeof(cap));
	make_sysex(big_sx, len, (unsigned int)len);
	n = pack_sysex(2, big_sx, len, big_pk);
	assert_int_equal(n, 4 * ((len + 2) / 3));
	usbmidi_decoder_init(&d);
	if (per_packet)
		for (off = 0; off < n; off += 4)
			usbmidi_decode(&d, big_pk + off, 4, capture_fn, &cap);
	else
		usbmidi_decode(&d, big_pk, n, capture_fn, &cap);

	assert_int_equal(d.stats.packets, n / 4);
	assert_int_equal(d.stats.invalid, 0);
	assert_int_equal(d.stats.sysex_truncated, 0);
	if (len <= USBMIDI_SYSEX_MAX) {
		assert_int_equal(cap.count, 1);
		assert_int_equal(cap.last_cable, 2);
		assert_int_equal(cap.last_len, len);
		assert_memory_equal(cap.last, big_sx, len);
		assert_int_equal(d.stats.sysex_overflows, 0);
	} else {
		assert_int_equal(cap.count, 0);
		assert_int_equal(d.stats.sysex_overflows, 1);
	}
	/* The decoder is ready for the next sysex after either outcome. */
	memset(&cap, 0, sizeof(cap));
	usbmidi_decode(&d, (const uint8_t *)"\x27\xf0\x11\xf7", 4, capture_fn, &cap);
	assert_string_equal(cap.text, "2:f0 11 f7");
}

static void test_sysex_length(void **state)
{
	const size_t *len = *state;

	check_sysex_length(*len, 0);
	check_sysex_length(*len, 1);
}

static void test_sysex_every_length(void **state)
{
	size_t len;

	for (len = 2; len <= USBMIDI_SYSEX_MAX + 64; len++)
		check_sysex_length(len, 0);
}

/* Two cables sending sysex at once, packets alternating, with notes and
 * realtime on a third cable in between: each reassembles on its own. One
 * cable overflows and must not disturb the other. */
static void test_sysex_interleaved(void **state)
{
	static const size_t lens[][2] = { { 500, 700 }, { 4, 1024 }, { 300, 2000 }, { 2, 3 } };
	static uint8_t sx0[2100], sx1[2100], pk0[4 * 700], pk1[4 * 700], mix[12 * 700];
	unsigned int t;

	for (t = 0; t < sizeof(lens) / sizeof(lens[0]); t++) {
		struct usbmidi_decoder d;
		struct capture cap;
		size_t n0, n1, i0 = 0, i1 = 0, n = 0;

		memset(&cap, 0, sizeof(cap));
		make_sysex(sx0, lens[t][0], 1);
		make_sysex(sx1, lens[t][1], 2);
		n0 = pack_sysex(0, sx0, lens[t][0], pk0);
		n1 = pack_sysex(1, sx1, lens[t][1], pk1);
		while (i0 < n0 || i1 < n1) {
			if (i0 < n0) {
				memcpy(mix + n, pk0 + i0, 4);
				n += 4;
				i0 += 4;
			}
			memcpy(mix + n, "\x39\x90\x3c\x7f", 4);
			n += 4;
			if (i1 < n1) {
				memcpy(mix + n, pk1 + i1, 4);
				n += 4;
				i1 += 4;
			}
		}
		usbmidi_decoder_init(&d);
		usbmidi_decode(&d, mix, n, capture_fn, &cap);

		assert_int_equal(d.stats.invalid, 0);
		assert_int_equal(d.stats.sysex_truncated, 0);
		assert_int_equal(cap.bad, 0);
		assert_int_equal(cap.cable_count[3], (n0 > n1 ? n0 : n1) / 4);
		assert_int_equal(cap.cable_count[0], 1);
		assert_int_equal(cap.cable_count[1], lens[t][1] <= USBMIDI_SYSEX_MAX ? 1 : 0);
		assert_int_equal(d.stats.sysex_overflows, lens[t][1] <= USBMIDI_SYSEX_MAX ? 0 : 1);
	}
}

/* Content check for the interleaved case, one message per cable. */
struct two_cables {
	uint8_t msg[2][USBMIDI_SYSEX_MAX];
	size_t len[2];
};

static void two_cables_fn(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
	struct two_cables *t = user;

	assert_true(cable < 2 && t->len[cable] == 0 && len <= USBMIDI_SYSEX_MAX);
	memcpy(t->msg[cable], msg, len);
	t->len[cable] = len;
}

static void test_sysex_interleaved_content(void **state)
{
	static uint8_t sx0[1000], sx1[1001], pk[2][4 * 400], mix[8 * 400];
	struct two_cables t;
	struct usbmidi_decoder d;
	size_t n0, n1, n = 0, i;

	memset(&t, 0, sizeof(t));
	make_sysex(sx0, 1000, 3);
	make_sysex(sx1, 1001, 4);
	n0 = pack_sysex(0, sx0, 1000, pk[0]);
	n1 = pack_sysex(1, sx1, 1001, pk[1]);
	assert_int_equal(n0, n1);
	for (i = 0; i < n0; i += 4) {
		memcpy(mix + n, pk[1] + i, 4);
		memcpy(mix + n + 4, pk[0] + i, 4);
		n += 8;
	}
	usbmidi_decoder_init(&d);
	assert_int_equal(usbmidi_decode(&d, mix, n, two_cables_fn, &t), 2);
	assert_int_equal(t.len[0], 1000);
	assert_int_equal(t.len[1], 1001);
	assert_memory_equal(t.msg[0], sx0, 1000);
	assert_memory_equal(t.msg[1], sx1, 1001);
}

/* A sysex already dropped for length and then cut off by a note is one lost
 * message: counted as an overflow, not a second time as truncated. */
static void test_overflow_then_interrupted(void **state)
{
	struct usbmidi_decoder d;
	struct capture cap;
	size_t n;

	memset(&cap, 0, sizeof(cap));
	make_sysex(big_sx, 2000, 1);
	n = pack_sysex(0, big_sx, 2000, big_pk);
	memcpy(big_pk + n - 4, "\x09\x90\x3c\x7f", 4);
	usbmidi_decoder_init(&d);
	usbmidi_decode(&d, big_pk, n, capture_fn, &cap);
	assert_string_equal(cap.text, "0:90 3c 7f");
	assert_int_equal(d.stats.sysex_overflows, 1);
	assert_int_equal(d.stats.sysex_truncated, 0);
	assert_int_equal(d.stats.invalid, 0);
}

/* Random bytes, some of them shaped like packets: the decoder never
 * crashes, never delivers a malformed message, and accounts for every
 * packet. */
static void test_decode_garbage(void **state)
{
	struct usbmidi_decoder d;
	struct capture cap;
	uint8_t buf[64];
	uint32_t seed = 12345;
	uint64_t total = 0;
	unsigned int round, i;

	memset(&cap, 0, sizeof(cap));
	usbmidi_decoder_init(&d);
	for (round = 0; round < 20000; round++) {
		for (i = 0; i < sizeof(buf); i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (uint8_t)(seed >> 16);
			/* Every other round, make the payload bytes mostly
			 * plausible so that the sysex paths get exercised. */
			if ((round & 1) && i % 4 && (seed & 0x300))
				buf[i] &= 0x7f;
			if ((round & 1) && i % 4 == 0)
				buf[i] = (uint8_t)((buf[i] & 0x1f) | 0x04);
		}
		usbmidi_decode(&d, buf, sizeof(buf), capture_fn, &cap);
		total += sizeof(buf) / 4;
	}
	assert_int_equal(cap.bad, 0);
	assert_int_equal(d.stats.packets + d.stats.padding, total);
	assert_int_equal(d.stats.messages, cap.count);
	assert_true(d.stats.invalid > 0);
	assert_true(d.stats.messages > 0);
}

/* ---- encoder ---- */

struct encode_case {
	const char *name;
	unsigned int cable;
	const char *midi;
	const char *expect;
	unsigned int dropped;
};

/* clang-format off */
static const struct encode_case encode_cases[] = {
	{ "encode_cin8_note_off", 3, "80 3c 00", "38 80 3c 00", 0 },
	{ "encode_cin9_note_on", 0, "90 3c 7f", "09 90 3c 7f", 0 },
	{ "encode_cin9_cable15", 15, "96 00 05", "f9 96 00 05", 0 },
	{ "encode_cinA_poly_pressure", 0, "a1 3c 10", "0a a1 3c 10", 0 },
	{ "encode_cinB_control_change", 1, "b0 30 40", "1b b0 30 40", 0 },
	{ "encode_cinC_program_change", 0, "c5 07", "0c c5 07 00", 0 },
	{ "encode_cinD_channel_pressure", 0, "d0 40", "0d d0 40 00", 0 },
	{ "encode_cinE_pitch_bend", 0, "e0 00 40", "0e e0 00 40", 0 },
	{ "encode_cin2_mtc_quarter_frame", 0, "f1 23", "02 f1 23 00", 0 },
	{ "encode_cin2_song_select", 0, "f3 05", "02 f3 05 00", 0 },
	{ "encode_cin3_song_position", 0, "f2 10 20", "03 f2 10 20", 0 },
	{ "encode_cin5_tune_request", 0, "f6", "05 f6 00 00", 0 },
	{ "encode_cinF_realtime", 0, "f8 f9 fa fb fc fd fe ff",
	  "0f f8 00 00 0f f9 00 00 0f fa 00 00 0f fb 00 00 0f fc 00 00 0f fd 00 00 0f fe 00 00 0f ff 00 00", 0 },
	{ "encode_cin6_empty_sysex", 0, "f0 f7", "06 f0 f7 00", 0 },
	{ "encode_cin7_sysex_3", 0, "f0 01 f7", "07 f0 01 f7", 0 },
	{ "encode_cin4_cin5_sysex_4", 0, "f0 01 02 f7", "04 f0 01 02 05 f7 00 00", 0 },
	{ "encode_cin4_cin6_sysex_5", 0, "f0 01 02 03 f7", "04 f0 01 02 06 03 f7 00", 0 },
	{ "encode_cin4_cin7_sysex_6", 0, "f0 01 02 03 04 f7", "04 f0 01 02 07 03 04 f7", 0 },
	{ "encode_identity_request", 0, "f0 7e 00 06 01 f7", "04 f0 7e 00 07 06 01 f7", 0 },
	{ "encode_running_status", 0, "90 3c 40 3e 41 40 00",
	  "09 90 3c 40 09 90 3e 41 09 90 40 00", 0 },
	{ "encode_running_status_two_byte", 0, "c0 01 02 03",
	  "0c c0 01 00 0c c0 02 00 0c c0 03 00", 0 },
	{ "encode_running_status_new_status", 0, "90 3c 40 b0 30 01 31 02",
	  "09 90 3c 40 0b b0 30 01 0b b0 31 02", 0 },
	{ "encode_running_cancelled_by_system_common", 0, "90 3c 40 f1 01 3e 41",
	  "09 90 3c 40 02 f1 01 00", 2 },
	{ "encode_running_cancelled_by_sysex", 0, "90 3c 40 f0 01 f7 3e 41",
	  "09 90 3c 40 07 f0 01 f7", 2 },
	{ "encode_running_survives_realtime", 0, "90 3c 40 f8 3e 41",
	  "09 90 3c 40 0f f8 00 00 09 90 3e 41", 0 },
	{ "encode_realtime_mid_message", 0, "90 f8 3c fe 40", "0f f8 00 00 0f fe 00 00 09 90 3c 40", 0 },
	{ "encode_realtime_mid_sysex", 0, "f0 01 f8 02 03 fa f7",
	  "0f f8 00 00 04 f0 01 02 0f fa 00 00 06 03 f7 00", 0 },
	{ "encode_no_system_common_running", 0, "f1 01 02", "02 f1 01 00", 1 },
	{ "encode_stray_data", 0, "3c 40", "", 2 },
	{ "encode_stray_f7", 0, "f7", "", 1 },
	{ "encode_undefined_f4_f5", 0, "f4 f5 3c", "", 3 },
	{ "encode_sysex_broken_by_status", 0, "f0 01 02 03 04 90 3c 40",
	  "04 f0 01 02 09 90 3c 40", 0 },
	{ "encode_incomplete_message_pending", 0, "90 3c", "", 0 },
	{ "encode_empty_input", 0, "", "", 0 },
};
/* clang-format on */

static void test_encode_case(void **state)
{
	const struct encode_case *tc = *state;
	struct usbmidi_encoder e;
	uint8_t midi[64], want[128], out[256];
	size_t nm, nw;
	int r;

	nm = hex(tc->midi, midi, sizeof(midi));
	nw = hex(tc->expect, want, sizeof(want));
	usbmidi_encoder_init(&e);
	memset(out, 0xaa, sizeof(out));
	r = usbmidi_encode(&e, tc->cable, midi, nm, out, sizeof(out));
	assert_int_equal(r, nw);
	assert_memory_equal(out, want, nw);
	assert_int_equal(out[nw], 0xaa);
	assert_int_equal(e.dropped, tc->dropped);
}

/* Feeding the same bytes one at a time gives the same packets. */
static void test_encode_case_bytewise(void **state)
{
	const struct encode_case *tc = *state;
	struct usbmidi_encoder e;
	uint8_t midi[64], want[128], out[256];
	size_t nm, nw, i, n = 0;

	nm = hex(tc->midi, midi, sizeof(midi));
	nw = hex(tc->expect, want, sizeof(want));
	usbmidi_encoder_init(&e);
	for (i = 0; i < nm; i++) {
		int r = usbmidi_encode(&e, tc->cable, midi + i, 1, out + n, sizeof(out) - n);

		assert_true(r >= 0);
		n += (size_t)r;
	}
	assert_int_equal(n, nw);
	assert_memory_equal(out, want, nw);
	assert_int_equal(e.dropped, tc->dropped);
}

/* Encoder output for every sysex length: ceil(len / 3) packets, CIN 4 then
 * 5/6/7 by the remainder, and it decodes back to the same bytes. */
static void test_encode_sysex_every_length(void **state)
{
	static uint8_t sx[USBMIDI_SYSEX_MAX + 64], pk[4 * (USBMIDI_SYSEX_MAX + 64)];
	size_t len;

	for (len = 2; len <= USBMIDI_SYSEX_MAX; len++) {
		struct usbmidi_encoder e;
		struct usbmidi_decoder d;
		struct capture cap;
		size_t npk = (len + 2) / 3, i;
		int r;

		make_sysex(sx, len, 9);
		usbmidi_encoder_init(&e);
		r = usbmidi_encode(&e, 5, sx, len, pk, sizeof(pk));
		assert_int_equal(r, 4 * npk);
		for (i = 0; i + 1 < npk; i++)
			assert_int_equal(pk[4 * i], 0x54);
		assert_int_equal(pk[4 * (npk - 1)], 0x50 | (0x4 + (len - 3 * (npk - 1))));

		memset(&cap, 0, sizeof(cap));
		usbmidi_decoder_init(&d);
		usbmidi_decode(&d, pk, (size_t)r, capture_fn, &cap);
		assert_int_equal(cap.count, 1);
		assert_int_equal(cap.last_cable, 5);
		assert_int_equal(cap.last_len, len);
		assert_memory_equal(cap.last, sx, len);
	}
}

/* A long sysex fed in chunks of every size from 1 to 40 bytes. */
static void test_encode_sysex_chunked(void **state)
{
	static uint8_t sx[5000], whole[4 * 2000], chunked[4 * 2000];
	struct usbmidi_encoder e;
	size_t chunk, off;
	int ref;

	make_sysex(sx, sizeof(sx), 5);
	usbmidi_encoder_init(&e);
	ref = usbmidi_encode(&e, 0, sx, sizeof(sx), whole, sizeof(whole));
	assert_int_equal(ref, 4 * ((sizeof(sx) + 2) / 3));
	for (chunk = 1; chunk <= 40; chunk++) {
		size_t n = 0;

		usbmidi_encoder_init(&e);
		for (off = 0; off < sizeof(sx); off += chunk) {
			size_t c = sizeof(sx) - off < chunk ? sizeof(sx) - off : chunk;
			int r = usbmidi_encode(&e, 0, sx + off, c, chunked + n,
					       sizeof(chunked) - n);

			assert_true(r >= 0);
			n += (size_t)r;
		}
		assert_int_equal(n, ref);
		assert_memory_equal(chunked, whole, n);
	}
}

/* -ENOSPC writes nothing and leaves the state as it was: retrying with room
 * gives exactly what a fresh encoder gives. */
static void test_encode_enospc(void **state)
{
	static const uint8_t stream[] = { 0x90, 0x3c, 0x40, 0x3e, 0x41, 0xf0, 0x01, 0x02,
					  0x03, 0xf8, 0x04, 0xf7, 0xc0, 0x05 };
	uint8_t want[64], out[64];
	struct usbmidi_encoder e, copy;
	int full, r;
	size_t room;

	usbmidi_encoder_init(&e);
	full = usbmidi_encode(&e, 1, stream, sizeof(stream), want, sizeof(want));
	assert_int_equal(full, 6 * 4);

	for (room = 0; room < (size_t)full; room++) {
		usbmidi_encoder_init(&e);
		memset(out, 0xaa, sizeof(out));
		copy = e;
		r = usbmidi_encode(&e, 1, stream, sizeof(stream), out, room);
		assert_int_equal(r, -ENOSPC);
		assert_memory_equal(&e, &copy, sizeof(e));
		assert_int_equal(out[0], 0xaa);
		assert_int_equal(out[room ? room - 1 : 0], 0xaa);
		r = usbmidi_encode(&e, 1, stream, sizeof(stream), out, (size_t)full);
		assert_int_equal(r, full);
		assert_memory_equal(out, want, (size_t)full);
	}

	/* Bytes that complete nothing need no room at all. */
	usbmidi_encoder_init(&e);
	assert_int_equal(usbmidi_encode(&e, 0, (const uint8_t *)"\x90\x3c", 2, out, 0), 0);
	copy = e;
	assert_int_equal(usbmidi_encode(&e, 0, (const uint8_t *)"\x40", 1, out, 3), -ENOSPC);
	assert_memory_equal(&e, &copy, sizeof(e));
	assert_int_equal(usbmidi_encode(&e, 0, (const uint8_t *)"\x40", 1, out, 4), 4);
	assert_memory_equal(out, "\x09\x90\x3c\x40", 4);

	/* Stray bytes are counted once, by the real pass, not the dry run. */
	usbmidi_encoder_init(&e);
	assert_int_equal(usbmidi_encode(&e, 0, (const uint8_t *)"\x3c\x90\x3c\x40", 4, out, 0),
			 -ENOSPC);
	assert_int_equal(e.dropped, 0);
	assert_int_equal(usbmidi_encode(&e, 0, (const uint8_t *)"\x3c\x90\x3c\x40", 4, out, 4), 4);
	assert_int_equal(e.dropped, 1);
}

/* USBMIDI_ENCODE_MAX is a true bound for the worst streams: realtime, and
 * two-byte messages under running status, one packet per byte. */
static void test_encode_max_bound(void **state)
{
	static const uint8_t worst[][8] = {
		{ 0xf8, 0xf8, 0xfa, 0xfb, 0xfc, 0xfe, 0xff, 0xf8 },
		{ 0xc0, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 },
		{ 0xd0, 0x01, 0xf8, 0x02, 0xf8, 0x03, 0xf8, 0x04 },
	};
	uint8_t out[USBMIDI_ENCODE_MAX(8) + 4];
	size_t i;

	for (i = 0; i < sizeof(worst) / sizeof(worst[0]); i++) {
		struct usbmidi_encoder e;
		uint8_t pending = 0x90;
		int r;

		usbmidi_encoder_init(&e);
		r = usbmidi_encode(&e, 0, worst[i], 8, out, USBMIDI_ENCODE_MAX(8));
		assert_true(r > 0 && r <= USBMIDI_ENCODE_MAX(8));
		assert_true(r > 4 * (8 + 2) / 3 + 4);
		/* A pending status byte completes nothing. */
		assert_int_equal(usbmidi_encode(&e, 0, &pending, 1, out, 0), 0);
	}
}

static void test_encode_bad_cable(void **state)
{
	struct usbmidi_encoder e;
	uint8_t out[16];

	usbmidi_encoder_init(&e);
	assert_int_equal(usbmidi_encode(&e, 16, (const uint8_t *)"\x90\x3c\x40", 3, out, 16),
			 -EINVAL);
	assert_int_equal(usbmidi_encode_msg(16, (const uint8_t *)"\x90\x3c\x40", 3, out, 16),
			 -EINVAL);
}

/* The cables of one encoder do not share state. */
static void test_encode_cables_independent(void **state)
{
	struct usbmidi_encoder e;
	uint8_t out[16];

	usbmidi_encoder_init(&e);
	assert_int_equal(usbmidi_encode(&e, 0, (const uint8_t *)"\xf0\x01", 2, out, 16), 0);
	assert_int_equal(usbmidi_encode(&e, 1, (const uint8_t *)"\x90\x3c", 2, out, 16), 0);
	assert_int_equal(usbmidi_encode(&e, 0, (const uint8_t *)"\x02\x03", 2, out, 16), 4);
	assert_memory_equal(out, "\x04\xf0\x01\x02", 4);
	assert_int_equal(usbmidi_encode(&e, 1, (const uint8_t *)"\x40", 1, out, 16), 4);
	assert_memory_equal(out, "\x19\x90\x3c\x40", 4);
	assert_int_equal(usbmidi_encode(&e, 0, (const uint8_t *)"\xf7", 1, out, 16), 4);
	assert_memory_equal(out, "\x06\x03\xf7\x00", 4);
	assert_int_equal(e.dropped, 0);
}

struct msg_case {
	const char *name;
	unsigned int cable;
	const char *msg;
	const char *expect; /* NULL: -EINVAL */
};

/* clang-format off */
static const struct msg_case msg_cases[] = {
	{ "encode_msg_note_on", 0, "90 3c 7f", "09 90 3c 7f" },
	{ "encode_msg_program", 2, "c1 05", "2c c1 05 00" },
	{ "encode_msg_realtime", 0, "fc", "0f fc 00 00" },
	{ "encode_msg_tune_request", 0, "f6", "05 f6 00 00" },
	{ "encode_msg_song_position", 0, "f2 01 02", "03 f2 01 02" },
	{ "encode_msg_sysex", 1, "f0 47 7f 4f 60 00 04 00 00 01 00 f7",
	  "14 f0 47 7f 14 4f 60 00 14 04 00 00 17 01 00 f7" },
	{ "encode_msg_incomplete_note", 0, "90 3c", NULL },
	{ "encode_msg_unterminated_sysex", 0, "f0 01 02", NULL },
	{ "encode_msg_data_first", 0, "3c 40", NULL },
	{ "encode_msg_lone_f7", 0, "f7", NULL },
	{ "encode_msg_undefined", 0, "f5", NULL },
	{ "encode_msg_trailing_stray", 0, "f1 01 02", NULL },
	{ "encode_msg_empty", 0, "", NULL },
	/* Found by tests/fuzz/fuzz-usbmidi-roundtrip: a status byte that cuts
	 * the message short was taken, and the pieces sent. */
	{ "encode_msg_sysex_cut_by_status", 0, "f0 7e 00 06 02 47 8c", NULL },
	{ "encode_msg_sysex_cut_then_note", 0, "f0 01 02 03 90 40 7f", NULL },
	{ "encode_msg_trailing_status", 0, "90 40 7f 80", NULL },
	{ "encode_msg_note_cut_by_note", 0, "90 40 80 40 00", NULL },
	{ "encode_msg_running_status", 0, "90 40 7f 41 00", "09 90 40 7f 09 90 41 00" },
	{ "encode_msg_realtime_inside", 0, "90 40 f8 7f", "0f f8 00 00 09 90 40 7f" },
};
/* clang-format on */

static void test_encode_msg_case(void **state)
{
	const struct msg_case *tc = *state;
	uint8_t msg[32], want[64], out[64];
	size_t nm = hex(tc->msg, msg, sizeof(msg));
	size_t nw;
	int r;

	memset(out, 0xaa, sizeof(out));
	r = usbmidi_encode_msg(tc->cable, msg, nm, out, sizeof(out));
	if (!tc->expect) {
		assert_int_equal(r, -EINVAL);
		assert_int_equal(out[0], 0xaa);
		return;
	}
	nw = hex(tc->expect, want, sizeof(want));
	assert_int_equal(r, nw);
	assert_memory_equal(out, want, nw);
	/* One byte short of room: nothing written. */
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(usbmidi_encode_msg(tc->cable, msg, nm, out, nw - 1), -ENOSPC);
	assert_int_equal(out[0], 0xaa);
}

static void test_cin_length(void **state)
{
	static const unsigned int want[16] = { 0, 0, 2, 3, 3, 1, 2, 3, 3, 3, 3, 3, 2, 2, 3, 1 };
	unsigned int cin;

	for (cin = 0; cin < 16; cin++)
		assert_int_equal(usbmidi_cin_length(cin), want[cin]);
	assert_int_equal(usbmidi_cin_length(16), 0);
	assert_int_equal(usbmidi_cin_length(~0u), 0);
}

/* A byte stream with every kind of message on every cable survives encode
 * then decode, message for message. */
static void test_roundtrip_all_cables(void **state)
{
	static const char *const msgs[] = {
		"80 3c 00", "90 3c 7f", "a0 3c 10", "b0 30 40", "c0 05", "d0 40",
		"e0 00 40", "f1 23",    "f2 01 02", "f3 05",    "f6",    "f8",
		"fa",       "f0 f7",    "f0 01 f7", "f0 01 02 f7", "f0 01 02 03 f7",
	};
	static uint8_t pk[4096];
	unsigned int cable, i;

	for (cable = 0; cable < USBMIDI_MAX_CABLES; cable++) {
		struct usbmidi_encoder e;
		struct usbmidi_decoder d;
		struct capture cap;
		char want[1024];
		size_t wl = 0, n = 0;

		usbmidi_encoder_init(&e);
		for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
			uint8_t m[8];
			size_t ml = hex(msgs[i], m, sizeof(m));
			int r = usbmidi_encode(&e, cable, m, ml, pk + n, sizeof(pk) - n);

			assert_true(r > 0);
			n += (size_t)r;
			wl += (size_t)snprintf(want + wl, sizeof(want) - wl, "%s%u:%s",
					       i ? ";" : "", cable, msgs[i]);
		}
		memset(&cap, 0, sizeof(cap));
		usbmidi_decoder_init(&d);
		usbmidi_decode(&d, pk, n, capture_fn, &cap);
		assert_string_equal(cap.text, want);
		assert_int_equal(d.stats.invalid, 0);
	}
}

/* ---- names, as snd-usb-audio gives them ---- */

static void test_card_name(void **state)
{
	char out[USBMIDI_NAME_MAX];

	(void)state;
	usbmidi_card_name(out, "APC MINI", 0x09e8, 0x0028);
	assert_string_equal(out, "APC MINI");
	usbmidi_card_name(out, "  APC mini mk2 \t", 0x09e8, 0x004f);
	assert_string_equal(out, "APC mini mk2");
	usbmidi_card_name(out, NULL, 0x09e8, 0x0028);
	assert_string_equal(out, "USB Device 0x9e8:0x28");
	usbmidi_card_name(out, "   ", 0x1234, 0xabcd);
	assert_string_equal(out, "USB Device 0x1234:0xabcd");
	/* The kernel's buffer holds 31 characters. */
	usbmidi_card_name(out, "0123456789012345678901234567890123456789", 1, 2);
	assert_string_equal(out, "0123456789012345678901234567890");
}

static void test_port_name(void **state)
{
	char out[USBMIDI_NAME_MAX];

	(void)state;
	usbmidi_port_name(out, "APC MINI", NULL, 0);
	assert_string_equal(out, "APC MINI MIDI 1");
	usbmidi_port_name(out, "APC mini mk2", "", 1);
	assert_string_equal(out, "APC mini mk2 MIDI 2");
	usbmidi_port_name(out, "APC mini mk2", "Control", 0);
	assert_string_equal(out, "APC mini mk2 Control");
	/* A jack string that already names the product is used alone. */
	usbmidi_port_name(out, "APC mini mk2", "APC mini mk2 Notes", 1);
	assert_string_equal(out, "APC mini mk2 Notes");
	usbmidi_port_name(out, "A long product name for a card", "and a long jack", 0);
	assert_int_equal(strlen(out), USBMIDI_NAME_MAX - 1);
}

int main(void)
{
	static char names[sizeof(sysex_lengths) / sizeof(sysex_lengths[0])][48];
	static char bw_names[sizeof(encode_cases) / sizeof(encode_cases[0])][80];
	static char pp_names[sizeof(decode_cases) / sizeof(decode_cases[0])][80];
	size_t i;

	for (i = 0; i < sizeof(decode_cases) / sizeof(decode_cases[0]); i++) {
		add_test(decode_cases[i].name, test_decode_case, &decode_cases[i]);
		snprintf(pp_names[i], sizeof(pp_names[i]), "%s_per_packet", decode_cases[i].name);
		add_test(pp_names[i], test_decode_case_per_packet, &decode_cases[i]);
	}
	for (i = 0; i < sizeof(sysex_lengths) / sizeof(sysex_lengths[0]); i++) {
		snprintf(names[i], sizeof(names[i]), "decode_sysex_len_%zu", sysex_lengths[i]);
		add_test(names[i], test_sysex_length, &sysex_lengths[i]);
	}
	add_test("decode_sysex_every_length", test_sysex_every_length, NULL);
	add_test("decode_sysex_interleaved_cables", test_sysex_interleaved, NULL);
	add_test("decode_sysex_interleaved_content", test_sysex_interleaved_content, NULL);
	add_test("decode_overflow_then_interrupted", test_overflow_then_interrupted, NULL);
	add_test("decode_garbage", test_decode_garbage, NULL);
	for (i = 0; i < sizeof(encode_cases) / sizeof(encode_cases[0]); i++) {
		add_test(encode_cases[i].name, test_encode_case, &encode_cases[i]);
		snprintf(bw_names[i], sizeof(bw_names[i]), "%s_bytewise", encode_cases[i].name);
		add_test(bw_names[i], test_encode_case_bytewise, &encode_cases[i]);
	}
	add_test("encode_sysex_every_length", test_encode_sysex_every_length, NULL);
	add_test("encode_sysex_chunked", test_encode_sysex_chunked, NULL);
	add_test("encode_enospc", test_encode_enospc, NULL);
	add_test("encode_max_bound", test_encode_max_bound, NULL);
	add_test("encode_bad_cable", test_encode_bad_cable, NULL);
	add_test("encode_cables_independent", test_encode_cables_independent, NULL);
	for (i = 0; i < sizeof(msg_cases) / sizeof(msg_cases[0]); i++)
		add_test(msg_cases[i].name, test_encode_msg_case, &msg_cases[i]);
	add_test("cin_length", test_cin_length, NULL);
	add_test("card_name", test_card_name, NULL);
	add_test("port_name", test_port_name, NULL);
	add_test("roundtrip_all_cables", test_roundtrip_all_cables, NULL);

	return _cmocka_run_group_tests("usbmidi", tests, n_tests, NULL, NULL);
}
