/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcbench's other subscribers (--subscribers K): K - 1 sequencer clients
 * ("apcbench-sink-N", one port each) subscribed to the path's readable
 * ports before the bench itself, so that the sequencer delivers every event
 * to them first and to the bench, where latency is stamped, last. One
 * worker thread reads them all and counts what each received; a throughput
 * step is lossless only when every one of them got every event.
 */
#ifndef APC_BENCH_SINKS_H
#define APC_BENCH_SINKS_H

#include <alsa/asoundlib.h>
#include <stdint.h>

#define BENCH_MAX_SINKS 63

struct bench_sinks;

/* n clients (1..BENCH_MAX_SINKS) and their reading thread. 0 or -errno. */
int bench_sinks_open(struct bench_sinks **s, unsigned int n);
void bench_sinks_close(struct bench_sinks *s);
unsigned int bench_sinks_count(const struct bench_sinks *s);
/* Subscribe every sink to src. 0 or -errno. */
int bench_sinks_connect(struct bench_sinks *s, const snd_seq_addr_t *src);
/* Undo every bench_sinks_connect. */
void bench_sinks_disconnect(struct bench_sinks *s);
/* Start counting from zero (main thread, between runs). */
void bench_sinks_reset(struct bench_sinks *s);
/* Wait until every sink received `events` since the reset or until
 * `until_ns`; returns the least any sink received (events a sink's full
 * FIFO threw away are not received). */
uint64_t bench_sinks_wait(struct bench_sinks *s, uint64_t events, uint64_t until_ns);

#endif
