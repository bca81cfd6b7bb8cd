/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the event layer (one thread): raw MIDI and snd_seq_event_t
 * to the core's synth_event, sysex reset classification, and WAV
 * write/read round trips. */
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

#include "apcsynth-seq.h"
#include "synth-event.h"
#include "probe-wav.h"
#include "synth-wav.h"

static void test_from_midi(void **state)
{
	static const struct {
		uint8_t msg[3];
		size_t len;
		uint8_t port;
		int ret;
		uint8_t type, chan, key;
		int32_t value;
	} cases[] = {
		{ { 0x90, 60, 100 }, 3, 0, 1, SYNTH_EV_NOTEON, 0, 60, 100 },
		{ { 0x9f, 61, 0 }, 3, 1, 1, SYNTH_EV_NOTEON, 31, 61, 0 },
		{ { 0x83, 62, 64 }, 3, 0, 1, SYNTH_EV_NOTEOFF, 3, 62, 64 },
		{ { 0xa0, 1, 2 }, 3, 0, 1, SYNTH_EV_KEYPRESS, 0, 1, 2 },
		{ { 0xb5, 64, 127 }, 3, 0, 1, SYNTH_EV_CONTROL, 5, 64, 127 },
		{ { 0xc2, 19 }, 2, 0, 1, SYNTH_EV_PROGRAM, 2, 0, 19 },
		{ { 0xd9, 90 }, 2, 0, 1, SYNTH_EV_CHANPRESS, 9, 0, 90 },
		{ { 0xe0, 0x00, 0x40 }, 3, 0, 1, SYNTH_EV_PITCHBEND, 0, 0, 0 },
		{ { 0xe0, 0x00, 0x00 }, 3, 0, 1, SYNTH_EV_PITCHBEND, 0, 0, -8192 },
		{ { 0xe0, 0x7f, 0x7f }, 3, 0, 1, SYNTH_EV_PITCHBEND, 0, 0, 8191 },
		{ { 0xfa }, 1, 0, 1, SYNTH_EV_START, 0, 0, 0 },
		{ { 0xfb }, 1, 0, 1, SYNTH_EV_START, 0, 0, 0 },
		{ { 0xfc }, 1, 0, 1, SYNTH_EV_STOP, 0, 0, 0 },
		{ { 0xff }, 1, 0, 1, SYNTH_EV_RESET, 0, 0, 0 },
		{ { 0xf8 }, 1, 0, 0, 0, 0, 0, 0 },
		{ { 0xfe }, 1, 0, 0, 0, 0, 0, 0 },
		{ { 0x90, 60 }, 2, 0, -EINVAL, 0, 0, 0, 0 },
		{ { 0x40, 60, 1 }, 3, 0, -EINVAL, 0, 0, 0, 0 },
		{ { 0x90, 0x80, 1 }, 3, 0, -EINVAL, 0, 0, 0, 0 },
		{ { 0x90, 1, 1 }, 3, 16, -EINVAL, 0, 0, 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct synth_event ev;
		int ret = synth_event_from_midi(&ev, cases[i].msg, cases[i].len, cases[i].port);

		if (ret != cases[i].ret)
			fail_msg("case %zu: returned %d, want %d", i, ret, cases[i].ret);
		if (ret != 1)
			continue;
		assert_int_equal(ev.type, cases[i].type);
		assert_int_equal(ev.chan, cases[i].chan);
		assert_int_equal(ev.key, cases[i].key);
		assert_int_equal(ev.value, cases[i].value);
	}
}

static void test_sysex(void **state)
{
	static const struct {
		const char *bytes;
		size_t len;
		int kind;
	} cases[] = {
		{ "\xf0\x7e\x7f\x09\x01\xf7", 6, SYNTH_SYSEX_GM_ON },
		{ "\x7e\x10\x09\x01", 4, SYNTH_SYSEX_GM_ON },
		{ "\xf0\x7e\x7f\x09\x03\xf7", 6, SYNTH_SYSEX_GM2_ON },
		{ "\xf0\x7e\x7f\x09\x02\xf7", 6, SYNTH_SYSEX_GM_OFF },
		{ "\xf0\x41\x10\x42\x12\x40\x00\x7f\x00\x41\xf7", 11, SYNTH_SYSEX_GS_RESET },
		{ "\xf0\x43\x10\x4c\x00\x00\x7e\x00\xf7", 9, SYNTH_SYSEX_XG_RESET },
		{ "\xf0\x43\x10\x4c\x00\x00\x7f\x00\xf7", 9, SYNTH_SYSEX_OTHER },
		{ "\xf0\x41\x10\x42\x12\x40\x00\x7f\x01\x40\xf7", 11, SYNTH_SYSEX_OTHER },
		{ "\xf0\x7e\x7f\x06\x01\xf7", 6, SYNTH_SYSEX_OTHER },
		{ "\xf0\xf7", 2, SYNTH_SYSEX_OTHER },
	};
	uint8_t big[SYNTH_SYSEX_INLINE + 3];
	struct synth_event ev;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(synth_event_sysex(&ev, (const uint8_t *)cases[i].bytes,
						   cases[i].len, 1), 0);
		assert_int_equal(ev.type, SYNTH_EV_SYSEX);
		assert_int_equal(ev.chan, 16);
		if ((int)synth_sysex_classify(ev.data, ev.len) != cases[i].kind)
			fail_msg("case %zu: kind %d, want %d", i,
				 synth_sysex_classify(ev.data, ev.len), cases[i].kind);
	}
	/* F0 + SYNTH_SYSEX_INLINE body bytes + F7 fits; one more does not. */
	memset(big, 0x11, sizeof(big));
	big[0] = 0xf0;
	big[SYNTH_SYSEX_INLINE + 1] = 0xf7;
	assert_int_equal(synth_event_sysex(&ev, big, SYNTH_SYSEX_INLINE + 2, 0), 0);
	assert_int_equal(ev.len, SYNTH_SYSEX_INLINE);
	big[SYNTH_SYSEX_INLINE + 1] = 0x11;
	big[SYNTH_SYSEX_INLINE + 2] = 0xf7;
	assert_int_equal(synth_event_sysex(&ev, big, SYNTH_SYSEX_INLINE + 3, 0), -EMSGSIZE);
}

static void test_seq_map(void **state)
{
	snd_seq_event_t ev;
	struct synth_event out[APCSYNTH_MAP_MAX];
	uint64_t dropped = 0;
	uint8_t gm_on[] = { 0xf0, 0x7e, 0x7f, 0x09, 0x01, 0xf7 };
	uint8_t huge[100];

	memset(&ev, 0, sizeof(ev));
	snd_seq_ev_set_noteon(&ev, 3, 60, 99);
	assert_int_equal(apcsynth_seq_map(&ev, 1, out, &dropped), 1);
	assert_int_equal(out[0].type, SYNTH_EV_NOTEON);
	assert_int_equal(out[0].chan, 19);
	assert_int_equal(out[0].key, 60);
	assert_int_equal(out[0].value, 99);

	snd_seq_ev_set_noteoff(&ev, 0, 61, 0);
	assert_int_equal(apcsynth_seq_map(&ev, 0, out, &dropped), 1);
	assert_int_equal(out[0].type, SYNTH_EV_NOTEOFF);

	snd_seq_ev_set_controller(&ev, 2, 64, 127);
	assert_int_equal(apcsynth_seq_map(&ev, 0, out, &dropped), 1);
	assert_int_equal(out[0].type, SYNTH_EV_CONTROL);
	assert_int_equal(out[0].key, 64);
	assert_int_equal(out[0].value, 127);

	snd_seq_ev_set_pgmchange(&ev, 9, 33);
	assert_int_equal(apcsynth_seq_map(&ev, 0, out, &dropped), 1);
	assert_int_equal(out[0].type, SYNTH_EV_PROGRAM);
	assert_int_equal(out[0].chan, 9);
	assert_int_equal(out[0].value, 33);

	snd_seq_ev_set_pitchbend(&ev, 0, -8192);
	assert_int_equal(apcsynth_seq_map(&ev, 0, out, &dropped), 1);
	assert_int_equal(out[0].value, -8192);

	snd_seq_ev_set_chanpress(&ev, 0, 77);
	assert_int_equal(apcsynth_seq_map(&ev, 0, out, &dropped), 1);
	assert_int_equal(out[0].type, SYNTH_EV_CHANPRESS);

	snd_seq_ev_set_keypress(&ev, 0, 60, 5);
	assert_int_equal(apcsynth_seq_map(&ev, 0, out, &dropped), 1);
	assert_int_equal(out[0].type, SYNTH_EV_KEYPRESS);

	/* 14-bit volume: MSB then LSB. */
	ev.type = SND_SEQ_EVENT_CONTROL14;
	ev.data.control.channel = 1;
	ev.data.control.param = 7;
	ev.data.control.value = (100 << 7) | 5;
	assert_int_equal(apcsynth_seq_map(&ev, 0, out, &dropped), 2);
	assert_int_equal(out[0].key, 7);
	assert_int_equal(out[0].value, 100);
	assert_int_equal(out[1].key, 39);
	assert_int_equal(out[1].value, 5);

	/* RPN 0 (bend range) = 2 semitones: 101, 100, 6, 38. */
	ev.type = SND_SEQ_EVENT_REGPARAM;
	ev.data.control.param = 0;
	ev.data.control.value = 2 << 7;
	assert_int_equal(apcsynth_seq_map(&ev, 0, out, &dropped), 4);
	assert_int_equal(out[0].key, 101);
	assert_int_equal(out[1].key, 100);
	assert_int_equal(out[2].key, 6);
	assert_int_equal(out[2].value, 2);
	assert_int_equal(out[3].key, 38);

	snd_seq_ev_set_sysex(&ev, sizeof(gm_on), gm_on);
	assert_int_equal(apcsynth_seq_map(&ev, 0, out, &dropped), 1);
	assert_int_equal(out[0].type, SYNTH_EV_SYSEX);
	assert_int_equal(synth_sysex_classify(out[0].data, out[0].len), SYNTH_SYSEX_GM_ON);
	memset(huge, 0x10, sizeof(huge));
	snd_seq_ev_set_sysex(&ev, sizeof(huge), huge);
	assert_int_equal(apcsynth_seq_map(&ev, 0, out, &dropped), 0);
	assert_int_equal(dropped, 1);

	memset(&ev, 0, sizeof(ev));
	ev.type = SND_SEQ_EVENT_STOP;
	assert_int_equal(apcsynth_seq_map(&ev, 0, out, &dropped), 1);
	assert_int_equal(out[0].type, SYNTH_EV_STOP);
	ev.type = SND_SEQ_EVENT_START;
	assert_int_equal(apcsynth_seq_map(&ev, 0, out, &dropped), 1);
	assert_int_equal(out[0].type, SYNTH_EV_START);
	ev.type = SND_SEQ_EVENT_RESET;
	assert_int_equal(apcsynth_seq_map(&ev, 0, out, &dropped), 1);
	assert_int_equal(out[0].type, SYNTH_EV_RESET);
	ev.type = SND_SEQ_EVENT_PORT_UNSUBSCRIBED;
	assert_int_equal(apcsynth_seq_map(&ev, 2, out, &dropped), 1);
	assert_int_equal(out[0].type, SYNTH_EV_NOTES_OFF);
	assert_int_equal(out[0].chan, 32);
	assert_int_equal(out[0].value, 16);
	ev.type = SND_SEQ_EVENT_CLOCK;
	assert_int_equal(apcsynth_seq_map(&ev, 0, out, &dropped), 0);
	ev.type = SND_SEQ_EVENT_SENSING;
	assert_int_equal(apcsynth_seq_map(&ev, 0, out, &dropped), 0);
}

static void test_wav_roundtrip(void **state)
{
	static const enum synth_wav_format fmts[] = { SYNTH_WAV_S16, SYNTH_WAV_FLOAT };
	static const float l[] = { 0.0f, 0.5f, -0.5f, 1.5f, -1.5f, 0.25f, 1e-6f };
	static const float r[] = { 1.0f, -1.0f, 0.125f, 0.0f, 0.75f, -0.25f, -1e-6f };
	const unsigned int n = sizeof(l) / sizeof(l[0]);
	char path[512];
	const char *dir = getenv("TMPDIR");
	size_t f;
	unsigned int i;

	snprintf(path, sizeof(path), "%s/test-synth-wav-%d.wav", dir && *dir ? dir : "/tmp",
		 (int)getpid());
	for (f = 0; f < 2; f++) {
		struct synth_wav w;
		struct probe_wav_info info;
		float *data;
		FILE *fp;
		long size;

		assert_int_equal(synth_wav_open(&w, path, 44100, 2, fmts[f]), 0);
		/* Two writes, to see the header count both. */
		assert_int_equal(synth_wav_write_planar(&w, l, r, 3), 0);
		assert_int_equal(synth_wav_write_planar(&w, l + 3, r + 3, n - 3), 0);
		assert_int_equal(synth_wav_close(&w), 0);

		fp = fopen(path, "rb");
		assert_non_null(fp);
		fseek(fp, 0, SEEK_END);
		size = ftell(fp);
		fclose(fp);
		assert_int_equal(size, (fmts[f] == SYNTH_WAV_FLOAT ? 58 : 44) +
					       n * 2 * (fmts[f] == SYNTH_WAV_FLOAT ? 4 : 2));

		assert_int_equal(probe_wav_read(path, &info, &data), 0);
		assert_int_equal(info.rate, 44100);
		assert_int_equal(info.channels, 2);
		assert_int_equal(info.frames, n);
		assert_int_equal(info.is_float, fmts[f] == SYNTH_WAV_FLOAT);
		assert_true(info.finalised);
		for (i = 0; i < n; i++) {
			float el = l[i], er = r[i];

			if (fmts[f] == SYNTH_WAV_S16) {
				/* Clipped, and within half a step of 1/32767. */
				el = el > 1 ? 1 : el < -1 ? -1 : el;
				er = er > 1 ? 1 : er < -1 ? -1 : er;
				assert_true(data[2 * i] > el - 1.0f / 16384 &&
					    data[2 * i] < el + 1.0f / 16384);
				assert_true(data[2 * i + 1] > er - 1.0f / 16384 &&
					    data[2 * i + 1] < er + 1.0f / 16384);
			} else {
				assert_true(data[2 * i] == el);
				assert_true(data[2 * i + 1] == er);
			}
		}
		free(data);
	}
	unlink(path);
	assert_int_equal(synth_wav_open(&(struct synth_wav){ 0 }, "/nonexistent/x.wav", 48000,
					2, SYNTH_WAV_S16), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_midi),
		cmocka_unit_test(test_sysex),
		cmocka_unit_test(test_seq_map),
		cmocka_unit_test(test_wav_roundtrip),
	};

	return cmocka_run_group_tests_name("synth-event", tests, NULL, NULL);
}
