/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the apcmini.conf parser: tables of good files and what they
 * set, bad lines and their line and message, merges and lookups.
 * Single-threaded test program. */
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

#include "apcconf.h"
#define TEST_TABLE_MAX 512
#include "test-table.h"

/* ---- helpers ---- */

/* A list of notes or CCs as "36,38,-". */
static void dump_list(const uint8_t *v, unsigned int n, char *buf, size_t size)
{
	size_t len = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (v[i] == APCMAP_NONE)
			len += (size_t)snprintf(buf + len, size - len, "%s-", i ? "," : "");
		else
			len += (size_t)snprintf(buf + len, size - len, "%s%u", i ? "," : "", v[i]);
		assert_true(len < size);
	}
}

/* Buttons as "track1,scene8,none". */
static void dump_buttons(const uint8_t *v, char *buf, size_t size)
{
	size_t len = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < APCMAP_N_ACTIONS; i++) {
		const char *sep = i ? "," : "";

		if (v[i] == APCMAP_NONE)
			len += (size_t)snprintf(buf + len, size - len, "%snone", sep);
		else if (v[i] < APC_LED_SCENE0)
			len += (size_t)snprintf(buf + len, size - len, "%strack%u", sep,
						v[i] - APC_LED_TRACK0 + 1);
		else
			len += (size_t)snprintf(buf + len, size - len, "%sscene%u", sep,
						v[i] - APC_LED_SCENE0 + 1);
		assert_true(len < size);
	}
}

/* One set of settings as "key=value ..." in key order: booleans as yes/no,
 * strings in double quotes (unescaped), unset keys left out. */
static size_t dump_settings(const struct apcconf_settings *s, char *buf, size_t size)
{
	size_t n = 0;
	int k;

	buf[0] = '\0';
	for (k = 0; k < APCCONF_N_KEYS; k++) {
		const char *name = apcconf_key_name((enum apcconf_key)k);
		char val[APCCONF_SOUNDFONT_MAX + 2];

		if (!(s->set & APCCONF_BIT(k)))
			continue;
		switch (k) {
		case APCCONF_CLIENT_NAME:
			snprintf(val, sizeof(val), "\"%s\"", s->client_name);
			break;
		case APCCONF_SOUNDFONT:
			snprintf(val, sizeof(val), "\"%s\"", s->soundfont);
			break;
		case APCCONF_AUDIO_DRIVER:
			snprintf(val, sizeof(val), "\"%s\"", s->audio_driver);
			break;
		case APCCONF_AUDIO_DEVICE:
			snprintf(val, sizeof(val), "\"%s\"", s->audio_device);
			break;
		case APCCONF_KEEP_LEDS:
			snprintf(val, sizeof(val), "%s", s->keep_leds ? "yes" : "no");
			break;
		case APCCONF_SYNTH:
			snprintf(val, sizeof(val), "%s", s->synth ? "yes" : "no");
			break;
		case APCCONF_REVERB:
			snprintf(val, sizeof(val), "%s", s->reverb ? "yes" : "no");
			break;
		case APCCONF_CHORUS:
			snprintf(val, sizeof(val), "%s", s->chorus ? "yes" : "no");
			break;
		case APCCONF_OUT_GAP:
			snprintf(val, sizeof(val), "%u", s->out_gap_us);
			break;
		case APCCONF_PERIOD_SIZE:
			snprintf(val, sizeof(val), "%u", s->period_size);
			break;
		case APCCONF_PERIODS:
			snprintf(val, sizeof(val), "%u", s->periods);
			break;
		case APCCONF_SYNTH_LATENCY:
			snprintf(val, sizeof(val), "%u", s->synth_latency);
			break;
		case APCCONF_LAYOUT:
			snprintf(val, sizeof(val), "%s", apcmap_layout_name(s->layout));
			break;
		case APCCONF_SCALE:
			snprintf(val, sizeof(val), "%s", apcmap_scale_name(s->scale));
			break;
		case APCCONF_ROOT:
			snprintf(val, sizeof(val), "%s", apcmap_root_name(s->root));
			break;
		case APCCONF_OCTAVE:
			snprintf(val, sizeof(val), "%d", s->octave);
			break;
		case APCCONF_TRANSPOSE:
			snprintf(val, sizeof(val), "%d", s->transpose);
			break;
		case APCCONF_ROW_INTERVAL:
			snprintf(val, sizeof(val), "%u", s->row_interval);
			break;
		case APCCONF_CHANNEL:
			snprintf(val, sizeof(val), "%u", s->channel + 1);
			break;
		case APCCONF_VELOCITY:
			snprintf(val, sizeof(val), "%u", s->velocity);
			break;
		case APCCONF_DRUM_NOTES:
			if (!s->drum_notes.n)
				snprintf(val, sizeof(val), "gm");
			else
				dump_list(s->drum_notes.note, s->drum_notes.n, val, sizeof(val));
			break;
		case APCCONF_FADER_CC:
			dump_list(s->fader_cc, APC_NUM_FADERS, val, sizeof(val));
			break;
		case APCCONF_FADER_CHANNEL:
			snprintf(val, sizeof(val), "%u", s->fader_channel + 1);
			break;
		case APCCONF_FADER_SMOOTHING:
			snprintf(val, sizeof(val), "%u", s->fader_smoothing_ms);
			break;
		case APCCONF_TRANSPOSE_BUTTONS:
			dump_buttons(s->transpose_buttons, val, sizeof(val));
			break;
		}
		n += (size_t)snprintf(buf + n, size - n, "%s%s=%s", n ? " " : "", name, val);
		assert_true(n < size);
	}
	return n;
}

/* The whole struct as "global: ... | serial:A: ... | port:1-2: ...". */
static void dump_conf(const struct apcconf *c, char *buf, size_t size)
{
	size_t n;
	unsigned int i;

	n = (size_t)snprintf(buf, size, "global:%s", c->global.set ? " " : "");
	n += dump_settings(&c->global, buf + n, size - n);
	for (i = 0; i < c->n_dev; i++) {
		n += (size_t)snprintf(buf + n, size - n, " | %s:%s", c->dev[i].key,
				      c->dev[i].s.set ? " " : "");
		assert_true(n < size);
		n += dump_settings(&c->dev[i].s, buf + n, size - n);
	}
	assert_true(n < size);
}

static void parse_ok(struct apcconf *c, const char *text)
{
	struct apcconf_error err;
	int r;

	r = apcconf_parse(c, text, text ? strlen(text) : 0, "test.conf", &err);
	if (r < 0)
		fail_msg("unexpected error: line %u: %s", err.line, err.msg);
	assert_int_equal(r, 0);
}

static void assert_dump(const struct apcconf *c, const char *expect)
{
	static char got[16384];

	dump_conf(c, got, sizeof(got));
	if (strcmp(got, expect))
		fail_msg("got      '%s'\nexpected '%s'", got, expect);
}

/* A well formed struct, not the empty one, for "nothing changed" checks. */
static const char base_text[] = "out-gap = 5\n"
				"[device \"OLD\"]\n"
				"client-name = Old one\n"
				"reverb = no\n";

/* ---- good files: text in, settings out ---- */

struct good_case {
	const char *name;
	const char *text;
	const char *expect; /* dump_conf */
};

/* clang-format off */
static const struct good_case good_cases[] = {
	{ "good_empty", "", "global:" },
	{ "good_comments_and_blanks", "# apcmini.conf\n\n   \n\t# indented comment\n#\n", "global:" },
	{ "good_every_global_key",
	  "keep-leds = yes\nout-gap = 250\nsynth = yes\nsoundfont = /usr/share/sounds/sf2/FluidR3_GM.sf2\n"
	  "audio-driver = pipewire\naudio-device = hw:1,0\nperiod-size = 128\nperiods = 3\n"
	  "synth-latency = 64\nreverb = no\nchorus = no\n",
	  "global: keep-leds=yes out-gap=250 synth=yes soundfont=\"/usr/share/sounds/sf2/FluidR3_GM.sf2\" "
	  "audio-driver=\"pipewire\" audio-device=\"hw:1,0\" period-size=128 periods=3 synth-latency=64 "
	  "reverb=no chorus=no" },
	{ "good_every_device_key",
	  "[device \"ABC123\"]\nclient-name = APC left\nkeep-leds = no\nout-gap = 0\nsynth = no\n"
	  "soundfont = /opt/sf/piano.sf2\naudio-driver = alsa\naudio-device = plughw:CARD=PCH,DEV=0\n"
	  "period-size = 16\nperiods = 64\nsynth-latency = 0\nreverb = yes\nchorus = yes\n",
	  "global: | serial:ABC123: client-name=\"APC left\" keep-leds=no out-gap=0 synth=no "
	  "soundfont=\"/opt/sf/piano.sf2\" audio-driver=\"alsa\" audio-device=\"plughw:CARD=PCH,DEV=0\" "
	  "period-size=16 periods=64 synth-latency=0 reverb=yes chorus=yes" },
	{ "good_explicit_global", "[global]\nout-gap = 10\n", "global: out-gap=10" },
	{ "good_keys_before_global_header", "keep-leds = yes\n[global]\nout-gap = 10\n",
	  "global: keep-leds=yes out-gap=10" },
	{ "good_global_after_device",
	  "[device \"A\"]\nout-gap = 1\n[global]\nout-gap = 2\n",
	  "global: out-gap=2 | serial:A: out-gap=1" },
	{ "good_device_bare_serial", "[device \"S1\"]\n", "global: | serial:S1:" },
	{ "good_device_serial_prefix", "[device \"serial:S1\"]\n", "global: | serial:S1:" },
	{ "good_device_serial_with_colon", "[device \"serial:AA:BB\"]\n", "global: | serial:AA:BB:" },
	{ "good_device_serial_with_space", "[device \"My APC 1\"]\n", "global: | serial:My APC 1:" },
	{ "good_device_port", "[device \"port:1-2.3\"]\n", "global: | port:1-2.3:" },
	{ "good_device_port_root", "[device \"port:3-1\"]\n", "global: | port:3-1:" },
	{ "good_device_port_31", "[device \"port:1-1.2.3.4.5.6.7.8.9.10.11.12.13\"]\n",
	  "global: | port:1-1.2.3.4.5.6.7.8.9.10.11.12.13:" },
	{ "good_device_port_deep", "[device \"port:10-1.2.3.4.5\"]\n", "global: | port:10-1.2.3.4.5:" },
	{ "good_device_quoted_escape", "[device \"A\\\"B\\\\C\"]\n", "global: | serial:A\"B\\C:" },
	{ "good_device_order_kept",
	  "[device \"port:1-4\"]\n[device \"B\"]\n[device \"A\"]\n",
	  "global: | port:1-4: | serial:B: | serial:A:" },
	{ "good_same_key_global_and_device",
	  "out-gap = 100\n[device \"A\"]\nout-gap = 200\n",
	  "global: out-gap=100 | serial:A: out-gap=200" },
	{ "good_same_key_two_devices",
	  "[device \"A\"]\nclient-name = Left\n[device \"B\"]\nclient-name = Right\n",
	  "global: | serial:A: client-name=\"Left\" | serial:B: client-name=\"Right\"" },
	{ "good_quoted_value", "[device \"A\"]\nclient-name = \"APC mini\"\n",
	  "global: | serial:A: client-name=\"APC mini\"" },
	{ "good_quoted_escapes", "[device \"A\"]\nclient-name = \"say \\\"hi\\\" \\\\o/\"\n",
	  "global: | serial:A: client-name=\"say \"hi\" \\o/\"" },
	{ "good_quoted_hash", "[device \"A\"]\nclient-name = \"pads # 1\"  # the left one\n",
	  "global: | serial:A: client-name=\"pads # 1\"" },
	{ "good_quoted_keeps_blanks", "audio-device = \"  spaced  \"\n",
	  "global: audio-device=\"  spaced  \"" },
	{ "good_quoted_comment_right_after", "audio-device = \"x\"# note\n",
	  "global: audio-device=\"x\"" },
	{ "good_quoted_number", "out-gap = \"300\"\n", "global: out-gap=300" },
	{ "good_quoted_bool", "synth = \"yes\"\n", "global: synth=yes" },
	{ "good_trailing_comment", "out-gap = 250   # microseconds\n", "global: out-gap=250" },
	{ "good_trailing_comment_tab", "out-gap = 250\t# microseconds\n", "global: out-gap=250" },
	{ "good_hash_inside_value", "audio-device = hw:1#2\n", "global: audio-device=\"hw:1#2\"" },
	{ "good_unquoted_inner_blanks", "audio-device = my  device  \n",
	  "global: audio-device=\"my  device\"" },
	{ "good_unquoted_inner_quote", "[device \"A\"]\nclient-name = Bob's \"APC\"\n",
	  "global: | serial:A: client-name=\"Bob's \"APC\"\"" },
	{ "good_unquoted_backslash_literal", "audio-device = a\\b\n", "global: audio-device=\"a\\b\"" },
	{ "good_no_blanks_around_equals", "out-gap=7\nsynth=no\n", "global: out-gap=7 synth=no" },
	{ "good_tabs_around_equals", "out-gap\t=\t7\n", "global: out-gap=7" },
	{ "good_indented_lines", "  [device \"A\"]\n\tout-gap = 3\n", "global: | serial:A: out-gap=3" },
	{ "good_header_blanks_and_comment", "[ device   \"A\" ]   # the left one\n[ global ] # x\n",
	  "global: | serial:A:" },
	{ "good_bool_spellings",
	  "keep-leds = YES\nsynth = off\nreverb = True\nchorus = 0\n[device \"A\"]\nkeep-leds = No\n"
	  "synth = on\nreverb = false\nchorus = 1\n",
	  "global: keep-leds=yes synth=no reverb=yes chorus=no | serial:A: keep-leds=no synth=yes "
	  "reverb=no chorus=yes" },
	{ "good_number_leading_zeros", "out-gap = 0007\n", "global: out-gap=7" },
	{ "good_range_maxima",
	  "out-gap = 1000000\nperiod-size = 8192\nperiods = 64\nsynth-latency = 65536\n",
	  "global: out-gap=1000000 period-size=8192 periods=64 synth-latency=65536" },
	{ "good_range_minima",
	  "out-gap = 0\nperiod-size = 16\nperiods = 2\nsynth-latency = 0\n",
	  "global: out-gap=0 period-size=16 periods=2 synth-latency=0" },
	{ "good_crlf", "out-gap = 4\r\n[device \"A\"]\r\nclient-name = \"x\"\r\n",
	  "global: out-gap=4 | serial:A: client-name=\"x\"" },
	{ "good_bom", "\xef\xbb\xbfout-gap = 4\n", "global: out-gap=4" },
	{ "good_no_final_newline", "out-gap = 4", "global: out-gap=4" },
	{ "good_empty_device_section", "[device \"A\"]\n# nothing yet\n", "global: | serial:A:" },
	{ "good_client_name_63",
	  "[device \"A\"]\nclient-name = 123456789012345678901234567890123456789012345678901234567890123\n",
	  "global: | serial:A: client-name=\"123456789012345678901234567890123456789012345678901234567890123\"" },
	{ "good_client_name_utf8", "[device \"A\"]\nclient-name = Pads \xc3\xa9t\xc3\xa9\n",
	  "global: | serial:A: client-name=\"Pads \xc3\xa9t\xc3\xa9\"" },
	{ "good_audio_driver_chars", "audio-driver = pulse_audio-2\n",
	  "global: audio-driver=\"pulse_audio-2\"" },
	{ "good_mapping_every_key",
	  "layout = chromatic\nscale = dorian\nroot = F#\noctave = 2\ntranspose = -3\n"
	  "row-interval = 7\nchannel = 16\nvelocity = 127\ndrum-notes = 36 38 - 42\n"
	  "fader-cc = 7 10 - 11 1 2 3 4 5\nfader-channel = 10\nfader-smoothing = 20\n"
	  "transpose-buttons = scene1 scene2 none track8\n",
	  "global: layout=chromatic scale=dorian root=F# octave=2 transpose=-3 row-interval=7 "
	  "channel=16 velocity=127 drum-notes=36,38,-,42 fader-cc=7,10,-,11,1,2,3,4,5 "
	  "fader-channel=10 fader-smoothing=20 transpose-buttons=scene1,scene2,none,track8" },
	{ "good_mapping_device_section",
	  "layout = in-key\n[device \"A\"]\nlayout = drum\ndrum-notes = gm\nchannel = 10\n",
	  "global: layout=in-key | serial:A: layout=drum channel=10 drum-notes=gm" },
	{ "good_layouts", "[device \"A\"]\nlayout = chromatic\n[device \"B\"]\nlayout = in-key\n"
	  "[device \"C\"]\nlayout = drum\n",
	  "global: | serial:A: layout=chromatic | serial:B: layout=in-key | serial:C: layout=drum" },
	{ "good_scale_aliases", "scale = ionian\n[device \"A\"]\nscale = aeolian\n"
	  "[device \"B\"]\nscale = harmonic-minor\n[device \"C\"]\nscale = minor-pentatonic\n",
	  "global: scale=major | serial:A: scale=minor | serial:B: scale=harmonic-minor | "
	  "serial:C: scale=minor-pentatonic" },
	{ "good_root_forms", "root = Bb\n[device \"A\"]\nroot = c#\n[device \"B\"]\nroot = 11\n"
	  "[device \"C\"]\nroot = \"Eb\"  # quoted\n",
	  "global: root=A# | serial:A: root=C# | serial:B: root=B | serial:C: root=D#" },
	{ "good_signed_numbers", "octave = -1\ntranspose = +12\n[device \"A\"]\noctave = +9\n"
	  "transpose = -12\n[device \"B\"]\noctave = 0\ntranspose = -0\n",
	  "global: octave=-1 transpose=12 | serial:A: octave=9 transpose=-12 | "
	  "serial:B: octave=0 transpose=0" },
	{ "good_mapping_minima", "row-interval = 1\nchannel = 1\nvelocity = 1\nfader-channel = 1\n"
	  "fader-smoothing = 0\n",
	  "global: row-interval=1 channel=1 velocity=1 fader-channel=1 fader-smoothing=0" },
	{ "good_mapping_maxima", "row-interval = 12\nfader-smoothing = 1000\nvelocity = 127\n",
	  "global: row-interval=12 velocity=127 fader-smoothing=1000" },
	{ "good_list_commas", "drum-notes = 36,38 , 40,\t42\nfader-cc = 1,2,3,4,5,6,7,8,-\n",
	  "global: drum-notes=36,38,40,42 fader-cc=1,2,3,4,5,6,7,8,-" },
	{ "good_list_comment", "fader-cc = 0 0 0 0 0 0 0 0 127  # all to bank select\n",
	  "global: fader-cc=0,0,0,0,0,0,0,0,127" },
	{ "good_drum_notes_64",
	  "drum-notes = 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 "
	  "29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 "
	  "59 60 61 62 127\n",
	  "global: drum-notes=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,"
	  "27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,"
	  "57,58,59,60,61,62,127" },
	{ "good_drum_notes_one_silent", "drum-notes = -\n", "global: drum-notes=-" },
	{ "good_buttons_none", "transpose-buttons = none none none none\n",
	  "global: transpose-buttons=none,none,none,none" },
	{ "good_buttons_commas", "transpose-buttons = track5,track6,scene7,scene8\n",
	  "global: transpose-buttons=track5,track6,scene7,scene8" },
	{ "good_two_identical_controllers",
	  "# two APC mini mk2, told apart by serial number\n"
	  "[global]\nkeep-leds = yes\n\n"
	  "[device \"serial:APC0001\"]\nclient-name = APC left\n\n"
	  "[device \"APC0002\"]\nclient-name = \"APC right\"\nout-gap = 500\n",
	  "global: keep-leds=yes | serial:APC0001: client-name=\"APC left\" | "
	  "serial:APC0002: client-name=\"APC right\" out-gap=500" },
};
/* clang-format on */

static void test_good_case(void **state)
{
	const struct good_case *tc = *state;
	struct apcconf c;

	/* Whatever was there is replaced. */
	parse_ok(&c, base_text);
	parse_ok(&c, tc->text);
	assert_dump(&c, tc->expect);
}

/* ---- bad files: the line and the message of the first error ---- */

struct bad_case {
	const char *name;
	const char *text;
	size_t len; /* 0: strlen(text) */
	unsigned int line;
	const char *msg; /* a substring of the message */
};

/* clang-format off */
static const struct bad_case bad_cases[] = {
	{ "bad_unknown_key", "foo = 1\n", 0, 1, "unknown key 'foo'" },
	{ "bad_unknown_key_device", "[device \"A\"]\nout_gap = 1\n", 0, 2, "unknown key 'out_gap'" },
	{ "bad_unknown_key_case", "Out-Gap = 1\n", 0, 1, "unknown key 'Out-Gap'" },
	{ "bad_key_without_value", "keep-leds\n", 0, 1, "expected 'key = value', a [section] or a # comment: 'keep-leds'" },
	{ "bad_key_blank_value", "keep-leds yes\n", 0, 1, "expected 'key = value'" },
	{ "bad_colon_not_equals", "out-gap: 5\n", 0, 1, "expected 'key = value'" },
	{ "bad_no_key", "= yes\n", 0, 1, "expected 'key = value'" },
	{ "bad_stray_word_later", "out-gap = 1\n\n# c\nhello\n", 0, 4, "expected 'key = value'" },
	{ "bad_missing_value", "out-gap =\n", 0, 1, "out-gap: missing value" },
	{ "bad_missing_value_blanks", "out-gap =   \n", 0, 1, "out-gap: missing value" },
	{ "bad_missing_value_comment", "out-gap = # none\n", 0, 1, "out-gap: missing value" },
	{ "bad_empty_quoted", "[device \"A\"]\nclient-name = \"\"\n", 0, 2, "client-name: missing value" },
	{ "bad_out_gap_suffix", "out-gap = 12x\n", 0, 1,
	  "out-gap: '12x' is not a number of microseconds (0-1000000)" },
	{ "bad_out_gap_too_big", "out-gap = 1000001\n", 0, 1,
	  "out-gap: '1000001' is not a number of microseconds (0-1000000)" },
	{ "bad_out_gap_negative", "out-gap = -1\n", 0, 1, "out-gap: '-1' is not a number" },
	{ "bad_out_gap_plus", "out-gap = +1\n", 0, 1, "out-gap: '+1' is not a number" },
	{ "bad_out_gap_overflow", "out-gap = 99999999999999999999999\n", 0, 1,
	  "out-gap: '99999999999999999999999' is not a number" },
	{ "bad_out_gap_unit", "out-gap = 5 ms\n", 0, 1, "out-gap: '5 ms' is not a number" },
	{ "bad_number_hash_no_blank", "periods = 4#x\n", 0, 1, "periods: '4#x' is not a number" },
	{ "bad_period_size_small", "period-size = 15\n", 0, 1,
	  "period-size: '15' is not a number of frames (16-8192)" },
	{ "bad_period_size_big", "period-size = 8193\n", 0, 1,
	  "period-size: '8193' is not a number of frames (16-8192)" },
	{ "bad_periods_small", "periods = 1\n", 0, 1, "periods: '1' is not a number of periods (2-64)" },
	{ "bad_periods_big", "periods = 65\n", 0, 1, "periods: '65' is not a number of periods (2-64)" },
	{ "bad_periods_hex", "periods = 0x10\n", 0, 1, "periods: '0x10' is not a number" },
	{ "bad_synth_latency_big", "synth-latency = 65537\n", 0, 1,
	  "synth-latency: '65537' is not a number of frames (0-65536)" },
	{ "bad_bool_word", "keep-leds = maybe\n", 0, 1, "keep-leds: 'maybe' is not yes or no" },
	{ "bad_bool_number", "synth = 2\n", 0, 1, "synth: '2' is not yes or no" },
	{ "bad_bool_prefix", "reverb = ye\n", 0, 1, "reverb: 'ye' is not yes or no" },
	{ "bad_bool_control_char", "chorus = \x11\n", 0, 1, "chorus: '\x11' is not yes or no" },
	{ "bad_long_value_shortened", "periods = 12345678901234567890123456789012345678901234567890\n", 0, 1,
	  "periods: '1234567890123456789012345678901234567890...' is not a number" },
	{ "bad_client_name_global", "client-name = APC\n", 0, 1,
	  "client-name: only in a [device \"...\"] section, not in [global]" },
	{ "bad_client_name_global_after_device", "[device \"A\"]\n[global]\nclient-name = APC\n", 0, 3,
	  "client-name: only in a [device" },
	{ "bad_client_name_64",
	  "[device \"A\"]\nclient-name = 1234567890123456789012345678901234567890123456789012345678901234\n",
	  0, 2, "client-name: '1234567890123456789012345678901234567890...' is longer than 63 bytes" },
	{ "bad_control_char_in_value", "audio-device = a\tb\n", 0, 1, "audio-device: control character in the value" },
	{ "bad_control_char_quoted", "[device \"A\"]\nclient-name = \"a\x1b[1mb\"\n", 0, 2,
	  "client-name: control character in the value" },
	{ "bad_soundfont_relative", "soundfont = sf/piano.sf2\n", 0, 1,
	  "soundfont: 'sf/piano.sf2' is not an absolute path" },
	{ "bad_soundfont_tilde", "soundfont = ~/piano.sf2\n", 0, 1, "is not an absolute path" },
	{ "bad_audio_driver_blank", "audio-driver = pulse audio\n", 0, 1,
	  "audio-driver: 'pulse audio' is not a driver name" },
	{ "bad_audio_driver_slash", "audio-driver = /dev/dsp\n", 0, 1, "is not a driver name" },
	{ "bad_unterminated_quote", "audio-device = \"hw:1\n", 0, 1, "missing closing quote" },
	{ "bad_quote_not_closed_by_escape", "audio-device = \"hw:1\\\"\n", 0, 1, "missing closing quote" },
	{ "bad_unknown_escape", "audio-device = \"a\\nb\"\n", 0, 1,
	  "unknown escape '\\n' in quotes (only \\\" and \\\\)" },
	{ "bad_escape_at_end", "audio-device = \"a\\", 0, 1, "unknown escape" },
	{ "bad_text_after_quote", "audio-device = \"a\" b\n", 0, 1, "audio-device: text after the closing quote" },
	{ "bad_two_quoted", "audio-device = \"a\" \"b\"\n", 0, 1, "text after the closing quote" },
	{ "bad_duplicate_key_global", "out-gap = 1\nsynth = yes\nout-gap = 2\n", 0, 3,
	  "duplicate key 'out-gap' (first on line 1)" },
	{ "bad_duplicate_key_across_global_header", "out-gap = 1\n[global]\nout-gap = 2\n", 0, 3,
	  "duplicate key 'out-gap' (first on line 1)" },
	{ "bad_duplicate_key_global_resumed", "[global]\nsynth = no\n[device \"A\"]\n[global]\n", 0, 4,
	  "duplicate section [global] (first on line 1)" },
	{ "bad_duplicate_key_device", "[device \"A\"]\nclient-name = x\n\nclient-name = y\n", 0, 4,
	  "duplicate key 'client-name' (first on line 2)" },
	{ "bad_duplicate_key_same_value", "reverb = yes\nreverb = yes\n", 0, 2, "duplicate key 'reverb'" },
	{ "bad_duplicate_device", "[device \"A\"]\n[device \"B\"]\n[device \"A\"]\n", 0, 3,
	  "duplicate section [device \"serial:A\"] (first on line 1)" },
	{ "bad_duplicate_device_forms", "[device \"A\"]\n[device \"serial:A\"]\n", 0, 2,
	  "duplicate section [device \"serial:A\"] (first on line 1)" },
	{ "bad_duplicate_device_port", "[device \"port:1-2\"]\n\n[device \"port:1-2\"]\n", 0, 3,
	  "duplicate section [device \"port:1-2\"] (first on line 1)" },
	{ "bad_duplicate_global", "[global]\n[global]\n", 0, 2, "duplicate section [global] (first on line 1)" },
	{ "bad_unknown_section", "[foo]\n", 0, 1, "unknown section [foo] (only [global] and [device \"...\"])" },
	{ "bad_unknown_section_case", "[Global]\n", 0, 1, "unknown section [Global]" },
	{ "bad_unknown_section_devices", "[devices \"A\"]\n", 0, 1, "unknown section [devices \"A\"]" },
	{ "bad_empty_section", "[]\n", 0, 1, "unknown section []" },
	{ "bad_section_no_close", "[global\n", 0, 1, "section header without a closing ']'" },
	{ "bad_device_no_close", "[device \"A\"\n", 0, 1, "section header without a closing ']'" },
	{ "bad_unknown_no_close", "[foo\n", 0, 1, "section header without a closing ']'" },
	{ "bad_global_with_name", "[global \"A\"]\n", 0, 1, "[global] takes no name" },
	{ "bad_text_after_header", "[global] out-gap = 1\n", 0, 1, "text after the section header" },
	{ "bad_text_after_device_header", "[device \"A\"] x\n", 0, 1, "text after the section header" },
	{ "bad_text_after_device_name", "[device \"A\" x]\n", 0, 1, "text after the device name" },
	{ "bad_device_without_name", "[device]\n", 0, 1,
	  "expected [device \"SERIAL\"] or [device \"port:BUS-PORT\"]" },
	{ "bad_device_unquoted", "[device ABC]\n", 0, 1, "expected [device \"SERIAL\"]" },
	{ "bad_device_unterminated", "[device \"ABC]\n", 0, 1, "missing closing quote" },
	{ "bad_device_empty", "[device \"\"]\n", 0, 1, "device \"\": empty serial number" },
	{ "bad_device_empty_serial", "[device \"serial:\"]\n", 0, 1, "device \"serial:\": empty serial number" },
	{ "bad_device_empty_port", "[device \"port:\"]\n", 0, 1, "device \"port:\": empty port path" },
	{ "bad_device_unknown_kind", "[device \"usb:1-2\"]\n", 0, 1,
	  "device \"usb:1-2\": unknown kind 'usb' (serial: or port:" },
	{ "bad_device_port_letters", "[device \"port:a-b\"]\n", 0, 1,
	  "device \"port:a-b\": 'a-b' is not a USB port path (BUS-PORT[.PORT]..., as 1-2.3)" },
	{ "bad_device_port_bus_only", "[device \"port:1\"]\n", 0, 1, "'1' is not a USB port path" },
	{ "bad_device_port_trailing_dash", "[device \"port:1-\"]\n", 0, 1, "'1-' is not a USB port path" },
	{ "bad_device_port_dot_first", "[device \"port:1.2\"]\n", 0, 1, "'1.2' is not a USB port path" },
	{ "bad_device_port_two_dashes", "[device \"port:1-2-3\"]\n", 0, 1, "'1-2-3' is not a USB port path" },
	{ "bad_device_port_double_dot", "[device \"port:1-2..3\"]\n", 0, 1, "'1-2..3' is not a USB port path" },
	{ "bad_device_port_trailing_dot", "[device \"port:1-2.\"]\n", 0, 1, "'1-2.' is not a USB port path" },
	{ "bad_device_port_blank", "[device \"port:1-2 \"]\n", 0, 1, "is not a USB port path" },
	{ "bad_device_port_too_long", "[device \"port:1-1.2.3.4.5.6.7.8.9.10.11.12.13.14\"]\n", 0, 1,
	  "port path longer than 31 bytes" },
	{ "bad_device_serial_64",
	  "[device \"1234567890123456789012345678901234567890123456789012345678901234\"]\n", 0, 1,
	  "serial number longer than 63 bytes" },
	{ "bad_device_serial_very_long",
	  "[device \"serial:12345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890\"]\n",
	  0, 1, "serial number longer than 63 bytes" },
	{ "bad_device_serial_not_ascii", "[device \"caf\xc3\xa9\"]\n", 0, 1, "not printable ASCII" },
	{ "bad_device_serial_control", "[device \"A\x01\"]\n", 0, 1, "not printable ASCII" },
	{ "bad_nul_byte", "out-gap = 1\nsynth = y\0es\n", 25, 2, "NUL byte in the line" },
	{ "bad_line_counted_with_crlf", "out-gap = 1\r\n\r\n# c\r\nfoo = 2\r\n", 0, 4, "unknown key 'foo'" },
	{ "bad_line_counted_with_bom", "\xef\xbb\xbf\nfoo = 2\n", 0, 2, "unknown key 'foo'" },
	{ "bad_cr_inside_line", "audio-device = a\rb\n", 0, 1, "audio-device: control character" },
	{ "bad_last_line_no_newline", "out-gap = 1\nsynth = 3", 0, 2, "synth: '3' is not yes or no" },
	{ "bad_first_error_wins", "foo = 1\nbar = 2\n", 0, 1, "unknown key 'foo'" },
	{ "bad_layout", "layout = foo\n", 0, 1, "layout: 'foo' is not one of chromatic, in-key, drum" },
	{ "bad_layout_case", "layout = Drum\n", 0, 1, "layout: 'Drum' is not one of" },
	{ "bad_layout_inkey", "layout = inkey\n", 0, 1, "layout: 'inkey' is not one of" },
	{ "bad_scale", "scale = pentatonic\n", 0, 1,
	  "scale: 'pentatonic' is not one of major, minor, dorian, phrygian, lydian, mixolydian, "
	  "locrian, major-pentatonic, minor-pentatonic, blues, harmonic-minor, chromatic, ionian, "
	  "aeolian" },
	{ "bad_scale_case", "scale = Major\n", 0, 1, "scale: 'Major' is not one of major," },
	{ "bad_scale_long", "scale = 12345678901234567890123456789012345678901234567890\n", 0, 1,
	  "scale: '1234567890123456789012345678901234567890...' is not one of major" },
	{ "bad_root_letter", "root = H\n", 0, 1,
	  "root: 'H' is not a note name (C, C#, Db, D, ... B) or a number 0-11" },
	{ "bad_root_12", "root = 12\n", 0, 1, "root: '12' is not a note name" },
	{ "bad_root_double", "root = C##\n", 0, 1, "root: 'C##' is not a note name" },
	{ "bad_root_unicode_sharp", "root = C\xe2\x99\xaf\n", 0, 1, "is not a note name" },
	{ "bad_octave_high", "octave = 10\n", 0, 1, "octave: '10' is not an octave (-1 to 9)" },
	{ "bad_octave_low", "octave = -2\n", 0, 1, "octave: '-2' is not an octave (-1 to 9)" },
	{ "bad_octave_double_sign", "octave = --1\n", 0, 1, "octave: '--1' is not an octave" },
	{ "bad_octave_sign_only", "octave = +\n", 0, 1, "octave: '+' is not an octave" },
	{ "bad_transpose_high", "transpose = 13\n", 0, 1,
	  "transpose: '13' is not a number of semitones (-12 to 12)" },
	{ "bad_transpose_low", "transpose = -13\n", 0, 1, "transpose: '-13' is not a number" },
	{ "bad_transpose_fraction", "transpose = 1.5\n", 0, 1, "transpose: '1.5' is not a number" },
	{ "bad_row_interval_0", "row-interval = 0\n", 0, 1,
	  "row-interval: '0' is not a number of semitones (1-12)" },
	{ "bad_row_interval_13", "row-interval = 13\n", 0, 1, "row-interval: '13' is not a number" },
	{ "bad_channel_0", "channel = 0\n", 0, 1, "channel: '0' is not a MIDI channel (1-16)" },
	{ "bad_channel_17", "channel = 17\n", 0, 1, "channel: '17' is not a MIDI channel (1-16)" },
	{ "bad_velocity_0", "velocity = 0\n", 0, 1, "velocity: '0' is not a velocity (1-127)" },
	{ "bad_velocity_128", "velocity = 128\n", 0, 1, "velocity: '128' is not a velocity (1-127)" },
	{ "bad_drum_note_128", "drum-notes = 36 128\n", 0, 1,
	  "drum-notes: '128' is not a note (0-127) or -" },
	{ "bad_drum_note_word", "drum-notes = GM\n", 0, 1, "drum-notes: 'GM' is not a note" },
	{ "bad_drum_notes_65",
	  "drum-notes = 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 "
	  "29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 "
	  "59 60 61 62 63 64\n", 0, 1, "drum-notes: more than 64 notes (one per pad)" },
	{ "bad_drum_notes_empty_item", "drum-notes = 36,,38\n", 0, 1,
	  "drum-notes: an empty item in the list" },
	{ "bad_drum_notes_trailing_comma", "drum-notes = 36,\n", 0, 1, "an empty item in the list" },
	{ "bad_drum_notes_leading_comma", "drum-notes = ,36\n", 0, 1, "an empty item in the list" },
	{ "bad_fader_cc_8", "fader-cc = 1 2 3 4 5 6 7 8\n", 0, 1,
	  "fader-cc: 8 values, not 9 (faders 1-8, then the master)" },
	{ "bad_fader_cc_10", "fader-cc = 1 2 3 4 5 6 7 8 9 10\n", 0, 1,
	  "fader-cc: more than 9 values (faders 1-8, then the master)" },
	{ "bad_fader_cc_word", "fader-cc = 1 2 3 4 5 6 7 8 vol\n", 0, 1,
	  "fader-cc: 'vol' is not a controller number (0-127) or -" },
	{ "bad_fader_channel", "fader-channel = 17\n", 0, 1,
	  "fader-channel: '17' is not a MIDI channel (1-16)" },
	{ "bad_fader_smoothing", "fader-smoothing = 1001\n", 0, 1,
	  "fader-smoothing: '1001' is not a number of milliseconds (0-1000)" },
	{ "bad_buttons_3", "transpose-buttons = track1 track2 track3\n", 0, 1,
	  "transpose-buttons: 3 buttons, not 4 (octave up, octave down, semitone down, semitone up)" },
	{ "bad_buttons_5", "transpose-buttons = track1 track2 track3 track4 track5\n", 0, 1,
	  "transpose-buttons: more than 4 buttons (octave up, octave down, semitone down, "
	  "semitone up)" },
	{ "bad_buttons_name", "transpose-buttons = track1 track2 track9 track4\n", 0, 1,
	  "transpose-buttons: 'track9' is not a button (track1-track8, scene1-scene8 or none)" },
	{ "bad_buttons_shift", "transpose-buttons = shift track2 track3 track4\n", 0, 1,
	  "transpose-buttons: 'shift' is not a button" },
	{ "bad_buttons_twice", "transpose-buttons = scene1 track2 scene1 track4\n", 0, 1,
	  "transpose-buttons: 'scene1' given twice" },
	{ "bad_mapping_in_device", "[device \"A\"]\nlayout = drum\nscale = bluesy\n", 0, 3,
	  "scale: 'bluesy' is not one of" },
	{ "bad_after_good_device", "[device \"A\"]\nclient-name = ok\n[device \"B\"]\nperiods = 100\n", 0, 4,
	  "periods: '100' is not a number of periods (2-64)" },
};
/* clang-format on */

static size_t bad_len(const struct bad_case *tc)
{
	return tc->len ? tc->len : strlen(tc->text);
}

static void test_bad_case(void **state)
{
	const struct bad_case *tc = *state;
	struct apcconf c;
	struct apcconf_error err;
	int r;

	memset(&err, 0x55, sizeof(err));
	r = apcconf_parse(&c, tc->text, bad_len(tc), "bad.conf", &err);
	assert_int_equal(r, -EINVAL);
	assert_string_equal(err.filename, "bad.conf");
	if (err.line != tc->line || !strstr(err.msg, tc->msg))
		fail_msg("got line %u '%s'\nexpected line %u '%s'", err.line, err.msg, tc->line,
			 tc->msg);
	/* Without an error struct the result is the same. */
	assert_int_equal(apcconf_parse(&c, tc->text, bad_len(tc), NULL, NULL), -EINVAL);
}

/* Nothing half-applied: a refused text leaves every byte of the struct as
 * it was, however much of the text was good before the error. */
static void test_bad_case_unchanged(void **state)
{
	const struct bad_case *tc = *state;
	static struct apcconf c, before;
	struct apcconf_error err;

	parse_ok(&c, base_text);
	/* The bytes past the strings' NULs too. */
	memset(c.dev[0].s.soundfont, 'x', sizeof(c.dev[0].s.soundfont));
	memset(c.dev[5].key, 'y', sizeof(c.dev[5].key));
	before = c;
	assert_int_equal(apcconf_parse(&c, tc->text, bad_len(tc), "bad.conf", &err), -EINVAL);
	assert_memory_equal(&c, &before, sizeof(c));
}

/* ---- merge: the system file, then the user's ---- */

/* The two files of EXAMPLES in man/apcmini.conf.5, as printed there. */
#define MAN_SYSTEM                                                                                 \
	"# /etc/apcmini/apcmini.conf\n"                                                            \
	"[global]\n"                                                                               \
	"keep-leds = yes\n"                                                                        \
	"\n"                                                                                       \
	"[device \"serial:2A3B4C5D6E7F\"]\n"                                                       \
	"client-name = APC left\n"                                                                 \
	"\n"                                                                                       \
	"[device \"serial:7F6E5D4C3B2A\"]\n"                                                       \
	"client-name = \"APC right\"    # quotes are optional here\n"
#define MAN_USER                                                                                   \
	"# ~/.config/apcmini/apcmini.conf\n"                                                       \
	"synth = no\n"                                                                             \
	"period-size = 64\n"                                                                       \
	"periods = 2\n"                                                                            \
	"\n"                                                                                       \
	"[device \"2A3B4C5D6E7F\"]\n"                                                              \
	"synth = yes\n"                                                                            \
	"soundfont = \"/home/me/sf2/Upright Piano.sf2\"\n"                                         \
	"reverb = no\n"                                                                            \
	"\n"                                                                                       \
	"[device \"port:1-3\"]\n"                                                                  \
	"out-gap = 500\n"

struct merge_case {
	const char *name;
	const char *sys;
	const char *user;
	const char *expect;
};

/* clang-format off */
static const struct merge_case merge_cases[] = {
	{ "merge_both_empty", "", "", "global:" },
	{ "merge_user_only", "", "out-gap = 9\n[device \"A\"]\nsynth = yes\n",
	  "global: out-gap=9 | serial:A: synth=yes" },
	{ "merge_system_only", "out-gap = 9\n[device \"A\"]\nsynth = yes\n", "",
	  "global: out-gap=9 | serial:A: synth=yes" },
	{ "merge_global_key_by_key", "keep-leds = yes\nout-gap = 100\nperiods = 4\n",
	  "out-gap = 200\nreverb = no\n",
	  "global: keep-leds=yes out-gap=200 periods=4 reverb=no" },
	{ "merge_user_says_no", "synth = yes\n", "synth = no\n", "global: synth=no" },
	{ "merge_device_key_by_key",
	  "[device \"A\"]\nclient-name = Sys\nout-gap = 1\n",
	  "[device \"serial:A\"]\nout-gap = 2\nchorus = no\n",
	  "global: | serial:A: client-name=\"Sys\" out-gap=2 chorus=no" },
	{ "merge_new_device_appended",
	  "[device \"A\"]\nclient-name = a\n",
	  "[device \"port:1-3\"]\nclient-name = p\n[device \"A\"]\nclient-name = b\n",
	  "global: | serial:A: client-name=\"b\" | port:1-3: client-name=\"p\"" },
	{ "merge_user_global_not_over_device",
	  "[device \"A\"]\nout-gap = 1\n", "out-gap = 2\n",
	  "global: out-gap=2 | serial:A: out-gap=1" },
	{ "merge_manual_example", MAN_SYSTEM, MAN_USER,
	  "global: keep-leds=yes synth=no period-size=64 periods=2 | "
	  "serial:2A3B4C5D6E7F: client-name=\"APC left\" synth=yes "
	  "soundfont=\"/home/me/sf2/Upright Piano.sf2\" reverb=no | "
	  "serial:7F6E5D4C3B2A: client-name=\"APC right\" | port:1-3: out-gap=500" },
	{ "merge_strings_replaced_whole",
	  "soundfont = /usr/share/sounds/sf2/a-very-long-name.sf2\n", "soundfont = /b.sf2\n",
	  "global: soundfont=\"/b.sf2\"" },
};
/* clang-format on */

static void test_merge_case(void **state)
{
	const struct merge_case *tc = *state;
	static struct apcconf sys, user, user_before;

	parse_ok(&sys, tc->sys);
	parse_ok(&user, tc->user);
	user_before = user;
	assert_int_equal(apcconf_merge(&sys, &user), 0);
	assert_dump(&sys, tc->expect);
	assert_memory_equal(&user, &user_before, sizeof(user));
}

/* Text of `n` device sections "D<first>".."D<first+n-1>", each with a key. */
static void devices_text(char *buf, size_t size, unsigned int first, unsigned int n)
{
	size_t len = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = first; i < first + n; i++) {
		len += (size_t)snprintf(buf + len, size - len, "[device \"D%u\"]\nperiods = %u\n",
					i, 2 + i % 60);
		assert_true(len < size);
	}
}

static void test_merge_full(void **state)
{
	static struct apcconf sys, user, before;
	static char text[4096];

	(void)state;
	devices_text(text, sizeof(text), 0, APCCONF_MAX_DEVICES);
	parse_ok(&sys, text);
	assert_int_equal(sys.n_dev, APCCONF_MAX_DEVICES);

	/* The same sections again fit: they are merged, not added. */
	devices_text(text, sizeof(text), 0, APCCONF_MAX_DEVICES);
	parse_ok(&user, text);
	assert_int_equal(apcconf_merge(&sys, &user), 0);
	assert_int_equal(sys.n_dev, APCCONF_MAX_DEVICES);

	/* One more does not, and then nothing at all is merged. */
	parse_ok(&user, "out-gap = 3\n[device \"D2\"]\nperiods = 9\n[device \"NEW\"]\n");
	before = sys;
	assert_int_equal(apcconf_merge(&sys, &user), -ENOSPC);
	assert_memory_equal(&sys, &before, sizeof(sys));
}

/* ---- find_device: serial section first, then port ---- */

struct find_case {
	const char *name;
	const char *serial;
	const char *port;
	const char *expect; /* the section's key, NULL for none */
};

static const char find_text[] = "[device \"S1\"]\n[device \"port:1-2\"]\n"
				"[device \"port:1-3\"]\n[device \"serial:S3\"]\n";

/* clang-format off */
static const struct find_case find_cases[] = {
	{ "find_serial_over_port", "S1", "1-2", "serial:S1" },
	{ "find_port_when_no_serial_section", "S9", "1-2", "port:1-2" },
	{ "find_port_without_serial", NULL, "1-3", "port:1-3" },
	{ "find_port_empty_serial", "", "1-3", "port:1-3" },
	{ "find_serial_without_port", "S3", NULL, "serial:S3" },
	{ "find_none", "S9", "9-9", NULL },
	{ "find_nothing_given", NULL, NULL, NULL },
	{ "find_serial_not_matched_as_port", "1-2", "5-5", NULL },
	{ "find_no_prefix_match", "S", "1", NULL },
	{ "find_no_longer_match", "S11", "1-2.1", NULL },
};
/* clang-format on */

static void test_find_case(void **state)
{
	const struct find_case *tc = *state;
	static struct apcconf c;
	const struct apcconf_dev *d;

	parse_ok(&c, find_text);
	d = apcconf_find_device(&c, tc->serial, tc->port);
	if (!tc->expect) {
		assert_null(d);
		return;
	}
	assert_non_null(d);
	assert_string_equal(d->key, tc->expect);
	assert_ptr_equal(d, apcconf_find(&c, tc->expect));
}

/* ---- resolve: what applies to one device ---- */

struct resolve_case {
	const char *name;
	const char *text;
	const char *device_key; /* NULL: resolve without a section */
	int found;		/* apcconf_find finds the section */
	const char *expect;	/* dump_settings */
};

static const char resolve_text[] = "out-gap = 100\nsynth = yes\nperiods = 3\n"
				   "[device \"ABC\"]\nclient-name = Left\nout-gap = 0\n"
				   "[device \"port:1-2.3\"]\nsynth = no\n";

/* clang-format off */
static const struct resolve_case resolve_cases[] = {
	{ "resolve_device_wins", resolve_text, "serial:ABC", 1,
	  "client-name=\"Left\" out-gap=0 synth=yes periods=3" },
	{ "resolve_port_section", resolve_text, "port:1-2.3", 1,
	  "out-gap=100 synth=no periods=3" },
	{ "resolve_unknown_device_gets_global", resolve_text, "serial:XYZ", 0,
	  "out-gap=100 synth=yes periods=3" },
	{ "resolve_bare_serial_is_not_a_key", resolve_text, "ABC", 0,
	  "out-gap=100 synth=yes periods=3" },
	{ "resolve_keys_are_case_sensitive", resolve_text, "serial:abc", 0,
	  "out-gap=100 synth=yes periods=3" },
	{ "resolve_port_prefix_not_serial", resolve_text, "serial:1-2.3", 0,
	  "out-gap=100 synth=yes periods=3" },
	{ "resolve_no_section", resolve_text, NULL, 0, "out-gap=100 synth=yes periods=3" },
	{ "resolve_nothing_set", "", "serial:ABC", 0, "" },
	{ "resolve_device_only", "[device \"ABC\"]\nreverb = no\n", "serial:ABC", 1, "reverb=no" },
};
/* clang-format on */

static void test_resolve_case(void **state)
{
	const struct resolve_case *tc = *state;
	static struct apcconf c;
	static struct apcconf_settings s;
	const struct apcconf_dev *d = NULL;
	char got[4096];

	parse_ok(&c, tc->text);
	if (tc->device_key) {
		d = apcconf_find(&c, tc->device_key);
		assert_int_equal(d != NULL, tc->found);
		if (d)
			assert_string_equal(d->key, tc->device_key);
	}
	memset(&s, 0x55, sizeof(s));
	apcconf_resolve(&c, d, &s);
	dump_settings(&s, got, sizeof(got));
	assert_string_equal(got, tc->expect);
}

/* The layering as apcminid will do it: system file, user file, then the
 * device's section over the global part. */
static void test_layering_system_user_device(void **state)
{
	static struct apcconf sys, user;
	static struct apcconf_settings s;
	char got[4096];

	(void)state;
	parse_ok(&sys, "out-gap = 100\nsynth = yes\nsoundfont = /usr/share/sf2/GM.sf2\n"
		       "[device \"L\"]\nclient-name = System left\nperiods = 4\n");
	parse_ok(&user, "synth = no\n[device \"serial:L\"]\nclient-name = My left\n"
			"[device \"R\"]\nclient-name = My right\nsynth = yes\n");
	assert_int_equal(apcconf_merge(&sys, &user), 0);

	apcconf_resolve(&sys, apcconf_find(&sys, "serial:L"), &s);
	dump_settings(&s, got, sizeof(got));
	assert_string_equal(got, "client-name=\"My left\" out-gap=100 synth=no "
				 "soundfont=\"/usr/share/sf2/GM.sf2\" periods=4");
	apcconf_resolve(&sys, apcconf_find(&sys, "serial:R"), &s);
	dump_settings(&s, got, sizeof(got));
	assert_string_equal(got, "client-name=\"My right\" out-gap=100 synth=yes "
				 "soundfont=\"/usr/share/sf2/GM.sf2\"");
	apcconf_resolve(&sys, apcconf_find(&sys, "serial:OTHER"), &s);
	dump_settings(&s, got, sizeof(got));
	assert_string_equal(got, "out-gap=100 synth=no soundfont=\"/usr/share/sf2/GM.sf2\"");
}

/* ---- the play mapping: settings into an apcmap_config ---- */

static void map_of(const char *text, const char *device_key, struct apcmap_config *out)
{
	static struct apcconf c;
	static struct apcconf_settings s;

	parse_ok(&c, text);
	apcconf_resolve(&c, device_key ? apcconf_find(&c, device_key) : NULL, &s);
	apcconf_map_config(&s, out);
	assert_int_equal(apcmap_config_check(out), 0);
}

static void test_map_config_defaults(void **state)
{
	struct apcmap_config got, def;

	(void)state;
	memset(&got, 0x55, sizeof(got));
	map_of("out-gap = 3\n", NULL, &got);
	apcmap_config_default(&def);
	assert_memory_equal(&got, &def, sizeof(got));
}

static void test_map_config_every_key(void **state)
{
	static const uint8_t cc[APC_NUM_FADERS] = { 7, 10, APCMAP_NONE, 11, 1, 2, 3, 4, 5 };
	struct apcmap_config m;
	unsigned int i;

	(void)state;
	map_of("layout = chromatic\nscale = dorian\nroot = F#\noctave = 2\ntranspose = -3\n"
	       "row-interval = 7\nchannel = 16\nvelocity = 127\ndrum-notes = 36 38 - 42\n"
	       "fader-cc = 7 10 - 11 1 2 3 4 5\nfader-channel = 10\nfader-smoothing = 20\n"
	       "transpose-buttons = scene1 scene2 none track8\n",
	       NULL, &m);
	assert_int_equal(m.layout, APCMAP_CHROMATIC);
	assert_int_equal(m.scale, APCMAP_DORIAN);
	assert_int_equal(m.root, 6);
	assert_int_equal(m.octave, 2);
	assert_int_equal(m.transpose, -3);
	assert_int_equal(m.row_interval, 7);
	assert_int_equal(m.channel, 15);
	assert_int_equal(m.velocity, 127);
	assert_int_equal(m.drum_notes[0], 36);
	assert_int_equal(m.drum_notes[1], 38);
	assert_int_equal(m.drum_notes[2], APCMAP_NONE);
	assert_int_equal(m.drum_notes[3], 42);
	/* The pads after the list are silent. */
	for (i = 4; i < APC_NUM_PADS; i++)
		assert_int_equal(m.drum_notes[i], APCMAP_NONE);
	assert_memory_equal(m.fader_cc, cc, sizeof(cc));
	assert_int_equal(m.fader_channel, 9);
	assert_int_equal(m.fader_smoothing_ms, 20);
	assert_int_equal(m.transpose_buttons[APCMAP_OCTAVE_UP], APC_LED_SCENE0);
	assert_int_equal(m.transpose_buttons[APCMAP_OCTAVE_DOWN], APC_LED_SCENE0 + 1);
	assert_int_equal(m.transpose_buttons[APCMAP_SEMITONE_DOWN], APCMAP_NONE);
	assert_int_equal(m.transpose_buttons[APCMAP_SEMITONE_UP], APC_LED_TRACK0 + 7);
}

/* A device section over the global one, key by key; "gm" over a list
 * brings the default quadrants back. */
static void test_map_config_device_over_global(void **state)
{
	static const char text[] = "layout = drum\nchannel = 10\ndrum-notes = 35 36\n"
				   "[device \"A\"]\ndrum-notes = gm\nvelocity = 80\n";
	struct apcmap_config m;
	uint8_t gm[APC_NUM_PADS];

	(void)state;
	apcmap_drum_gm(gm);
	map_of(text, "serial:A", &m);
	assert_int_equal(m.layout, APCMAP_DRUM);
	assert_int_equal(m.channel, 9);
	assert_int_equal(m.velocity, 80);
	assert_memory_equal(m.drum_notes, gm, sizeof(gm));
	map_of(text, "serial:B", &m);
	assert_int_equal(m.velocity, 100);
	assert_int_equal(m.drum_notes[0], 35);
	assert_int_equal(m.drum_notes[1], 36);
	assert_int_equal(m.drum_notes[2], APCMAP_NONE);
}

/* The three layout examples of man/apcmini.conf.5, as printed there. */
#define MAN_PLAY                                                                                   \
	"# ~/.config/apcmini/apcmini.conf\n"                                                       \
	"# Every controller: C major in key, the default, written out.\n"                           \
	"layout = in-key\n"                                                                        \
	"scale = major\n"                                                                          \
	"root = C\n"                                                                               \
	"octave = 3\n"                                                                             \
	"row-interval = 5\n"                                                                       \
	"\n"                                                                                       \
	"# The left one: chromatic, A minor lit, rows a fourth apart,\n"                            \
	"# on channel 2, its fader floods thinned to one value in 10 ms.\n"                         \
	"[device \"serial:2A3B4C5D6E7F\"]\n"                                                       \
	"layout = chromatic\n"                                                                     \
	"root = A\n"                                                                               \
	"scale = minor\n"                                                                          \
	"octave = 2\n"                                                                             \
	"channel = 2\n"                                                                            \
	"fader-smoothing = 10\n"                                                                   \
	"\n"                                                                                       \
	"# The mk1 on port 3: drums on channel 10, kick, snare, closed and\n"                       \
	"# open hi-hat, crash and ride along the bottom row, the rest silent.\n"                    \
	"[device \"port:1-3\"]\n"                                                                  \
	"layout = drum\n"                                                                          \
	"channel = 10\n"                                                                           \
	"velocity = 110\n"                                                                         \
	"drum-notes = 36 38 42 46 49 51\n"                                                         \
	"fader-cc = 7 7 7 7 7 7 7 7 -\n"

static void test_map_config_manual(void **state)
{
	struct apcmap_config m, def;
	struct apcmap map;

	(void)state;
	apcmap_config_default(&def);
	map_of(MAN_PLAY, NULL, &m);
	assert_memory_equal(&m, &def, sizeof(m));

	map_of(MAN_PLAY, "serial:2A3B4C5D6E7F", &m);
	assert_int_equal(apcmap_init(&map, &apc_model_mk2, &m), 0);
	assert_int_equal(apcmap_pad_note(&map, 0), 45);	   /* A2 */
	assert_int_equal(apcmap_pad_note(&map, 8), 50);	   /* a fourth up */
	assert_int_equal(m.channel, 1);
	assert_int_equal(m.fader_smoothing_ms, 10);

	map_of(MAN_PLAY, "port:1-3", &m);
	assert_int_equal(apcmap_init(&map, &apc_model_mk1, &m), 0);
	assert_int_equal(apcmap_pad_note(&map, 0), 36);
	assert_int_equal(apcmap_pad_note(&map, 5), 51);
	assert_int_equal(apcmap_pad_note(&map, 6), -1);
	assert_int_equal(m.channel, 9);
	assert_int_equal(m.velocity, 110);
	assert_int_equal(m.fader_cc[0], 7);
	assert_int_equal(m.fader_cc[8], APCMAP_NONE);
}

/* ---- the rest of the API ---- */

static void test_max_devices(void **state)
{
	static struct apcconf c;
	static char text[4096];
	struct apcconf_error err;

	(void)state;
	devices_text(text, sizeof(text), 0, APCCONF_MAX_DEVICES);
	parse_ok(&c, text);
	assert_int_equal(c.n_dev, APCCONF_MAX_DEVICES);
	assert_string_equal(c.dev[15].key, "serial:D15");
	assert_non_null(apcconf_find(&c, "serial:D15"));

	devices_text(text, sizeof(text), 0, APCCONF_MAX_DEVICES + 1);
	assert_int_equal(apcconf_parse(&c, text, strlen(text), "x", &err), -EINVAL);
	assert_int_equal(err.line, 2 * APCCONF_MAX_DEVICES + 1);
	assert_string_equal(err.msg, "more than 16 device sections");
}

static void test_long_values(void **state)
{
	static struct apcconf c;
	static char text[APCCONF_SOUNDFONT_MAX + 64];
	struct apcconf_error err;
	size_t n;

	(void)state;
	/* The longest path that fits, and one byte more. */
	n = (size_t)snprintf(text, sizeof(text), "soundfont = /");
	memset(text + n, 'a', APCCONF_SOUNDFONT_MAX - 2);
	text[n + APCCONF_SOUNDFONT_MAX - 2] = '\0';
	parse_ok(&c, text);
	assert_int_equal(strlen(c.global.soundfont), APCCONF_SOUNDFONT_MAX - 1);

	strcat(text, "b");
	assert_int_equal(apcconf_parse(&c, text, strlen(text), "x", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "is longer than 1023 bytes"));
	/* Far longer than any buffer, quoted. */
	memset(text, 'z', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	memcpy(text, "audio-device = \"", 16);
	text[sizeof(text) - 2] = '"';
	assert_int_equal(apcconf_parse(&c, text, strlen(text), "x", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "audio-device: 'zzzz"));
	assert_non_null(strstr(err.msg, "...' is longer than 127 bytes"));
}

/* `len` bounds the text: nothing past it is read, no NUL is needed. */
static void test_len_bounds_text(void **state)
{
	static struct apcconf c;
	static const char text[] = "out-gap = 123\nfoo = 1\n";
	char copy[12];

	(void)state;
	memcpy(copy, text, sizeof(copy));
	assert_int_equal(apcconf_parse(&c, copy, sizeof(copy), "x", NULL), 0);
	assert_dump(&c, "global: out-gap=12");
	assert_int_equal(apcconf_parse(&c, text, 14, "x", NULL), 0);
	assert_dump(&c, "global: out-gap=123");
	assert_int_equal(apcconf_parse(&c, text, strlen(text), "x", NULL), -EINVAL);
}

static void test_null_text(void **state)
{
	static struct apcconf c;

	(void)state;
	parse_ok(&c, base_text);
	assert_int_equal(apcconf_parse(&c, NULL, 0, NULL, NULL), 0);
	assert_dump(&c, "global:");
}

static void test_init(void **state)
{
	static struct apcconf c;

	(void)state;
	parse_ok(&c, base_text);
	apcconf_init(&c);
	assert_int_equal(c.n_dev, 0);
	assert_int_equal(c.global.set, 0);
	assert_null(apcconf_find(&c, "serial:OLD"));
}

static void test_key_names(void **state)
{
	static const char *const names[APCCONF_N_KEYS] = {
	    "client-name",	 "keep-leds",	     "out-gap",	    "synth",
	    "soundfont",	 "audio-driver",     "audio-device",  "period-size",
	    "periods",		 "synth-latency",    "reverb",	    "chorus",
	    "layout",		 "scale",	     "root",	    "octave",
	    "transpose",	 "row-interval",     "channel",	    "velocity",
	    "drum-notes",	 "fader-cc",	     "fader-channel", "fader-smoothing",
	    "transpose-buttons",
	};
	int k;

	(void)state;
	for (k = 0; k < APCCONF_N_KEYS; k++)
		assert_string_equal(apcconf_key_name((enum apcconf_key)k), names[k]);
	assert_null(apcconf_key_name(APCCONF_N_KEYS));
	assert_null(apcconf_key_name((enum apcconf_key) - 1));
}

static void test_error_format(void **state)
{
	static struct apcconf c;
	struct apcconf_error err;
	char buf[256];
	int n;

	(void)state;
	assert_int_equal(apcconf_parse(&c, "\n\nfoo = 1\n", 10, "/etc/apcmini/apcmini.conf", &err),
			 -EINVAL);
	n = apcconf_error_format(&err, buf, sizeof(buf));
	assert_string_equal(buf, "/etc/apcmini/apcmini.conf:3: unknown key 'foo'");
	assert_int_equal(n, (int)strlen(buf));
	err.filename = NULL;
	apcconf_error_format(&err, buf, sizeof(buf));
	assert_string_equal(buf, "3: unknown key 'foo'");
	/* Success leaves no message behind. */
	assert_int_equal(apcconf_parse(&c, "synth = yes\n", 12, "f", &err), 0);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.msg, "");
}

int main(void)
{
	static char unchanged_names[sizeof(bad_cases) / sizeof(bad_cases[0])][80];
	size_t i;

	for (i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++)
		add_test(good_cases[i].name, test_good_case, &good_cases[i]);
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		add_test(bad_cases[i].name, test_bad_case, &bad_cases[i]);
		snprintf(unchanged_names[i], sizeof(unchanged_names[i]), "%s_unchanged",
			 bad_cases[i].name);
		add_test(unchanged_names[i], test_bad_case_unchanged, &bad_cases[i]);
	}
	for (i = 0; i < sizeof(merge_cases) / sizeof(merge_cases[0]); i++)
		add_test(merge_cases[i].name, test_merge_case, &merge_cases[i]);
	add_test("merge_full", test_merge_full, NULL);
	for (i = 0; i < sizeof(resolve_cases) / sizeof(resolve_cases[0]); i++)
		add_test(resolve_cases[i].name, test_resolve_case, &resolve_cases[i]);
	for (i = 0; i < sizeof(find_cases) / sizeof(find_cases[0]); i++)
		add_test(find_cases[i].name, test_find_case, &find_cases[i]);
	add_test("layering_system_user_device", test_layering_system_user_device, NULL);
	add_test("map_config_defaults", test_map_config_defaults, NULL);
	add_test("map_config_every_key", test_map_config_every_key, NULL);
	add_test("map_config_device_over_global", test_map_config_device_over_global, NULL);
	add_test("map_config_manual", test_map_config_manual, NULL);
	add_test("max_devices", test_max_devices, NULL);
	add_test("long_values", test_long_values, NULL);
	add_test("len_bounds_text", test_len_bounds_text, NULL);
	add_test("null_text", test_null_text, NULL);
	add_test("init", test_init, NULL);
	add_test("key_names", test_key_names, NULL);
	add_test("error_format", test_error_format, NULL);

	return _cmocka_run_group_tests("apcconf", tests, n_tests, NULL, NULL);
}
