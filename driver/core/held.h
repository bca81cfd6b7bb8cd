/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Held notes: which notes a controller has sent a note-on for and no
 * note-off yet, per cable and channel, so that when the controller goes away
 * with a pad held, its note-offs can still be sent and nothing hangs in the
 * applications listening. Pure: no I/O, no allocation.
 */
#ifndef APC_HELD_H
#define APC_HELD_H

#include <stddef.h>
#include <stdint.h>

#define APC_HELD_CABLES 2

struct apc_held {
	uint8_t on[APC_HELD_CABLES][16][128 / 8]; /* a bit per cable, channel, note */
	unsigned int count;			   /* notes held */
};

void apc_held_init(struct apc_held *h);
/* A message the controller sent on `cable`: note-on with a velocity marks
 * its note held, note-off or note-on with velocity 0 releases it; anything
 * else is ignored. */
void apc_held_update(struct apc_held *h, unsigned int cable, const uint8_t *msg, size_t len);
/* Calls `fn` with a note-off (80+channel, note, 0) for every held note, in
 * cable, channel and note order, and forgets them. Returns how many. */
unsigned int apc_held_release(struct apc_held *h,
			      void (*fn)(void *user, unsigned int cable, const uint8_t *msg,
					 size_t len),
			      void *user);

#endif
