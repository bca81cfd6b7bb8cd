/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcmini.conf, the configuration file of apcminid (see apcmini.conf(5)):
 * the parser of its text, and the layering of a system file, a user file and
 * per-device sections. Pure: the caller reads the files and passes their
 * text; no I/O, no allocation (fixed arrays, sizes below). Every function
 * works on structs the caller owns, so any thread may call them.
 */
#ifndef APC_APCCONF_H
#define APC_APCCONF_H

#include <stddef.h>
#include <stdint.h>

#include "apcmap.h"

/* Device sections per struct apcconf (per file, and after a merge). */
#define APCCONF_MAX_DEVICES 16
/* Buffer sizes, NUL included. The serial number and the port path are as
 * apcusb reads them (usbdev.h: serial[64], path[32]); a device key is
 * "serial:" or "port:" and one of them. */
#define APCCONF_SERIAL_MAX 64
#define APCCONF_PORT_MAX 32
#define APCCONF_DEVKEY_MAX 80
/* The sequencer's client name: 63 bytes (snd_seq_client_info name[64]). */
#define APCCONF_CLIENT_NAME_MAX 64
#define APCCONF_SOUNDFONT_MAX 1024
#define APCCONF_AUDIO_DRIVER_MAX 32
#define APCCONF_AUDIO_DEVICE_MAX 128

/* The keys of the file, in the order of the manual. A setting's bit in
 * `set` is APCCONF_BIT(key). */
enum apcconf_key {
	APCCONF_CLIENT_NAME,   /* client-name = TEXT (device sections only) */
	APCCONF_KEEP_LEDS,     /* keep-leds = yes|no */
	APCCONF_OUT_GAP,       /* out-gap = MICROSECONDS (0-1000000) */
	APCCONF_SYNTH,	       /* synth = yes|no */
	APCCONF_SOUNDFONT,     /* soundfont = /ABSOLUTE/PATH */
	APCCONF_AUDIO_DRIVER,  /* audio-driver = NAME */
	APCCONF_AUDIO_DEVICE,  /* audio-device = DEV */
	APCCONF_PERIOD_SIZE,   /* period-size = FRAMES (16-8192) */
	APCCONF_PERIODS,       /* periods = N (2-64) */
	APCCONF_SYNTH_LATENCY, /* synth-latency = FRAMES (0-65536) */
	APCCONF_REVERB,	       /* reverb = yes|no */
	APCCONF_CHORUS,	       /* chorus = yes|no */
	/* The play mapping (apcmap.h); its defaults: apcmap_config_default. */
	APCCONF_LAYOUT,		   /* layout = chromatic|in-key|drum */
	APCCONF_SCALE,		   /* scale = major|minor|dorian|... */
	APCCONF_ROOT,		   /* root = C|C#|Db|...|B|0-11 */
	APCCONF_OCTAVE,		   /* octave = -1..9 */
	APCCONF_TRANSPOSE,	   /* transpose = -12..12 */
	APCCONF_ROW_INTERVAL,	   /* row-interval = SEMITONES (1-12) */
	APCCONF_CHANNEL,	   /* channel = 1-16 */
	APCCONF_VELOCITY,	   /* velocity = 1-127 */
	APCCONF_DRUM_NOTES,	   /* drum-notes = gm | NOTE|- ... (up to 64) */
	APCCONF_FADER_CC,	   /* fader-cc = CC|- x 9 */
	APCCONF_FADER_CHANNEL,	   /* fader-channel = 1-16 */
	APCCONF_FADER_SMOOTHING,   /* fader-smoothing = MILLISECONDS (0-1000) */
	APCCONF_TRANSPOSE_BUTTONS, /* transpose-buttons = BUTTON x 4 */
	APCCONF_N_KEYS
};

#define APCCONF_BIT(key) (1u << (key))

/* One set of settings: the global part, a device section, or what applies
 * to one device. A field means something only when its bit is in `set`;
 * booleans are 0 or 1, strings are NUL-terminated. */
struct apcconf_settings {
	unsigned int set;
	char client_name[APCCONF_CLIENT_NAME_MAX];
	int keep_leds;
	unsigned int out_gap_us;
	int synth;
	char soundfont[APCCONF_SOUNDFONT_MAX];
	char audio_driver[APCCONF_AUDIO_DRIVER_MAX];
	char audio_device[APCCONF_AUDIO_DEVICE_MAX];
	unsigned int period_size;
	unsigned int periods;
	unsigned int synth_latency;
	int reverb;
	int chorus;
	/* The play mapping, in apcmap_config's terms (channels 0-15). */
	int layout;	   /* enum apcmap_layout */
	int scale;	   /* enum apcmap_scale */
	unsigned int root; /* 0-11 */
	int octave;
	int transpose;
	unsigned int row_interval;
	unsigned int channel; /* 0-15 (1-16 in the file) */
	unsigned int velocity;
	struct {
		unsigned int n;		    /* 0: "gm", the GM quadrants */
		uint8_t note[APC_NUM_PADS]; /* APCMAP_NONE: "-", silent */
	} drum_notes;
	uint8_t fader_cc[APC_NUM_FADERS]; /* APCMAP_NONE: "-" */
	unsigned int fader_channel;	  /* 0-15 */
	unsigned int fader_smoothing_ms;
	uint8_t transpose_buttons[APCMAP_N_ACTIONS]; /* LED index or APCMAP_NONE */
};

/* A [device "..."] section. `key` is normalised the way apcminid names
 * devices (struct usbdev key): "serial:<iSerialNumber>" (a section naming
 * the bare serial number gets the prefix) or "port:<bus>-<port>[.<port>]...". */
struct apcconf_dev {
	char key[APCCONF_DEVKEY_MAX];
	struct apcconf_settings s;
};

/* About 25 KiB, all of it inline: callers keep one in a long-lived struct
 * (or static) rather than on a small stack; apcconf_parse itself needs
 * about 4.5 KiB of stack. */
struct apcconf {
	struct apcconf_settings global;
	struct apcconf_dev dev[APCCONF_MAX_DEVICES];
	unsigned int n_dev; /* in file order; a merge appends new ones */
};

/* Where and why a text was refused. `filename` is the pointer passed to
 * apcconf_parse (not a copy; may be NULL); `line` is 1-based; `msg` names
 * the key or section and the value, as "unknown key 'foo'" or
 * "out-gap: '12x' is not a number of microseconds (0-1000000)". */
struct apcconf_error {
	const char *filename;
	unsigned int line;
	char msg[256];
};

/* Nothing set, no devices. */
void apcconf_init(struct apcconf *c);

/* Parses the text of one file (`len` bytes; need not be NUL-terminated;
 * NULL with len 0 is an empty file) into `c`, which is initialised first:
 * one file per struct, layered afterwards with apcconf_merge. Returns 0, or
 * -EINVAL with `err` (may be NULL) filled in at the first error. The whole
 * text is checked before `c` is written, so on error `c` is exactly as it
 * was. */
int apcconf_parse(struct apcconf *c, const char *text, size_t len, const char *filename,
		  struct apcconf_error *err);

/* Layers `src` over `dst`, key by key: every setting set in `src` (global
 * or in a device section) replaces dst's; device sections that `dst` lacks
 * are appended. The system file first, then the user's:
 *	apcconf_parse(&conf, system...); apcconf_parse(&user, ...);
 *	apcconf_merge(&conf, &user);
 * Returns 0, or -ENOSPC if the result would have more than
 * APCCONF_MAX_DEVICES device sections, and then `dst` is unchanged. */
int apcconf_merge(struct apcconf *dst, const struct apcconf *src);

/* The section named `device_key` ("serial:XYZ" or "port:1-2.3", exact
 * match), or NULL. */
const struct apcconf_dev *apcconf_find(const struct apcconf *c, const char *device_key);

/* The section of a device as apcmini.conf(5) says: its serial number's
 * section if there is one, else its port's, else NULL. `serial` may be NULL
 * or "" (the device reports none); `port_path` is "1-2.3" (usbdev.h's
 * serial and path). apcminid's device key alone is not enough: it is the
 * serial one whenever the device has a serial number. */
const struct apcconf_dev *apcconf_find_device(const struct apcconf *c, const char *serial,
					      const char *port_path);

/* What applies to a device: each setting from its section `d` if set there,
 * else from the global part, else unset (bit clear in out->set). `d` may be
 * NULL (a device without a section: the global part alone). */
void apcconf_resolve(const struct apcconf *c, const struct apcconf_dev *d,
		     struct apcconf_settings *out);

/* The play mapping's configuration from resolved settings: each mapping
 * key set in `s` over apcmap_config_default() (drum-notes: the pads after
 * the list are silent). Whatever apcconf_parse accepted is valid here. */
void apcconf_map_config(const struct apcconf_settings *s, struct apcmap_config *out);

/* The key's name in the file ("out-gap"), or NULL if out of range. */
const char *apcconf_key_name(enum apcconf_key key);

/* "FILE:LINE: MESSAGE" (without "FILE:" if filename is NULL), as snprintf:
 * returns the length it needed. */
int apcconf_error_format(const struct apcconf_error *err, char *buf, size_t size);

#endif
