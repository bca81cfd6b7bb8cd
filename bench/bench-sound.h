/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcbench's pad-to-sound measurement (path "sound"): for each synth chain
 * a player could use, pads pressed on the emulated device (stamped right
 * before the hand-over) and the sound captured from an ALSA audio device
 * (snd-aloop's capture side by default) with its frames mapped to
 * CLOCK_MONOTONIC; rounds interleaved, chain order rotated each round.
 */
#ifndef APC_BENCH_SOUND_H
#define APC_BENCH_SOUND_H

#include "bench-paths.h"
#include "bench-result.h"

/* The chains, in their default order. */
extern const char *const bench_sound_chain_names[BENCH_SOUND_MAX_CHAINS];

/* Runs every chain of c->o->sound_chains for c->o->sound_rounds rounds
 * into res (what could not be measured is said in res->why or the
 * chain's why). Starts and stops the synths and apcminid itself. */
void bench_sound_run(struct bench_measure *c, struct bench_rig *rig, struct bench_sound *res);

#endif
