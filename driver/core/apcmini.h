/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The APC mini model: one declarative description per hardware variant (mk1,
 * mk2), used by the driver, the tests and the gadget-side emulator alike;
 * MIDI <-> control events; LED state with change tracking. Pure: no I/O, no
 * allocation, no libusb or ALSA headers. Facts: doc/apcmini-protocol.md.
 */
#ifndef APC_APCMINI_H
#define APC_APCMINI_H

#include <stddef.h>
#include <stdint.h>

#define APC_VID_AKAI 0x09e8
#define APC_NUM_PADS 64
#define APC_NUM_TRACK 8
#define APC_NUM_SCENE 8
#define APC_NUM_FADERS 9 /* 8 channel faders + master */
/* LED indices: pads 0-63 (= pad note), track buttons 64-71, scene 72-79. */
#define APC_LED_TRACK0 64
#define APC_LED_SCENE0 72
#define APC_NUM_LEDS 80

enum apc_model_id {
	APC_MODEL_MK1 = 1,
	APC_MODEL_MK2 = 2,
};

enum apc_led_scheme {
	APC_LEDS_MK1, /* grid: velocity 0-6 = off/green/blink/red/blink/yellow/blink */
	APC_LEDS_MK2, /* grid: velocity = palette index, channel = behaviour */
};

/* Everything that differs between variants lives here and nowhere else. */
struct apc_model {
	enum apc_model_id id;
	const char *name;	      /* sequencer client name: "APC mini" */
	const char *short_name;	      /* "mk1", "mk2": options, logs */
	const char *usb_manufacturer; /* iManufacturer */
	const char *usb_product;      /* iProduct, also snd-usb-audio's card name */
	uint16_t vid, pid;
	uint8_t inquiry_model;	      /* model byte in the identity reply */
	uint8_t firmware[4];	      /* version bytes the emulator reports */
	unsigned int n_cables;	      /* USB-MIDI cables each way */
	uint8_t track_first;	      /* note of track button 1 */
	uint8_t scene_first;	      /* note of scene button 1 */
	uint8_t shift_note;
	uint8_t fader_cc_first;	      /* CC of fader 1; master follows fader 8 */
	uint8_t release_status;	      /* status byte the device sends on release */
	enum apc_led_scheme leds;
	uint8_t pad_led_default_channel; /* mk2: 6 = solid 100 % (0 is 10 %) */
};

extern const struct apc_model apc_model_mk1;
extern const struct apc_model apc_model_mk2;
/* NULL-terminated list of every supported model. */
extern const struct apc_model *const apc_models[];

/* mk2 palette: velocity -> 0xRRGGBB. */
extern const uint32_t apc_mk2_palette[128];

const struct apc_model *apc_model_by_usb_id(uint16_t vid, uint16_t pid);
/* "mk1", "mk2" (case-insensitive) -> model, NULL if unknown. */
const struct apc_model *apc_model_by_name(const char *short_name);

/* Universal device inquiry, F0 7E 00 06 01 F7. */
extern const uint8_t apc_inquiry_request[6];
/* The model an identity reply (F0 7E <ch> 06 02 47 <model> ...) names, or
 * NULL if it is not an APC mini reply. */
const struct apc_model *apc_model_by_inquiry_reply(const uint8_t *msg, size_t len);
/* Build the identity reply the model sends; returns its length or -ENOSPC. */
int apc_inquiry_reply(const struct apc_model *m, uint8_t device_id, uint8_t *out, size_t outsz);

/* mk2 vendor sysex commands: F0 47 7F 4F <cmd> <len msb> <len lsb> ... F7. */
enum apc_mk2_cmd {
	APC_MK2_CMD_RGB = 0x24,		/* custom RGB colours for pad ranges */
	APC_MK2_CMD_INTRO = 0x60,	/* introduction (host -> device) */
	APC_MK2_CMD_INTRO_REPLY = 0x61, /* fader positions (device -> host) */
	APC_MK2_CMD_MODE = 0x62,	/* pad mode change, echoed by the device */
};
/* The command byte of an mk2 vendor sysex (the header and a length field
 * present), or -EINVAL if `msg` is not one. The one matcher of that header
 * in the tree. */
int apc_mk2_sysex_cmd(const uint8_t *msg, size_t len);
/* 1 if `msg` is a universal device inquiry (F0 7E <id> 06 01 F7, any id). */
int apc_is_inquiry_request(const uint8_t *msg, size_t len);

/* mk2 "introduction": host sends F0 47 7F 4F 60 00 04 00 maj min bugfix F7;
 * the device answers F0 47 7F 4F 61 <len> <len> fader1..fader9 F7. */
int apc_mk2_intro_request(uint8_t *out, size_t outsz);
int apc_mk2_intro_reply(const uint8_t faders[APC_NUM_FADERS], uint8_t *out, size_t outsz);
/* Parse a reply up to its F7 (the vendor's length field is not to be
 * trusted); returns the number of fader values stored, or -EINVAL. */
int apc_mk2_intro_reply_parse(const uint8_t *msg, size_t len, uint8_t faders[APC_NUM_FADERS]);

/* ---- Controls (device -> host) ---- */

enum apc_control_type {
	APC_CTL_PAD = 1, /* index 0-63: pad note, bottom-left = 0 */
	APC_CTL_TRACK,	 /* index 0-7 */
	APC_CTL_SCENE,	 /* index 0-7 */
	APC_CTL_SHIFT,	 /* index 0 */
	APC_CTL_FADER,	 /* index 0-8, 8 = master */
};

struct apc_control {
	enum apc_control_type type;
	uint8_t index;
	uint8_t value; /* buttons: velocity, 0 = released; faders: 0-127 */
};

/* Pad geometry: x = column 0-7 from the left, y = row 0-7 from the bottom. */
static inline unsigned int apc_pad_x(unsigned int pad)
{
	return pad % 8;
}
static inline unsigned int apc_pad_y(unsigned int pad)
{
	return pad / 8;
}
static inline unsigned int apc_pad_at(unsigned int x, unsigned int y)
{
	return y * 8 + x;
}

/* The message the device sends for `c` (on cable 0). Returns its length
 * (3) or -EINVAL for a control the model does not have. */
int apc_control_to_midi(const struct apc_model *m, const struct apc_control *c, uint8_t out[3]);
/* The control a message from the device on cable 0 (the mk2's Session
 * mode) reports: a note-on, or a note-off or note-on with velocity 0 for a
 * release, of a pad or button on channel 1, or a fader's control change.
 * Returns 0, or -ENOENT for anything else (the mk2's Note and Drum modes
 * send other notes, on other cables and channels). */
int apc_control_from_midi(const struct apc_model *m, const uint8_t *msg, size_t len,
			  struct apc_control *c);

/* ---- LEDs (host -> device) ---- */

struct apc_rgb {
	uint8_t r, g, b;
};

struct apc_led {
	uint8_t value;	   /* mk1: 0-6 (grid) or 0-2 (buttons); mk2 pads:
			    * palette index; mk2 buttons: 0 off, 1 on, 2 blink */
	uint8_t behaviour; /* mk2 pads: MIDI channel 0-15; otherwise 0 */
	uint8_t rgb;	   /* mk2 pads: 1 = the custom colour `c` (set by RGB
			    * sysex, shown solid); value and behaviour are then 0 */
	struct apc_rgb c;
};

/* Which LED a message from the host addresses and what it sets. Returns the
 * LED index (0-79) or -ENOENT if the message is not an LED message of this
 * model. mk1 values above 6 (grid) or 2 (buttons) are kept as sent: the
 * device shows them as it shows them, the model does not guess. */
int apc_led_from_midi(const struct apc_model *m, const uint8_t *msg, size_t len,
		      struct apc_led *led);
/* The message that sets LED `index` to `led`; returns its length (3) or
 * -EINVAL. */
int apc_led_to_midi(const struct apc_model *m, unsigned int index, const struct apc_led *led,
		    uint8_t out[3]);

/* What the mk2 firmware is reported to need before it takes an RGB colour
 * for a pad (doc/apcmini-protocol.md): at least about 1 ms after a note-on
 * for that pad reached it, and the pad solid, not blinking or pulsing. The
 * flush measures the gap from the moment it hands the note-on out, so it
 * adds one 1 ms USB frame in which that transfer may still be travelling. */
#define APC_RGB_GAP_NS 2000000ull
/* mk2 pad channels 0-6 are solid; 7-10 pulse, 11-15 blink. */
#define APC_MK2_SOLID_MAX 6

/* The messages that make a device show `led` on LED `index` whatever it
 * showed before: its note-on; for an mk2 custom colour a solid note-on and
 * then the RGB sysex (the firmware ignores RGB on a pad that blinks or
 * pulses). For monitors told the state (mirrors, replays), which keep it
 * by the same model. Returns the bytes written, -EINVAL or -ENOSPC. */
int apc_led_show_msgs(const struct apc_model *m, unsigned int index, const struct apc_led *led,
		      uint8_t *out, size_t outsz);

/* Desired and shown state of every LED. `want` is what clients asked for;
 * `shown` is what the device was last sent. A flush emits only the LEDs whose
 * wanted state differs from the shown one, so a repaint of an unchanged grid
 * costs nothing. mk2 RGB colours are LED states like palette colours. */
struct apc_led_state {
	const struct apc_model *model;
	struct apc_led want[APC_NUM_LEDS];
	struct apc_led shown[APC_NUM_LEDS];
	uint8_t unknown[APC_NUM_LEDS]; /* shown state not known: must send */
	unsigned int pending;	       /* LEDs that a flush would send */
	uint64_t note_ns[APC_NUM_PADS]; /* mk2: when a pad's last note-on left */
};

/* All LEDs wanted off, shown state unknown (so the first flush writes all 80:
 * the device's power-up state is not published). */
void apc_leds_init(struct apc_led_state *s, const struct apc_model *m);
/* Set the wanted state of one LED; returns 1 if this changes what a flush
 * sends, 0 if not, -EINVAL for a bad index. */
int apc_leds_set(struct apc_led_state *s, unsigned int index, const struct apc_led *led);
/* Apply an LED message from a client (a note-on, or on an mk2 an RGB
 * sysex, whose pads all change or none); returns as apc_leds_set (1 if any
 * LED changed), or -ENOENT when the message is not a well-formed LED
 * message of this model. */
int apc_leds_apply_midi(struct apc_led_state *s, const uint8_t *msg, size_t len);
/* Forget what the device shows (after a replug): the next flush writes all. */
void apc_leds_invalidate(struct apc_led_state *s);
/* Number of LEDs that differ from what the device shows (some RGB ones may
 * have to wait: apc_leds_due). */
unsigned int apc_leds_pending(const struct apc_led_state *s);
/* Write the note-on messages for pending LEDs (3 bytes each) into `out`, at
 * most outsz / 3 of them, marking each written one shown, `now_ns` being
 * the time they leave. A pad that is to take an RGB colour but is not known
 * to be solid gets a solid "off" first (the firmware ignores RGB on a
 * blinking or pulsing pad). Returns the bytes written; RGB colours are not
 * written here but by apc_leds_flush_rgb, after these. */
size_t apc_leds_flush(struct apc_led_state *s, uint8_t *out, size_t outsz, uint64_t now_ns);
/* A flush's `now_ns` when its messages are queued behind others and the
 * time they leave is not known yet: their pads take no RGB colour until
 * apc_leds_sent() stamps them. */
#define APC_LEDS_QUEUED UINT64_MAX
/* The messages flushed with APC_LEDS_QUEUED left at `now_ns`. */
void apc_leds_sent(struct apc_led_state *s, uint64_t now_ns);
/* Write one RGB sysex for the pending RGB colours that are due at `now_ns`
 * (APC_RGB_GAP_NS after their pad's last note-on), pads of one colour in a
 * row as one range, marking them shown. Returns its length, 0 if none is
 * due or it would not fit in `outsz`. */
size_t apc_leds_flush_rgb(struct apc_led_state *s, uint8_t *out, size_t outsz, uint64_t now_ns);
/* When a flush will have something to write: `now_ns` if at once, the
 * time the earliest waiting RGB colour becomes due, or 0 if nothing (but
 * colours waiting for apc_leds_sent) is pending. */
uint64_t apc_leds_due(const struct apc_led_state *s, uint64_t now_ns);

/* ---- mk2 custom RGB colours by sysex ---- */

/* F0 47 7F 4F 24 <len msb> <len lsb> <start> <end> <R msb> <R lsb> <G msb>
 * <G lsb> <B msb> <B lsb> F7 for pads first..last. Returns the length or
 * -EINVAL / -ENOSPC. */
int apc_mk2_rgb_sysex(unsigned int first, unsigned int last, struct apc_rgb c, uint8_t *out,
		      size_t outsz);
/* Parse an RGB sysex with one or more ranges; calls fn for each pad it
 * colours. Returns the number of pads coloured or -EINVAL. */
int apc_mk2_rgb_sysex_parse(const uint8_t *msg, size_t len,
			    void (*fn)(void *user, unsigned int pad, struct apc_rgb c), void *user);

#endif
