/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcbench endpoints: gadget rawmidi device side (own reader thread), the
 * bench's sequencer client and libusb (main thread), sequencer-only peers
 * (source: sender thread; sink: own reader thread). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <libusb.h>

#include "apcbench-io.h"
#include "apcmini.h"
#include "apcusb.h"
#include "usbdesc.h"
#include "usbmidi.h"

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

static void efd_signal(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0) {
		/* the counter cannot overflow in a run; nothing to do */
	}
}

static int gettid_(void)
{
	return (int)syscall(SYS_gettid);
}

/* A device-side recorder thread (the gadget's, the sequencer peers'): it
 * logs what its source delivers and signals efd after each batch, so the
 * bench thread waits on a descriptor, not a sleep; quit_efd stops it. */
struct bench_worker {
	int efd, quit_efd;
	pthread_t thread;
	int running;
	_Atomic int tid;	/* for the context-switch counters */
};

static void worker_init(struct bench_worker *w)
{
	w->efd = w->quit_efd = -1;
}

static int worker_start(struct bench_worker *w, void *(*fn)(void *), void *arg)
{
	int err;

	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->quit_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->efd < 0 || w->quit_efd < 0) {
		err = -errno;
		goto err_close;
	}
	err = -pthread_create(&w->thread, NULL, fn, arg);
	if (err < 0)
		goto err_close;
	w->running = 1;
	return 0;

err_close:
	if (w->efd >= 0)
		close(w->efd);
	if (w->quit_efd >= 0)
		close(w->quit_efd);
	worker_init(w);
	return err;
}

static void worker_stop(struct bench_worker *w)
{
	if (w->running) {
		efd_signal(w->quit_efd);
		pthread_join(w->thread, NULL);
		w->running = 0;
	}
	if (w->efd >= 0)
		close(w->efd);
	if (w->quit_efd >= 0)
		close(w->quit_efd);
	worker_init(w);
}

/* In the worker: wait until the source's npfd descriptors (pfd has room for
 * one more, the quit descriptor's) have data. 1 then, 0 when asked to quit
 * or poll fails. */
static int worker_wait(struct bench_worker *w, struct pollfd *pfd, int npfd)
{
	pfd[npfd].fd = w->quit_efd;
	pfd[npfd].events = POLLIN;
	for (;;) {
		if (poll(pfd, (nfds_t)npfd + 1, -1) >= 0)
			return !pfd[npfd].revents;
		if (errno != EINTR)
			return 0;
	}
}

/* ================= gadget ================= */

struct bench_gadget {
	snd_rawmidi_t *in, *out;
	const struct apc_model *model;
	char name[32];
	struct bench_log ledlog;
	struct bench_worker w;
	snd_rawmidi_status_t *status;
	struct bench_midiparse parse;
};

static int find_gadget_card(char *name, size_t namesz)
{
	int card = -1, err;

	while (snd_card_next(&card) == 0 && card >= 0) {
		snd_ctl_t *ctl;
		snd_ctl_card_info_t *info;
		char hw[16];
		int found;

		snprintf(hw, sizeof(hw), "hw:%d", card);
		if (snd_ctl_open(&ctl, hw, 0) < 0)
			continue;
		snd_ctl_card_info_alloca(&info);
		err = snd_ctl_card_info(ctl, info);
		found = err == 0 && (!strcmp(snd_ctl_card_info_get_driver(info), "MIDI Gadget") ||
				     !strcmp(snd_ctl_card_info_get_components(info), "f_midi") ||
				     !strcmp(snd_ctl_card_info_get_id(info), "apcemu"));
		snd_ctl_close(ctl);
		if (found) {
			snprintf(name, namesz, "hw:%d,0", card);
			return 0;
		}
	}
	return -ENODEV;
}

/* The device answers what a driver asks when it opens it, as the emulator
 * does, so apcminid finds the model it expects. */
static void gadget_reply(struct bench_gadget *g, const uint8_t *msg, size_t len)
{
	uint8_t out[64];
	int n = 0;

	if (len == sizeof(apc_inquiry_request) &&
	    !memcmp(msg, apc_inquiry_request, sizeof(apc_inquiry_request))) {
		n = apc_inquiry_reply(g->model, 0, out, sizeof(out));
	} else if (g->model->id == APC_MODEL_MK2 && len > 5 && msg[0] == 0xf0 && msg[1] == 0x47 &&
		   msg[3] == 0x4f && msg[4] == 0x60) {
		uint8_t faders[APC_NUM_FADERS] = { 0 };

		n = apc_mk2_intro_reply(faders, out, sizeof(out));
	}
	if (n > 0 && snd_rawmidi_write(g->out, out, (size_t)n) < 0) {
		/* no room for a reply while a throughput test fills the
		 * buffer: drivers retry their inquiry */
	}
}

static void *gadget_thread(void *arg)
{
	struct bench_gadget *g = arg;
	struct pollfd pfd[8];
	uint8_t buf[1024];
	int npfd;

	atomic_store(&g->w.tid, gettid_());
	npfd = snd_rawmidi_poll_descriptors(g->in, pfd, 7);
	while (worker_wait(&g->w, pfd, npfd)) {
		ssize_t n, i;
		uint64_t t;
		int appended = 0;

		n = snd_rawmidi_read(g->in, buf, sizeof(buf));
		t = bench_now();
		if (n == -EAGAIN)
			continue;
		if (n < 0)
			break;
		for (i = 0; i < n; i++) {
			size_t len = bench_midiparse_byte(&g->parse, buf[i]);

			if (!len)
				continue;
			if (g->parse.msg[0] == 0xf0) {
				gadget_reply(g, g->parse.msg, len);
				continue;
			}
			if (len == 3) {
				bench_log_add(&g->ledlog,
					      bench_key(g->parse.msg[0], g->parse.msg[1],
							g->parse.msg[2]),
					      t);
				appended = 1;
			} else {
				g->ledlog.other++;
			}
		}
		if (appended)
			efd_signal(g->w.efd);
	}
	return NULL;
}

int bench_gadget_open(struct bench_gadget **out, const char *name, const struct apc_model *m,
		      size_t logcap)
{
	struct bench_gadget *g;
	snd_rawmidi_params_t *params;
	int err;

	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	worker_init(&g->w);
	g->model = m;
	if (name)
		snprintf(g->name, sizeof(g->name), "%s", name);
	else if ((err = find_gadget_card(g->name, sizeof(g->name))) < 0)
		goto err_free;
	err = bench_log_init(&g->ledlog, logcap);
	if (err < 0)
		goto err_free;
	err = snd_rawmidi_open(&g->in, NULL, g->name, SND_RAWMIDI_NONBLOCK);
	if (err < 0)
		goto err_log;
	err = snd_rawmidi_open(NULL, &g->out, g->name, SND_RAWMIDI_NONBLOCK);
	if (err < 0)
		goto err_in;
	/* room for a whole millisecond tick at the USB full-speed rate and
	 * more: the device side must not be what limits throughput */
	snd_rawmidi_params_alloca(&params);
	snd_rawmidi_params_current(g->out, params);
	snd_rawmidi_params_set_buffer_size(g->out, params, 65536);
	snd_rawmidi_params_set_no_active_sensing(g->out, params, 1);
	snd_rawmidi_params(g->out, params);
	snd_rawmidi_params_current(g->in, params);
	snd_rawmidi_params_set_buffer_size(g->in, params, 65536);
	snd_rawmidi_params(g->in, params);
	err = snd_rawmidi_status_malloc(&g->status);
	if (err < 0)
		goto err_out;
	err = worker_start(&g->w, gadget_thread, g);
	if (err < 0)
		goto err_status;
	*out = g;
	return 0;

err_status:
	snd_rawmidi_status_free(g->status);
err_out:
	snd_rawmidi_close(g->out);
err_in:
	snd_rawmidi_close(g->in);
err_log:
	bench_log_free(&g->ledlog);
err_free:
	free(g);
	return err;
}

void bench_gadget_close(struct bench_gadget *g)
{
	if (!g)
		return;
	worker_stop(&g->w);
	snd_rawmidi_status_free(g->status);
	snd_rawmidi_close(g->out);
	snd_rawmidi_close(g->in);
	bench_log_free(&g->ledlog);
	free(g);
}

int bench_gadget_inject(void *ctx, const uint8_t *bytes, size_t len, size_t unit)
{
	struct bench_gadget *g = ctx;
	size_t room, k;
	ssize_t n;
	int err;

	err = snd_rawmidi_status(g->out, g->status);
	if (err < 0)
		return err;
	room = snd_rawmidi_status_get_avail(g->status);
	k = room / unit;
	if (k * unit > len)
		k = len / unit;
	if (!k)
		return 0;
	n = snd_rawmidi_write(g->out, bytes, k * unit);
	if (n == -EAGAIN)
		return 0;
	if (n < 0)
		return (int)n;
	/* status said there was room: a short write would split a message */
	return (int)((size_t)n / unit);
}

struct bench_log *bench_gadget_ledlog(struct bench_gadget *g)
{
	return &g->ledlog;
}

int bench_gadget_efd(struct bench_gadget *g)
{
	return g->w.efd;
}

const char *bench_gadget_name(struct bench_gadget *g)
{
	return g->name;
}

int bench_gadget_tid(struct bench_gadget *g)
{
	return atomic_load(&g->w.tid);
}

/* ================= sequencer: the bench client ================= */

struct bench_seq {
	snd_seq_t *seq;
	int client, in_port, out_port;
	snd_seq_addr_t src, dst;
	int have_src, have_dst;
	struct pollfd pfd[4];
	int npfd;
	uint8_t sysex[4];	/* first bytes of a sysex arriving in parts */
	size_t sysex_len;
	int in_sysex;
};

int bench_seq_open(struct bench_seq **out, const char *client_name)
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
	s->npfd = snd_seq_poll_descriptors(s->seq, s->pfd, 4, POLLIN);
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

	if (s->have_src)
		snd_seq_disconnect_from(s->seq, s->in_port, s->src.client, s->src.port);
	if (s->have_dst)
		snd_seq_disconnect_to(s->seq, s->out_port, s->dst.client, s->dst.port);
	s->have_src = s->have_dst = 0;
	if (src) {
		err = snd_seq_connect_from(s->seq, s->in_port, src->client, src->port);
		if (err < 0)
			return err;
		s->src = *src;
		s->have_src = 1;
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

int bench_seq_find(struct bench_seq *s, const char *prefix, int type, int pid,
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

int bench_seq_recv(void *ctx, int timeout_ms, struct bench_log *rx)
{
	struct bench_seq *s = ctx;
	snd_seq_event_t *ev;
	int n = 0, err;

	for (;;) {
		err = snd_seq_event_input(s->seq, &ev);
		if (err == -EAGAIN) {
			if (n || timeout_ms == 0)
				return n;
			err = poll(s->pfd, (nfds_t)s->npfd, timeout_ms);
			if (err <= 0)
				return err < 0 && errno != EINTR ? -errno : 0;
			timeout_ms = 0;
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
		seq_event_key(s, ev, bench_now(), rx);
		n++;
	}
}

int bench_seq_leds(void *ctx, const uint8_t *msgs, size_t n, int per_event)
{
	struct bench_seq *s = ctx;
	snd_seq_event_t ev;
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		const uint8_t *m = msgs + 3 * i;

		snd_seq_ev_clear(&ev);
		snd_seq_ev_set_source(&ev, s->out_port);
		snd_seq_ev_set_subs(&ev);
		snd_seq_ev_set_direct(&ev);
		snd_seq_ev_set_noteon(&ev, m[0] & 0x0f, m[1], m[2]);
		if (per_event) {
			while ((err = snd_seq_event_output_direct(s->seq, &ev)) == -EAGAIN)
				usleep(50);
		} else {
			while ((err = snd_seq_event_output_buffer(s->seq, &ev)) == -EAGAIN) {
				snd_seq_drain_output(s->seq);
				usleep(50);
			}
		}
		if (err < 0)
			return err;
	}
	if (!per_event)
		while ((err = snd_seq_drain_output(s->seq)) > 0 || err == -EAGAIN)
			usleep(50);
	return 0;
}

/* ================= sequencer-only peers ================= */

struct bench_peer {
	snd_seq_t *src, *sink;
	int src_port, sink_port;
	snd_midi_event_t *enc;
	struct bench_log ledlog;
	struct bench_worker w;
	snd_seq_addr_t bench_in;
};

static void *peer_thread(void *arg)
{
	struct bench_peer *p = arg;
	struct pollfd pfd[5];
	int npfd;

	atomic_store(&p->w.tid, gettid_());
	npfd = snd_seq_poll_descriptors(p->sink, pfd, 4, POLLIN);
	while (worker_wait(&p->w, pfd, npfd)) {
		snd_seq_event_t *ev;
		int err, appended = 0;

		while ((err = snd_seq_event_input(p->sink, &ev)) >= 0 || err == -ENOSPC) {
			uint64_t t = bench_now();

			if (err < 0)
				continue;
			if (ev->type == SND_SEQ_EVENT_NOTEON) {
				bench_log_add(&p->ledlog,
					      bench_key(0x90 | ev->data.note.channel,
							ev->data.note.note, ev->data.note.velocity),
					      t);
				appended = 1;
			}
		}
		if (appended)
			efd_signal(p->w.efd);
	}
	return NULL;
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

int bench_peer_open(struct bench_peer **out, struct bench_seq *bench, size_t logcap)
{
	struct bench_peer *p = calloc(1, sizeof(*p));
	int err;

	if (!p)
		return -ENOMEM;
	worker_init(&p->w);
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
	err = worker_start(&p->w, peer_thread, p);
	if (err < 0)
		goto err_enc;
	*out = p;
	return 0;

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
	worker_stop(&p->w);
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

int bench_peer_inject(void *ctx, const uint8_t *bytes, size_t len, size_t unit)
{
	struct bench_peer *p = ctx;
	snd_seq_event_t ev;
	size_t off, done = 0;
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
		if (len == unit)
			err = snd_seq_event_output_direct(p->src, &ev);
		else
			err = snd_seq_event_output_buffer(p->src, &ev);
		if (err == -EAGAIN)
			break;
		if (err < 0)
			return err;
		done++;
	}
	if (len != unit)
		while ((err = snd_seq_drain_output(p->src)) > 0 || err == -EAGAIN)
			usleep(20);
	return (int)done;
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
	return atomic_load(&p->w.tid);
}

/* ================= direct: libusb ================= */

#define USB_IN_TRANSFERS 32	/* at most; 7 by default, as snd-usb-audio */
#define USB_OUT_TRANSFERS 256
#define USB_OUT_MAX 1024	/* bytes: 256 LED events in one transfer */

struct bench_usb {
	libusb_context *ctx;
	libusb_device_handle *h;
	int iface;
	unsigned char ep_in, ep_out;
	unsigned int in_size;
	struct libusb_transfer *in[USB_IN_TRANSFERS];
	unsigned int n_in;
	struct libusb_transfer *out[USB_OUT_TRANSFERS];
	int out_pending;
	int in_failed;
	struct usbmidi_decoder dec;
	struct bench_log *rx;	/* where IN callbacks record */
	uint64_t rx_t;
	int rx_added;
};

static void usb_msg(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
	struct bench_usb *u = user;
	uint32_t key;

	if (!u->rx || cable != 0)
		return;
	key = bench_key_of_msg(msg, len);
	if (key) {
		bench_log_add(u->rx, key, u->rx_t);
		u->rx_added++;
	} else {
		u->rx->other++;
	}
}

static void LIBUSB_CALL usb_in_cb(struct libusb_transfer *x)
{
	struct bench_usb *u = x->user_data;

	u->rx_t = bench_now();
	if (x->status == LIBUSB_TRANSFER_COMPLETED) {
		usbmidi_decode(&u->dec, x->buffer, (size_t)x->actual_length, usb_msg, u);
	} else if (x->status != LIBUSB_TRANSFER_TIMED_OUT) {
		u->in_failed = 1;
		return;
	}
	if (libusb_submit_transfer(x) < 0)
		u->in_failed = 1;
}

static void LIBUSB_CALL usb_out_cb(struct libusb_transfer *x)
{
	struct bench_usb *u = x->user_data;

	u->out_pending--;
}

/* The device's MIDIStreaming interface, found as apcminid finds it. Only
 * bulk endpoints: every transfer here is a bulk one. Before the device is
 * opened libusb may not know the active configuration; the first is the
 * one an APC mini has. */
static int usb_find_iface(libusb_device *dev, struct usbdesc_midi *m)
{
	struct libusb_config_descriptor *cfg;
	int err;

	if (libusb_get_active_config_descriptor(dev, &cfg) < 0 &&
	    libusb_get_config_descriptor(dev, 0, &cfg) < 0)
		return -EIO;
	err = usbdesc_find_midi(cfg, m);
	libusb_free_config_descriptor(cfg);
	if (!err && (m->in_type != LIBUSB_TRANSFER_TYPE_BULK ||
		     m->out_type != LIBUSB_TRANSFER_TYPE_BULK))
		err = -ENOENT;
	return err;
}

int bench_usb_open(struct bench_usb **out, unsigned int n_in, char *desc, size_t descsz)
{
	struct bench_usb *u = calloc(1, sizeof(*u));
	libusb_device **list = NULL;
	struct usbdesc_midi mi;
	ssize_t n, i;
	int err, k;

	if (!u)
		return -ENOMEM;
	u->n_in = n_in >= 1 && n_in <= USB_IN_TRANSFERS ? n_in : 7;
	usbmidi_decoder_init(&u->dec);
	err = apcusb_errno(libusb_init(&u->ctx));
	if (err < 0)
		goto err_free;
	n = libusb_get_device_list(u->ctx, &list);
	err = -ENODEV;
	for (i = 0; i < n && !u->h; i++) {
		struct libusb_device_descriptor dd;

		if (libusb_get_device_descriptor(list[i], &dd) < 0 ||
		    !apc_model_by_usb_id(dd.idVendor, dd.idProduct))
			continue;
		err = usb_find_iface(list[i], &mi);
		if (err < 0)
			continue;
		u->iface = mi.iface;
		u->ep_in = mi.ep_in;
		u->ep_out = mi.ep_out;
		u->in_size = mi.in_size;
		err = apcusb_errno(libusb_open(list[i], &u->h));
		if (err < 0)
			continue;
		snprintf(desc, descsz, "%s on USB %u:%u, interface %d, endpoints 0x%02x/0x%02x, %u IN",
			 apc_model_by_usb_id(dd.idVendor, dd.idProduct)->short_name,
			 libusb_get_bus_number(list[i]), libusb_get_device_address(list[i]),
			 u->iface, u->ep_in, u->ep_out, u->n_in);
	}
	if (list)
		libusb_free_device_list(list, 1);
	if (!u->h)
		goto err_exit;
	libusb_set_auto_detach_kernel_driver(u->h, 1);
	err = apcusb_errno(libusb_claim_interface(u->h, u->iface));
	if (err < 0)
		goto err_close;
	if (!u->in_size || u->in_size > 512)
		u->in_size = 64;
	for (k = 0; k < (int)u->n_in; k++) {
		unsigned char *buf = malloc(u->in_size);

		u->in[k] = libusb_alloc_transfer(0);
		if (!buf || !u->in[k]) {
			free(buf);
			err = -ENOMEM;
			goto err_release;
		}
		libusb_fill_bulk_transfer(u->in[k], u->h, u->ep_in, buf, (int)u->in_size, usb_in_cb,
					  u, 0);
		u->in[k]->flags = LIBUSB_TRANSFER_FREE_BUFFER;
		err = apcusb_errno(libusb_submit_transfer(u->in[k]));
		if (err < 0)
			goto err_release;
	}
	for (k = 0; k < USB_OUT_TRANSFERS; k++) {
		unsigned char *buf = malloc(USB_OUT_MAX);

		u->out[k] = libusb_alloc_transfer(0);
		if (!buf || !u->out[k]) {
			free(buf);
			err = -ENOMEM;
			goto err_release;
		}
		libusb_fill_bulk_transfer(u->out[k], u->h, u->ep_out, buf, 0, usb_out_cb, u, 1000);
		u->out[k]->flags = LIBUSB_TRANSFER_FREE_BUFFER;
	}
	*out = u;
	return 0;

err_release:
	*out = u;
	bench_usb_close(u);
	return err;
err_close:
	libusb_close(u->h);
err_exit:
	libusb_exit(u->ctx);
err_free:
	free(u);
	return err;
}

void bench_usb_close(struct bench_usb *u)
{
	struct timeval tv = { 0, 100000 };
	int k, live = 0;

	if (!u)
		return;
	for (k = 0; k < USB_IN_TRANSFERS; k++)
		if (u->in[k] && libusb_cancel_transfer(u->in[k]) == 0)
			live++;
	/* cancelled transfers complete through the event handler */
	for (k = 0; k < 20 && live; k++)
		libusb_handle_events_timeout_completed(u->ctx, &tv, NULL);
	for (k = 0; k < USB_IN_TRANSFERS; k++)
		libusb_free_transfer(u->in[k]);
	for (k = 0; k < USB_OUT_TRANSFERS; k++)
		libusb_free_transfer(u->out[k]);
	libusb_release_interface(u->h, u->iface);
	libusb_close(u->h);
	libusb_exit(u->ctx);
	free(u);
}

int bench_usb_recv(void *ctx, int timeout_ms, struct bench_log *rx)
{
	struct bench_usb *u = ctx;
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	int err;

	u->rx = rx;
	u->rx_added = 0;
	err = libusb_handle_events_timeout_completed(u->ctx, &tv, NULL);
	if (err < 0 && err != LIBUSB_ERROR_INTERRUPTED)
		return apcusb_errno(err);
	if (u->in_failed)
		return -EIO;
	return u->rx_added;
}

int bench_usb_leds(void *ctx, const uint8_t *msgs, size_t n, int per_event)
{
	struct bench_usb *u = ctx;
	size_t i, per = per_event ? 1 : USB_OUT_MAX / 4, done = 0;
	int k = 0, err;

	/* the OUT side also keeps reading: the device may answer */
	while (done < n) {
		struct libusb_transfer *x = u->out[k++];
		size_t cnt = n - done < per ? n - done : per;
		int len = 0;

		if (k > USB_OUT_TRANSFERS)
			return -ENOBUFS;
		for (i = 0; i < cnt; i++) {
			err = usbmidi_encode_msg(0, msgs + 3 * (done + i), 3, x->buffer + len,
						 (size_t)(USB_OUT_MAX - len));
			if (err < 0)
				return err;
			len += err;
		}
		x->length = len;
		err = apcusb_errno(libusb_submit_transfer(x));
		if (err < 0)
			return err;
		u->out_pending++;
		done += cnt;
	}
	while (u->out_pending > 0) {
		struct timeval tv = { 1, 0 };

		err = libusb_handle_events_timeout_completed(u->ctx, &tv, NULL);
		if (err < 0 && err != LIBUSB_ERROR_INTERRUPTED)
			return apcusb_errno(err);
	}
	return 0;
}
