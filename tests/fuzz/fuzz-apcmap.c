/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz harness: the play mapping (driver/core/apcmap.c). The input is a
 * model, a configuration and a sequence of controls (pads, buttons, Shift,
 * faders), configuration changes (SIGHUP, valid or not), ticks of the
 * clock and releases. Properties: only note-on, note-off and control
 * change with 7-bit data come out; a note-off always ends a note that
 * sounds, and after apcmap_release_all every note-on has had exactly one
 * note-off and no fader value waits; a smoothed fader's last value always
 * goes out; pad notes are -1..127; the LED picture is valid LED state for
 * the model and never changes without the generation changing.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "apcmap.h"
#include "fuzz.h"

static struct apcmap map;
static int sounding[16][128];
static int moved[APC_NUM_FADERS], sent_cc[128];
static struct apc_led pic[APC_NUM_LEDS], prev_pic[APC_NUM_LEDS];
static struct apc_led_state leds;

static void config_from(struct fuzz_in *in, struct apcmap_config *c)
{
	unsigned int i;
	uint8_t how = fuzz_byte(in);

	apcmap_config_default(c);
	if (how & 1)
		c->layout = (enum apcmap_layout)(fuzz_byte(in) % (APCMAP_N_LAYOUTS + 1));
	if (how & 2)
		c->scale = (enum apcmap_scale)(fuzz_byte(in) % (APCMAP_N_SCALES + 1));
	if (how & 4) {
		c->root = fuzz_byte(in) % 13;
		c->octave = (int8_t)(fuzz_byte(in) % 13 - 2);
		c->transpose = (int8_t)(fuzz_byte(in) % 27 - 13);
		c->row_interval = fuzz_byte(in) % 14;
	}
	if (how & 8) {
		c->channel = fuzz_byte(in) % 17;
		c->velocity = fuzz_byte(in);
	}
	if (how & 16)
		for (i = 0; i < APC_NUM_PADS; i++)
			c->drum_notes[i] = fuzz_byte(in);
	if (how & 32) {
		for (i = 0; i < APC_NUM_FADERS; i++)
			c->fader_cc[i] = fuzz_byte(in);
		c->fader_channel = fuzz_byte(in);
		c->fader_smoothing_ms = (uint16_t)(fuzz_byte(in) * 5);
	}
	if (how & 64)
		for (i = 0; i < APCMAP_N_ACTIONS; i++)
			c->transpose_buttons[i] = fuzz_byte(in);
}

static int distinct_ccs(const struct apcmap_config *c)
{
	unsigned int i, j;

	for (i = 0; i < APC_NUM_FADERS; i++)
		for (j = 0; j < i; j++)
			if (c->fader_cc[i] == c->fader_cc[j] && c->fader_cc[i] != APCMAP_NONE)
				return 0;
	return 1;
}

static void take(const struct apcmap_out *out, int r)
{
	unsigned int i;

	FUZZ_CHECK(r >= 0 && (unsigned int)r == out->n && out->n <= APCMAP_OUT_MAX);
	for (i = 0; i < out->n; i++) {
		const uint8_t *m = out->msg[i];
		unsigned int ch = m[0] & 0x0f;

		FUZZ_CHECK(m[1] <= 0x7f && m[2] <= 0x7f);
		switch (m[0] & 0xf0) {
		case 0x90:
			FUZZ_CHECK(m[2] == map.conf.velocity && m[2] > 0);
			sounding[ch][m[1]]++;
			break;
		case 0x80:
			FUZZ_CHECK(sounding[ch][m[1]] > 0);
			sounding[ch][m[1]]--;
			break;
		case 0xb0:
			sent_cc[m[1]] = m[2];
			break;
		default:
			FUZZ_CHECK(0);
		}
	}
}

static void check_picture(void)
{
	static unsigned int prev_gen;
	unsigned int i;
	int note;

	for (i = 0; i < APC_NUM_PADS; i++) {
		note = apcmap_pad_note(&map, i);
		FUZZ_CHECK(note >= -1 && note <= 127);
	}
	FUZZ_CHECK(apcmap_pad_note(&map, APC_NUM_PADS) == -1);
	apcmap_leds(&map, pic);
	for (i = 0; i < APC_NUM_LEDS; i++)
		FUZZ_CHECK(apc_leds_set(&leds, i, &pic[i]) >= 0);
	if (memcmp(pic, prev_pic, sizeof(pic)))
		FUZZ_CHECK(apcmap_leds_generation(&map) != prev_gen);
	memcpy(prev_pic, pic, sizeof(pic));
	prev_gen = apcmap_leds_generation(&map);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	const struct apc_model *model = fuzz_byte(&in) & 1 ? &apc_model_mk2 : &apc_model_mk1;
	struct apcmap_config conf;
	struct apcmap_out out;
	struct apc_control c;
	uint64_t now = 5000000000ull, due;
	int r, reconfigured = 0, distinct;
	unsigned int i;

	memset(sounding, 0, sizeof(sounding));
	memset(sent_cc, 0xff, sizeof(sent_cc));
	memset(moved, 0xff, sizeof(moved));
	config_from(&in, &conf);
	r = apcmap_init(&map, model, &conf);
	FUZZ_CHECK(r == (apcmap_config_check(&conf) == 0 ? 0 : -EINVAL));
	if (r < 0)
		FUZZ_CHECK(apcmap_init(&map, model, NULL) == 0);
	distinct = distinct_ccs(&map.conf);
	apc_leds_init(&leds, model);
	apcmap_leds(&map, prev_pic);
	check_picture();

	while (in.n) {
		uint8_t op = fuzz_byte(&in), b = fuzz_byte(&in);

		memset(&c, 0, sizeof(c));
		switch (op % 8) {
		case 0:
		case 1:
		case 2:
			c.type = APC_CTL_PAD;
			c.index = op & 0x80 ? b : b % APC_NUM_PADS;
			c.value = op & 0x40 ? fuzz_byte(&in) : (op & 8 ? 127 : 0);
			break;
		case 3:
			c.type = b & 1 ? APC_CTL_SCENE : APC_CTL_TRACK;
			c.index = (uint8_t)(op & 0x80 ? b >> 1 : (b >> 1) % 8);
			c.value = op & 8 ? 127 : 0;
			break;
		case 4:
			c.type = op & 0x80 ? (enum apc_control_type)(b % 8) : APC_CTL_SHIFT;
			c.index = op & 0x40 ? b : 0;
			c.value = op & 8 ? 127 : 0;
			break;
		case 5:
			c.type = APC_CTL_FADER;
			c.index = op & 0x80 ? b : b % APC_NUM_FADERS;
			c.value = fuzz_byte(&in);
			now += (uint64_t)fuzz_byte(&in) * 100000u;
			break;
		case 6:
			now += (uint64_t)b * 1000000u;
			r = apcmap_tick(&map, now, &out);
			take(&out, r);
			if (apcmap_next_deadline(&map, &due))
				FUZZ_CHECK(due > now);
			check_picture();
			continue;
		case 7:
			if (op & 8) {
				r = apcmap_release_all(&map, &out);
				take(&out, r);
				for (i = 0; i < 16 * 128; i++)
					FUZZ_CHECK(sounding[i / 128][i % 128] == 0);
				FUZZ_CHECK(!apcmap_next_deadline(&map, &due));
			} else {
				struct apcmap before = map;

				config_from(&in, &conf);
				r = apcmap_set_config(&map, &conf);
				if (apcmap_config_check(&conf) == 0) {
					FUZZ_CHECK(r == 0);
					reconfigured = 1;
				} else {
					FUZZ_CHECK(r == -EINVAL);
					FUZZ_CHECK(!memcmp(&before, &map, sizeof(map)));
				}
			}
			check_picture();
			continue;
		}
		r = apcmap_control(&map, &c, now, &out);
		if (r == -EINVAL) {
			FUZZ_CHECK(out.n == 0);
		} else {
			take(&out, r);
			if (c.type == APC_CTL_FADER)
				moved[c.index] = c.value;
		}
		check_picture();
	}

	r = apcmap_release_all(&map, &out);
	take(&out, r);
	for (i = 0; i < 16 * 128; i++)
		FUZZ_CHECK(sounding[i / 128][i % 128] == 0);
	FUZZ_CHECK(!apcmap_next_deadline(&map, &due));
	/* The final position of every fader reached the receiver. */
	if (!reconfigured && distinct)
		for (i = 0; i < APC_NUM_FADERS; i++)
			if (moved[i] >= 0 && map.conf.fader_cc[i] != APCMAP_NONE)
				FUZZ_CHECK(sent_cc[map.conf.fader_cc[i]] == moved[i]);
	return 0;
}
