/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The play mapping: pads as notes in scales and drum layouts, transposition
 * on buttons, faders to any CC, a shift page that chooses layout, scale,
 * root, octave and channel, and the LED picture that goes with it. Pure: no
 * I/O, no allocation, no clock (the caller passes the time); every call
 * does a bounded amount of work on a struct the caller owns.
 */
#ifndef APC_APCMAP_H
#define APC_APCMAP_H

#include <stddef.h>
#include <stdint.h>

#include "apcmini.h"

/* "Nothing here": a pad without a note, a fader that sends nothing, no
 * button, the fader channel that follows the play channel. */
#define APCMAP_NONE 0xff

enum apcmap_layout {
	APCMAP_CHROMATIC, /* every semitone; rows row_interval apart */
	APCMAP_IN_KEY,	  /* only the scale's notes; rows a row_interval apart in degrees */
	APCMAP_DRUM,	  /* a note per pad (the GM drum map in 4x4 quadrants by default) */
	APCMAP_N_LAYOUTS
};

enum apcmap_scale {
	APCMAP_MAJOR, /* ionian */
	APCMAP_MINOR, /* natural minor, aeolian */
	APCMAP_DORIAN,
	APCMAP_PHRYGIAN,
	APCMAP_LYDIAN,
	APCMAP_MIXOLYDIAN,
	APCMAP_LOCRIAN,
	APCMAP_MAJOR_PENTATONIC,
	APCMAP_MINOR_PENTATONIC,
	APCMAP_BLUES,
	APCMAP_HARMONIC_MINOR,
	APCMAP_CHROMATIC_SCALE,
	APCMAP_N_SCALES
};

/* The buttons of transpose_buttons[], in the order of the arrows printed
 * over track buttons 1-4 (up, down, left, right). */
enum apcmap_button_action {
	APCMAP_OCTAVE_UP,
	APCMAP_OCTAVE_DOWN,
	APCMAP_SEMITONE_DOWN,
	APCMAP_SEMITONE_UP,
	APCMAP_N_ACTIONS
};

#define APCMAP_OCTAVE_MIN (-1)
#define APCMAP_OCTAVE_MAX 9
#define APCMAP_TRANSPOSE_MAX 12 /* semitones either way */
#define APCMAP_SMOOTHING_MAX_MS 1000

/* What apcmini.conf sets (apcconf_map_config), 0-based where MIDI is. */
struct apcmap_config {
	enum apcmap_layout layout;
	enum apcmap_scale scale;
	uint8_t root;	      /* 0-11, 0 = C: the note of the bottom-left pad */
	int8_t octave;	      /* -1..9, the octave of the bottom-left pad (C4 = 60) */
	int8_t transpose;     /* -12..12 semitones, added to what the pads play */
	uint8_t row_interval; /* 1-12 semitones from a row to the next (in-key: in degrees) */
	uint8_t channel;      /* 0-15 */
	uint8_t velocity;     /* 1-127: the pads always send 127 */
	uint8_t drum_notes[APC_NUM_PADS];	     /* note per pad, APCMAP_NONE: silent */
	uint8_t fader_cc[APC_NUM_FADERS];	     /* CC per fader (8 = master), or NONE */
	uint8_t fader_channel;			     /* 0-15, or NONE: the play channel */
	uint16_t fader_smoothing_ms;		     /* 0 (off) .. 1000 */
	uint8_t transpose_buttons[APCMAP_N_ACTIONS]; /* LED index 64-79 or NONE */
};

/* Most messages one call writes: a note-off per pad and a fader's pending
 * value per fader (apcmap_release_all). */
#define APCMAP_OUT_MAX (APC_NUM_PADS + APC_NUM_FADERS)

/* Played MIDI: 3-byte channel messages (note-on, note-off, control change)
 * in the order they are to be sent. Every call clears it first. */
struct apcmap_out {
	unsigned int n;
	uint8_t msg[APCMAP_OUT_MAX][3];
};

/* The mapping of one device. Fields are private but for the tests. */
struct apcmap {
	const struct apc_model *model;
	struct apcmap_config conf; /* as configured */
	/* The live choices: from conf, then changed by the buttons and the
	 * shift page. */
	enum apcmap_layout layout;
	enum apcmap_scale scale;
	uint8_t root;
	int8_t octave;
	int8_t transpose;
	uint8_t channel;
	int shift; /* Shift is held: the grid is the shift page */
	/* Per pad: the note and channel its note-on went out with, so the
	 * note-off matches whatever changed in between; note NONE = silent. */
	uint8_t sounding_note[APC_NUM_PADS];
	uint8_t sounding_ch[APC_NUM_PADS];
	/* Per fader: smoothing. last_value NONE = nothing sent yet. */
	uint8_t fader_last[APC_NUM_FADERS];
	uint8_t fader_pending[APC_NUM_FADERS]; /* NONE: nothing waits */
	uint64_t fader_last_ns[APC_NUM_FADERS];
	uint64_t fader_due_ns[APC_NUM_FADERS];
	unsigned int led_gen; /* counts changes of the LED picture */
};

/* The configuration apcmini.conf(5) documents as the default: in-key, C
 * major from C3 (MIDI 48), rows a fourth apart, channel 1, velocity 100,
 * the GM drum quadrants, faders as a synth player expects them, no
 * smoothing, octave and semitone on track buttons 1-4. */
void apcmap_config_default(struct apcmap_config *c);
/* 0 if every field is in range (and no button does two things), else
 * -EINVAL. */
int apcmap_config_check(const struct apcmap_config *c);
/* The GM drum map in 4x4 quadrants, as drum_notes: 36-51 bottom left,
 * 52-67 bottom right, 68-83 top left, 84-99 top right, each row by row
 * from its bottom-left pad (the layout of drum racks and pad controllers:
 * kick 36 in the bottom-left corner). */
void apcmap_drum_gm(uint8_t notes[APC_NUM_PADS]);

/* Nothing sounding, shift released, live choices from `c` (NULL: the
 * default). -EINVAL for a NULL model or a bad config (then `m` is
 * unusable until an init succeeds). */
int apcmap_init(struct apcmap *m, const struct apc_model *model, const struct apcmap_config *c);
/* A new configuration (SIGHUP): each live choice the new configuration
 * changes takes its new value; those it leaves as before keep what the
 * buttons and the shift page made of them. Notes sounding keep the note
 * they started with for their note-off. -EINVAL (and nothing changed) for
 * a bad config. */
int apcmap_set_config(struct apcmap *m, const struct apcmap_config *c);

/* One control of the device (apc_control_from_midi's output) at `now_ns`
 * (CLOCK_MONOTONIC): the played messages into `out`. Returns their number
 * (0 for a control the mapping does not play: the shift page, an unused
 * button, a smoothed fader value held back) or -EINVAL for an invalid
 * control. After each call, apcmap_next_deadline() says whether a fader
 * value waits. */
int apcmap_control(struct apcmap *m, const struct apc_control *c, uint64_t now_ns,
		   struct apcmap_out *out);
/* When a held-back fader value is due: 1 and *due_ns, or 0 if none waits.
 * Arm a timer for it and call apcmap_tick() then; no timer is needed
 * otherwise. */
int apcmap_next_deadline(const struct apcmap *m, uint64_t *due_ns);
/* Sends the held-back fader values due at `now_ns`. Returns their number. */
int apcmap_tick(struct apcmap *m, uint64_t now_ns, struct apcmap_out *out);
/* Note-offs for every sounding note and the held-back fader values, at
 * once (the device went away, the mapping is switched off). Returns their
 * number; nothing sounds afterwards. */
int apcmap_release_all(struct apcmap *m, struct apcmap_out *out);

/* The note pad 0-63 plays now (0-127), or -1: silent (out of 0..127, no
 * drum note, a bad pad). Not what a held pad sounds: that is fixed at its
 * press. */
int apcmap_pad_note(const struct apcmap *m, unsigned int pad);

/* The LED picture: every pad and button LED as the mapping draws it, in
 * the model's terms (mk2 pads: palette colour on the model's full
 * brightness channel; mk1: green, red, yellow). The play page: roots,
 * in-key notes, sounding notes; the shift page while Shift is held. */
void apcmap_leds(const struct apcmap *m, struct apc_led out[APC_NUM_LEDS]);
/* Changes whenever the picture may have changed (a press, a release, a
 * transposition, Shift, a new configuration): repaint when it differs
 * from the value of the last repaint. */
unsigned int apcmap_leds_generation(const struct apcmap *m);
/* Draws the picture into the wanted state of `s` (apc_leds_set, so a
 * flush sends only what changed). Returns how many LEDs changed. */
int apcmap_leds_apply(const struct apcmap *m, struct apc_led_state *s);

/* The grid shared between the mapping and clients' LED messages, as the
 * play port has it: while the port has subscribers the mapping draws the
 * LEDs, and what clients write to them is kept in `app` (its want[]) to be
 * shown again when the last subscriber goes. `leds` below is the state the
 * device is to show. */
struct apcmap_grid {
	struct apc_led_state app; /* want[]: what clients asked for */
	unsigned int subs;	  /* subscriptions to the play port */
	unsigned int drawn;	  /* the mapping's LED generation last drawn */
};

void apcmap_grid_init(struct apcmap_grid *g, const struct apc_model *m);
/* Nonzero while the mapping draws (the play port has subscribers). */
static inline int apcmap_grid_draws(const struct apcmap_grid *g)
{
	return g->subs > 0;
}
/* A subscription came (delta 1) or went (-1). The first one draws the
 * mapping's picture into `leds`; the last one forgets what sounds (no one
 * hears its note-offs) and puts the clients' picture back. Returns 1 if
 * `leds` changed. */
int apcmap_grid_subscribers(struct apcmap_grid *g, struct apcmap *m, struct apc_led_state *leds,
			    int delta);
/* A client's LED message (apc_leds_apply_midi's): kept in `app`, and
 * applied to `leds` unless the mapping draws. Returns as that function
 * for `leds` (1: changed), 0 when only kept, -ENOENT for no LED message. */
int apcmap_grid_client(struct apcmap_grid *g, struct apc_led_state *leds, const uint8_t *msg,
		       size_t len);
/* Nonzero if the mapping draws and its picture changed since drawn. */
int apcmap_grid_stale(const struct apcmap_grid *g, const struct apcmap *m);
/* Draw the picture into `leds` if stale; returns 1 if `leds` changed. */
int apcmap_grid_draw(struct apcmap_grid *g, const struct apcmap *m, struct apc_led_state *leds);

/* Names as apcmini.conf writes them. *_name() return NULL when out of
 * range; *_by_name() return the value or -EINVAL. Root names: C, C#, D,
 * ... B (sharps); parsing takes a letter A-G in either case with an
 * optional '#' or 'b', or a number 0-11. Scales: also "ionian" (major)
 * and "aeolian" (minor). */
const char *apcmap_layout_name(enum apcmap_layout l);
int apcmap_layout_by_name(const char *s, size_t n);
const char *apcmap_scale_name(enum apcmap_scale s);
int apcmap_scale_by_name(const char *s, size_t n);
const char *apcmap_root_name(unsigned int root);
int apcmap_root_by_name(const char *s, size_t n);
/* The notes of a scale as semitones above its root, ascending, the root
 * (0) first; returns how many (5-12), or 0 for a bad scale. */
unsigned int apcmap_scale_steps(enum apcmap_scale s, const uint8_t **steps);

#endif
