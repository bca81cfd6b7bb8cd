/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The play mapping: controls in, played MIDI and the LED picture out (see
 * apcmap.h). Core: apcminid's event loop thread, or any caller's. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "apcmap.h"

#define MIDI_NOTE_OFF 0x80
#define MIDI_NOTE_ON 0x90
#define MIDI_CC 0xb0

/* ---- names and scales ---- */

static const char *const layout_names[APCMAP_N_LAYOUTS] = {
	[APCMAP_CHROMATIC] = "chromatic",
	[APCMAP_IN_KEY] = "in-key",
	[APCMAP_DRUM] = "drum",
};

struct scale {
	const char *name;
	unsigned int n;
	uint8_t steps[12];
};

/* Semitones above the root. The church modes are the major scale started
 * on each of its degrees; blues is the minor pentatonic with the flat
 * fifth. */
static const struct scale scales[APCMAP_N_SCALES] = {
	[APCMAP_MAJOR] = { "major", 7, { 0, 2, 4, 5, 7, 9, 11 } },
	[APCMAP_MINOR] = { "minor", 7, { 0, 2, 3, 5, 7, 8, 10 } },
	[APCMAP_DORIAN] = { "dorian", 7, { 0, 2, 3, 5, 7, 9, 10 } },
	[APCMAP_PHRYGIAN] = { "phrygian", 7, { 0, 1, 3, 5, 7, 8, 10 } },
	[APCMAP_LYDIAN] = { "lydian", 7, { 0, 2, 4, 6, 7, 9, 11 } },
	[APCMAP_MIXOLYDIAN] = { "mixolydian", 7, { 0, 2, 4, 5, 7, 9, 10 } },
	[APCMAP_LOCRIAN] = { "locrian", 7, { 0, 1, 3, 5, 6, 8, 10 } },
	[APCMAP_MAJOR_PENTATONIC] = { "major-pentatonic", 5, { 0, 2, 4, 7, 9 } },
	[APCMAP_MINOR_PENTATONIC] = { "minor-pentatonic", 5, { 0, 3, 5, 7, 10 } },
	[APCMAP_BLUES] = { "blues", 6, { 0, 3, 5, 6, 7, 10 } },
	[APCMAP_HARMONIC_MINOR] = { "harmonic-minor", 7, { 0, 2, 3, 5, 7, 8, 11 } },
	[APCMAP_CHROMATIC_SCALE] = { "chromatic", 12, { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 } },
};

static const char *const root_names[12] = {
	"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B",
};

static int word_is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && !memcmp(s, word, n);
}

const char *apcmap_layout_name(enum apcmap_layout l)
{
	return (unsigned int)l < APCMAP_N_LAYOUTS ? layout_names[l] : NULL;
}

int apcmap_layout_by_name(const char *s, size_t n)
{
	int i;

	for (i = 0; i < APCMAP_N_LAYOUTS; i++)
		if (word_is(s, n, layout_names[i]))
			return i;
	return -EINVAL;
}

const char *apcmap_scale_name(enum apcmap_scale s)
{
	return (unsigned int)s < APCMAP_N_SCALES ? scales[s].name : NULL;
}

int apcmap_scale_by_name(const char *s, size_t n)
{
	int i;

	for (i = 0; i < APCMAP_N_SCALES; i++)
		if (word_is(s, n, scales[i].name))
			return i;
	if (word_is(s, n, "ionian"))
		return APCMAP_MAJOR;
	if (word_is(s, n, "aeolian"))
		return APCMAP_MINOR;
	return -EINVAL;
}

unsigned int apcmap_scale_steps(enum apcmap_scale s, const uint8_t **steps)
{
	if ((unsigned int)s >= APCMAP_N_SCALES)
		return 0;
	if (steps)
		*steps = scales[s].steps;
	return scales[s].n;
}

const char *apcmap_root_name(unsigned int root)
{
	return root < 12 ? root_names[root] : NULL;
}

int apcmap_root_by_name(const char *s, size_t n)
{
	/* Semitones of the letters A-G above C. */
	static const uint8_t letter[7] = { 9, 11, 0, 2, 4, 5, 7 };
	int r;

	if (n == 0)
		return -EINVAL;
	if (s[0] >= '0' && s[0] <= '9') {
		if (n == 1)
			return s[0] - '0';
		if (n == 2 && s[0] == '1' && s[1] >= '0' && s[1] <= '1')
			return 10 + s[1] - '0';
		return -EINVAL;
	}
	if (n > 2)
		return -EINVAL;
	if (s[0] >= 'A' && s[0] <= 'G')
		r = letter[s[0] - 'A'];
	else if (s[0] >= 'a' && s[0] <= 'g')
		r = letter[s[0] - 'a'];
	else
		return -EINVAL;
	if (n == 2) {
		if (s[1] == '#')
			r += 1;
		else if (s[1] == 'b')
			r += 11;
		else
			return -EINVAL;
	}
	return r % 12;
}

/* ---- configuration ---- */

/*
 * Faders, as a player of a synth expects them rather than the device's CC
 * 48-56 (which the raw port keeps for DAW mappings): the modulation wheel
 * first, the four GM2 sound controllers a synth's filter and envelope
 * answer (brightness 74, resonance 71, attack 73, release 72), pan, the
 * reverb and chorus sends GM defines (91, 93), and the master fader as
 * channel volume (7). FluidSynth answers 1, 7, 10, 91 and 93 with its
 * default modulators; a synth without 71-74 ignores them.
 */
static const uint8_t default_fader_cc[APC_NUM_FADERS] = { 1, 74, 71, 73, 72, 10, 91, 93, 7 };

void apcmap_drum_gm(uint8_t notes[APC_NUM_PADS])
{
	unsigned int pad, x, y, quadrant;

	for (pad = 0; pad < APC_NUM_PADS; pad++) {
		x = apc_pad_x(pad);
		y = apc_pad_y(pad);
		quadrant = (y / 4) * 2 + x / 4;
		notes[pad] = (uint8_t)(36 + quadrant * 16 + (y % 4) * 4 + x % 4);
	}
}

void apcmap_config_default(struct apcmap_config *c)
{
	memset(c, 0, sizeof(*c));
	c->layout = APCMAP_IN_KEY;
	c->scale = APCMAP_MAJOR;
	c->root = 0;
	/* C3 = 48 at the bottom left: in C major with rows a fourth apart the
	 * grid spans 48-96, four octaves around middle C. */
	c->octave = 3;
	c->transpose = 0;
	c->row_interval = 5;
	c->channel = 0;
	/* 127 on every press is a synth's loudest and harshest layer. */
	c->velocity = 100;
	apcmap_drum_gm(c->drum_notes);
	memcpy(c->fader_cc, default_fader_cc, sizeof(c->fader_cc));
	c->fader_channel = APCMAP_NONE;
	c->fader_smoothing_ms = 0;
	/* Track buttons 1-4 carry the arrows up, down, left, right. */
	c->transpose_buttons[APCMAP_OCTAVE_UP] = APC_LED_TRACK0 + 0;
	c->transpose_buttons[APCMAP_OCTAVE_DOWN] = APC_LED_TRACK0 + 1;
	c->transpose_buttons[APCMAP_SEMITONE_DOWN] = APC_LED_TRACK0 + 2;
	c->transpose_buttons[APCMAP_SEMITONE_UP] = APC_LED_TRACK0 + 3;
}

int apcmap_config_check(const struct apcmap_config *c)
{
	unsigned int i, j;

	if (!c || (unsigned int)c->layout >= APCMAP_N_LAYOUTS ||
	    (unsigned int)c->scale >= APCMAP_N_SCALES || c->root > 11 ||
	    c->octave < APCMAP_OCTAVE_MIN || c->octave > APCMAP_OCTAVE_MAX ||
	    c->transpose < -APCMAP_TRANSPOSE_MAX || c->transpose > APCMAP_TRANSPOSE_MAX ||
	    c->row_interval < 1 || c->row_interval > 12 || c->channel > 15 || c->velocity < 1 ||
	    c->velocity > 127 || (c->fader_channel > 15 && c->fader_channel != APCMAP_NONE) ||
	    c->fader_smoothing_ms > APCMAP_SMOOTHING_MAX_MS)
		return -EINVAL;
	for (i = 0; i < APC_NUM_PADS; i++)
		if (c->drum_notes[i] > 127 && c->drum_notes[i] != APCMAP_NONE)
			return -EINVAL;
	for (i = 0; i < APC_NUM_FADERS; i++)
		if (c->fader_cc[i] > 127 && c->fader_cc[i] != APCMAP_NONE)
			return -EINVAL;
	for (i = 0; i < APCMAP_N_ACTIONS; i++) {
		if (c->transpose_buttons[i] == APCMAP_NONE)
			continue;
		if (c->transpose_buttons[i] < APC_LED_TRACK0 ||
		    c->transpose_buttons[i] >= APC_NUM_LEDS)
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (c->transpose_buttons[j] == c->transpose_buttons[i])
				return -EINVAL;
	}
	return 0;
}

static void live_from_conf(struct apcmap *m)
{
	m->layout = m->conf.layout;
	m->scale = m->conf.scale;
	m->root = m->conf.root;
	m->octave = m->conf.octave;
	m->transpose = m->conf.transpose;
	m->channel = m->conf.channel;
}

int apcmap_init(struct apcmap *m, const struct apc_model *model, const struct apcmap_config *c)
{
	struct apcmap_config def;

	if (!c) {
		apcmap_config_default(&def);
		c = &def;
	}
	if (!model || apcmap_config_check(c) < 0)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	m->model = model;
	m->conf = *c;
	live_from_conf(m);
	memset(m->sounding_note, APCMAP_NONE, sizeof(m->sounding_note));
	memset(m->fader_last, APCMAP_NONE, sizeof(m->fader_last));
	memset(m->fader_pending, APCMAP_NONE, sizeof(m->fader_pending));
	return 0;
}

int apcmap_set_config(struct apcmap *m, const struct apcmap_config *c)
{
	const struct apcmap_config *old = &m->conf;

	if (apcmap_config_check(c) < 0)
		return -EINVAL;
	if (c->layout != old->layout)
		m->layout = c->layout;
	if (c->scale != old->scale)
		m->scale = c->scale;
	if (c->root != old->root)
		m->root = c->root;
	if (c->octave != old->octave)
		m->octave = c->octave;
	if (c->transpose != old->transpose)
		m->transpose = c->transpose;
	if (c->channel != old->channel)
		m->channel = c->channel;
	m->conf = *c;
	m->led_gen++;
	return 0;
}

/* ---- notes ---- */

/* In-key rows start this many scale degrees apart: as many as the scale
 * has below row_interval semitones, so a fourth (5) is 3 degrees of a
 * seven-note scale and 2 of the minor pentatonic, and the chromatic scale
 * gives the chromatic layout's rows. */
static unsigned int row_degrees(const struct scale *sc, unsigned int interval)
{
	unsigned int i, d = 0;

	for (i = 0; i < sc->n; i++)
		if (sc->steps[i] < interval)
			d++;
	return d;
}

/* Where pad sits in the layout before transposition: semitones above the
 * layout's root (chromatic, in-key), and whether that is a root or in key. */
struct pad_place {
	int semis;
	int root;
	int in_key;
};

static void pad_place(const struct apcmap *m, unsigned int pad, struct pad_place *p)
{
	const struct scale *sc = &scales[m->scale];
	unsigned int x = apc_pad_x(pad), y = apc_pad_y(pad), k, i;

	if (m->layout == APCMAP_CHROMATIC) {
		p->semis = (int)(x + y * m->conf.row_interval);
		p->root = p->semis % 12 == 0;
		p->in_key = 0;
		for (i = 0; i < sc->n; i++)
			if (sc->steps[i] == p->semis % 12)
				p->in_key = 1;
		return;
	}
	k = x + y * row_degrees(sc, m->conf.row_interval);
	p->semis = (int)((k / sc->n) * 12 + sc->steps[k % sc->n]);
	p->root = k % sc->n == 0;
	p->in_key = 1;
}

int apcmap_pad_note(const struct apcmap *m, unsigned int pad)
{
	struct pad_place p;
	int note;

	if (pad >= APC_NUM_PADS)
		return -1;
	if (m->layout == APCMAP_DRUM)
		/* Drum notes name sounds, not pitches: no transposition. */
		return m->conf.drum_notes[pad] == APCMAP_NONE ? -1 : m->conf.drum_notes[pad];
	pad_place(m, pad, &p);
	note = 12 * (m->octave + 1) + m->root + m->transpose + p.semis;
	return note < 0 || note > 127 ? -1 : note;
}

/* ---- output ---- */

static void out_msg(struct apcmap_out *out, uint8_t status, uint8_t d1, uint8_t d2)
{
	/* Callers never write more than APCMAP_OUT_MAX in one call. */
	if (out->n >= APCMAP_OUT_MAX)
		return;
	out->msg[out->n][0] = status;
	out->msg[out->n][1] = d1;
	out->msg[out->n][2] = d2;
	out->n++;
}

static void note_off(struct apcmap *m, unsigned int pad, struct apcmap_out *out)
{
	if (m->sounding_note[pad] == APCMAP_NONE)
		return;
	out_msg(out, (uint8_t)(MIDI_NOTE_OFF | m->sounding_ch[pad]), m->sounding_note[pad], 0);
	m->sounding_note[pad] = APCMAP_NONE;
	m->led_gen++;
}

static void pad_press(struct apcmap *m, unsigned int pad, struct apcmap_out *out)
{
	int note = apcmap_pad_note(m, pad);

	/* A press without a release in between (one was lost): end the
	 * first note before the second starts. */
	note_off(m, pad, out);
	if (note < 0)
		return;
	out_msg(out, (uint8_t)(MIDI_NOTE_ON | m->channel), (uint8_t)note, m->conf.velocity);
	m->sounding_note[pad] = (uint8_t)note;
	m->sounding_ch[pad] = m->channel;
	m->led_gen++;
}

/* ---- the shift page ---- */

/*
 * While Shift is held the grid chooses, from the bottom up:
 *   rows 0-1  the root, as a piano: white keys C-B in row 0 from the left,
 *             black keys above and right of their white key in row 1
 *   rows 2-3  the scale, in enum order (8 in row 2, 4 in row 3)
 *   row 4     the layout: chromatic, in-key, drum
 *   row 5     the octave of the bottom-left pad, 0-7
 *   rows 6-7  the channel, 1-8 and 9-16
 */
enum page_kind { PAGE_NONE, PAGE_ROOT, PAGE_SCALE, PAGE_LAYOUT, PAGE_OCTAVE, PAGE_CHANNEL };

static enum page_kind page_item(unsigned int pad, int *value)
{
	static const int8_t white[8] = { 0, 2, 4, 5, 7, 9, 11, -1 };
	static const int8_t black[8] = { -1, 1, 3, -1, 6, 8, 10, -1 };
	unsigned int x = apc_pad_x(pad), y = apc_pad_y(pad);

	switch (y) {
	case 0:
	case 1:
		*value = y == 0 ? white[x] : black[x];
		return *value < 0 ? PAGE_NONE : PAGE_ROOT;
	case 2:
	case 3:
		*value = (int)((y - 2) * 8 + x);
		return *value < APCMAP_N_SCALES ? PAGE_SCALE : PAGE_NONE;
	case 4:
		*value = (int)x;
		return *value < APCMAP_N_LAYOUTS ? PAGE_LAYOUT : PAGE_NONE;
	case 5:
		*value = (int)x;
		return PAGE_OCTAVE;
	default:
		*value = (int)((y - 6) * 8 + x);
		return PAGE_CHANNEL;
	}
}

/* The live value a page item chooses. */
static int page_current(const struct apcmap *m, enum page_kind kind)
{
	switch (kind) {
	case PAGE_ROOT:
		return m->root;
	case PAGE_SCALE:
		return (int)m->scale;
	case PAGE_LAYOUT:
		return (int)m->layout;
	case PAGE_OCTAVE:
		return m->octave;
	case PAGE_CHANNEL:
		return m->channel;
	case PAGE_NONE:
		break;
	}
	return -2;
}

static void page_press(struct apcmap *m, unsigned int pad)
{
	int v;
	enum page_kind kind = page_item(pad, &v);

	if (kind == PAGE_NONE || page_current(m, kind) == v)
		return;
	switch (kind) {
	case PAGE_ROOT:
		m->root = (uint8_t)v;
		break;
	case PAGE_SCALE:
		m->scale = (enum apcmap_scale)v;
		break;
	case PAGE_LAYOUT:
		m->layout = (enum apcmap_layout)v;
		break;
	case PAGE_OCTAVE:
		m->octave = (int8_t)v;
		break;
	case PAGE_CHANNEL:
		m->channel = (uint8_t)v;
		break;
	case PAGE_NONE:
		break;
	}
	m->led_gen++;
}

/* ---- buttons ---- */

static void button_press(struct apcmap *m, unsigned int led)
{
	int a, o = m->octave, t = m->transpose;

	for (a = 0; a < APCMAP_N_ACTIONS; a++)
		if (m->conf.transpose_buttons[a] == led)
			break;
	switch (a) {
	case APCMAP_OCTAVE_UP:
		o++;
		break;
	case APCMAP_OCTAVE_DOWN:
		o--;
		break;
	case APCMAP_SEMITONE_DOWN:
		t--;
		break;
	case APCMAP_SEMITONE_UP:
		t++;
		break;
	default:
		return;
	}
	/* At a limit the button does nothing; notes beyond 0..127 within the
	 * limits are silent pads. */
	if (o < APCMAP_OCTAVE_MIN || o > APCMAP_OCTAVE_MAX || t < -APCMAP_TRANSPOSE_MAX ||
	    t > APCMAP_TRANSPOSE_MAX)
		return;
	m->octave = (int8_t)o;
	m->transpose = (int8_t)t;
	m->led_gen++;
}

/* ---- faders ---- */

static void fader_send(struct apcmap *m, unsigned int f, uint8_t value, uint64_t now_ns,
		       struct apcmap_out *out)
{
	uint8_t ch = m->conf.fader_channel == APCMAP_NONE ? m->channel : m->conf.fader_channel;

	out_msg(out, (uint8_t)(MIDI_CC | ch), m->conf.fader_cc[f], value);
	m->fader_last[f] = value;
	m->fader_last_ns[f] = now_ns;
	m->fader_pending[f] = APCMAP_NONE;
}

/* With smoothing a fader sends at most one value per interval: the first
 * of a movement at once, the latest of a flood when its interval ends, so
 * the final position always arrives, one interval late at worst. */
static void fader_move(struct apcmap *m, unsigned int f, uint8_t value, uint64_t now_ns,
		       struct apcmap_out *out)
{
	uint64_t gap = (uint64_t)m->conf.fader_smoothing_ms * 1000000u;

	if (m->conf.fader_cc[f] == APCMAP_NONE)
		return;
	if (gap == 0 || m->fader_last[f] == APCMAP_NONE || now_ns - m->fader_last_ns[f] >= gap ||
	    now_ns < m->fader_last_ns[f]) {
		fader_send(m, f, value, now_ns, out);
		return;
	}
	m->fader_pending[f] = value;
	m->fader_due_ns[f] = m->fader_last_ns[f] + gap;
}

int apcmap_next_deadline(const struct apcmap *m, uint64_t *due_ns)
{
	unsigned int f;
	int found = 0;

	for (f = 0; f < APC_NUM_FADERS; f++) {
		if (m->fader_pending[f] == APCMAP_NONE)
			continue;
		if (!found || m->fader_due_ns[f] < *due_ns)
			*due_ns = m->fader_due_ns[f];
		found = 1;
	}
	return found;
}

static void fader_flush(struct apcmap *m, unsigned int f, uint64_t now_ns, struct apcmap_out *out)
{
	uint8_t v = m->fader_pending[f];

	m->fader_pending[f] = APCMAP_NONE;
	/* Moved and back: the receiver has this value already. */
	if (v == m->fader_last[f] || m->conf.fader_cc[f] == APCMAP_NONE)
		return;
	fader_send(m, f, v, now_ns, out);
}

int apcmap_tick(struct apcmap *m, uint64_t now_ns, struct apcmap_out *out)
{
	unsigned int f;

	out->n = 0;
	for (f = 0; f < APC_NUM_FADERS; f++)
		if (m->fader_pending[f] != APCMAP_NONE && m->fader_due_ns[f] <= now_ns)
			fader_flush(m, f, now_ns, out);
	return (int)out->n;
}

int apcmap_release_all(struct apcmap *m, struct apcmap_out *out)
{
	unsigned int i;

	out->n = 0;
	for (i = 0; i < APC_NUM_PADS; i++)
		note_off(m, i, out);
	for (i = 0; i < APC_NUM_FADERS; i++)
		if (m->fader_pending[i] != APCMAP_NONE)
			fader_flush(m, i, m->fader_due_ns[i], out);
	return (int)out->n;
}

/* ---- controls ---- */

int apcmap_control(struct apcmap *m, const struct apc_control *c, uint64_t now_ns,
		   struct apcmap_out *out)
{
	out->n = 0;
	if (!c || c->value > 127)
		return -EINVAL;
	switch (c->type) {
	case APC_CTL_PAD:
		if (c->index >= APC_NUM_PADS)
			return -EINVAL;
		/* A release ends the note its press started, whatever page or
		 * layout is up now. */
		if (!c->value)
			note_off(m, c->index, out);
		else if (m->shift)
			page_press(m, c->index);
		else
			pad_press(m, c->index, out);
		break;
	case APC_CTL_TRACK:
	case APC_CTL_SCENE:
		if (c->index >= (c->type == APC_CTL_TRACK ? APC_NUM_TRACK : APC_NUM_SCENE))
			return -EINVAL;
		if (c->value)
			button_press(m, (c->type == APC_CTL_TRACK ? APC_LED_TRACK0 : APC_LED_SCENE0) +
						c->index);
		break;
	case APC_CTL_SHIFT:
		if (c->index != 0)
			return -EINVAL;
		if (m->shift != !!c->value) {
			m->shift = !!c->value;
			m->led_gen++;
		}
		break;
	case APC_CTL_FADER:
		if (c->index >= APC_NUM_FADERS)
			return -EINVAL;
		fader_move(m, c->index, c->value, now_ns, out);
		break;
	default:
		return -EINVAL;
	}
	return (int)out->n;
}

/* ---- LEDs ---- */

enum colour {
	C_OFF,
	C_OUT_OF_KEY,
	C_IN_KEY,
	C_ROOT,
	C_SOUNDING,
	C_DRUM0, /* + quadrant 0-3 */
	C_DRUM1,
	C_DRUM2,
	C_DRUM3,
	C_OPTION,
	C_CHOSEN, /* + page_kind - 1 */
	C_CHOSEN_SCALE,
	C_CHOSEN_LAYOUT,
	C_CHOSEN_OCTAVE,
	C_CHOSEN_CHANNEL,
	N_COLOURS
};

/* Pad colours per LED scheme. mk1 has green, red and yellow: roots red,
 * in key yellow, sounding green; on the shift page the choices yellow and
 * the chosen one green. mk2 palette: roots blue, in key white, sounding
 * green, out of key a dim grey (the pad plays, but not in the scale), drum
 * quadrants orange, yellow, sky blue, magenta; on the shift page the
 * choices grey and each group's chosen one in its own colour (the root in
 * the roots' blue). */
static const uint8_t colours[2][N_COLOURS] = {
	[APC_LEDS_MK1] = { 0, 0, 5, 3, 1, 5, 3, 3, 5, 5, 1, 1, 1, 1, 1 },
	[APC_LEDS_MK2] = { 0, 1, 3, 45, 21, 9, 13, 37, 53, 117, 45, 3, 9, 13, 21 },
};

static struct apc_led pad_led(const struct apcmap *m, enum colour c)
{
	struct apc_led led;

	memset(&led, 0, sizeof(led));
	led.value = colours[m->model->leds][c];
	/* mk2: solid at 100 %, off included (off on a blinking channel
	 * leaves the pad blinking black); mk1: 0, its only channel. */
	led.behaviour = m->model->pad_led_default_channel;
	return led;
}

static void leds_play(const struct apcmap *m, struct apc_led out[APC_NUM_LEDS])
{
	uint8_t sounding[128 / 8] = { 0 };
	struct pad_place p;
	unsigned int pad;
	enum colour c;
	int note;

	for (pad = 0; pad < APC_NUM_PADS; pad++)
		if (m->sounding_note[pad] != APCMAP_NONE)
			sounding[m->sounding_note[pad] / 8] |= (uint8_t)(1u << (m->sounding_note[pad] % 8));
	for (pad = 0; pad < APC_NUM_PADS; pad++) {
		note = apcmap_pad_note(m, pad);
		/* A held pad, and every pad that plays a sounding note (in
		 * the chromatic layout the same note is on several pads). */
		if (m->sounding_note[pad] != APCMAP_NONE ||
		    (note >= 0 && (sounding[note / 8] & (1u << (note % 8)))))
			c = C_SOUNDING;
		else if (note < 0)
			c = C_OFF;
		else if (m->layout == APCMAP_DRUM)
			c = (enum colour)(C_DRUM0 + (apc_pad_y(pad) / 4) * 2 + apc_pad_x(pad) / 4);
		else {
			pad_place(m, pad, &p);
			c = p.root ? C_ROOT : p.in_key ? C_IN_KEY : C_OUT_OF_KEY;
		}
		out[pad] = pad_led(m, c);
	}
}

static void leds_page(const struct apcmap *m, struct apc_led out[APC_NUM_LEDS])
{
	enum page_kind kind;
	unsigned int pad;
	int v;

	for (pad = 0; pad < APC_NUM_PADS; pad++) {
		kind = page_item(pad, &v);
		if (kind == PAGE_NONE)
			out[pad] = pad_led(m, C_OFF);
		else if (page_current(m, kind) == v)
			out[pad] = pad_led(m, (enum colour)(C_CHOSEN + kind - PAGE_ROOT));
		else
			out[pad] = pad_led(m, C_OPTION);
	}
}

void apcmap_leds(const struct apcmap *m, struct apc_led out[APC_NUM_LEDS])
{
	/* Lit while the live transposition is moved that way from the
	 * configured one: the way back is the other button. */
	const int lit[APCMAP_N_ACTIONS] = {
		[APCMAP_OCTAVE_UP] = m->octave > m->conf.octave,
		[APCMAP_OCTAVE_DOWN] = m->octave < m->conf.octave,
		[APCMAP_SEMITONE_DOWN] = m->transpose < m->conf.transpose,
		[APCMAP_SEMITONE_UP] = m->transpose > m->conf.transpose,
	};
	unsigned int i;

	if (m->shift)
		leds_page(m, out);
	else
		leds_play(m, out);
	for (i = APC_LED_TRACK0; i < APC_NUM_LEDS; i++)
		memset(&out[i], 0, sizeof(out[i]));
	for (i = 0; i < APCMAP_N_ACTIONS; i++)
		if (m->conf.transpose_buttons[i] != APCMAP_NONE && lit[i])
			out[m->conf.transpose_buttons[i]].value = 1;
}

unsigned int apcmap_leds_generation(const struct apcmap *m)
{
	return m->led_gen;
}

int apcmap_leds_apply(const struct apcmap *m, struct apc_led_state *s)
{
	struct apc_led pic[APC_NUM_LEDS];
	unsigned int i;
	int changed = 0;

	apcmap_leds(m, pic);
	for (i = 0; i < APC_NUM_LEDS; i++)
		if (apc_leds_set(s, i, &pic[i]) > 0)
			changed++;
	return changed;
}

/* ---- the grid shared with clients ---- */

void apcmap_grid_init(struct apcmap_grid *g, const struct apc_model *m)
{
	memset(g, 0, sizeof(*g));
	apc_leds_init(&g->app, m);
}

int apcmap_grid_subscribers(struct apcmap_grid *g, struct apcmap *m, struct apc_led_state *leds,
			    int delta)
{
	struct apcmap_out out;
	unsigned int i;
	int r = 0;

	if (delta > 0) {
		if (g->subs++ > 0)
			return 0;
		g->drawn = apcmap_leds_generation(m);
		return apcmap_leds_apply(m, leds) > 0;
	}
	if (!g->subs || --g->subs > 0)
		return 0;
	apcmap_release_all(m, &out);
	for (i = 0; i < APC_NUM_LEDS; i++)
		r |= apc_leds_set(leds, i, &g->app.want[i]) > 0;
	return r;
}

int apcmap_grid_client(struct apcmap_grid *g, struct apc_led_state *leds, const uint8_t *msg,
		       size_t len)
{
	int r = apc_leds_apply_midi(&g->app, msg, len);

	if (r < 0 || apcmap_grid_draws(g))
		return r < 0 ? r : 0;
	return apc_leds_apply_midi(leds, msg, len);
}

int apcmap_grid_stale(const struct apcmap_grid *g, const struct apcmap *m)
{
	return apcmap_grid_draws(g) && apcmap_leds_generation(m) != g->drawn;
}

int apcmap_grid_draw(struct apcmap_grid *g, const struct apcmap *m, struct apc_led_state *leds)
{
	if (!apcmap_grid_stale(g, m))
		return 0;
	g->drawn = apcmap_leds_generation(m);
	return apcmap_leds_apply(m, leds) > 0;
}
