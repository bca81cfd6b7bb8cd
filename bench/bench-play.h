/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcbench's view of apcminid's play port: what the device side sends
 * becomes, in the sent log, the key of the event the default play mapping
 * (the core's apcmap, apcmap_config_default) makes of it, so that the
 * matching pairs each pad press, release and fader move with the mapped
 * note-on, note-off or control change the bench receives from the play
 * port. Pads the previous run left pressed are released before each run
 * (the mapping would end their notes at the next press: an event the
 * matching cannot place).
 */
#ifndef APC_BENCH_PLAY_H
#define APC_BENCH_PLAY_H

#include "bench-target.h"

struct apc_model;
struct bench_play;

/* Wraps `inner` (the apcminid path's target: device inject, sequencer
 * recv) for `model`; *out is the target to measure (inject and prepare
 * replaced, no LEDs, no echo: the play port only delivers). -ENOMEM,
 * -EINVAL (the default mapping refused the model). */
int bench_play_open(struct bench_play **p, const struct apc_model *model,
		    const struct bench_target *inner, struct bench_target *out);
void bench_play_close(struct bench_play *p);
/* The mapped key of one 3-byte device message (0: the mapping plays
 * nothing for it). Pure: reads only the tables bench_play_open took. */
uint32_t bench_play_key(const struct bench_play *p, const uint8_t msg[3]);

#endif
