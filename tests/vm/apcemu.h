/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcemu: the gadget-side APC mini emulator of the system-test guest.
 * The device (apcemu-device.c) is pure: bytes from the host in, replies and
 * LED state out, all model facts from driver/apcmini.h. The gadget
 * (apcemu-gadget.c) is configfs plumbing. apcemu.c is the program.
 */
#ifndef APCEMU_H
#define APCEMU_H

#include <stddef.h>
#include <stdint.h>

#include "apcmini.h"

#define EMU_MAX_CABLES 2
#define EMU_SYSEX_MAX 1024

/* ---- device ---- */

struct emu_parser {
	uint8_t buf[EMU_SYSEX_MAX];
	size_t len;
	size_t need;	 /* bytes the current channel/common message needs */
	uint8_t running; /* running status, 0 = none */
	int in_sysex;
	int overflow;	 /* current sysex too long: dropped at its F7 */
};

struct emu_rx_stats {
	uint64_t bytes, msgs, leds, sysex, inquiries, rgb, other, dropped;
};

struct emu_tx_stats {
	uint64_t bytes, msgs, controls, replies, echoes;
};

/* Called for every message the device sends back on its own (identity
 * reply, mk2 introduction reply, mode echo). */
typedef void (*emu_send_fn)(void *user, unsigned int cable, const uint8_t *msg, size_t len);
/* Called for every complete message received from the host. */
typedef void (*emu_msg_fn)(void *user, unsigned int cable, const uint8_t *msg, size_t len);

struct emu_device {
	const struct apc_model *model;
	struct apc_led_state leds;	 /* want[] is what the host set */
	uint8_t has_rgb[APC_NUM_PADS];	 /* mk2: pad shows a custom colour */
	struct apc_rgb rgb[APC_NUM_PADS];
	uint8_t faders[APC_NUM_FADERS];
	uint8_t mode;			 /* mk2: 0 session, 1 note, 2 drum */
	uint8_t device_id;		 /* identity reply channel */
	struct emu_parser parser[EMU_MAX_CABLES];
	struct emu_rx_stats rx;
	emu_send_fn send;
	emu_msg_fn on_msg;
	void *user;
};

void emu_device_init(struct emu_device *d, const struct apc_model *m, emu_send_fn send,
		     emu_msg_fn on_msg, void *user);
/* Power cycle: LEDs off, parsers and mode reset; counters are kept. */
void emu_device_reset(struct emu_device *d);
/* Bytes the host sent on `cable` (any split). */
void emu_device_input(struct emu_device *d, unsigned int cable, const uint8_t *buf, size_t len);
/* Handle one complete message (as the parser delivers it). */
void emu_device_message(struct emu_device *d, unsigned int cable, const uint8_t *msg, size_t len);
/* The LED grid as text (format in tests/vm/README.md). Returns the length
 * or -ENOSPC. */
int emu_device_grid(const struct emu_device *d, char *out, size_t outsz);

/* ---- gadget (configfs) ---- */

#define EMU_GADGET_DEFAULT "apcmini"
#define EMU_CARD_DEFAULT "apcemu"

int emu_gadget_create(const char *gadget, const struct apc_model *m, const char *card_id);
int emu_gadget_bind(const char *gadget);
int emu_gadget_unbind(const char *gadget);
int emu_gadget_remove(const char *gadget);
/* 1 if bound to a UDC, 0 if not, -ENOENT if there is no such gadget. */
int emu_gadget_bound(const char *gadget);
/* The model the gadget presents (by its VID/PID), NULL if none. */
const struct apc_model *emu_gadget_model(const char *gadget);

#endif
