/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcbench's message records and thread hand-off ring. Any thread: a log
 * has one appending thread, a ring one producer and one consumer. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench-log.h"

int bench_log_init(struct bench_log *l, size_t cap)
{
	memset(l, 0, sizeof(*l));
	l->key = calloc(cap, sizeof(*l->key));
	l->t = calloc(cap, sizeof(*l->t));
	if (!l->key || !l->t) {
		bench_log_free(l);
		return -ENOMEM;
	}
	l->cap = cap;
	return 0;
}

void bench_log_free(struct bench_log *l)
{
	free(l->key);
	free(l->t);
	l->key = NULL;
	l->t = NULL;
	l->cap = 0;
}

int bench_ring_init(struct bench_ring *r, size_t cap_pow2)
{
	memset(r, 0, sizeof(*r));
	if (!cap_pow2 || (cap_pow2 & (cap_pow2 - 1)))
		return -EINVAL;
	r->key = calloc(cap_pow2, sizeof(*r->key));
	r->val = calloc(cap_pow2, sizeof(*r->val));
	if (!r->key || !r->val) {
		bench_ring_free(r);
		return -ENOMEM;
	}
	r->mask = cap_pow2 - 1;
	return 0;
}

void bench_ring_free(struct bench_ring *r)
{
	free(r->key);
	free(r->val);
	r->key = NULL;
	r->val = NULL;
}

int bench_ring_push(struct bench_ring *r, uint32_t key, uint64_t val)
{
	size_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t t = atomic_load_explicit(&r->tail, memory_order_acquire);

	if (h - t > r->mask) {
		atomic_fetch_add_explicit(&r->overflows, 1, memory_order_relaxed);
		return -ENOBUFS;
	}
	r->key[h & r->mask] = key;
	r->val[h & r->mask] = val;
	atomic_store_explicit(&r->head, h + 1, memory_order_release);
	return 0;
}

int bench_ring_pop(struct bench_ring *r, uint32_t *key, uint64_t *val)
{
	size_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t h = atomic_load_explicit(&r->head, memory_order_acquire);

	if (t == h)
		return 0;
	*key = r->key[t & r->mask];
	*val = r->val[t & r->mask];
	atomic_store_explicit(&r->tail, t + 1, memory_order_release);
	return 1;
}
