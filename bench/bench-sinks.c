/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcbench's other subscribers: sequencer clients that only receive and
 * count, read by one worker thread. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench-sinks.h"
#include "bench-thread.h"
#include "clock.h"
#include "loop.h"

struct sink {
	snd_seq_t *seq;
	int port;
	_Atomic uint64_t received;
};

struct bench_sinks {
	struct sink sink[BENCH_MAX_SINKS];
	unsigned int n;
	snd_seq_addr_t src[16];
	unsigned int nsrc;
	struct bench_worker w;
};

/* The worker: everything a sink has, counted. An overrun (-ENOSPC) means
 * the kernel threw the sink's FIFO away: those events are not counted, so
 * the step shows them lost. */
static void sink_read(void *user, int fd, short revents)
{
	struct sink *k = user;
	snd_seq_event_t *ev;
	uint64_t n = 0;
	int err;

	while ((err = snd_seq_event_input(k->seq, &ev)) >= 0 || err == -ENOSPC) {
		if (err < 0)
			continue;
		switch (ev->type) {
		case SND_SEQ_EVENT_NOTEON:
		case SND_SEQ_EVENT_NOTEOFF:
		case SND_SEQ_EVENT_CONTROLLER:
			n++;
			break;
		default:
			break;
		}
	}
	if (n)
		atomic_fetch_add_explicit(&k->received, n, memory_order_release);
}

static int sinks_setup(void *user, struct loop *l)
{
	struct bench_sinks *s = user;
	unsigned int i;
	int err = 0;

	for (i = 0; i < s->n && !err; i++) {
		struct pollfd pfd[4];
		int j, nfd = snd_seq_poll_descriptors(s->sink[i].seq, pfd, 4, POLLIN);

		for (j = 0; j < nfd && !err; j++)
			err = loop_add_fd(l, pfd[j].fd, POLLIN, sink_read, &s->sink[i]);
	}
	return err;
}

int bench_sinks_open(struct bench_sinks **out, unsigned int n)
{
	struct bench_sinks *s;
	unsigned int i;
	char name[32];
	int err = 0;

	if (n < 1 || n > BENCH_MAX_SINKS)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	bench_worker_init(&s->w);
	for (i = 0; i < n; i++) {
		struct sink *k = &s->sink[i];

		err = snd_seq_open(&k->seq, "default", SND_SEQ_OPEN_INPUT, SND_SEQ_NONBLOCK);
		if (err < 0)
			break;
		s->n++;
		snprintf(name, sizeof(name), "apcbench-sink-%u", i + 1);
		snd_seq_set_client_name(k->seq, name);
		k->port = snd_seq_create_simple_port(k->seq, "in",
						     SND_SEQ_PORT_CAP_WRITE |
							     SND_SEQ_PORT_CAP_SUBS_WRITE,
						     SND_SEQ_PORT_TYPE_MIDI_GENERIC |
							     SND_SEQ_PORT_TYPE_APPLICATION);
		if (k->port < 0) {
			err = k->port;
			break;
		}
		/* as much room as the bench's own client has */
		snd_seq_set_client_pool_input(k->seq, 2000);
		snd_seq_set_input_buffer_size(k->seq, 65536);
	}
	if (!err)
		err = bench_worker_start(&s->w, sinks_setup, NULL, s);
	if (err < 0) {
		bench_sinks_close(s);
		return err;
	}
	*out = s;
	return 0;
}

void bench_sinks_close(struct bench_sinks *s)
{
	unsigned int i;

	if (!s)
		return;
	bench_worker_stop(&s->w);
	bench_sinks_disconnect(s);
	for (i = 0; i < s->n; i++)
		snd_seq_close(s->sink[i].seq);
	free(s);
}

unsigned int bench_sinks_count(const struct bench_sinks *s)
{
	return s ? s->n : 0;
}

int bench_sinks_connect(struct bench_sinks *s, const snd_seq_addr_t *src)
{
	unsigned int i;
	int err;

	if (s->nsrc >= sizeof(s->src) / sizeof(s->src[0]))
		return -ENOSPC;
	for (i = 0; i < s->n; i++) {
		err = snd_seq_connect_from(s->sink[i].seq, s->sink[i].port, src->client, src->port);
		if (err < 0) {
			while (i--)
				snd_seq_disconnect_from(s->sink[i].seq, s->sink[i].port,
							src->client, src->port);
			return err;
		}
	}
	s->src[s->nsrc++] = *src;
	return 0;
}

void bench_sinks_disconnect(struct bench_sinks *s)
{
	unsigned int i, j;

	for (j = 0; j < s->nsrc; j++)
		for (i = 0; i < s->n; i++)
			snd_seq_disconnect_from(s->sink[i].seq, s->sink[i].port,
						s->src[j].client, s->src[j].port);
	s->nsrc = 0;
}

void bench_sinks_reset(struct bench_sinks *s)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		atomic_store(&s->sink[i].received, 0);
}

static uint64_t least(struct bench_sinks *s)
{
	uint64_t m = UINT64_MAX;
	unsigned int i;

	for (i = 0; i < s->n; i++) {
		uint64_t v = atomic_load_explicit(&s->sink[i].received, memory_order_acquire);

		if (v < m)
			m = v;
	}
	return m;
}

uint64_t bench_sinks_wait(struct bench_sinks *s, uint64_t events, uint64_t until_ns)
{
	uint64_t m;

	/* the sinks were delivered to before the bench, so this is short:
	 * only their thread's reading can be behind */
	while ((m = least(s)) < events && apc_now_ns() < until_ns)
		apc_sleep_until_ns(apc_now_ns() + 1000000ull);
	return m;
}
