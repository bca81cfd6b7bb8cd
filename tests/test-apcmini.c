/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the APC mini model: variant tables, controls both ways, LED
 * state diffing, identity, mk2 sysex and palette. Single-threaded test program. */
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

#include "apcdev.h"
#include "apcmini.h"
#include "test-hex.h"
#define TEST_TABLE_MAX 128
#include "test-table.h"

/* What each model must be, written out from doc/apcmini-protocol.md rather
 * than read back from the tables under test. */
struct facts {
	const char *tag;
	const struct apc_model *m;
	const char *name, *product;
	uint16_t pid;
	uint8_t inquiry_model;
	unsigned int n_cables;
	uint8_t track[APC_NUM_TRACK];
	uint8_t scene[APC_NUM_SCENE];
	uint8_t shift;
	enum apc_led_scheme leds;
	uint8_t pad_led_status; /* status of a default pad LED message */
};

static const struct facts facts_mk1 = {
	"mk1", &apc_model_mk1, "APC mini", "APC MINI", 0x0028, 0x28, 1,
	{ 64, 65, 66, 67, 68, 69, 70, 71 }, { 82, 83, 84, 85, 86, 87, 88, 89 }, 98,
	APC_LEDS_MK1, 0x90,
};

static const struct facts facts_mk2 = {
	"mk2", &apc_model_mk2, "APC mini mk2", "APC mini mk2", 0x004f, 0x4f, 2,
	{ 100, 101, 102, 103, 104, 105, 106, 107 }, { 112, 113, 114, 115, 116, 117, 118, 119 }, 122,
	APC_LEDS_MK2, 0x96,
};

static const uint8_t fader_cc[APC_NUM_FADERS] = { 48, 49, 50, 51, 52, 53, 54, 55, 56 };

/* Note a LED index is addressed by on this model. */
static uint8_t led_note(const struct facts *f, unsigned int i)
{
	if (i < APC_NUM_PADS)
		return (uint8_t)i;
	if (i < APC_LED_SCENE0)
		return f->track[i - APC_LED_TRACK0];
	return f->scene[i - APC_LED_SCENE0];
}

/* ---- model tables ---- */

static void test_model_facts(void **state)
{
	const struct facts *f = *state;
	const struct apc_model *m = f->m;

	assert_string_equal(m->name, f->name);
	assert_string_equal(m->short_name, f->tag);
	assert_string_equal(m->usb_manufacturer, "AKAI professional LLC");
	assert_string_equal(m->usb_product, f->product);
	assert_int_equal(m->vid, 0x09e8);
	assert_int_equal(m->pid, f->pid);
	assert_int_equal(m->inquiry_model, f->inquiry_model);
	assert_int_equal(m->n_cables, f->n_cables);
	assert_int_equal(m->track_first, f->track[0]);
	assert_int_equal(m->scene_first, f->scene[0]);
	assert_int_equal(m->shift_note, f->shift);
	assert_int_equal(m->fader_cc_first, 48);
	assert_int_equal(m->release_status, 0x80);
	assert_int_equal(m->leds, f->leds);
	assert_int_equal(m->pad_led_default_channel, f->pad_led_status & 0x0f);
	assert_ptr_equal(apc_model_by_usb_id(0x09e8, f->pid), m);
	assert_ptr_equal(apc_model_by_name(f->tag), m);
}

static void test_model_lookup(void **state)
{
	assert_ptr_equal(apc_models[0], &apc_model_mk1);
	assert_ptr_equal(apc_models[1], &apc_model_mk2);
	assert_null(apc_models[2]);
	assert_ptr_equal(apc_model_by_name("MK2"), &apc_model_mk2);
	assert_ptr_equal(apc_model_by_name("Mk1"), &apc_model_mk1);
	assert_null(apc_model_by_name("mk3"));
	assert_null(apc_model_by_name(""));
	assert_null(apc_model_by_name(NULL));
	assert_null(apc_model_by_usb_id(0x09e8, 0x0029));
	assert_null(apc_model_by_usb_id(0x1234, 0x0028));
	assert_null(apc_model_by_usb_id(0x004f, 0x09e8));
}

static void test_pad_geometry(void **state)
{
	unsigned int pad;

	assert_int_equal(apc_pad_at(0, 0), 0);
	assert_int_equal(apc_pad_at(7, 0), 7);
	/* The doc numbers rows from the top: note = col + 8 * (7 - row). */
	assert_int_equal(apc_pad_at(0, 7), 56);
	assert_int_equal(apc_pad_at(7, 7), 63);
	assert_int_equal(apc_pad_at(3, 2), 19);
	for (pad = 0; pad < APC_NUM_PADS; pad++)
		assert_int_equal(apc_pad_at(apc_pad_x(pad), apc_pad_y(pad)), pad);
}

/* ---- controls ---- */

static void expect_to_midi(const struct apc_model *m, enum apc_control_type type,
			   unsigned int index, unsigned int value, uint8_t s, uint8_t d1,
			   uint8_t d2)
{
	const struct apc_control c = { type, (uint8_t)index, (uint8_t)value };
	const uint8_t want[3] = { s, d1, d2 };
	uint8_t out[3];

	struct apc_control back;

	assert_int_equal(apc_control_to_midi(m, &c, out), 3);
	/* And back: what the device sends names the control. */
	assert_int_equal(apc_control_from_midi(m, out, 3, &back), 0);
	assert_int_equal(back.type, c.type);
	assert_int_equal(back.index, c.index);
	assert_int_equal(back.value, c.value);
	assert_memory_equal(out, want, 3);
}

/* The messages the device sends for a press and a release. */
static void check_button(const struct apc_model *m, uint8_t note, enum apc_control_type type,
			 unsigned int index)
{
	expect_to_midi(m, type, index, 127, 0x90, note, 0x7f);
	expect_to_midi(m, type, index, 0, 0x80, note, 0x00);
}

static void test_controls_pads(void **state)
{
	const struct facts *f = *state;
	unsigned int pad;

	for (pad = 0; pad < APC_NUM_PADS; pad++)
		check_button(f->m, (uint8_t)pad, APC_CTL_PAD, pad);
}

static void test_controls_buttons(void **state)
{
	const struct facts *f = *state;
	unsigned int i;

	for (i = 0; i < APC_NUM_TRACK; i++)
		check_button(f->m, f->track[i], APC_CTL_TRACK, i);
	for (i = 0; i < APC_NUM_SCENE; i++)
		check_button(f->m, f->scene[i], APC_CTL_SCENE, i);
	check_button(f->m, f->shift, APC_CTL_SHIFT, 0);
}

static void test_controls_faders(void **state)
{
	static const uint8_t values[] = { 0, 1, 63, 64, 126, 127 };
	const struct facts *f = *state;
	unsigned int i, v;

	for (i = 0; i < APC_NUM_FADERS; i++) {
		for (v = 0; v < sizeof(values); v++) {
			expect_to_midi(f->m, APC_CTL_FADER, i, values[v], 0xb0, fader_cc[i],
				       values[v]);
		}
	}
}

static void test_controls_to_midi_invalid(void **state)
{
	static const struct apc_control bad[] = {
		{ APC_CTL_PAD, 64, 127 },  { APC_CTL_TRACK, 8, 127 }, { APC_CTL_SCENE, 8, 127 },
		{ APC_CTL_SHIFT, 1, 127 }, { APC_CTL_FADER, 9, 0 },   { APC_CTL_PAD, 0, 128 },
		{ APC_CTL_FADER, 0, 200 }, { (enum apc_control_type)0, 0, 0 },
	};
	const struct facts *f = *state;
	uint8_t out[3];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(apc_control_to_midi(f->m, &bad[i], out), -EINVAL);
}

/* What is no control of this model: other channels and kinds, notes no
 * button has, CCs next to the faders, short or bad messages. A note-on
 * with velocity 0 is a release. */
static void test_controls_from_midi_other(void **state)
{
	const struct facts *f = *state;
	const uint8_t cc_before[3] = { 0xb0, (uint8_t)(fader_cc[0] - 1), 5 };
	const uint8_t cc_after[3] = { 0xb0, (uint8_t)(fader_cc[8] + 1), 5 };
	const uint8_t on_ch2[3] = { 0x91, 3, 127 }, pressure[3] = { 0xa0, 3, 127 };
	const uint8_t no_button[3] = { 0x90, 0x7f, 127 }, bad[3] = { 0x90, 0x80, 1 };
	const uint8_t zero[3] = { 0x90, 7, 0 };
	struct apc_control c;

	assert_int_equal(apc_control_from_midi(f->m, cc_before, 3, &c), -ENOENT);
	assert_int_equal(apc_control_from_midi(f->m, cc_after, 3, &c), -ENOENT);
	assert_int_equal(apc_control_from_midi(f->m, on_ch2, 3, &c), -ENOENT);
	assert_int_equal(apc_control_from_midi(f->m, pressure, 3, &c), -ENOENT);
	assert_int_equal(apc_control_from_midi(f->m, no_button, 3, &c), -ENOENT);
	assert_int_equal(apc_control_from_midi(f->m, bad, 3, &c), -ENOENT);
	assert_int_equal(apc_control_from_midi(f->m, zero, 2, &c), -ENOENT);
	assert_int_equal(apc_control_from_midi(f->m, zero, 3, &c), 0);
	assert_int_equal(c.type, APC_CTL_PAD);
	assert_int_equal(c.index, 7);
	assert_int_equal(c.value, 0);
}

/* ---- identity ---- */

static void test_inquiry_request(void **state)
{
	static const uint8_t want[] = { 0xf0, 0x7e, 0x00, 0x06, 0x01, 0xf7 };

	assert_memory_equal(apc_inquiry_request, want, sizeof(want));
}

static void test_inquiry_reply(void **state)
{
	const struct facts *f = *state;
	uint8_t want[64], out[64];
	char text[256];
	size_t nw;
	int r;

	snprintf(text, sizeof(text),
		 "f0 7e 05 06 02 47 %02x 00 19 00 01 00 00 05"
		 " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 f7",
		 f->inquiry_model);
	nw = hex(text, want, sizeof(want));
	r = apc_inquiry_reply(f->m, 0x05, out, sizeof(out));
	assert_int_equal(r, nw);
	assert_memory_equal(out, want, nw);
	assert_ptr_equal(apc_model_by_inquiry_reply(out, (size_t)r), f->m);

	assert_int_equal(apc_inquiry_reply(f->m, 0x05, out, nw - 1), -ENOSPC);
	assert_int_equal(apc_inquiry_reply(f->m, 0x80, out, sizeof(out)), -EINVAL);

	/* Any length after the model byte is fine; the framing is not. */
	snprintf(text, sizeof(text), "f0 7e 7f 06 02 47 %02x 00 19 01 02 03 04 00 f7",
		 f->inquiry_model);
	nw = hex(text, out, sizeof(out));
	assert_ptr_equal(apc_model_by_inquiry_reply(out, nw), f->m);
	assert_null(apc_model_by_inquiry_reply(out, nw - 1));
	out[5] = 0x00; /* not Akai */
	assert_null(apc_model_by_inquiry_reply(out, nw));
	out[5] = 0x47;
	out[4] = 0x01; /* a request, not a reply */
	assert_null(apc_model_by_inquiry_reply(out, nw));
	out[4] = 0x02;
	out[6] = 0x29; /* another Akai product */
	assert_null(apc_model_by_inquiry_reply(out, nw));
	assert_null(apc_model_by_inquiry_reply(apc_inquiry_request, sizeof(apc_inquiry_request)));
	assert_null(apc_model_by_inquiry_reply(out, 0));
}

/* ---- mk2 introduction ---- */

static void test_mk2_intro_request(void **state)
{
	uint8_t want[16], out[16];
	size_t nw = hex("f0 47 7f 4f 60 00 04 00 00 01 00 f7", want, sizeof(want));

	assert_int_equal(apc_mk2_intro_request(out, sizeof(out)), nw);
	assert_memory_equal(out, want, nw);
	assert_int_equal(apc_mk2_intro_request(out, nw - 1), -ENOSPC);
}

static void test_mk2_intro_reply_build(void **state)
{
	static const uint8_t faders[APC_NUM_FADERS] = { 0, 1, 16, 32, 64, 100, 126, 127, 90 };
	uint8_t want[32], out[32], back[APC_NUM_FADERS], bad[APC_NUM_FADERS];
	size_t nw = hex("f0 47 7f 4f 61 00 04 00 01 10 20 40 64 7e 7f 5a f7", want, sizeof(want));

	assert_int_equal(apc_mk2_intro_reply(faders, out, sizeof(out)), nw);
	assert_memory_equal(out, want, nw);
	assert_int_equal(apc_mk2_intro_reply_parse(out, nw, back), APC_NUM_FADERS);
	assert_memory_equal(back, faders, APC_NUM_FADERS);
	assert_int_equal(apc_mk2_intro_reply(faders, out, nw - 1), -ENOSPC);
	memcpy(bad, faders, sizeof(bad));
	bad[8] = 0x80;
	assert_int_equal(apc_mk2_intro_reply(bad, out, sizeof(out)), -EINVAL);
}

struct intro_case {
	const char *name;
	const char *msg;
	int ret;
	const char *faders;
};

/* clang-format off */
static const struct intro_case intro_cases[] = {
	{ "mk2_intro_parse_doc_length_00_04", "f0 47 7f 4f 61 00 04 01 02 03 04 05 06 07 08 09 f7",
	  9, "01 02 03 04 05 06 07 08 09" },
	{ "mk2_intro_parse_length_00_09", "f0 47 7f 4f 61 00 09 7f 00 7f 00 7f 00 7f 00 40 f7",
	  9, "7f 00 7f 00 7f 00 7f 00 40" },
	{ "mk2_intro_parse_four_faders", "f0 47 7f 4f 61 00 04 0a 0b 0c 0d f7", 4, "0a 0b 0c 0d" },
	{ "mk2_intro_parse_extra_bytes", "f0 47 7f 4f 61 00 0a 01 02 03 04 05 06 07 08 09 0a f7",
	  9, "01 02 03 04 05 06 07 08 09" },
	{ "mk2_intro_parse_no_faders", "f0 47 7f 4f 61 00 00 f7", 0, "" },
	{ "mk2_intro_parse_no_f7", "f0 47 7f 4f 61 00 04 01 02 03 04 05 06 07 08 09", -EINVAL, "" },
	{ "mk2_intro_parse_request", "f0 47 7f 4f 60 00 04 00 00 01 00 f7", -EINVAL, "" },
	{ "mk2_intro_parse_not_akai", "f0 48 7f 4f 61 00 04 01 02 03 04 f7", -EINVAL, "" },
	{ "mk2_intro_parse_other_model", "f0 47 7f 4e 61 00 04 01 02 03 04 f7", -EINVAL, "" },
	{ "mk2_intro_parse_status_inside", "f0 47 7f 4f 61 00 04 01 90 03 04 f7", -EINVAL, "" },
	{ "mk2_intro_parse_bad_length_byte", "f0 47 7f 4f 61 80 04 01 02 f7", -EINVAL, "" },
	{ "mk2_intro_parse_too_short", "f0 47 7f 4f 61 00", -EINVAL, "" },
};
/* clang-format on */

static void test_mk2_intro_parse(void **state)
{
	const struct intro_case *tc = *state;
	uint8_t msg[32], want[APC_NUM_FADERS], got[APC_NUM_FADERS];
	size_t n = hex(tc->msg, msg, sizeof(msg));
	size_t nw = hex(tc->faders, want, sizeof(want));

	memset(got, 0xee, sizeof(got));
	assert_int_equal(apc_mk2_intro_reply_parse(msg, n, got), tc->ret);
	if (tc->ret >= 0) {
		assert_int_equal(nw, (size_t)tc->ret);
		assert_memory_equal(got, want, nw);
		if (nw < APC_NUM_FADERS)
			assert_int_equal(got[nw], 0xee);
	}
}

/* ---- LEDs: messages ---- */

static void test_led_messages(void **state)
{
	const struct facts *f = *state;
	const struct apc_model *m = f->m;
	unsigned int i, ch;

	for (i = 0; i < APC_NUM_LEDS; i++) {
		uint8_t msg[3] = { 0x90, led_note(f, i), 2 };
		struct apc_led led = { .value = 0xee, .behaviour = 0xee };
		uint8_t out[3];

		assert_int_equal(apc_led_from_midi(m, msg, 3, &led), i);
		assert_int_equal(led.value, 2);
		assert_int_equal(led.behaviour, 0);
		assert_int_equal(apc_led_to_midi(m, i, &led, out), 3);
		assert_memory_equal(out, msg, 3);

		/* Note-off from a client: LED off. */
		msg[0] = 0x80;
		assert_int_equal(apc_led_from_midi(m, msg, 3, &led), i);
		assert_int_equal(led.value, 0);

		for (ch = 1; ch < 16; ch++) {
			msg[0] = (uint8_t)(0x90 | ch);
			msg[2] = 21;
			if (m->leds == APC_LEDS_MK2 && i < APC_NUM_PADS) {
				assert_int_equal(apc_led_from_midi(m, msg, 3, &led), i);
				assert_int_equal(led.value, 21);
				assert_int_equal(led.behaviour, ch);
				assert_int_equal(apc_led_to_midi(m, i, &led, out), 3);
				assert_memory_equal(out, msg, 3);
			} else {
				/* mk1 everywhere and mk2 buttons listen on
				 * channel 1 only. */
				assert_int_equal(apc_led_from_midi(m, msg, 3, &led), -ENOENT);
			}
		}
	}
}

static void test_led_messages_other(void **state)
{
	const struct facts *f = *state;
	const struct apc_model *m = f->m;
	const struct apc_led bad_value = { .value = 128, .behaviour = 0 },
			     bad_behaviour = { .value = 1, .behaviour = 16 },
			     ok = { .value = 1, .behaviour = 0 };
	struct apc_led led;
	uint8_t msg[3], out[3];
	unsigned int n;

	for (n = 0; n < 128; n++) {
		int known = n < APC_NUM_PADS;
		unsigned int i;

		for (i = 0; i < 8; i++)
			known |= n == f->track[i] || n == f->scene[i];
		if (known)
			continue;
		/* Shift has no LED. */
		msg[0] = 0x90;
		msg[1] = (uint8_t)n;
		msg[2] = 1;
		assert_int_equal(apc_led_from_midi(m, msg, 3, &led), -ENOENT);
	}
	assert_int_equal(apc_led_from_midi(m, (const uint8_t *)"\xb0\x30\x01", 3, &led), -ENOENT);
	assert_int_equal(apc_led_from_midi(m, (const uint8_t *)"\xa0\x00\x01", 3, &led), -ENOENT);
	assert_int_equal(apc_led_from_midi(m, (const uint8_t *)"\x90\x00", 2, &led), -ENOENT);
	assert_int_equal(apc_led_from_midi(m, (const uint8_t *)"\x90\x00\x80", 3, &led), -ENOENT);

	/* mk1 values the doc calls "show green" are kept as sent. */
	assert_int_equal(apc_led_from_midi(m, (const uint8_t *)"\x90\x00\x64", 3, &led), 0);
	assert_int_equal(led.value, 100);

	assert_int_equal(apc_led_to_midi(m, APC_NUM_LEDS, &ok, out), -EINVAL);
	assert_int_equal(apc_led_to_midi(m, 0, &bad_value, out), -EINVAL);
	assert_int_equal(apc_led_to_midi(m, 0, &bad_behaviour, out), -EINVAL);
}

/* ---- LEDs: state and diffing ---- */

/* The 240 bytes a full repaint of an all-off grid is. */
static void expect_full_off(const struct facts *f, const uint8_t *buf)
{
	unsigned int i;

	for (i = 0; i < APC_NUM_LEDS; i++) {
		const uint8_t want[3] = { i < APC_NUM_PADS ? f->pad_led_status : 0x90,
					  led_note(f, i), 0 };

		assert_memory_equal(buf + 3 * i, want, 3);
	}
}

static void test_leds_first_flush(void **state)
{
	const struct facts *f = *state;
	struct apc_led_state s;
	uint8_t buf[512];

	apc_leds_init(&s, f->m);
	assert_int_equal(apc_leds_pending(&s), 80);
	assert_int_equal(apc_leds_flush(&s, buf, sizeof(buf), 0), 240);
	expect_full_off(f, buf);
	assert_int_equal(apc_leds_pending(&s), 0);
	assert_int_equal(apc_leds_flush(&s, buf, sizeof(buf), 0), 0);
}

static void flush_all(struct apc_led_state *s)
{
	uint8_t buf[512];

	apc_leds_flush(s, buf, sizeof(buf), 0);
	assert_int_equal(apc_leds_pending(s), 0);
}

static void expect_flush(struct apc_led_state *s, const char *want_hex)
{
	uint8_t want[64], buf[512];
	size_t nw = hex(want_hex, want, sizeof(want));

	assert_int_equal(apc_leds_pending(s), nw / 3);
	assert_int_equal(apc_leds_flush(s, buf, sizeof(buf), 0), nw);
	assert_memory_equal(buf, want, nw);
	assert_int_equal(apc_leds_pending(s), 0);
	assert_int_equal(apc_leds_flush(s, buf, sizeof(buf), 0), 0);
}

static void test_leds_diffing(void **state)
{
	const struct facts *f = *state;
	const int mk2 = f->m->leds == APC_LEDS_MK2;
	const struct apc_led off = { .value = 0, .behaviour = 0 }, red = { .value = 3, .behaviour = 0 },
			     five = { .value = 5, .behaviour = 0 };
	const struct apc_led on = { .value = 1, .behaviour = 0 };
	struct apc_led_state s;
	char want[64];

	apc_leds_init(&s, f->m);
	flush_all(&s);

	/* No change: no bytes. */
	assert_int_equal(apc_leds_set(&s, 10, &off), 0);
	assert_int_equal(apc_leds_set(&s, 70, &off), 0);
	expect_flush(&s, "");

	/* One change: one message. mk2 pads go out on their behaviour
	 * channel, 0 here. */
	assert_int_equal(apc_leds_set(&s, 10, &red), 1);
	expect_flush(&s, "90 0a 03");

	/* Setting it again to the same is nothing. */
	assert_int_equal(apc_leds_set(&s, 10, &red), 0);
	expect_flush(&s, "");

	/* Latest wins: two sets before a flush are one message. */
	assert_int_equal(apc_leds_set(&s, 11, &red), 1);
	assert_int_equal(apc_leds_set(&s, 11, &five), 1);
	assert_int_equal(apc_leds_pending(&s), 1);
	expect_flush(&s, "90 0b 05");

	/* Back to what is shown before a flush: nothing to send. */
	assert_int_equal(apc_leds_set(&s, 12, &red), 1);
	assert_int_equal(apc_leds_pending(&s), 1);
	assert_int_equal(apc_leds_set(&s, 12, &off), 1);
	assert_int_equal(apc_leds_pending(&s), 0);
	expect_flush(&s, "");

	/* Buttons: track 1 and the last scene. */
	assert_int_equal(apc_leds_set(&s, APC_LED_TRACK0, &on), 1);
	assert_int_equal(apc_leds_set(&s, APC_LED_SCENE0 + 7, &on), 1);
	snprintf(want, sizeof(want), "90 %02x 01 90 %02x 01", f->track[0], f->scene[7]);
	expect_flush(&s, want);

	/* A client's note-off turns the LED off, on the model's off message. */
	assert_int_equal(apc_leds_apply_midi(&s, (const uint8_t *)"\x80\x0a\x00", 3), 1);
	expect_flush(&s, mk2 ? "96 0a 00" : "90 0a 00");
	snprintf(want, sizeof(want), "90 %02x 00", f->track[0]);
	assert_int_equal(apc_leds_apply_midi(&s, (const uint8_t *)"\x90\x00\x00", 3), 0);
	{
		const uint8_t msg[3] = { 0x80, f->track[0], 0x7f };

		assert_int_equal(apc_leds_apply_midi(&s, msg, 3), 1);
	}
	expect_flush(&s, want);

	/* Not LED messages. */
	assert_int_equal(apc_leds_apply_midi(&s, (const uint8_t *)"\xb0\x30\x01", 3), -ENOENT);
	{
		const uint8_t shift[3] = { 0x90, f->shift, 1 };

		assert_int_equal(apc_leds_apply_midi(&s, shift, 3), -ENOENT);
	}
	assert_int_equal(apc_leds_set(&s, APC_NUM_LEDS, &on), -EINVAL);
	{
		const struct apc_led bad_value = { .value = 128, .behaviour = 0 },
				     bad_behaviour = { .value = 1, .behaviour = 16 };

		assert_int_equal(apc_leds_set(&s, 0, &bad_value), -EINVAL);
		assert_int_equal(apc_leds_set(&s, 0, &bad_behaviour), -EINVAL);
	}
	expect_flush(&s, "");
}

/* Lit values valid on both models: 1-6 on the grid, 1-2 on buttons. */
static uint8_t repaint_value(unsigned int i)
{
	return (uint8_t)(i < APC_NUM_PADS ? 1 + i % 6 : 1 + i % 2);
}

static void test_leds_full_repaint(void **state)
{
	const struct facts *f = *state;
	struct apc_led_state s;
	uint8_t whole[512], parts[512], buf[16];
	size_t n = 0, w, calls = 0;
	unsigned int i;

	apc_leds_init(&s, f->m);
	flush_all(&s);

	for (i = 0; i < APC_NUM_LEDS; i++) {
		const struct apc_led led = { .value = repaint_value(i), .behaviour = 0 };

		assert_int_equal(apc_leds_set(&s, i, &led), 1);
	}
	assert_int_equal(apc_leds_pending(&s), 80);
	assert_int_equal(apc_leds_flush(&s, whole, sizeof(whole), 0), 240);
	for (i = 0; i < APC_NUM_LEDS; i++) {
		assert_int_equal(whole[3 * i + 1], led_note(f, i));
		assert_int_equal(whole[3 * i + 2], repaint_value(i));
	}

	/* Unchanged grid: a repaint costs nothing. */
	for (i = 0; i < APC_NUM_LEDS; i++) {
		const struct apc_led led = { .value = repaint_value(i), .behaviour = 0 };

		assert_int_equal(apc_leds_set(&s, i, &led), 0);
	}
	assert_int_equal(apc_leds_pending(&s), 0);

	/* Invalidate: all 80 again, the same bytes, in pieces of three
	 * messages when the buffer holds only ten bytes. */
	apc_leds_invalidate(&s);
	assert_int_equal(apc_leds_pending(&s), 80);
	assert_int_equal(apc_leds_flush(&s, buf, 2, 0), 0);
	assert_int_equal(apc_leds_pending(&s), 80);
	while (apc_leds_pending(&s) > 0) {
		w = apc_leds_flush(&s, buf, 10, 0);
		assert_true(w == 9 || (w == 6 && apc_leds_pending(&s) == 0));
		memcpy(parts + n, buf, w);
		n += w;
		calls++;
	}
	assert_int_equal(calls, 27);
	assert_int_equal(n, 240);
	assert_memory_equal(parts, whole, 240);

	/* Exact fits: 3 bytes take one message, 240 take all. */
	apc_leds_invalidate(&s);
	assert_int_equal(apc_leds_flush(&s, buf, 3, 0), 3);
	assert_memory_equal(buf, whole, 3);
	assert_int_equal(apc_leds_pending(&s), 79);
	apc_leds_invalidate(&s);
	assert_int_equal(apc_leds_flush(&s, parts, 240, 0), 240);
	assert_memory_equal(parts, whole, 240);
	assert_int_equal(apc_leds_pending(&s), 0);
}

static void test_leds_mk2_behaviour(void **state)
{
	const struct apc_led lit = { .value = 21, .behaviour = 6 },
			     pulsing = { .value = 21, .behaviour = 8 },
			     blinking = { .value = 21, .behaviour = 11 };
	struct apc_led_state s;

	apc_leds_init(&s, &apc_model_mk2);
	flush_all(&s);

	assert_int_equal(apc_leds_set(&s, 5, &lit), 1);
	expect_flush(&s, "96 05 15");
	/* Same colour, other behaviour: a change. */
	assert_int_equal(apc_leds_set(&s, 5, &blinking), 1);
	expect_flush(&s, "9b 05 15");
	assert_int_equal(apc_leds_set(&s, 5, &blinking), 0);
	assert_int_equal(apc_leds_apply_midi(&s, (const uint8_t *)"\x98\x05\x15", 3), 1);
	expect_flush(&s, "98 05 15");
	assert_int_equal(apc_leds_set(&s, 5, &pulsing), 0);

	/* An unlit pad is unlit on any channel: no resend for that. */
	assert_int_equal(apc_leds_apply_midi(&s, (const uint8_t *)"\x9b\x05\x00", 3), 1);
	expect_flush(&s, "96 05 00");
	assert_int_equal(apc_leds_apply_midi(&s, (const uint8_t *)"\x90\x05\x00", 3), 0);
	assert_int_equal(apc_leds_apply_midi(&s, (const uint8_t *)"\x8c\x05\x00", 3), 0);
	expect_flush(&s, "");

	/* Buttons have no behaviour: channel 2 is not theirs. */
	assert_int_equal(apc_leds_apply_midi(&s, (const uint8_t *)"\x91\x64\x01", 3), -ENOENT);
	assert_int_equal(apc_leds_apply_midi(&s, (const uint8_t *)"\x90\x64\x02", 3), 1);
	expect_flush(&s, "90 64 02");
}

/* ---- mk2 RGB ---- */

struct rgb_calls {
	unsigned int n;
	unsigned int pad[APC_NUM_PADS * 4];
	struct apc_rgb c[APC_NUM_PADS * 4];
};

static void rgb_fn(void *user, unsigned int pad, struct apc_rgb c)
{
	struct rgb_calls *r = user;

	assert_true(r->n < APC_NUM_PADS * 4);
	r->pad[r->n] = pad;
	r->c[r->n] = c;
	r->n++;
}

static void test_mk2_rgb_build(void **state)
{
	const struct apc_rgb c = { 255, 128, 1 };
	uint8_t want[32], out[32];
	size_t nw = hex("f0 47 7f 4f 24 00 08 00 3f 01 7f 01 00 00 01 f7", want, sizeof(want));

	assert_int_equal(apc_mk2_rgb_sysex(0, 63, c, out, sizeof(out)), nw);
	assert_memory_equal(out, want, nw);
	assert_int_equal(apc_mk2_rgb_sysex(0, 63, c, out, nw - 1), -ENOSPC);
	assert_int_equal(apc_mk2_rgb_sysex(5, 4, c, out, sizeof(out)), -EINVAL);
	assert_int_equal(apc_mk2_rgb_sysex(0, 64, c, out, sizeof(out)), -EINVAL);
	assert_int_equal(apc_mk2_rgb_sysex(64, 64, c, out, sizeof(out)), -EINVAL);
}

static void test_mk2_rgb_roundtrip(void **state)
{
	static const struct apc_rgb colours[] = {
		{ 0, 0, 0 }, { 255, 255, 255 }, { 127, 128, 129 }, { 1, 254, 64 }, { 128, 0, 127 },
	};
	static const unsigned int ranges[][2] = { { 0, 0 }, { 63, 63 }, { 0, 63 }, { 10, 17 } };
	size_t ci, ri;

	for (ci = 0; ci < sizeof(colours) / sizeof(colours[0]); ci++) {
		for (ri = 0; ri < sizeof(ranges) / sizeof(ranges[0]); ri++) {
			struct rgb_calls r;
			uint8_t out[32];
			unsigned int i, count = ranges[ri][1] - ranges[ri][0] + 1;
			int len = apc_mk2_rgb_sysex(ranges[ri][0], ranges[ri][1], colours[ci], out,
						    sizeof(out));

			assert_int_equal(len, 16);
			/* 8-bit components as (v >> 7, v & 0x7f). */
			assert_int_equal(out[9], colours[ci].r >> 7);
			assert_int_equal(out[10], colours[ci].r & 0x7f);
			assert_int_equal(out[13], colours[ci].b >> 7);
			assert_int_equal(out[14], colours[ci].b & 0x7f);
			memset(&r, 0, sizeof(r));
			assert_int_equal(apc_mk2_rgb_sysex_parse(out, (size_t)len, rgb_fn, &r),
					 count);
			assert_int_equal(r.n, count);
			for (i = 0; i < count; i++) {
				assert_int_equal(r.pad[i], ranges[ri][0] + i);
				assert_int_equal(r.c[i].r, colours[ci].r);
				assert_int_equal(r.c[i].g, colours[ci].g);
				assert_int_equal(r.c[i].b, colours[ci].b);
			}
		}
	}
}

struct rgb_case {
	const char *name;
	const char *msg;
	int ret;
};

/* clang-format off */
static const struct rgb_case rgb_cases[] = {
	{ "mk2_rgb_parse_two_ranges",
	  "f0 47 7f 4f 24 00 10 00 00 01 7f 00 00 00 00 3c 3f 00 00 01 00 00 7f f7", 5 },
	{ "mk2_rgb_parse_length_not_trusted",
	  "f0 47 7f 4f 24 00 08 00 00 01 7f 00 00 00 00 3c 3f 00 00 01 00 00 7f f7", 5 },
	{ "mk2_rgb_parse_no_ranges", "f0 47 7f 4f 24 00 00 f7", 0 },
	{ "mk2_rgb_parse_msb_above_1",
	  "f0 47 7f 4f 24 00 08 00 00 02 00 00 00 00 00 f7", -EINVAL },
	{ "mk2_rgb_parse_end_before_start",
	  "f0 47 7f 4f 24 00 08 05 04 00 00 00 00 00 00 f7", -EINVAL },
	{ "mk2_rgb_parse_pad_64",
	  "f0 47 7f 4f 24 00 08 00 40 00 00 00 00 00 00 f7", -EINVAL },
	{ "mk2_rgb_parse_partial_range",
	  "f0 47 7f 4f 24 00 08 00 00 01 7f 00 00 00 f7", -EINVAL },
	{ "mk2_rgb_parse_no_f7",
	  "f0 47 7f 4f 24 00 08 00 00 01 7f 00 00 00 00", -EINVAL },
	{ "mk2_rgb_parse_other_command",
	  "f0 47 7f 4f 25 00 08 00 00 01 7f 00 00 00 00 f7", -EINVAL },
	{ "mk2_rgb_parse_bad_second_range_colours_nothing",
	  "f0 47 7f 4f 24 00 10 00 00 01 7f 00 00 00 00 3c 3f 00 00 01 00 00 ff f7", -EINVAL },
};
/* clang-format on */

static void test_mk2_rgb_parse(void **state)
{
	const struct rgb_case *tc = *state;
	struct rgb_calls r;
	uint8_t msg[64];
	size_t n = hex(tc->msg, msg, sizeof(msg));

	memset(&r, 0, sizeof(r));
	assert_int_equal(apc_mk2_rgb_sysex_parse(msg, n, rgb_fn, &r), tc->ret);
	assert_int_equal(r.n, tc->ret > 0 ? (unsigned int)tc->ret : 0);
	if (tc->ret == 5) {
		assert_int_equal(r.pad[0], 0);
		assert_int_equal(r.c[0].r, 255);
		assert_int_equal(r.c[0].g, 0);
		assert_int_equal(r.c[0].b, 0);
		assert_int_equal(r.pad[1], 60);
		assert_int_equal(r.pad[4], 63);
		assert_int_equal(r.c[4].r, 0);
		assert_int_equal(r.c[4].g, 128);
		assert_int_equal(r.c[4].b, 127);
	}
}

/* ---- palette ---- */

/* ---- mk2 RGB colours as LED state ---- */

#define MS 1000000ull

/* An mk2 LED state whose 80 LEDs are all shown (flushed at time 0). */
static void rgb_state(struct apc_led_state *s)
{
	uint8_t buf[3 * APC_NUM_LEDS];

	apc_leds_init(s, &apc_model_mk2);
	assert_int_equal(apc_leds_flush(s, buf, sizeof(buf), 0), 3 * APC_NUM_LEDS);
	assert_int_equal(apc_leds_pending(s), 0);
}

static int apply(struct apc_led_state *s, const uint8_t *msg, size_t len)
{
	return apc_leds_apply_midi(s, msg, len);
}

/* One RGB sysex (first..last, colour c) as apc_mk2_rgb_sysex builds it. */
static size_t rgb_msg(uint8_t *out, unsigned int first, unsigned int last, struct apc_rgb c)
{
	int n = apc_mk2_rgb_sysex(first, last, c, out, 64);

	assert_true(n > 0);
	return (size_t)n;
}

struct rgb_seen {
	unsigned int pads;
	uint8_t set[APC_NUM_PADS];
	struct apc_rgb c[APC_NUM_PADS];
};

static void rgb_collect(void *user, unsigned int pad, struct apc_rgb c)
{
	struct rgb_seen *seen = user;

	seen->pads++;
	seen->set[pad] = 1;
	seen->c[pad] = c;
}

/* A pad that was lit solid by a note-on takes its colour 2 ms after that
 * note-on left, not before; the colour is then shown and nothing else is
 * pending. */
static void test_leds_rgb_gap(void **state)
{
	const struct apc_led red = { .value = 5, .behaviour = 6 };
	const struct apc_rgb orange = { 255, 128, 1 };
	struct apc_led_state s;
	struct rgb_seen seen = { 0 };
	uint8_t msg[64], out[256];
	size_t n;

	(void)state;
	rgb_state(&s);
	assert_int_equal(apc_leds_set(&s, 10, &red), 1);
	assert_int_equal(apc_leds_flush(&s, out, sizeof(out), 5 * MS), 3);
	assert_int_equal(apply(&s, msg, rgb_msg(msg, 10, 10, orange)), 1);
	assert_int_equal(apc_leds_pending(&s), 1);
	/* Solid already: no note-on, the colour waits for its gap. */
	assert_int_equal(apc_leds_flush(&s, out, sizeof(out), 6 * MS), 0);
	assert_int_equal(apc_leds_flush_rgb(&s, out, sizeof(out), 6 * MS), 0);
	assert_int_equal(apc_leds_due(&s, 6 * MS), 5 * MS + APC_RGB_GAP_NS);
	assert_int_equal(apc_leds_flush_rgb(&s, out, sizeof(out), 7 * MS - 1), 0);
	n = apc_leds_flush_rgb(&s, out, sizeof(out), 7 * MS);
	assert_int_equal(n, 16);
	assert_int_equal(apc_mk2_rgb_sysex_parse(out, n, rgb_collect, &seen), 1);
	assert_true(seen.set[10]);
	assert_int_equal(seen.c[10].g, 128);
	assert_int_equal(apc_leds_pending(&s), 0);
	assert_int_equal(apc_leds_due(&s, 8 * MS), 0);
	/* The same colour again changes nothing. */
	assert_int_equal(apply(&s, msg, rgb_msg(msg, 10, 10, orange)), 0);
}

/* A pad that blinks, pulses or is not known is set solid (off, on the
 * full-brightness channel) first: the firmware ignores RGB otherwise. */
static void test_leds_rgb_solid_first(void **state)
{
	static const uint8_t behaviours[] = { 8, 11, 15 };
	const struct apc_rgb blue = { 0, 0, 255 };
	struct apc_led_state s;
	uint8_t msg[64], out[256];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(behaviours) / sizeof(behaviours[0]); i++) {
		const struct apc_led led = { .value = 21, .behaviour = behaviours[i] };

		rgb_state(&s);
		apc_leds_set(&s, 3, &led);
		assert_int_equal(apc_leds_flush(&s, out, sizeof(out), 0), 3);
		apply(&s, msg, rgb_msg(msg, 3, 3, blue));
		assert_int_equal(apc_leds_due(&s, 10 * MS), 10 * MS);
		assert_int_equal(apc_leds_flush(&s, out, sizeof(out), 10 * MS), 3);
		assert_int_equal(out[0], 0x96);
		assert_int_equal(out[1], 3);
		assert_int_equal(out[2], 0);
		assert_int_equal(apc_leds_pending(&s), 1);
		assert_int_equal(apc_leds_flush_rgb(&s, out, sizeof(out), 11 * MS), 0);
		assert_int_equal(apc_leds_due(&s, 11 * MS), 12 * MS);
		assert_int_equal(apc_leds_flush_rgb(&s, out, sizeof(out), 12 * MS), 16);
		assert_int_equal(apc_leds_pending(&s), 0);
	}
	/* After a replug nothing is known: every RGB pad is set solid again,
	 * and its colour follows. */
	apc_leds_invalidate(&s);
	assert_int_equal(apc_leds_flush(&s, out, sizeof(out), 20 * MS), 3 * APC_NUM_LEDS);
	assert_int_equal(out[9], 0x96);
	assert_int_equal(out[10], 3);
	assert_int_equal(apc_leds_pending(&s), 1);
	assert_int_equal(apc_leds_flush_rgb(&s, out, sizeof(out), 22 * MS), 16);
	assert_int_equal(apc_leds_pending(&s), 0);
}

/* Pads of one colour in a row go as one range; the sysex holds as many
 * ranges as fit and the rest follow in the next one. */
static void test_leds_rgb_ranges(void **state)
{
	const struct apc_rgb a = { 1, 2, 3 }, b = { 200, 0, 0 };
	struct apc_led_state s;
	struct rgb_seen seen = { 0 };
	uint8_t msg[64], out[256];
	size_t n;

	(void)state;
	rgb_state(&s);
	apply(&s, msg, rgb_msg(msg, 0, 3, a));
	apply(&s, msg, rgb_msg(msg, 4, 4, b));
	apply(&s, msg, rgb_msg(msg, 6, 6, a));
	assert_int_equal(apc_leds_pending(&s), 6);
	/* Shown solid off at time 0: due at 2 ms, three ranges. */
	n = apc_leds_flush_rgb(&s, out, sizeof(out), APC_RGB_GAP_NS);
	assert_int_equal(n, 7 + 3 * 8 + 1);
	assert_int_equal(out[6], 24);
	assert_int_equal(out[7], 0);
	assert_int_equal(out[8], 3);
	assert_int_equal(out[15], 4);
	assert_int_equal(out[16], 4);
	assert_int_equal(out[23], 6);
	assert_int_equal(apc_mk2_rgb_sysex_parse(out, n, rgb_collect, &seen), 6);
	assert_int_equal(apc_leds_pending(&s), 0);

	/* Room for one range: one at a time. */
	apply(&s, msg, rgb_msg(msg, 0, 3, b));
	apply(&s, msg, rgb_msg(msg, 4, 4, a));
	assert_int_equal(apc_leds_flush_rgb(&s, out, 16, 10 * MS), 16);
	assert_int_equal(out[7], 0);
	assert_int_equal(out[8], 3);
	assert_int_equal(apc_leds_pending(&s), 1);
	assert_int_equal(apc_leds_flush_rgb(&s, out, 15, 10 * MS), 0);
	assert_int_equal(apc_leds_flush_rgb(&s, out, 16, 10 * MS), 16);
	assert_int_equal(out[7], 4);
	assert_int_equal(apc_leds_pending(&s), 0);
}

/* The latest wish wins between RGB and palette colours, and wishing what
 * is shown cancels what was pending. */
static void test_leds_rgb_latest_wins(void **state)
{
	const struct apc_led green = { .value = 21, .behaviour = 6 };
	const struct apc_rgb c = { 9, 9, 9 };
	struct apc_led_state s;
	uint8_t msg[64], out[256];

	(void)state;
	rgb_state(&s);
	apply(&s, msg, rgb_msg(msg, 7, 7, c));
	assert_int_equal(apc_leds_set(&s, 7, &green), 1);
	assert_int_equal(apc_leds_flush(&s, out, sizeof(out), MS), 3);
	assert_int_equal(out[2], 21);
	assert_int_equal(apc_leds_flush_rgb(&s, out, sizeof(out), 10 * MS), 0);
	assert_int_equal(apc_leds_pending(&s), 0);
	/* Coloured, then back to green before the gap: nothing to send. */
	apply(&s, msg, rgb_msg(msg, 7, 7, c));
	assert_int_equal(apc_leds_pending(&s), 1);
	apc_leds_set(&s, 7, &green);
	assert_int_equal(apc_leds_pending(&s), 0);
	/* Shown in RGB, then off: a note-on turns the custom colour off. */
	apply(&s, msg, rgb_msg(msg, 7, 7, c));
	assert_int_equal(apc_leds_flush_rgb(&s, out, sizeof(out), 20 * MS), 16);
	assert_int_equal(apc_leds_set(&s, 7, &(struct apc_led){ .value = 0 }), 1);
	assert_int_equal(apc_leds_flush(&s, out, sizeof(out), 21 * MS), 3);
	assert_int_equal(out[0], 0x96);
	assert_int_equal(out[2], 0);
}

/* Note-ons queued behind other messages have not left yet: their pads'
 * colours wait until apc_leds_sent() says when they did. */
static void test_leds_rgb_queued(void **state)
{
	const struct apc_led led = { .value = 21, .behaviour = 11 };
	const struct apc_rgb c = { 0, 255, 0 };
	struct apc_led_state s;
	uint8_t msg[64], out[256];

	(void)state;
	rgb_state(&s);
	apc_leds_set(&s, 40, &led);
	assert_int_equal(apc_leds_flush(&s, out, sizeof(out), 0), 3);
	apply(&s, msg, rgb_msg(msg, 40, 40, c));
	assert_int_equal(apc_leds_flush(&s, out, sizeof(out), APC_LEDS_QUEUED), 3);
	assert_int_equal(apc_leds_flush_rgb(&s, out, sizeof(out), 100 * MS), 0);
	assert_int_equal(apc_leds_due(&s, 100 * MS), 0);
	apc_leds_sent(&s, 100 * MS);
	assert_int_equal(apc_leds_due(&s, 100 * MS), 102 * MS);
	assert_int_equal(apc_leds_flush_rgb(&s, out, sizeof(out), 102 * MS), 16);
}

/* RGB belongs to mk2 pads only; a malformed RGB sysex is no LED message
 * (it goes to the device as it came) and changes nothing. */
static void test_leds_rgb_invalid(void **state)
{
	const struct apc_led rgb = { .rgb = 1, .c = { 1, 1, 1 } };
	const struct apc_rgb c = { 5, 5, 5 };
	struct apc_led_state s;
	uint8_t msg[64];
	size_t n;

	(void)state;
	apc_leds_init(&s, &apc_model_mk1);
	assert_int_equal(apc_leds_set(&s, 0, &rgb), -EINVAL);
	n = rgb_msg(msg, 0, 0, c);
	assert_int_equal(apply(&s, msg, n), -ENOENT);
	rgb_state(&s);
	assert_int_equal(apc_leds_set(&s, APC_LED_TRACK0, &rgb), -EINVAL);
	msg[7] = 9; /* first pad after the last */
	msg[8] = 8;
	assert_int_equal(apply(&s, msg, n), -ENOENT);
	assert_int_equal(apc_leds_pending(&s), 0);
}

/* The device model ignores a colour for a pad that blinks or pulses and
 * takes it once the pad is solid. */
static void test_apcdev_rgb_needs_solid(void **state)
{
	static const uint8_t blink[3] = { 0x9b, 12, 5 }, solid[3] = { 0x96, 12, 5 };
	const struct apc_rgb c = { 10, 20, 30 };
	struct apcdev d;
	uint8_t msg[64];
	size_t n = rgb_msg(msg, 12, 12, c);

	(void)state;
	apcdev_init(&d, &apc_model_mk2, NULL, NULL, NULL);
	apcdev_message(&d, 0, blink, 3);
	apcdev_message(&d, 0, msg, n);
	assert_false(d.leds.want[12].rgb);
	assert_int_equal(d.rx.rgb_ignored, 1);
	apcdev_message(&d, 0, solid, 3);
	apcdev_message(&d, 0, msg, n);
	assert_true(d.leds.want[12].rgb);
	assert_int_equal(d.leds.want[12].c.b, 30);
	apcdev_message(&d, 0, blink, 3);
	assert_false(d.leds.want[12].rgb);
}

/* What shows an LED from any state: a note-on; a custom colour solid first. */
static void test_led_show_msgs(void **state)
{
	const struct apc_led red = { .value = 5, .behaviour = 11 };
	const struct apc_led rgb = { .rgb = 1, .c = { 1, 2, 3 } };
	struct rgb_seen seen = { 0 };
	uint8_t out[64];

	(void)state;
	assert_int_equal(apc_led_show_msgs(&apc_model_mk2, 9, &red, out, sizeof(out)), 3);
	assert_int_equal(out[0], 0x9b);
	assert_int_equal(apc_led_show_msgs(&apc_model_mk2, 9, &rgb, out, sizeof(out)), 3 + 16);
	assert_int_equal(out[0], 0x96);
	assert_int_equal(out[1], 9);
	assert_int_equal(out[2], 0);
	assert_int_equal(apc_mk2_rgb_sysex_parse(out + 3, 16, rgb_collect, &seen), 1);
	assert_int_equal(seen.c[9].b, 3);
	assert_int_equal(apc_led_show_msgs(&apc_model_mk2, 9, &rgb, out, 18), -ENOSPC);
	assert_int_equal(apc_led_show_msgs(&apc_model_mk1, 9, &rgb, out, sizeof(out)), -EINVAL);
	assert_int_equal(apc_led_show_msgs(&apc_model_mk2, APC_LED_TRACK0, &rgb, out, sizeof(out)),
			 -EINVAL);
}

static void test_palette(void **state)
{
	static const struct {
		unsigned int index;
		uint32_t rgb;
	} spots[] = {
		{ 0, 0x000000 },  { 1, 0x1e1e1e },   { 3, 0xffffff },   { 5, 0xff0000 },
		{ 9, 0xff5400 },  { 13, 0xffff00 },  { 21, 0x00ff00 },  { 45, 0x0000ff },
		{ 53, 0xff00ff }, { 60, 0xff1500 },  { 62, 0x795100 },  { 67, 0x0000ff },
		{ 79, 0x002aff }, { 100, 0x392b00 }, { 119, 0xe0ffff }, { 127, 0x4b1502 },
	};
	size_t i;

	for (i = 0; i < sizeof(spots) / sizeof(spots[0]); i++)
		assert_int_equal(apc_mk2_palette[spots[i].index], spots[i].rgb);
	/* Only index 0 is black, and every entry is 24-bit. */
	for (i = 0; i < 128; i++) {
		assert_true(apc_mk2_palette[i] <= 0xffffff);
		assert_true((apc_mk2_palette[i] == 0) == (i == 0));
	}
}

int main(void)
{
	static const struct facts *const models[] = { &facts_mk1, &facts_mk2 };
	static const struct {
		const char *name;
		CMUnitTestFunction fn;
	} per_model[] = {
		{ "model_facts", test_model_facts },
		{ "controls_pads", test_controls_pads },
		{ "controls_buttons", test_controls_buttons },
		{ "controls_faders", test_controls_faders },
		{ "controls_to_midi_invalid", test_controls_to_midi_invalid },
		{ "controls_from_midi_other", test_controls_from_midi_other },
		{ "inquiry_reply", test_inquiry_reply },
		{ "led_messages", test_led_messages },
		{ "led_messages_other", test_led_messages_other },
		{ "leds_first_flush", test_leds_first_flush },
		{ "leds_diffing", test_leds_diffing },
		{ "leds_full_repaint", test_leds_full_repaint },
	};
	static char names[sizeof(per_model) / sizeof(per_model[0])][2][48];
	size_t i, j;

	for (i = 0; i < sizeof(per_model) / sizeof(per_model[0]); i++) {
		for (j = 0; j < 2; j++) {
			snprintf(names[i][j], sizeof(names[i][j]), "%s_%s", per_model[i].name,
				 models[j]->tag);
			add_test(names[i][j], per_model[i].fn, models[j]);
		}
	}
	add_test("model_lookup", test_model_lookup, NULL);
	add_test("pad_geometry", test_pad_geometry, NULL);
	add_test("inquiry_request", test_inquiry_request, NULL);
	add_test("mk2_intro_request", test_mk2_intro_request, NULL);
	add_test("mk2_intro_reply_build", test_mk2_intro_reply_build, NULL);
	for (i = 0; i < sizeof(intro_cases) / sizeof(intro_cases[0]); i++)
		add_test(intro_cases[i].name, test_mk2_intro_parse, &intro_cases[i]);
	add_test("leds_mk2_behaviour", test_leds_mk2_behaviour, NULL);
	add_test("mk2_rgb_build", test_mk2_rgb_build, NULL);
	add_test("mk2_rgb_roundtrip", test_mk2_rgb_roundtrip, NULL);
	for (i = 0; i < sizeof(rgb_cases) / sizeof(rgb_cases[0]); i++)
		add_test(rgb_cases[i].name, test_mk2_rgb_parse, &rgb_cases[i]);
	add_test("palette", test_palette, NULL);
	add_test("leds_rgb_gap", test_leds_rgb_gap, NULL);
	add_test("leds_rgb_solid_first", test_leds_rgb_solid_first, NULL);
	add_test("leds_rgb_ranges", test_leds_rgb_ranges, NULL);
	add_test("leds_rgb_latest_wins", test_leds_rgb_latest_wins, NULL);
	add_test("leds_rgb_queued", test_leds_rgb_queued, NULL);
	add_test("leds_rgb_invalid", test_leds_rgb_invalid, NULL);
	add_test("apcdev_rgb_needs_solid", test_apcdev_rgb_needs_solid, NULL);
	add_test("led_show_msgs", test_led_show_msgs, NULL);

	return _cmocka_run_group_tests("apcmini", tests, n_tests, NULL, NULL);
}
