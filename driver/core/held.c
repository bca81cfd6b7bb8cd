/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Held notes of a controller (see held.h). Pure; the caller's thread. */
#include "config.h"

#include <string.h>

#include "held.h"

void apc_held_init(struct apc_held *h)
{
	memset(h, 0, sizeof(*h));
}

void apc_held_update(struct apc_held *h, unsigned int cable, const uint8_t *msg, size_t len)
{
	unsigned int ch, note, bit;
	uint8_t *byte;
	int on;

	if (cable >= APC_HELD_CABLES || len != 3 || msg[1] > 0x7f || msg[2] > 0x7f)
		return;
	switch (msg[0] & 0xf0) {
	case 0x90:
		on = msg[2] != 0;
		break;
	case 0x80:
		on = 0;
		break;
	default:
		return;
	}
	ch = msg[0] & 0x0f;
	note = msg[1];
	byte = &h->on[cable][ch][note / 8];
	bit = 1u << (note % 8);
	if (on && !(*byte & bit)) {
		*byte |= (uint8_t)bit;
		h->count++;
	} else if (!on && (*byte & bit)) {
		*byte &= (uint8_t)~bit;
		h->count--;
	}
}

unsigned int apc_held_release(struct apc_held *h,
			      void (*fn)(void *user, unsigned int cable, const uint8_t *msg,
					 size_t len),
			      void *user)
{
	unsigned int cable, ch, note, n = 0;
	uint8_t msg[3];

	if (!h->count)
		return 0;
	for (cable = 0; cable < APC_HELD_CABLES; cable++) {
		for (ch = 0; ch < 16; ch++) {
			for (note = 0; note < 128; note++) {
				if (!(h->on[cable][ch][note / 8] & (1u << (note % 8))))
					continue;
				msg[0] = (uint8_t)(0x80 | ch);
				msg[1] = (uint8_t)note;
				msg[2] = 0;
				fn(user, cable, msg, sizeof(msg));
				n++;
			}
		}
	}
	apc_held_init(h);
	return n;
}
