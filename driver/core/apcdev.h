/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The device side of an APC mini: what the controller does with the bytes a
 * host sends it (identity and mk2 introduction replies, the mode echo, LED
 * and RGB state) and how its surface looks (the grid as text). Pure: bytes
 * in, replies through a callback, no I/O. The test rig's emulator, the bench
 * and the umockdev test all run this one model; facts from apcmini.h.
 */
#ifndef APC_APCDEV_H
#define APC_APCDEV_H

#include <stddef.h>
#include <stdint.h>

#include "apcmini.h"

#define APCDEV_MAX_CABLES 2
#define APCDEV_SYSEX_MAX 1024

/* A byte-stream parser per cable (running status, sysex up to its F7). */
struct apcdev_parser {
	uint8_t buf[APCDEV_SYSEX_MAX];
	size_t len;
	size_t need;	 /* bytes the current channel/common message needs */
	uint8_t running; /* running status, 0 = none */
	int in_sysex;
	int overflow;	 /* current sysex too long: dropped at its F7 */
};

struct apcdev_stats {
	uint64_t bytes, msgs, leds, sysex, inquiries, intros, rgb, other, dropped;
	uint64_t rgb_ignored; /* RGB colours for pads that were not solid */
};

/* Called for every message the device sends back on its own (identity
 * reply, mk2 introduction reply, mode echo). */
typedef void (*apcdev_send_fn)(void *user, unsigned int cable, const uint8_t *msg, size_t len);
/* Called for every complete message received from the host, before the
 * device acts on it. */
typedef void (*apcdev_msg_fn)(void *user, unsigned int cable, const uint8_t *msg, size_t len);

struct apcdev {
	const struct apc_model *model;
	struct apc_led_state leds;	 /* want[] is what the pads show */
	uint8_t faders[APC_NUM_FADERS];
	uint8_t mode;			 /* mk2: 0 session, 1 note, 2 drum */
	uint8_t device_id;		 /* identity reply channel */
	struct apcdev_parser parser[APCDEV_MAX_CABLES];
	struct apcdev_stats rx;
	apcdev_send_fn send;
	apcdev_msg_fn on_msg;
	void *user;
};

void apcdev_init(struct apcdev *d, const struct apc_model *m, apcdev_send_fn send,
		 apcdev_msg_fn on_msg, void *user);
/* Power cycle: LEDs off, parsers and mode reset; counters are kept. */
void apcdev_reset(struct apcdev *d);
/* Bytes the host sent on `cable` (any split). */
void apcdev_input(struct apcdev *d, unsigned int cable, const uint8_t *buf, size_t len);
/* Handle one complete message (as the parser delivers it). */
void apcdev_message(struct apcdev *d, unsigned int cable, const uint8_t *msg, size_t len);
/* The LED grid as text (format in tests/vm/README.md). Returns the length
 * or -ENOSPC. */
int apcdev_grid(const struct apcdev *d, char *out, size_t outsz);

#endif
