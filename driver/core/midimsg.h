/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The length of a MIDI message from its status byte: the one table of it in
 * the tree (the codec, the device side, the synth and the bench use it).
 * Pure, header only.
 */
#ifndef APC_MIDIMSG_H
#define APC_MIDIMSG_H

#include <stddef.h>
#include <stdint.h>

/* Bytes a message with this status takes, status included: 3 for notes,
 * CCs, poly and pitch bend, 2 for program change and channel pressure, 2 or
 * 3 for F1/F3 and F2, 1 for F6 and realtime. 0 for sysex (F0: up to its F7),
 * F7, the undefined F4/F5 and data bytes. */
static inline size_t midi_msg_length(uint8_t status)
{
	if (status < 0x80)
		return 0;
	if (status < 0xf0)
		return (status & 0xe0) == 0xc0 ? 2 : 3;
	switch (status) {
	case 0xf1:
	case 0xf3:
		return 2;
	case 0xf2:
		return 3;
	case 0xf6:
	case 0xf8:
	case 0xf9:
	case 0xfa:
	case 0xfb:
	case 0xfc:
	case 0xfd:
	case 0xfe:
	case 0xff:
		return 1;
	default: /* F0, F4, F5, F7 */
		return 0;
	}
}

#endif
