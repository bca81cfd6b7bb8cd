/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcbench's own sequencer client: receives what a path delivers and sends
 * LEDs into it. Main thread. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "apclog.h"
#include "apcmini.h"
#include "bench-seq.h"
#include "bench-stats.h"
#include "bench-thread.h"
#include "clock.h"

/* How long our own output pool may stay full before a write gives up. */
#define OUT_WAIT_NS 1000000000ull

struct bench_seq {
	snd_seq_t *seq;
	int client, in_port, out_port;
	snd_seq_addr_t src[BENCH_SEQ_MAX_SOURCES], dst;
	unsigned int nsrc;
	int have_dst;
	struct loop *loop;	/* the main thread's */
	int fds[4];
	unsigned int nfds;
	uint8_t sysex[4];	/* first bytes of a sysex arriving in parts */
	size_t sysex_len;
	int in_sysex;
};

int bench_seq_open(struct bench_seq **out, const char *client_name, struct loop *loop)
{
	struct bench_seq *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	err = snd_seq_open(&s->seq, "default", SND_SEQ_OPEN_DUPLEX, SND_SEQ_NONBLOCK);
	if (err < 0)
		goto err_free;
	snd_seq_set_client_name(s->seq, client_name);
	s->client = snd_seq_client_id(s->seq);
	s->in_port = snd_seq_create_simple_port(s->seq, "in",
						SND_SEQ_PORT_CAP_WRITE | SND_SEQ_PORT_CAP_SUBS_WRITE,
						SND_SEQ_PORT_TYPE_MIDI_GENERIC |
							SND_SEQ_PORT_TYPE_APPLICATION);
	s->out_port = snd_seq_create_simple_port(s->seq, "leds",
						 SND_SEQ_PORT_CAP_READ | SND_SEQ_PORT_CAP_SUBS_READ,
						 SND_SEQ_PORT_TYPE_MIDI_GENERIC |
							 SND_SEQ_PORT_TYPE_APPLICATION);
	if (s->in_port < 0 || s->out_port < 0) {
		err = s->in_port < 0 ? s->in_port : s->out_port;
		goto err_close;
	}
	/* a throughput test must find room in the kernel, not in a buffer
	 * of ours that would hide where the loss is */
	snd_seq_set_client_pool_input(s->seq, 2000);
	snd_seq_set_input_buffer_size(s->seq, 65536);
	snd_seq_set_output_buffer_size(s->seq, 65536);
	s->loop = loop;
	{
		struct pollfd pfd[4];
		int i, n = snd_seq_poll_descriptors(s->seq, pfd, 4, POLLIN);

		for (i = 0; i < n; i++)
			s->fds[s->nfds++] = pfd[i].fd;
	}
	*out = s;
	return 0;

err_close:
	snd_seq_close(s->seq);
err_free:
	free(s);
	return err;
}

void bench_seq_close(struct bench_seq *s)
{
	if (!s)
		return;
	bench_seq_connect(s, NULL, NULL);
	snd_seq_close(s->seq);
	free(s);
}

int bench_seq_client_id(struct bench_seq *s)
{
	return s->client;
}

snd_seq_t *bench_seq_handle(struct bench_seq *s)
{
	return s->seq;
}

int bench_seq_connect(struct bench_seq *s, const snd_seq_addr_t *src, const snd_seq_addr_t *dst)
{
	int err;

	unsigned int i;

	for (i = 0; i < s->nsrc; i++)
		snd_seq_disconnect_from(s->seq, s->in_port, s->src[i].client, s->src[i].port);
	if (s->have_dst)
		snd_seq_disconnect_to(s->seq, s->out_port, s->dst.client, s->dst.port);
	s->nsrc = 0;
	s->have_dst = 0;
	if (src) {
		err = bench_seq_add_source(s, src);
		if (err < 0)
			return err;
	}
	if (dst) {
		err = snd_seq_connect_to(s->seq, s->out_port, dst->client, dst->port);
		if (err < 0)
			return err;
		s->dst = *dst;
		s->have_dst = 1;
	}
	/* forget anything left over from the previous path */
	snd_seq_drop_input(s->seq);
	return 0;
}

int bench_seq_add_source(struct bench_seq *s, const snd_seq_addr_t *src)
{
	int err;

	if (s->nsrc >= BENCH_SEQ_MAX_SOURCES)
		return -ENOSPC;
	err = snd_seq_connect_from(s->seq, s->in_port, src->client, src->port);
	if (err < 0)
		return err;
	s->src[s->nsrc++] = *src;
	return 0;
}

int bench_seq_find(struct bench_seq *s, const char *prefix, int type, int pid, unsigned int nth,
		   snd_seq_addr_t *src, snd_seq_addr_t *dst)
{
	snd_seq_client_info_t *ci;
	snd_seq_port_info_t *pi;

	snd_seq_client_info_alloca(&ci);
	snd_seq_port_info_alloca(&pi);
	snd_seq_client_info_set_client(ci, -1);
	while (snd_seq_query_next_client(s->seq, ci) >= 0) {
		int c = snd_seq_client_info_get_client(ci);
		int have_src = 0, have_dst = 0;

		if (c == s->client)
			continue;
		if (pid > 0) {
			if (snd_seq_client_info_get_pid(ci) != pid)
				continue;
		} else {
			if (strncmp(snd_seq_client_info_get_name(ci), prefix, strlen(prefix)))
				continue;
			if (type >= 0 && (int)snd_seq_client_info_get_type(ci) != type)
				continue;
		}
		snd_seq_port_info_set_client(pi, c);
		snd_seq_port_info_set_port(pi, -1);
		while (snd_seq_query_next_port(s->seq, pi) >= 0) {
			unsigned int cap = snd_seq_port_info_get_capability(pi);

			if (!have_src && (cap & SND_SEQ_PORT_CAP_READ) &&
			    (cap & SND_SEQ_PORT_CAP_SUBS_READ)) {
				src->client = (unsigned char)c;
				src->port = (unsigned char)snd_seq_port_info_get_port(pi);
				have_src = 1;
			}
			if (!have_dst && (cap & SND_SEQ_PORT_CAP_WRITE) &&
			    (cap & SND_SEQ_PORT_CAP_SUBS_WRITE)) {
				dst->client = (unsigned char)c;
				dst->port = (unsigned char)snd_seq_port_info_get_port(pi);
				have_dst = 1;
			}
		}
		if ((have_src || have_dst) && nth) {
			nth--;
			continue;
		}
		if (have_src || have_dst) {
			if (!have_src)
				src->client = 0;
			if (!have_dst)
				dst->client = 0;
			return 0;
		}
	}
	return -ENOENT;
}

int bench_seq_find_port(struct bench_seq *s, int client, const char *suffix,
			snd_seq_addr_t *addr)
{
	snd_seq_port_info_t *pi;
	size_t sl = strlen(suffix);

	snd_seq_port_info_alloca(&pi);
	snd_seq_port_info_set_client(pi, client);
	snd_seq_port_info_set_port(pi, -1);
	while (snd_seq_query_next_port(s->seq, pi) >= 0) {
		const char *name = snd_seq_port_info_get_name(pi);
		unsigned int cap = snd_seq_port_info_get_capability(pi);
		size_t nl = strlen(name);

		if (!(cap & SND_SEQ_PORT_CAP_READ) || !(cap & SND_SEQ_PORT_CAP_SUBS_READ) ||
		    nl < sl || strcmp(name + nl - sl, suffix))
			continue;
		addr->client = (unsigned char)client;
		addr->port = (unsigned char)snd_seq_port_info_get_port(pi);
		return 0;
	}
	return -ENOENT;
}

/* The message bytes of an event as the device would have sent them, for the
 * key; sysex may come in parts (snd-seq-midi cuts long ones). */
static void seq_event_key(struct bench_seq *s, const snd_seq_event_t *ev, uint64_t t,
			  struct bench_log *rx)
{
	const uint8_t *p;
	size_t i, len;

	switch (ev->type) {
	case SND_SEQ_EVENT_NOTEON:
		bench_log_add(rx, bench_key(0x90 | ev->data.note.channel, ev->data.note.note,
					    ev->data.note.velocity), t);
		return;
	case SND_SEQ_EVENT_NOTEOFF:
		bench_log_add(rx, bench_key(0x80 | ev->data.note.channel, ev->data.note.note,
					    ev->data.note.velocity), t);
		return;
	case SND_SEQ_EVENT_CONTROLLER:
		bench_log_add(rx, bench_key(0xb0 | ev->data.control.channel,
					    (uint8_t)ev->data.control.param,
					    (uint8_t)ev->data.control.value), t);
		return;
	case SND_SEQ_EVENT_SYSEX:
		p = ev->data.ext.ptr;
		len = ev->data.ext.len;
		for (i = 0; i < len; i++) {
			if (p[i] == 0xf0) {
				s->in_sysex = 1;
				s->sysex_len = 0;
			}
			if (!s->in_sysex)
				continue;
			if (s->sysex_len < sizeof(s->sysex))
				s->sysex[s->sysex_len++] = p[i];
			if (p[i] == 0xf7) {
				uint32_t key = bench_key_of_msg(s->sysex, s->sysex_len);

				s->in_sysex = 0;
				if (key)
					bench_log_add(rx, key, t);
				else
					rx->other++;
			}
		}
		return;
	default:
		rx->other++;
	}
}

int bench_seq_recv(void *ctx, uint64_t until_ns, struct bench_log *rx)
{
	struct bench_seq *s = ctx;
	snd_seq_event_t *ev;
	int n = 0, waited = 0, err;

	for (;;) {
		err = snd_seq_event_input(s->seq, &ev);
		if (err == -EAGAIN) {
			if (n || waited)
				return n;
			err = bench_wait_fds(s->loop, s->fds, s->nfds, 0, until_ns);
			if (err <= 0)
				return err;
			waited = 1;
			continue;
		}
		if (err == -ENOSPC) {
			/* the kernel dropped events for us: counted as lost by
			 * the matching, noted here as well */
			rx->dropped++;
			continue;
		}
		if (err < 0)
			return err;
		seq_event_key(s, ev, apc_now_ns(), rx);
		n++;
	}
}

/* After -EAGAIN: 1 when our output pool was full and has room again
 * (write again), 0 when it had room all along (a subscriber refused the
 * event), -ETIMEDOUT or -errno. */
static int seq_wait_out(snd_seq_t *seq, struct loop *l)
{
	struct pollfd pfd[4];
	int n, r;

	n = snd_seq_poll_descriptors(seq, pfd, 4, POLLOUT);
	if (n <= 0)
		return n < 0 ? n : -EINVAL;
	r = bench_wait_pollfds(l, pfd, (unsigned int)n, 1); /* ready now? */
	if (r != 0)
		return r < 0 ? r : 0;
	r = bench_wait_pollfds(l, pfd, (unsigned int)n, apc_now_ns() + OUT_WAIT_NS);
	return r == 0 ? -ETIMEDOUT : r;
}

int bench_seq_output_direct(snd_seq_t *seq, struct loop *l, snd_seq_event_t *ev,
			    unsigned int *refused)
{
	int r;

	for (;;) {
		r = snd_seq_event_output_direct(seq, ev);
		if (r != -EAGAIN)
			return r < 0 ? r : 0;
		r = seq_wait_out(seq, l);
		if (r < 0)
			return r;
		if (r == 0) {
			(*refused)++;
			return 0;
		}
	}
}

/* Bounded: each pass writes, drops, or waits for room in our own pool. */
int bench_seq_drain(snd_seq_t *seq, struct loop *l, unsigned int *refused)
{
	snd_seq_event_t *ev;
	int r;

	for (;;) {
		r = snd_seq_drain_output(seq);
		if (r == 0)
			return 0;
		if (r < 0 && r != -EAGAIN)
			return r;
		/* > 0: written in part; -EAGAIN: none. The first event left
		 * was refused either way. */
		r = seq_wait_out(seq, l);
		if (r < 0)
			return r;
		if (r == 0) {
			(*refused)++;
			r = snd_seq_extract_output(seq, &ev);
			if (r < 0)
				return r;
		}
	}
}

int bench_seq_leds(void *ctx, const uint8_t *msgs, size_t n, int per_event)
{
	struct bench_seq *s = ctx;
	snd_seq_event_t ev;
	unsigned int refused = 0;
	size_t i;
	int err = 0;

	for (i = 0; i < n && err >= 0; i++) {
		const uint8_t *m = msgs + 3 * i;

		snd_seq_ev_clear(&ev);
		snd_seq_ev_set_source(&ev, s->out_port);
		snd_seq_ev_set_subs(&ev);
		snd_seq_ev_set_direct(&ev);
		switch (m[0] & 0xf0) {
		case 0x80:
			snd_seq_ev_set_noteoff(&ev, m[0] & 0x0f, m[1], m[2]);
			break;
		case 0xb0:
			snd_seq_ev_set_controller(&ev, m[0] & 0x0f, m[1], m[2]);
			break;
		default:
			snd_seq_ev_set_noteon(&ev, m[0] & 0x0f, m[1], m[2]);
		}
		if (per_event) {
			err = bench_seq_output_direct(s->seq, s->loop, &ev, &refused);
			continue;
		}
		err = snd_seq_event_output_buffer(s->seq, &ev);
		if (err == -EAGAIN) {
			/* our own buffer is full: write it out first */
			err = bench_seq_drain(s->seq, s->loop, &refused);
			if (err >= 0)
				err = snd_seq_event_output_buffer(s->seq, &ev);
		}
	}
	if (err >= 0 && !per_event)
		err = bench_seq_drain(s->seq, s->loop, &refused);
	if (refused)
		log_warn("LEDs: %u of %zu events refused by a full FIFO, dropped", refused, n);
	return err < 0 ? err : 0;
}

int bench_seq_identity(void *ctx)
{
	struct bench_seq *s = ctx;
	snd_seq_event_t ev;
	unsigned int refused = 0;
	int err;

	snd_seq_ev_clear(&ev);
	snd_seq_ev_set_source(&ev, s->out_port);
	snd_seq_ev_set_subs(&ev);
	snd_seq_ev_set_direct(&ev);
	snd_seq_ev_set_sysex(&ev, sizeof(apc_inquiry_request), (void *)apc_inquiry_request);
	err = bench_seq_output_direct(s->seq, s->loop, &ev, &refused);
	if (!err && refused)
		err = -EAGAIN;
	return err;
}
