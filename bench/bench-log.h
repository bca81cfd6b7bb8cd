/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcbench's records of messages: keys and stamps appended without
 * allocation, by one thread while another reads (bench_log), and a
 * single-producer single-consumer ring for handing records from one thread
 * to another (bench_ring).
 */
#ifndef APC_BENCH_LOG_H
#define APC_BENCH_LOG_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Keys and stamps of messages. `n` is atomic because a recording thread
 * appends while the main thread reads. */
struct bench_log {
	uint32_t *key;
	uint64_t *t;
	size_t cap;
	_Atomic size_t n;
	uint64_t dropped;	/* appends beyond cap, or refused by the kernel */
	uint64_t other;		/* messages that carry no key */
};

int bench_log_init(struct bench_log *l, size_t cap);
void bench_log_free(struct bench_log *l);

static inline void bench_log_reset(struct bench_log *l)
{
	atomic_store(&l->n, 0);
	l->dropped = l->other = 0;
}

static inline void bench_log_add(struct bench_log *l, uint32_t key, uint64_t t)
{
	size_t n = atomic_load_explicit(&l->n, memory_order_relaxed);

	if (n >= l->cap) {
		l->dropped++;
		return;
	}
	l->key[n] = key;
	l->t[n] = t;
	atomic_store_explicit(&l->n, n + 1, memory_order_release);
}

/* Ring of (key, value) records; capacity a power of two. */
struct bench_ring {
	uint32_t *key;
	uint64_t *val;
	size_t mask;
	_Atomic size_t head;	/* written by the producer */
	_Atomic size_t tail;	/* written by the consumer */
	_Atomic uint64_t overflows;
};

int bench_ring_init(struct bench_ring *r, size_t cap_pow2);
void bench_ring_free(struct bench_ring *r);
/* Producer: 0, or -ENOBUFS (counted) when full. */
int bench_ring_push(struct bench_ring *r, uint32_t key, uint64_t val);
/* Consumer: 1 and the oldest record, or 0 when empty. */
int bench_ring_pop(struct bench_ring *r, uint32_t *key, uint64_t *val);

#endif
