/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcmini.conf: parser, merge and lookup (see apcconf.h). Pure; the
 * caller's thread (apcminid's main thread, before and between devices). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "apcconf.h"

enum kind {
	KIND_BOOL,	  /* int: yes/no */
	KIND_UINT,	  /* unsigned int in [min, max] */
	KIND_TEXT,	  /* printable text */
	KIND_PATH,	  /* printable text starting with '/' */
	KIND_NAME,	  /* letters, digits, '-', '_' */
	KIND_INT,	  /* int in [min, max], an optional sign */
	KIND_CHANNEL,	  /* unsigned int: 1-16 in the file, 0-15 stored */
	KIND_LAYOUT,	  /* int: apcmap_layout_by_name */
	KIND_SCALE,	  /* int: apcmap_scale_by_name */
	KIND_ROOT,	  /* unsigned int: apcmap_root_by_name */
	KIND_DRUM_NOTES,  /* "gm" or up to 64 notes or '-' */
	KIND_FADER_CC,	  /* one CC or '-' per fader */
	KIND_BUTTONS,	  /* one button or "none" per apcmap_button_action */
};

struct keydef {
	const char *name;
	enum kind kind;
	size_t off, size;
	int min, max;	  /* KIND_UINT, KIND_INT */
	const char *what; /* KIND_UINT, KIND_INT: "is not <what> (min-max)" */
	int device_only;
};

#define FIELD(f) offsetof(struct apcconf_settings, f), sizeof(((struct apcconf_settings *)0)->f)

/* The one table of keys: parsing, merging and resolving all go by it. */
/* clang-format off */
static const struct keydef keydefs[APCCONF_N_KEYS] = {
	[APCCONF_CLIENT_NAME] = { "client-name", KIND_TEXT, FIELD(client_name), 0, 0, NULL, 1 },
	[APCCONF_KEEP_LEDS] = { "keep-leds", KIND_BOOL, FIELD(keep_leds), 0, 0, NULL, 0 },
	[APCCONF_OUT_GAP] = { "out-gap", KIND_UINT, FIELD(out_gap_us), 0, 1000000,
			      "a number of microseconds", 0 },
	[APCCONF_SYNTH] = { "synth", KIND_BOOL, FIELD(synth), 0, 0, NULL, 0 },
	[APCCONF_SOUNDFONT] = { "soundfont", KIND_PATH, FIELD(soundfont), 0, 0, NULL, 0 },
	[APCCONF_AUDIO_DRIVER] = { "audio-driver", KIND_NAME, FIELD(audio_driver), 0, 0, NULL, 0 },
	[APCCONF_AUDIO_DEVICE] = { "audio-device", KIND_TEXT, FIELD(audio_device), 0, 0, NULL, 0 },
	[APCCONF_PERIOD_SIZE] = { "period-size", KIND_UINT, FIELD(period_size), 16, 8192,
				  "a number of frames", 0 },
	[APCCONF_PERIODS] = { "periods", KIND_UINT, FIELD(periods), 2, 64, "a number of periods", 0 },
	[APCCONF_SYNTH_LATENCY] = { "synth-latency", KIND_UINT, FIELD(synth_latency), 0, 65536,
				    "a number of frames", 0 },
	[APCCONF_REVERB] = { "reverb", KIND_BOOL, FIELD(reverb), 0, 0, NULL, 0 },
	[APCCONF_CHORUS] = { "chorus", KIND_BOOL, FIELD(chorus), 0, 0, NULL, 0 },
	[APCCONF_LAYOUT] = { "layout", KIND_LAYOUT, FIELD(layout), 0, 0, NULL, 0 },
	[APCCONF_SCALE] = { "scale", KIND_SCALE, FIELD(scale), 0, 0, NULL, 0 },
	[APCCONF_ROOT] = { "root", KIND_ROOT, FIELD(root), 0, 0, NULL, 0 },
	[APCCONF_OCTAVE] = { "octave", KIND_INT, FIELD(octave), APCMAP_OCTAVE_MIN,
			     APCMAP_OCTAVE_MAX, "an octave", 0 },
	[APCCONF_TRANSPOSE] = { "transpose", KIND_INT, FIELD(transpose), -APCMAP_TRANSPOSE_MAX,
				APCMAP_TRANSPOSE_MAX, "a number of semitones", 0 },
	[APCCONF_ROW_INTERVAL] = { "row-interval", KIND_UINT, FIELD(row_interval), 1, 12,
				   "a number of semitones", 0 },
	[APCCONF_CHANNEL] = { "channel", KIND_CHANNEL, FIELD(channel), 1, 16, NULL, 0 },
	[APCCONF_VELOCITY] = { "velocity", KIND_UINT, FIELD(velocity), 1, 127, "a velocity", 0 },
	[APCCONF_DRUM_NOTES] = { "drum-notes", KIND_DRUM_NOTES, FIELD(drum_notes), 0, 0, NULL, 0 },
	[APCCONF_FADER_CC] = { "fader-cc", KIND_FADER_CC, FIELD(fader_cc), 0, 0, NULL, 0 },
	[APCCONF_FADER_CHANNEL] = { "fader-channel", KIND_CHANNEL, FIELD(fader_channel), 1, 16,
				    NULL, 0 },
	[APCCONF_FADER_SMOOTHING] = { "fader-smoothing", KIND_UINT, FIELD(fader_smoothing_ms), 0,
				      APCMAP_SMOOTHING_MAX_MS, "a number of milliseconds", 0 },
	[APCCONF_TRANSPOSE_BUTTONS] = { "transpose-buttons", KIND_BUTTONS,
					FIELD(transpose_buttons), 0, 0, NULL, 0 },
};
/* clang-format on */

/* Values are quoted in messages up to this many bytes, then "...". */
#define SHOW_MAX 40
#define SHOW(s, n) (int)((n) > SHOW_MAX ? SHOW_MAX : (n)), (s), ((n) > SHOW_MAX ? "..." : "")

/* The parse runs twice over the text: once to check it (out == NULL), then,
 * only if it is clean, to fill the caller's struct. Both runs take the same
 * path, so the second cannot fail, and a refused text writes nothing. */
struct scan {
	struct apcconf *out;
	struct apcconf_error *err;
	unsigned int line;
	int cur;		  /* the section keys go to: -1 global, else a device index */
	unsigned int global_line; /* the [global] header, 0 if none yet */
	unsigned int n_dev;
	char dev_key[APCCONF_MAX_DEVICES][APCCONF_DEVKEY_MAX];
	unsigned int dev_line[APCCONF_MAX_DEVICES];
	/* the line each key was set on, per section (0 global, 1 + device) */
	unsigned int key_line[1 + APCCONF_MAX_DEVICES][APCCONF_N_KEYS];
};

__attribute__((format(printf, 2, 3))) static int scan_fail(struct scan *st, const char *fmt, ...)
{
	va_list ap;

	if (st->err) {
		st->err->line = st->line;
		va_start(ap, fmt);
		vsnprintf(st->err->msg, sizeof(st->err->msg), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static const char *skip_blank(const char *p, const char *end)
{
	while (p < end && is_blank(*p))
		p++;
	return p;
}

/* Nothing but blanks and perhaps a comment from p to the end of the line. */
static int rest_is_empty(const char *p, const char *end)
{
	p = skip_blank(p, end);
	return p == end || *p == '#';
}

static int has_control(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

/* A "..." string at *pp (on the quote): only \" and \\ are escapes. Writes
 * up to size - 1 bytes and a NUL to buf, sets *n to the full length (which
 * may be more: the caller says what is too long) and *pp past the closing
 * quote. */
static int read_quoted(struct scan *st, const char **pp, const char *end, char *buf, size_t size,
		       size_t *n)
{
	const char *p = *pp + 1;
	size_t len = 0;
	char ch;

	for (;;) {
		if (p == end)
			return scan_fail(st, "missing closing quote");
		ch = *p++;
		if (ch == '"')
			break;
		if (ch == '\\') {
			if (p == end || (*p != '"' && *p != '\\'))
				return scan_fail(st,
						 "unknown escape '\\%.1s' in quotes "
						 "(only \\\" and \\\\)",
						 p == end ? "" : p);
			ch = *p++;
		}
		if (len + 1 < size)
			buf[len] = ch;
		len++;
	}
	buf[len + 1 < size ? len : size - 1] = '\0';
	*n = len;
	*pp = p;
	return 0;
}

static int parse_bool(const char *v, size_t n, int *out)
{
	static const char *const words[][2] = {
	    {"yes", "no"}, {"true", "false"}, {"on", "off"}, {"1", "0"}};
	size_t i, j, k;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		for (j = 0; j < 2; j++) {
			if (strlen(words[i][j]) != n)
				continue;
			for (k = 0; k < n; k++)
				if ((v[k] >= 'A' && v[k] <= 'Z' ? v[k] - 'A' + 'a' : v[k]) !=
				    words[i][j][k])
					break;
			if (k == n) {
				*out = j == 0;
				return 0;
			}
		}
	return -EINVAL;
}

/* Decimal digits only: no sign, no spaces, no hex. */
static int parse_uint(const char *v, size_t n, unsigned int min, unsigned int max,
		      unsigned int *out)
{
	unsigned long long x = 0;
	size_t i;

	if (n == 0)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -EINVAL;
		x = x * 10 + (unsigned int)(v[i] - '0');
		if (x > max)
			return -EINVAL;
	}
	if (x < min)
		return -EINVAL;
	*out = (unsigned int)x;
	return 0;
}

/* An optional sign, then parse_uint's digits. */
static int parse_int(const char *v, size_t n, int min, int max, int *out)
{
	unsigned int u;
	int neg = n > 0 && v[0] == '-';

	if (n > 0 && (v[0] == '-' || v[0] == '+')) {
		v++;
		n--;
	}
	if (parse_uint(v, n, 0, neg ? (unsigned int)-min : (unsigned int)max, &u) < 0)
		return -EINVAL;
	*out = neg ? -(int)u : (int)u;
	if (*out < min)
		return -EINVAL;
	return 0;
}

/* The next word of a list at *pp: words are separated by blanks, a comma,
 * or both. 0 at the end of the list, -EINVAL for an empty word (two commas). */
static int next_word(const char **pp, const char *end, const char **word, size_t *n)
{
	const char *p = skip_blank(*pp, end);

	if (p == end)
		return 0;
	*word = p;
	while (p < end && !is_blank(*p) && *p != ',')
		p++;
	*n = (size_t)(p - *word);
	p = skip_blank(p, end);
	if (p < end && *p == ',') {
		p = skip_blank(p + 1, end);
		if (p == end || *p == ',')
			return -EINVAL;
	}
	*pp = p;
	return *n ? 1 : -EINVAL;
}

/* A note or controller number 0-127, or '-' for none. */
static int parse_midi_or_none(const char *w, size_t n, uint8_t *out)
{
	unsigned int u;

	if (n == 1 && w[0] == '-') {
		*out = APCMAP_NONE;
		return 0;
	}
	if (parse_uint(w, n, 0, 127, &u) < 0)
		return -EINVAL;
	*out = (uint8_t)u;
	return 0;
}

/* track1-track8, scene1-scene8 (LED index) or none. */
static int parse_button(const char *w, size_t n, uint8_t *out)
{
	if (n == 4 && !memcmp(w, "none", 4)) {
		*out = APCMAP_NONE;
		return 0;
	}
	if (n != 6 || w[5] < '1' || w[5] > '8')
		return -EINVAL;
	if (!memcmp(w, "track", 5))
		*out = (uint8_t)(APC_LED_TRACK0 + w[5] - '1');
	else if (!memcmp(w, "scene", 5))
		*out = (uint8_t)(APC_LED_SCENE0 + w[5] - '1');
	else
		return -EINVAL;
	return 0;
}

/* The values a word list takes, for "is not one of ...". */
static void list_names(char *buf, size_t size, const char *(*name)(int), int n,
		       const char *extra)
{
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", name(i));
	if (extra && len < size)
		snprintf(buf + len, size - len, "%s", extra);
}

static const char *layout_name(int i)
{
	return apcmap_layout_name((enum apcmap_layout)i);
}

static const char *scale_name(int i)
{
	return apcmap_scale_name((enum apcmap_scale)i);
}

/* The mapping's lists (drum-notes, fader-cc, transpose-buttons), into `s`
 * unless it is NULL (checking). */
static int set_list(struct scan *st, const struct keydef *kd, const char *v, size_t n,
		    struct apcconf_settings *s)
{
	uint8_t vals[APC_NUM_PADS];
	const char *p = v, *end = v + n, *w = NULL;
	size_t wn = 0;
	unsigned int count = 0, max, i;
	int r;

	max = kd->kind == KIND_DRUM_NOTES ? APC_NUM_PADS
	      : kd->kind == KIND_FADER_CC ? APC_NUM_FADERS
					  : APCMAP_N_ACTIONS;
	if (kd->kind == KIND_DRUM_NOTES && n == 2 && !memcmp(v, "gm", 2)) {
		if (s)
			memset(&s->drum_notes, 0, sizeof(s->drum_notes));
		return 0;
	}
	while ((r = next_word(&p, end, &w, &wn)) > 0) {
		if (count == max)
			break;
		if (kd->kind == KIND_BUTTONS) {
			if (parse_button(w, wn, &vals[count]) < 0)
				return scan_fail(st,
						 "%s: '%.*s%s' is not a button (track1-track8, "
						 "scene1-scene8 or none)",
						 kd->name, SHOW(w, wn));
			for (i = 0; i < count; i++)
				if (vals[i] == vals[count] && vals[i] != APCMAP_NONE)
					return scan_fail(st, "%s: '%.*s' given twice", kd->name,
							 (int)wn, w);
		} else if (parse_midi_or_none(w, wn, &vals[count]) < 0) {
			return scan_fail(st, "%s: '%.*s%s' is not a %s (0-127) or -", kd->name,
					 SHOW(w, wn),
					 kd->kind == KIND_DRUM_NOTES ? "note" : "controller number");
		}
		count++;
	}
	if (r < 0)
		return scan_fail(st, "%s: an empty item in the list", kd->name);
	if (r > 0 && kd->kind == KIND_DRUM_NOTES)
		return scan_fail(st, "%s: more than %u notes (one per pad)", kd->name, max);
	if (kd->kind == KIND_FADER_CC && r > 0)
		return scan_fail(st, "%s: more than %u values (faders 1-8, then the master)",
				 kd->name, max);
	if (kd->kind == KIND_FADER_CC && count != max)
		return scan_fail(st, "%s: %u values, not %u (faders 1-8, then the master)",
				 kd->name, count, max);
	if (kd->kind == KIND_BUTTONS && r > 0)
		return scan_fail(st,
				 "%s: more than %u buttons (octave up, octave down, semitone "
				 "down, semitone up)",
				 kd->name, max);
	if (kd->kind == KIND_BUTTONS && count != max)
		return scan_fail(st,
				 "%s: %u buttons, not %u (octave up, octave down, semitone "
				 "down, semitone up)",
				 kd->name, count, max);
	if (!s)
		return 0;
	if (kd->kind == KIND_DRUM_NOTES) {
		memset(&s->drum_notes, 0, sizeof(s->drum_notes));
		s->drum_notes.n = count;
		memcpy(s->drum_notes.note, vals, count);
	} else if (kd->kind == KIND_FADER_CC) {
		memcpy(s->fader_cc, vals, count);
	} else {
		memcpy(s->transpose_buttons, vals, count);
	}
	return 0;
}

static struct apcconf_settings *scan_target(struct scan *st)
{
	if (!st->out)
		return NULL;
	return st->cur < 0 ? &st->out->global : &st->out->dev[st->cur].s;
}

/* The longest value any key takes, NUL included. */
#define VALUE_MAX APCCONF_SOUNDFONT_MAX

/* Checks the value `v` for the key and stores it in the current section
 * when filling. `n` is its full length; `v` holds min(n, VALUE_MAX - 1)
 * bytes and a NUL. */
static int set_value(struct scan *st, enum apcconf_key key, const char *v, size_t n)
{
	const struct keydef *kd = &keydefs[key];
	struct apcconf_settings *s = scan_target(st);
	unsigned int u = 0;
	int b = 0;
	size_t i;

	if (n == 0)
		return scan_fail(st, "%s: missing value", kd->name);
	switch (kd->kind) {
	case KIND_BOOL:
		if (parse_bool(v, n, &b) < 0)
			return scan_fail(st, "%s: '%.*s%s' is not yes or no", kd->name, SHOW(v, n));
		if (s)
			*(int *)(void *)((char *)s + kd->off) = b;
		break;
	case KIND_UINT:
	case KIND_CHANNEL:
		if (n >= VALUE_MAX ||
		    parse_uint(v, n, (unsigned int)kd->min, (unsigned int)kd->max, &u) < 0)
			return scan_fail(st, "%s: '%.*s%s' is not %s (%d-%d)", kd->name, SHOW(v, n),
					 kd->what ? kd->what : "a MIDI channel", kd->min, kd->max);
		if (s)
			*(unsigned int *)(void *)((char *)s + kd->off) =
				kd->kind == KIND_CHANNEL ? u - 1 : u;
		break;
	case KIND_INT:
		if (n >= VALUE_MAX || parse_int(v, n, kd->min, kd->max, &b) < 0)
			return scan_fail(st, "%s: '%.*s%s' is not %s (%d to %d)", kd->name,
					 SHOW(v, n), kd->what, kd->min, kd->max);
		if (s)
			*(int *)(void *)((char *)s + kd->off) = b;
		break;
	case KIND_LAYOUT:
	case KIND_SCALE:
		b = kd->kind == KIND_LAYOUT ? apcmap_layout_by_name(v, n)
					    : apcmap_scale_by_name(v, n);
		if (n >= VALUE_MAX || b < 0) {
			char names[160];

			if (kd->kind == KIND_LAYOUT)
				list_names(names, sizeof(names), layout_name, APCMAP_N_LAYOUTS,
					   NULL);
			else
				list_names(names, sizeof(names), scale_name, APCMAP_N_SCALES,
					   ", ionian, aeolian");
			return scan_fail(st, "%s: '%.*s%s' is not one of %s", kd->name, SHOW(v, n),
					 names);
		}
		if (s)
			*(int *)(void *)((char *)s + kd->off) = b;
		break;
	case KIND_ROOT:
		b = apcmap_root_by_name(v, n);
		if (b < 0)
			return scan_fail(st,
					 "%s: '%.*s%s' is not a note name (C, C#, Db, D, ... B) "
					 "or a number 0-11",
					 kd->name, SHOW(v, n));
		if (s)
			*(unsigned int *)(void *)((char *)s + kd->off) = (unsigned int)b;
		break;
	case KIND_DRUM_NOTES:
	case KIND_FADER_CC:
	case KIND_BUTTONS:
		if (n >= VALUE_MAX)
			return scan_fail(st, "%s: '%.*s%s' is longer than %d bytes", kd->name,
					 SHOW(v, n), VALUE_MAX - 1);
		if (set_list(st, kd, v, n, s) < 0)
			return -EINVAL;
		break;
	case KIND_TEXT:
	case KIND_PATH:
	case KIND_NAME:
		if (n >= kd->size)
			return scan_fail(st, "%s: '%.*s%s' is longer than %zu bytes", kd->name,
					 SHOW(v, n), kd->size - 1);
		if (has_control(v, n))
			return scan_fail(st, "%s: control character in the value", kd->name);
		if (kd->kind == KIND_PATH && v[0] != '/')
			return scan_fail(st, "%s: '%.*s%s' is not an absolute path", kd->name,
					 SHOW(v, n));
		for (i = 0; kd->kind == KIND_NAME && i < n; i++)
			if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') ||
			      (v[i] >= '0' && v[i] <= '9') || v[i] == '-' || v[i] == '_'))
				return scan_fail(st,
						 "%s: '%.*s%s' is not a driver name (letters, "
						 "digits, '-' and '_')",
						 kd->name, SHOW(v, n));
		if (s) {
			memcpy((char *)s + kd->off, v, n);
			((char *)s + kd->off)[n] = '\0';
		}
		break;
	}
	if (s)
		s->set |= APCCONF_BIT(key);
	return 0;
}

/* key = value, at p (not blank) to end. */
static int parse_assign(struct scan *st, const char *p, const char *end)
{
	char val[VALUE_MAX];
	const char *key = p, *v;
	size_t key_len, n;
	unsigned int *seen;
	int k, r;

	while (p < end && !is_blank(*p) && *p != '=')
		p++;
	key_len = (size_t)(p - key);
	p = skip_blank(p, end);
	if (key_len == 0 || p == end || *p != '=')
		return scan_fail(st, "expected 'key = value', a [section] or a # comment: '%.*s%s'",
				 SHOW(key, (size_t)(end - key)));
	p = skip_blank(p + 1, end);

	for (k = 0; k < APCCONF_N_KEYS; k++)
		if (strlen(keydefs[k].name) == key_len && !memcmp(keydefs[k].name, key, key_len))
			break;
	if (k == APCCONF_N_KEYS)
		return scan_fail(st, "unknown key '%.*s%s'", SHOW(key, key_len));
	if (keydefs[k].device_only && st->cur < 0)
		return scan_fail(st, "%s: only in a [device \"...\"] section, not in [global]",
				 keydefs[k].name);
	seen = &st->key_line[st->cur + 1][k];
	if (*seen)
		return scan_fail(st, "duplicate key '%s' (first on line %u)", keydefs[k].name,
				 *seen);
	*seen = st->line;

	if (p < end && *p == '"') {
		r = read_quoted(st, &p, end, val, sizeof(val), &n);
		if (r < 0)
			return r;
		if (!rest_is_empty(p, end))
			return scan_fail(st, "%s: text after the closing quote", keydefs[k].name);
	} else {
		/* Up to a '#' after a blank, or the end; trailing blanks are not
		 * part of it. A value starting with '#' is a comment. */
		v = p;
		while (p < end && !(*p == '#' && (p == v || is_blank(p[-1]))))
			p++;
		while (p > v && is_blank(p[-1]))
			p--;
		n = (size_t)(p - v);
		memcpy(val, v, n < sizeof(val) ? n : sizeof(val) - 1);
		val[n < sizeof(val) ? n : sizeof(val) - 1] = '\0';
	}
	return set_value(st, (enum apcconf_key)k, val, n);
}

/* "serial:X", "port:B-P[.P]..." or a bare serial number, into the key
 * apcminid gives the device. */
static int device_key(struct scan *st, const char *name, size_t n, char *key)
{
	const char *what = "serial:", *v = name;
	size_t vn = n, i, max = APCCONF_SERIAL_MAX - 1;
	const char *colon = memchr(name, ':', n);
	int digits = 0, dash = 0;

	if (n >= 5 && !memcmp(name, "port:", 5)) {
		what = "port:";
		v = name + 5;
		vn = n - 5;
		max = APCCONF_PORT_MAX - 1;
	} else if (n >= 7 && !memcmp(name, "serial:", 7)) {
		v = name + 7;
		vn = n - 7;
	} else if (colon) {
		return scan_fail(st,
				 "device \"%.*s%s\": unknown kind '%.*s' (serial: or port:; "
				 "a serial number with a colon needs serial: before it)",
				 SHOW(name, n),
				 (int)(colon - name < SHOW_MAX ? colon - name : SHOW_MAX), name);
	}
	if (vn == 0)
		return scan_fail(st, "device \"%.*s%s\": empty %s", SHOW(name, n),
				 what[0] == 'p' ? "port path" : "serial number");
	if (vn > max)
		return scan_fail(st, "device \"%.*s%s\": %s longer than %zu bytes", SHOW(name, n),
				 what[0] == 'p' ? "port path" : "serial number", max);
	for (i = 0; i < vn; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
			return scan_fail(st,
					 "device: the serial number or port is not printable ASCII "
					 "(USB serial numbers are read as ASCII)");
	if (what[0] == 'p') {
		/* BUS-PORT[.PORT]...: numbers, one '-' after the bus, '.' between
		 * the ports. */
		for (i = 0; i < vn; i++) {
			if (v[i] >= '0' && v[i] <= '9')
				digits++;
			else if (digits && v[i] == '-' && !dash)
				dash = 1, digits = 0;
			else if (digits && v[i] == '.' && dash)
				digits = 0;
			else
				break;
		}
		if (i < vn || !digits || !dash)
			return scan_fail(st,
					 "device \"%.*s%s\": '%.*s%s' is not a USB port path "
					 "(BUS-PORT[.PORT]..., as 1-2.3)",
					 SHOW(name, n), SHOW(v, vn));
	}
	snprintf(key, APCCONF_DEVKEY_MAX, "%s%.*s", what, (int)vn, v);
	return 0;
}

/* [global] or [device "NAME"], at p (on the '[') to end. */
static int parse_section(struct scan *st, const char *p, const char *end)
{
	char name[APCCONF_DEVKEY_MAX], key[APCCONF_DEVKEY_MAX] = ""; /* copied whole */
	const char *word;
	size_t word_len, n;
	unsigned int i;
	int r;

	p = skip_blank(p + 1, end);
	word = p;
	while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		p++;
	word_len = (size_t)(p - word);
	p = skip_blank(p, end);

	if (word_len == 6 && !memcmp(word, "global", 6)) {
		if (!memchr(p, ']', (size_t)(end - p)))
			return scan_fail(st, "section header without a closing ']'");
		if (*p != ']')
			return scan_fail(st, "[global] takes no name");
		if (!rest_is_empty(p + 1, end))
			return scan_fail(st, "text after the section header");
		if (st->global_line)
			return scan_fail(st, "duplicate section [global] (first on line %u)",
					 st->global_line);
		st->global_line = st->line;
		st->cur = -1;
		return 0;
	}
	if (word_len != 6 || memcmp(word, "device", 6)) {
		const char *close = memchr(word, ']', (size_t)(end - word));

		if (!close)
			return scan_fail(st, "section header without a closing ']'");
		return scan_fail(st,
				 "unknown section [%.*s%s] (only [global] and [device \"...\"])",
				 SHOW(word, (size_t)(close - word)));
	}
	if (p == end || *p != '"')
		return scan_fail(st, "expected [device \"SERIAL\"] or [device \"port:BUS-PORT\"]");
	r = read_quoted(st, &p, end, name, sizeof(name), &n);
	if (r < 0)
		return r;
	p = skip_blank(p, end);
	if (!memchr(p, ']', (size_t)(end - p)))
		return scan_fail(st, "section header without a closing ']'");
	if (*p != ']')
		return scan_fail(st, "text after the device name");
	if (!rest_is_empty(p + 1, end))
		return scan_fail(st, "text after the section header");
	/* A name too long for the buffer is too long as a key too: what it
	 * holds is enough for device_key to say so. */
	r = device_key(st, name, n < sizeof(name) ? n : sizeof(name) - 1, key);
	if (r < 0)
		return r;
	for (i = 0; i < st->n_dev; i++)
		if (!strcmp(st->dev_key[i], key))
			return scan_fail(st, "duplicate section [device \"%s\"] (first on line %u)",
					 key, st->dev_line[i]);
	if (st->n_dev == APCCONF_MAX_DEVICES)
		return scan_fail(st, "more than %d device sections", APCCONF_MAX_DEVICES);
	memcpy(st->dev_key[st->n_dev], key, sizeof(key));
	st->dev_line[st->n_dev] = st->line;
	if (st->out) {
		memcpy(st->out->dev[st->n_dev].key, key, sizeof(key));
		st->out->n_dev = st->n_dev + 1;
	}
	st->cur = (int)st->n_dev++;
	return 0;
}

static int scan_text(struct scan *st, const char *text, size_t len)
{
	const char *p = text, *end, *eol, *e, *q;
	int r;

	if (len == 0)
		return 0;
	end = text + len;
	/* A UTF-8 byte order mark, as some editors write. */
	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	while (p < end) {
		st->line++;
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if (memchr(p, '\0', (size_t)(eol - p)))
			return scan_fail(st, "NUL byte in the line");
		/* CRLF files parse as LF ones. */
		e = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
		q = skip_blank(p, e);
		r = 0;
		if (q < e && *q == '[')
			r = parse_section(st, q, e);
		else if (q < e && *q != '#')
			r = parse_assign(st, q, e);
		if (r < 0)
			return r;
		p = eol < end ? eol + 1 : end;
	}
	return 0;
}

static void scan_init(struct scan *st, struct apcconf *out, struct apcconf_error *err)
{
	memset(st, 0, sizeof(*st));
	st->out = out;
	st->err = err;
	st->cur = -1;
}

void apcconf_init(struct apcconf *c)
{
	memset(c, 0, sizeof(*c));
}

int apcconf_parse(struct apcconf *c, const char *text, size_t len, const char *filename,
		  struct apcconf_error *err)
{
	struct scan st;
	int r;

	if (err) {
		err->filename = filename;
		err->line = 0;
		err->msg[0] = '\0';
	}
	if (!text)
		len = 0;
	scan_init(&st, NULL, err);
	r = scan_text(&st, text, len);
	if (r < 0)
		return r;
	apcconf_init(c);
	scan_init(&st, c, err);
	return scan_text(&st, text, len);
}

/* Every setting set in src replaces dst's. */
static void settings_overlay(struct apcconf_settings *dst, const struct apcconf_settings *src)
{
	int k;

	for (k = 0; k < APCCONF_N_KEYS; k++) {
		if (!(src->set & APCCONF_BIT(k)))
			continue;
		memcpy((char *)dst + keydefs[k].off, (const char *)src + keydefs[k].off,
		       keydefs[k].size);
		dst->set |= APCCONF_BIT(k);
	}
}

int apcconf_merge(struct apcconf *dst, const struct apcconf *src)
{
	unsigned int i, added = 0;
	struct apcconf_dev *d;

	for (i = 0; i < src->n_dev; i++)
		if (!apcconf_find(dst, src->dev[i].key))
			added++;
	if (dst->n_dev + added > APCCONF_MAX_DEVICES)
		return -ENOSPC;
	settings_overlay(&dst->global, &src->global);
	for (i = 0; i < src->n_dev; i++) {
		d = (struct apcconf_dev *)apcconf_find(dst, src->dev[i].key);
		if (!d) {
			d = &dst->dev[dst->n_dev++];
			memset(d, 0, sizeof(*d));
			memcpy(d->key, src->dev[i].key, sizeof(d->key));
		}
		settings_overlay(&d->s, &src->dev[i].s);
	}
	return 0;
}

const struct apcconf_dev *apcconf_find(const struct apcconf *c, const char *device_key)
{
	unsigned int i;

	for (i = 0; i < c->n_dev && i < APCCONF_MAX_DEVICES; i++)
		if (!strcmp(c->dev[i].key, device_key))
			return &c->dev[i];
	return NULL;
}

/* Is `key` prefix + text? */
static int key_is(const char *key, const char *prefix, const char *text)
{
	size_t n = strlen(prefix);

	return !strncmp(key, prefix, n) && !strcmp(key + n, text);
}

const struct apcconf_dev *apcconf_find_device(const struct apcconf *c, const char *serial,
					      const char *port_path)
{
	unsigned int i;

	for (i = 0; serial && serial[0] && i < c->n_dev && i < APCCONF_MAX_DEVICES; i++)
		if (key_is(c->dev[i].key, "serial:", serial))
			return &c->dev[i];
	for (i = 0; port_path && port_path[0] && i < c->n_dev && i < APCCONF_MAX_DEVICES; i++)
		if (key_is(c->dev[i].key, "port:", port_path))
			return &c->dev[i];
	return NULL;
}

void apcconf_resolve(const struct apcconf *c, const struct apcconf_dev *d,
		     struct apcconf_settings *out)
{
	*out = c->global;
	if (d)
		settings_overlay(out, &d->s);
}

void apcconf_map_config(const struct apcconf_settings *s, struct apcmap_config *out)
{
	unsigned int i;

	apcmap_config_default(out);
	if (s->set & APCCONF_BIT(APCCONF_LAYOUT))
		out->layout = (enum apcmap_layout)s->layout;
	if (s->set & APCCONF_BIT(APCCONF_SCALE))
		out->scale = (enum apcmap_scale)s->scale;
	if (s->set & APCCONF_BIT(APCCONF_ROOT))
		out->root = (uint8_t)s->root;
	if (s->set & APCCONF_BIT(APCCONF_OCTAVE))
		out->octave = (int8_t)s->octave;
	if (s->set & APCCONF_BIT(APCCONF_TRANSPOSE))
		out->transpose = (int8_t)s->transpose;
	if (s->set & APCCONF_BIT(APCCONF_ROW_INTERVAL))
		out->row_interval = (uint8_t)s->row_interval;
	if (s->set & APCCONF_BIT(APCCONF_CHANNEL))
		out->channel = (uint8_t)s->channel;
	if (s->set & APCCONF_BIT(APCCONF_VELOCITY))
		out->velocity = (uint8_t)s->velocity;
	/* n = 0 is "gm": the default already there. */
	if ((s->set & APCCONF_BIT(APCCONF_DRUM_NOTES)) && s->drum_notes.n)
		for (i = 0; i < APC_NUM_PADS; i++)
			out->drum_notes[i] = i < s->drum_notes.n ? s->drum_notes.note[i] : APCMAP_NONE;
	if (s->set & APCCONF_BIT(APCCONF_FADER_CC))
		memcpy(out->fader_cc, s->fader_cc, sizeof(out->fader_cc));
	if (s->set & APCCONF_BIT(APCCONF_FADER_CHANNEL))
		out->fader_channel = (uint8_t)s->fader_channel;
	if (s->set & APCCONF_BIT(APCCONF_FADER_SMOOTHING))
		out->fader_smoothing_ms = (uint16_t)s->fader_smoothing_ms;
	if (s->set & APCCONF_BIT(APCCONF_TRANSPOSE_BUTTONS))
		memcpy(out->transpose_buttons, s->transpose_buttons, sizeof(out->transpose_buttons));
}

const char *apcconf_key_name(enum apcconf_key key)
{
	if ((unsigned int)key >= APCCONF_N_KEYS)
		return NULL;
	return keydefs[key].name;
}

int apcconf_error_format(const struct apcconf_error *err, char *buf, size_t size)
{
	if (err->filename)
		return snprintf(buf, size, "%s:%u: %s", err->filename, err->line, err->msg);
	return snprintf(buf, size, "%u: %s", err->line, err->msg);
}
