/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The core's own MIDI event: small, fixed-size and time-stamped in audio
 * frames, so it can sit in a lock-free ring and be applied at an exact frame.
 * Front ends (the ALSA sequencer, the SMF reader, later the driver's direct
 * path) map their events to this; nothing here knows where events come from.
 */
#ifndef APC_SYNTH_EVENT_H
#define APC_SYNTH_EVENT_H

#include <stddef.h>
#include <stdint.h>

enum synth_ev_type {
	SYNTH_EV_NONE = 0,
	SYNTH_EV_NOTEON,	/* key, value = velocity (0 means note off) */
	SYNTH_EV_NOTEOFF,	/* key, value = release velocity */
	SYNTH_EV_KEYPRESS,	/* key, value = pressure */
	SYNTH_EV_CONTROL,	/* param = controller number, value = 0..127 */
	SYNTH_EV_PROGRAM,	/* value = program 0..127 */
	SYNTH_EV_CHANPRESS,	/* value = pressure */
	SYNTH_EV_PITCHBEND,	/* value = -8192..8191 */
	SYNTH_EV_SYSEX,		/* data[0..len): the bytes between F0 and F7 */
	SYNTH_EV_START,		/* transport start or continue */
	SYNTH_EV_STOP,		/* transport stop: notes off on all channels */
	SYNTH_EV_RESET,		/* system reset (FF) */
	SYNTH_EV_NOTES_OFF,	/* all notes off on channels [chan, chan + value) */
};

/* GM/GS/XG resets are 4 to 9 bytes without F0/F7; a longer sysex (tuning
 * dumps, sample dumps) does not fit and is counted as dropped by the front
 * end, which keeps every ring slot one cache line wide. */
#define SYNTH_SYSEX_INLINE 44

struct synth_event {
	uint64_t frame;		/* audio frame at which it takes effect */
	uint8_t type;		/* enum synth_ev_type */
	uint8_t chan;		/* port * 16 + MIDI channel */
	uint8_t key;		/* note number or controller number */
	uint8_t len;		/* sysex length */
	int32_t value;
	uint8_t data[SYNTH_SYSEX_INLINE];
};

_Static_assert(sizeof(struct synth_event) == 64, "one ring slot per cache line");

enum synth_sysex_kind {
	SYNTH_SYSEX_OTHER = 0,
	SYNTH_SYSEX_GM_ON,
	SYNTH_SYSEX_GM2_ON,
	SYNTH_SYSEX_GM_OFF,
	SYNTH_SYSEX_GS_RESET,
	SYNTH_SYSEX_XG_RESET,
};

/* Classify a sysex body (F0 and F7 stripped). Device IDs other than
 * "all call" are accepted, as receivers do. */
enum synth_sysex_kind synth_sysex_classify(const uint8_t *data, size_t len);

/* Fill `ev` from a raw channel-voice or system message (status byte
 * first). Returns 1 if it maps to an event, 0 if it is ignored (clock,
 * sensing, song position...), -EINVAL if malformed. Sysex goes through
 * synth_event_sysex(). */
int synth_event_from_midi(struct synth_event *ev, const uint8_t *msg, size_t len, uint8_t port);

/* Sysex body (without F0/F7; a leading F0 or trailing F7 is stripped).
 * -EMSGSIZE if it does not fit inline. */
int synth_event_sysex(struct synth_event *ev, const uint8_t *body, size_t len, uint8_t port);

#endif
