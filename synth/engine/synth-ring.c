/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SPSC event ring: push runs on the producer (sequencer) thread, peek/pop on
 * the consumer (audio) thread; init and release on the owner, neither running. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "synth-ring.h"

int synth_ring_init(struct synth_ring *r, unsigned int capacity)
{
	unsigned int cap = 2;

	if (capacity > (1u << 24))
		return -EINVAL;
	while (cap < capacity)
		cap <<= 1;
	/* Aligned so each slot is exactly one cache line. */
	r->slot = aligned_alloc(64, cap * sizeof(*r->slot));
	if (!r->slot)
		return -ENOMEM;
	r->mask = cap - 1;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	atomic_init(&r->overflows, 0);
	return 0;
}

void synth_ring_release(struct synth_ring *r)
{
	free(r->slot);
	r->slot = NULL;
}

int synth_ring_push(struct synth_ring *r, const struct synth_event *ev)
{
	/* Indices run freely and wrap at 2^32; unsigned subtraction gives the
	 * fill level as long as the capacity is below 2^31. */
	unsigned int head = atomic_load_explicit(&r->head, memory_order_relaxed);
	unsigned int tail = atomic_load_explicit(&r->tail, memory_order_acquire);

	if (head - tail > r->mask) {
		atomic_fetch_add_explicit(&r->overflows, 1, memory_order_relaxed);
		return -ENOBUFS;
	}
	r->slot[head & r->mask] = *ev;
	/* Release: the slot contents are visible before the new head. */
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
	return 0;
}

const struct synth_event *synth_ring_peek(struct synth_ring *r)
{
	unsigned int tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	unsigned int head = atomic_load_explicit(&r->head, memory_order_acquire);

	if (head == tail)
		return NULL;
	return &r->slot[tail & r->mask];
}

void synth_ring_pop(struct synth_ring *r)
{
	unsigned int tail = atomic_load_explicit(&r->tail, memory_order_relaxed);

	/* Release: we are done reading the slot before the producer may reuse it. */
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
}

unsigned int synth_ring_count(struct synth_ring *r)
{
	unsigned int tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	unsigned int head = atomic_load_explicit(&r->head, memory_order_acquire);

	return head - tail;
}

uint64_t synth_ring_overflows(struct synth_ring *r)
{
	return atomic_load_explicit(&r->overflows, memory_order_relaxed);
}
