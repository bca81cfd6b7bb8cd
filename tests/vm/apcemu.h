/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcemu: the gadget-side APC mini emulator of the system-test guest.
 * The device itself is the core's apcdev (driver/core/apcdev.h); the gadget
 * (apcemu-gadget.c) is configfs plumbing; apcemu.c is the program.
 */
#ifndef APCEMU_H
#define APCEMU_H

#include <stddef.h>
#include <stdint.h>

#include "apcdev.h"

struct emu_tx_stats {
	uint64_t bytes, msgs, controls, replies, echoes;
};

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
