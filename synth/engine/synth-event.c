/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Raw MIDI bytes to the core's event struct, and sysex classification.
 * Pure functions, called from whichever thread feeds the synth. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "midimsg.h"
#include "synth-event.h"

enum synth_sysex_kind synth_sysex_classify(const uint8_t *d, size_t len)
{
	/* Universal non-real-time, any device ID, sub-ID 09 = General MIDI. */
	if (len == 4 && d[0] == 0x7e && d[2] == 0x09) {
		if (d[3] == 0x01)
			return SYNTH_SYSEX_GM_ON;
		if (d[3] == 0x02)
			return SYNTH_SYSEX_GM_OFF;
		if (d[3] == 0x03)
			return SYNTH_SYSEX_GM2_ON;
	}
	/* Roland GS: 41 dev 42 12 40 00 7F 00 <checksum> */
	if (len == 9 && d[0] == 0x41 && d[2] == 0x42 && d[3] == 0x12 &&
	    d[4] == 0x40 && d[5] == 0x00 && d[6] == 0x7f && d[7] == 0x00)
		return SYNTH_SYSEX_GS_RESET;
	/* Yamaha XG system on: 43 1n 4C 00 00 7E 00 */
	if (len == 7 && d[0] == 0x43 && (d[1] & 0xf0) == 0x10 && d[2] == 0x4c &&
	    d[3] == 0x00 && d[4] == 0x00 && d[5] == 0x7e && d[6] == 0x00)
		return SYNTH_SYSEX_XG_RESET;
	return SYNTH_SYSEX_OTHER;
}

int synth_event_from_midi(struct synth_event *ev, const uint8_t *msg, size_t len, uint8_t port)
{
	uint8_t st, hi;
	size_t need;

	if (len == 0 || !(msg[0] & 0x80))
		return -EINVAL;
	st = msg[0];
	hi = st >> 4;
	memset(ev, 0, sizeof(*ev));
	if (hi == 0xf) {
		switch (st) {
		case 0xfa:
		case 0xfb:
			ev->type = SYNTH_EV_START;
			return 1;
		case 0xfc:
			ev->type = SYNTH_EV_STOP;
			return 1;
		case 0xff:
			ev->type = SYNTH_EV_RESET;
			return 1;
		default:
			return 0;
		}
	}
	need = midi_msg_length(st);
	if (len < need)
		return -EINVAL;
	if ((msg[1] & 0x80) || (need == 3 && (msg[2] & 0x80)))
		return -EINVAL;
	if (port > 15)
		return -EINVAL;
	ev->chan = (uint8_t)(port * 16 + (st & 0x0f));
	switch (hi) {
	case 0x8:
		ev->type = SYNTH_EV_NOTEOFF;
		ev->key = msg[1];
		ev->value = msg[2];
		break;
	case 0x9:
		ev->type = SYNTH_EV_NOTEON;
		ev->key = msg[1];
		ev->value = msg[2];
		break;
	case 0xa:
		ev->type = SYNTH_EV_KEYPRESS;
		ev->key = msg[1];
		ev->value = msg[2];
		break;
	case 0xb:
		ev->type = SYNTH_EV_CONTROL;
		ev->key = msg[1];
		ev->value = msg[2];
		break;
	case 0xc:
		ev->type = SYNTH_EV_PROGRAM;
		ev->value = msg[1];
		break;
	case 0xd:
		ev->type = SYNTH_EV_CHANPRESS;
		ev->value = msg[1];
		break;
	case 0xe:
		ev->type = SYNTH_EV_PITCHBEND;
		ev->value = (msg[1] | (msg[2] << 7)) - 8192;
		break;
	}
	return 1;
}

int synth_event_sysex(struct synth_event *ev, const uint8_t *body, size_t len, uint8_t port)
{
	if (len && body[0] == 0xf0) {
		body++;
		len--;
	}
	if (len && body[len - 1] == 0xf7)
		len--;
	if (len > SYNTH_SYSEX_INLINE)
		return -EMSGSIZE;
	memset(ev, 0, sizeof(*ev));
	ev->type = SYNTH_EV_SYSEX;
	ev->chan = (uint8_t)(port * 16);
	ev->len = (uint8_t)len;
	memcpy(ev->data, body, len);
	return 0;
}
