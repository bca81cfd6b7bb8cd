/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcbench's own sequencer client ("apcbench"): an input port the path
 * under test delivers to, an output port for LEDs, and finding the ports
 * of the clients under test.
 */
#ifndef APC_BENCH_SEQ_H
#define APC_BENCH_SEQ_H

#include <alsa/asoundlib.h>
#include <stdint.h>

#include "bench-log.h"

/* Readable ports the bench's input port can be subscribed to at once
 * (--controllers). */
#define BENCH_SEQ_MAX_SOURCES 16

struct loop;
struct bench_seq;

/* `loop` is the main thread's: recv waits on it. */
int bench_seq_open(struct bench_seq **s, const char *client_name, struct loop *loop);
void bench_seq_close(struct bench_seq *s);
int bench_seq_client_id(struct bench_seq *s);
/* Subscribe the bench's input port from `src` and its output port to `dst`
 * (either may be NULL); disconnects what was connected before. */
int bench_seq_connect(struct bench_seq *s, const snd_seq_addr_t *src, const snd_seq_addr_t *dst);
/* Subscribe the input port from one more source (until the next connect). */
int bench_seq_add_source(struct bench_seq *s, const snd_seq_addr_t *src);
/* struct bench_target's recv and leds (note-on, note-off and CC). */
int bench_seq_recv(void *ctx, uint64_t until_ns, struct bench_log *rx);
int bench_seq_leds(void *ctx, const uint8_t *msgs, size_t n, int per_event);
/* struct bench_target's identity: the request as one direct sysex event. */
int bench_seq_identity(void *ctx);
snd_seq_t *bench_seq_handle(struct bench_seq *s);
/* Find a port: the nth (from 0, in client number order) client with that
 * name prefix (case-sensitive) and type (KERNEL or USER, -1 any), or with
 * pid `pid` (> 0); its first port that can be read from (src) and written
 * to (dst). Returns 0 or -ENOENT. */
int bench_seq_find(struct bench_seq *s, const char *prefix, int type, int pid, unsigned int nth,
		   snd_seq_addr_t *src, snd_seq_addr_t *dst);
/* The readable port of `client` whose name ends in `suffix` (apcminid's
 * "<card> Play"). Returns 0 or -ENOENT. */
int bench_seq_find_port(struct bench_seq *s, int client, const char *suffix,
			snd_seq_addr_t *addr);

/* Writing direct events of any client `seq` from the thread that runs `l`.
 * -EAGAIN from such a write is not our output pool (direct events take no
 * cell of it: the kernel delivers them within the write) but a
 * subscriber's full FIFO: the kernel has delivered the event to the other
 * subscribers and marked an overrun at the full one, whose next read
 * throws its whole FIFO away; nothing tells when it has room again. So we
 * wait for POLLOUT (our pool) and, when it was there all along, drop the
 * refused event and count it in *refused, as apcminid's seqclient.c does;
 * never a sleep and a retry. 0 or -errno. */
int bench_seq_output_direct(snd_seq_t *seq, struct loop *l, snd_seq_event_t *ev,
			    unsigned int *refused);
/* Write out everything snd_seq_event_output_buffer() queued, the same way. */
int bench_seq_drain(snd_seq_t *seq, struct loop *l, unsigned int *refused);

#endif
