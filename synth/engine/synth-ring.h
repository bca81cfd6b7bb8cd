/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Lock-free single-producer single-consumer ring of synth events (C11
 * atomics). The producer is the thread that receives MIDI (the sequencer
 * thread); the consumer is the audio thread. Neither side ever blocks,
 * allocates or makes a system call; a push into a full ring fails and is
 * counted, so the producer can report it later.
 */
#ifndef APC_SYNTH_RING_H
#define APC_SYNTH_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "synth-event.h"

struct synth_ring {
	/* Head and tail on their own cache lines: each is written by one side
	 * and only read by the other, so they must not share a line. */
	_Alignas(64) atomic_uint head;	/* next slot to write; producer */
	_Alignas(64) atomic_uint tail;	/* next slot to read; consumer */
	_Alignas(64) atomic_uint_fast64_t overflows;
	struct synth_event *slot;
	unsigned int mask;		/* capacity - 1, capacity a power of two */
};

/* `capacity` is rounded up to a power of two (at least 2). */
int synth_ring_init(struct synth_ring *r, unsigned int capacity);
void synth_ring_release(struct synth_ring *r);

static inline unsigned int synth_ring_capacity(const struct synth_ring *r)
{
	return r->mask + 1;
}

/* Producer side. 0, or -ENOBUFS (counted) if full. */
int synth_ring_push(struct synth_ring *r, const struct synth_event *ev);

/* Consumer side: the oldest event, or NULL if empty. It stays valid and in
 * place until synth_ring_pop(). */
const struct synth_event *synth_ring_peek(struct synth_ring *r);
void synth_ring_pop(struct synth_ring *r);

/* Either side; a snapshot. */
unsigned int synth_ring_count(struct synth_ring *r);
uint64_t synth_ring_overflows(struct synth_ring *r);

#endif
