/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcbench's sequencer-only path: a peer source client plays the device,
 * a peer sink client records the LEDs the bench sends; no device at all.
 */
#ifndef APC_BENCH_PEER_H
#define APC_BENCH_PEER_H

#include <alsa/asoundlib.h>
#include <stdint.h>

#include "bench-log.h"
#include "bench-thread.h"

struct bench_peer;

int bench_peer_open(struct bench_peer **p, size_t logcap);
void bench_peer_close(struct bench_peer *p);
/* struct bench_target's inject. */
int bench_peer_inject(void *ctx, const uint8_t *bytes, size_t len, size_t unit,
		      const uint32_t *keys, struct bench_log *tx);
/* struct bench_target's echo: while on, the sink sends every event it gets
 * straight back from the source's port (the round trip). */
int bench_peer_echo(void *ctx, int on);
struct bench_log *bench_peer_ledlog(struct bench_peer *p);
int bench_peer_efd(struct bench_peer *p);
/* The source's address (what the bench receives from) and the sink's
 * (where the bench sends LEDs). */
void bench_peer_addrs(struct bench_peer *p, snd_seq_addr_t *src, snd_seq_addr_t *sink);
int bench_peer_tid(struct bench_peer *p);

#endif
