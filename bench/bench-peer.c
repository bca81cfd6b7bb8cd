/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcbench's sequencer-only path: a source client plays the device (the
 * sender thread), a sink client records LEDs (its own thread and loop) and,
 * for the round trip, echoes them back through the source. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "apclog.h"
#include "bench-peer.h"
#include "bench-seq.h"
#include "bench-stats.h"
#include "clock.h"
#include "loop.h"
#include "usbmidi.h"

struct bench_peer {
	snd_seq_t *src, *sink;
	int src_port, sink_port;
	snd_midi_event_t *enc;
	struct bench_log ledlog;
	struct bench_worker w;
	/* The sender thread's (inject waits on it for room); the sender
	 * threads of successive runs use it one after the other. */
	struct loop *send_loop;
	unsigned int refused;	/* events a full FIFO refused, dropped */
	/* The round trip: the sink's thread echoes through the source, which
	 * no sender thread uses meanwhile. */
	_Atomic int echo;
	struct loop *sink_loop;
	unsigned int echo_refused;
};

/* The sink's thread: everything the sink has, stamped as it is read. */
static void peer_sink_read(void *user, int fd, short revents)
{
	struct bench_peer *p = user;
	snd_seq_event_t *ev;
	int err, appended = 0;

	while ((err = snd_seq_event_input(p->sink, &ev)) >= 0 || err == -ENOSPC) {
		uint64_t t = apc_now_ns();

		if (err < 0)
			continue;
		if (atomic_load_explicit(&p->echo, memory_order_relaxed)) {
			snd_seq_event_t back = *ev;

			snd_seq_ev_set_source(&back, p->src_port);
			snd_seq_ev_set_subs(&back);
			snd_seq_ev_set_direct(&back);
			if (bench_seq_output_direct(p->src, p->sink_loop, &back,
						    &p->echo_refused) < 0)
				p->echo_refused++;
		}
		if (ev->type == SND_SEQ_EVENT_NOTEON) {
			bench_log_add(&p->ledlog,
				      bench_key(0x90 | ev->data.note.channel, ev->data.note.note,
						ev->data.note.velocity),
				      t);
			appended = 1;
		}
	}
	if (appended)
		bench_worker_signal(&p->w);
}

static int peer_setup(void *user, struct loop *l)
{
	struct bench_peer *p = user;
	struct pollfd pfd[4];
	int i, n, err = 0;

	p->sink_loop = l;
	n = snd_seq_poll_descriptors(p->sink, pfd, 4, POLLIN);
	for (i = 0; i < n && !err; i++)
		err = loop_add_fd(l, pfd[i].fd, POLLIN, peer_sink_read, p);
	return err;
}

static int peer_client(snd_seq_t **seq, const char *name, unsigned int cap, int *port)
{
	int err = snd_seq_open(seq, "default", SND_SEQ_OPEN_DUPLEX, SND_SEQ_NONBLOCK);

	if (err < 0)
		return err;
	snd_seq_set_client_name(*seq, name);
	*port = snd_seq_create_simple_port(*seq, "port", cap,
					   SND_SEQ_PORT_TYPE_MIDI_GENERIC |
						   SND_SEQ_PORT_TYPE_APPLICATION);
	if (*port < 0) {
		err = *port;
		snd_seq_close(*seq);
		return err;
	}
	snd_seq_set_client_pool_input(*seq, 2000);
	snd_seq_set_output_buffer_size(*seq, 65536);
	return 0;
}

int bench_peer_open(struct bench_peer **out, size_t logcap)
{
	struct bench_peer *p = calloc(1, sizeof(*p));
	int err;

	if (!p)
		return -ENOMEM;
	bench_worker_init(&p->w);
	err = bench_log_init(&p->ledlog, logcap);
	if (err < 0)
		goto err_free;
	err = peer_client(&p->src, "apcbench peer source",
			  SND_SEQ_PORT_CAP_READ | SND_SEQ_PORT_CAP_SUBS_READ, &p->src_port);
	if (err < 0)
		goto err_log;
	err = peer_client(&p->sink, "apcbench peer sink",
			  SND_SEQ_PORT_CAP_WRITE | SND_SEQ_PORT_CAP_SUBS_WRITE, &p->sink_port);
	if (err < 0)
		goto err_src;
	err = snd_midi_event_new(USBMIDI_SYSEX_MAX, &p->enc);
	if (err < 0)
		goto err_sink;
	err = loop_new(&p->send_loop);
	if (err < 0)
		goto err_enc;
	err = bench_worker_start(&p->w, peer_setup, NULL, p);
	if (err < 0)
		goto err_loop;
	*out = p;
	return 0;

err_loop:
	loop_free(p->send_loop);
err_enc:
	snd_midi_event_free(p->enc);
err_sink:
	snd_seq_close(p->sink);
err_src:
	snd_seq_close(p->src);
err_log:
	bench_log_free(&p->ledlog);
err_free:
	free(p);
	return err;
}

void bench_peer_close(struct bench_peer *p)
{
	if (!p)
		return;
	bench_worker_stop(&p->w);
	if (p->echo_refused)
		log_warn("peer sink: %u echoes refused, dropped (counted lost)", p->echo_refused);
	if (p->refused)
		log_warn("peer source: %u events refused by a full FIFO, dropped (counted lost)",
			 p->refused);
	loop_free(p->send_loop);
	snd_midi_event_free(p->enc);
	snd_seq_close(p->sink);
	snd_seq_close(p->src);
	bench_log_free(&p->ledlog);
	free(p);
}

void bench_peer_addrs(struct bench_peer *p, snd_seq_addr_t *src, snd_seq_addr_t *sink)
{
	src->client = (unsigned char)snd_seq_client_id(p->src);
	src->port = (unsigned char)p->src_port;
	sink->client = (unsigned char)snd_seq_client_id(p->sink);
	sink->port = (unsigned char)p->sink_port;
}

int bench_peer_inject(void *ctx, const uint8_t *bytes, size_t len, size_t unit,
		      const uint32_t *keys, struct bench_log *tx)
{
	struct bench_peer *p = ctx;
	snd_seq_event_t ev;
	size_t off, done = 0;
	uint64_t t;
	int err;

	for (off = 0; off + unit <= len; off += unit) {
		long used;

		snd_midi_event_reset_encode(p->enc);
		snd_seq_ev_clear(&ev);
		used = snd_midi_event_encode(p->enc, bytes + off, (long)unit, &ev);
		if (used < 0)
			return (int)used;
		if (ev.type == SND_SEQ_EVENT_NONE)
			continue;
		snd_seq_ev_set_source(&ev, p->src_port);
		snd_seq_ev_set_subs(&ev);
		snd_seq_ev_set_direct(&ev);
		t = apc_now_ns();
		if (len == unit)
			err = bench_seq_output_direct(p->src, p->send_loop, &ev, &p->refused);
		else
			err = snd_seq_event_output_buffer(p->src, &ev);
		if (err == -EAGAIN)
			break; /* our buffer is full: the rest is not handed over */
		if (err < 0)
			return err;
		bench_log_add(tx, keys[off / unit], t);
		done++;
	}
	if (len != unit) {
		err = bench_seq_drain(p->src, p->send_loop, &p->refused);
		if (err < 0)
			return err;
	}
	return (int)done;
}

int bench_peer_echo(void *ctx, int on)
{
	struct bench_peer *p = ctx;

	atomic_store(&p->echo, on);
	return 0;
}

struct bench_log *bench_peer_ledlog(struct bench_peer *p)
{
	return &p->ledlog;
}

int bench_peer_efd(struct bench_peer *p)
{
	return p->w.efd;
}

int bench_peer_tid(struct bench_peer *p)
{
	return bench_worker_tid(&p->w);
}
