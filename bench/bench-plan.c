/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcbench's plan runner: the sender thread plays the device side of one
 * measurement; the main thread receives. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bench-plan.h"
#include "clock.h"

#define MAX_SYSEX 256
#define TICK_NS 1000000ull	/* rate mode: one hand-over per millisecond */
#define NO_ROOM_NS 100000ull	/* paced: look again for room after this */
#define QUIET_NS 500000000ull

volatile sig_atomic_t bench_stop;

int bench_bufs_init(struct bench_bufs *b, size_t logcap)
{
	memset(b, 0, sizeof(*b));
	b->sendsz = MAX_SYSEX > 3 * 4096 ? MAX_SYSEX : 3 * 4096;
	b->send = malloc(b->sendsz);
	b->keys = calloc(b->sendsz / 3, sizeof(*b->keys));
	if (!b->send || !b->keys || bench_log_init(&b->tx, logcap) < 0 ||
	    bench_log_init(&b->rx, logcap) < 0) {
		bench_bufs_free(b);
		return -ENOMEM;
	}
	return 0;
}

void bench_bufs_free(struct bench_bufs *b)
{
	bench_log_free(&b->tx);
	bench_log_free(&b->rx);
	free(b->send);
	free(b->keys);
	b->send = NULL;
	b->keys = NULL;
}

struct sender {
	const struct bench_target *tgt;
	const struct bench_plan *plan;
	struct bench_bufs *b;
	struct bench_sender_result res;
	_Atomic int done;
};

static void sleep_until(uint64_t t)
{
	while (apc_sleep_until_ns(t) == EINTR && !bench_stop)
		;
}

/* After k messages were handed over from index `before` of the tx log. */
static void note_sent(struct sender *s, size_t before, int k)
{
	if (k <= 0)
		return;
	if (!s->res.t_first)
		s->res.t_first = s->b->tx.t[before];
	s->res.t_last = s->b->tx.t[before + (size_t)k - 1];
}

static void *sender_thread(void *arg)
{
	struct sender *s = arg;
	const struct bench_plan *p = s->plan;
	struct bench_bufs *b = s->b;
	uint64_t i = 0, next = apc_now_ns() + 2 * TICK_NS, t;
	size_t before;
	int k;

	if (p->rate > 0) {
		uint64_t t0 = next, end = t0 + p->duration_ns;
		size_t cap = b->sendsz / 3;

		sleep_until(t0);
		while (!bench_stop && (t = apc_now_ns()) < end) {
			uint64_t due = (uint64_t)(p->rate * (double)(t - t0) / 1e9) + 1;
			size_t n, j;

			n = due > s->res.offered ? (size_t)(due - s->res.offered) : 0;
			if (n > cap)
				n = cap;
			for (j = 0; j < n; j++) {
				bench_pattern_msg(p->pat, i + j, 0, b->send + 3 * j);
				b->keys[j] = bench_pattern_key(p->pat, i + j);
			}
			s->res.offered += n;
			before = atomic_load(&b->tx.n);
			k = n ? s->tgt->inject(s->tgt->inject_ctx, b->send, 3 * n, 3, b->keys,
					       &b->tx) : 0;
			if (k < 0) {
				s->res.err = k;
				break;
			}
			note_sent(s, before, k);
			i += (uint64_t)k;
			next += TICK_NS;
			sleep_until(next);
		}
		atomic_store(&s->done, 1);
		return NULL;
	}
	for (i = 0; i < p->count && !bench_stop; i++) {
		size_t len = bench_pattern_msg(p->pat, i, p->sysex_len, b->send);

		b->keys[0] = bench_pattern_key(p->pat, i);
		if (p->burst && i % p->burst == 0 && i)
			next += p->gap_ns;
		else if (!p->burst && i)
			next += p->interval_ns;
		sleep_until(next);
		before = atomic_load(&b->tx.n);
		for (;;) {
			k = s->tgt->inject(s->tgt->inject_ctx, b->send, len, len, b->keys, &b->tx);
			if (k != 0 || bench_stop)
				break;
			sleep_until(apc_now_ns() + NO_ROOM_NS); /* no room: the path is behind */
		}
		if (k < 0) {
			s->res.err = k;
			break;
		}
		note_sent(s, before, k);
	}
	atomic_store(&s->done, 1);
	return NULL;
}

int bench_plan_run(const struct bench_target *tgt, const struct bench_plan *p,
		   struct bench_bufs *b, struct bench_sender_result *res)
{
	struct sender s = { .tgt = tgt, .plan = p, .b = b };
	pthread_t th;
	uint64_t quiet_since = 0;
	int err;

	if (tgt->prepare) {
		err = tgt->prepare(tgt->prepare_ctx);
		if (err < 0)
			return err;
	}
	bench_log_reset(&b->tx);
	bench_log_reset(&b->rx);
	err = -pthread_create(&th, NULL, sender_thread, &s);
	if (err < 0)
		return err;
	while (!bench_stop) {
		int n = tgt->recv(tgt->bench_ctx, apc_now_ns() + 50 * 1000000ull, &b->rx);

		if (n < 0) {
			err = n;
			break;
		}
		if (!atomic_load(&s.done))
			continue;
		if (atomic_load(&b->rx.n) >= atomic_load(&b->tx.n))
			break;
		if (n > 0 || !quiet_since)
			quiet_since = apc_now_ns();
		else if (apc_now_ns() - quiet_since > QUIET_NS)
			break;
	}
	pthread_join(th, NULL);
	*res = s.res;
	if (!err)
		err = s.res.err;
	return err;
}
