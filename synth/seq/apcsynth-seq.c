/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ALSA sequencer client of apcsynth and its event mapping; runs on the main
 * thread, which is the event ring's only producer. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "apclog.h"
#include "apcsynth-seq.h"
#include "clock.h"

/* alsa-lib prints its own diagnostics to stderr ("ALSA lib seq_hw.c...")
 * before we can say what failed; keep them for -vv. */
static void seq_alsa_error(const char *file, int line, const char *func, int err,
			   const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (apclog_level < APCLOG_DEBUG)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_dbg("alsa-lib %s:%d (%s): %s%s%s", file, line, func, msg, err ? ": " : "",
		  err ? snd_strerror(err) : "");
}

static void ev_init(struct synth_event *e, uint8_t type, unsigned int port, unsigned int chan)
{
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->chan = (uint8_t)(port * 16 + (chan & 15));
}

static int map_cc(struct synth_event *out, unsigned int port, unsigned int chan,
		  unsigned int cc, int value)
{
	ev_init(out, SYNTH_EV_CONTROL, port, chan);
	out->key = (uint8_t)(cc & 0x7f);
	out->value = value & 0x7f;
	return 1;
}

int apcsynth_seq_map(const snd_seq_event_t *ev, unsigned int port,
		     struct synth_event out[APCSYNTH_MAP_MAX], uint64_t *sysex_dropped)
{
	const snd_seq_ev_note_t *n = &ev->data.note;
	const snd_seq_ev_ctrl_t *c = &ev->data.control;
	int k;

	if (port >= APCSYNTH_MAX_PORTS)
		return 0;
	switch (ev->type) {
	case SND_SEQ_EVENT_NOTEON:
		ev_init(out, SYNTH_EV_NOTEON, port, n->channel);
		out->key = n->note & 0x7f;
		out->value = n->velocity & 0x7f;
		return 1;
	case SND_SEQ_EVENT_NOTEOFF:
		ev_init(out, SYNTH_EV_NOTEOFF, port, n->channel);
		out->key = n->note & 0x7f;
		out->value = n->velocity & 0x7f;
		return 1;
	case SND_SEQ_EVENT_KEYPRESS:
		ev_init(out, SYNTH_EV_KEYPRESS, port, n->channel);
		out->key = n->note & 0x7f;
		out->value = n->velocity & 0x7f;
		return 1;
	case SND_SEQ_EVENT_CONTROLLER:
		return map_cc(out, port, c->channel, c->param, c->value);
	case SND_SEQ_EVENT_CONTROL14:
		/* 14-bit controllers 0-31 are an MSB/LSB pair (n, n + 32). */
		if (c->param < 32) {
			map_cc(&out[0], port, c->channel, c->param, c->value >> 7);
			map_cc(&out[1], port, c->channel, c->param + 32, c->value);
			return 2;
		}
		return map_cc(out, port, c->channel, c->param, c->value);
	case SND_SEQ_EVENT_NONREGPARAM:
	case SND_SEQ_EVENT_REGPARAM:
		k = ev->type == SND_SEQ_EVENT_NONREGPARAM ? 99 : 101;
		map_cc(&out[0], port, c->channel, k, c->param >> 7);
		map_cc(&out[1], port, c->channel, k - 1, c->param);
		map_cc(&out[2], port, c->channel, 6, c->value >> 7);
		map_cc(&out[3], port, c->channel, 38, c->value);
		return 4;
	case SND_SEQ_EVENT_PGMCHANGE:
		ev_init(out, SYNTH_EV_PROGRAM, port, c->channel);
		out->value = c->value & 0x7f;
		return 1;
	case SND_SEQ_EVENT_CHANPRESS:
		ev_init(out, SYNTH_EV_CHANPRESS, port, c->channel);
		out->value = c->value & 0x7f;
		return 1;
	case SND_SEQ_EVENT_PITCHBEND:
		ev_init(out, SYNTH_EV_PITCHBEND, port, c->channel);
		out->value = c->value < -8192 ? -8192 : c->value > 8191 ? 8191 : c->value;
		return 1;
	case SND_SEQ_EVENT_SYSEX:
		if ((ev->flags & SND_SEQ_EVENT_LENGTH_MASK) != SND_SEQ_EVENT_LENGTH_VARIABLE ||
		    !ev->data.ext.ptr ||
		    synth_event_sysex(out, ev->data.ext.ptr, ev->data.ext.len, (uint8_t)port) < 0) {
			if (sysex_dropped)
				(*sysex_dropped)++;
			return 0;
		}
		return 1;
	case SND_SEQ_EVENT_START:
	case SND_SEQ_EVENT_CONTINUE:
		ev_init(out, SYNTH_EV_START, port, 0);
		return 1;
	case SND_SEQ_EVENT_STOP:
		ev_init(out, SYNTH_EV_STOP, port, 0);
		return 1;
	case SND_SEQ_EVENT_RESET:
		ev_init(out, SYNTH_EV_RESET, port, 0);
		return 1;
	case SND_SEQ_EVENT_PORT_UNSUBSCRIBED:
		/* A sender went away (aplaymidi interrupted, controller
		 * unplugged): release what it left held on this port. */
		ev_init(out, SYNTH_EV_NOTES_OFF, port, 0);
		out->value = 16;
		return 1;
	default:
		return 0;
	}
}

int apcsynth_seq_open(struct apcsynth_seq *s, const char *name, int nports)
{
	snd_seq_port_info_t *pinfo;
	int i, ret;

	memset(s, 0, sizeof(*s));
	s->queue = -1;
	if (nports < 1 || nports > APCSYNTH_MAX_PORTS)
		return -EINVAL;
	snd_lib_error_set_handler(seq_alsa_error);
	/* Duplex although we only read: starting our timestamp queue is an
	 * event we send, and an input-only handle has no output buffer
	 * (snd_seq_start_queue fails with -EINVAL). */
	ret = snd_seq_open(&s->seq, "default", SND_SEQ_OPEN_DUPLEX, SND_SEQ_NONBLOCK);
	if (ret < 0) {
		s->seq = NULL;
		return ret;
	}
	ret = snd_seq_set_client_name(s->seq, name);
	if (ret < 0)
		goto err_close;
	s->client = snd_seq_client_id(s->seq);
	/* Our own queue only to have the kernel stamp each event with the
	 * time it was delivered: timing no longer depends on how soon this
	 * thread wakes up. */
	s->queue = snd_seq_alloc_named_queue(s->seq, name);
	if (s->queue < 0) {
		ret = s->queue;
		goto err_close;
	}
	snd_seq_port_info_alloca(&pinfo);
	for (i = 0; i < nports; i++) {
		char pname[64];

		snd_seq_port_info_set_port(pinfo, i);
		snd_seq_port_info_set_port_specified(pinfo, 1);
		snprintf(pname, sizeof(pname), "%s port %d", name, i);
		snd_seq_port_info_set_name(pinfo, pname);
		snd_seq_port_info_set_capability(pinfo, SND_SEQ_PORT_CAP_WRITE |
							       SND_SEQ_PORT_CAP_SUBS_WRITE);
		snd_seq_port_info_set_type(pinfo, SND_SEQ_PORT_TYPE_MIDI_GENERIC |
							  SND_SEQ_PORT_TYPE_MIDI_GM |
							  SND_SEQ_PORT_TYPE_SYNTHESIZER |
							  SND_SEQ_PORT_TYPE_SOFTWARE |
							  SND_SEQ_PORT_TYPE_APPLICATION);
		snd_seq_port_info_set_midi_channels(pinfo, 16);
		snd_seq_port_info_set_timestamping(pinfo, 1);
		snd_seq_port_info_set_timestamp_real(pinfo, 1);
		snd_seq_port_info_set_timestamp_queue(pinfo, s->queue);
		ret = snd_seq_create_port(s->seq, pinfo);
		if (ret < 0)
			goto err_close;
		s->port[i] = snd_seq_port_info_get_port(pinfo);
		s->nports++;
	}
	ret = snd_seq_start_queue(s->seq, s->queue, NULL);
	if (ret < 0)
		goto err_close;
	snd_seq_drain_output(s->seq);
	return 0;

err_close:
	apcsynth_seq_close(s);
	return ret;
}

void apcsynth_seq_close(struct apcsynth_seq *s)
{
	if (!s->seq)
		return;
	if (s->queue >= 0)
		snd_seq_free_queue(s->seq, s->queue);
	snd_seq_close(s->seq);
	s->seq = NULL;
}

int apcsynth_seq_poll_count(struct apcsynth_seq *s)
{
	return snd_seq_poll_descriptors_count(s->seq, POLLIN);
}

int apcsynth_seq_poll_fill(struct apcsynth_seq *s, struct pollfd *pfd, int n)
{
	return snd_seq_poll_descriptors(s->seq, pfd, (unsigned int)n, POLLIN);
}

static int64_t rt_ns(const snd_seq_real_time_t *t)
{
	return (int64_t)t->tv_sec * (int64_t)APC_NS_PER_SEC + t->tv_nsec;
}

/* Our queue's time now, paired with CLOCK_MONOTONIC now, so delivery
 * stamps convert to monotonic time without drift between the clocks. */
static int queue_now(struct apcsynth_seq *s, int64_t *q_ns, int64_t *m_ns)
{
	snd_seq_queue_status_t *st;
	int ret;

	snd_seq_queue_status_alloca(&st);
	ret = snd_seq_get_queue_status(s->seq, s->queue, st);
	*m_ns = (int64_t)apc_now_ns();
	if (ret < 0)
		return ret;
	*q_ns = rt_ns(snd_seq_queue_status_get_real_time(st));
	return 0;
}

static int port_index(const struct apcsynth_seq *s, int port)
{
	int i;

	for (i = 0; i < s->nports; i++)
		if (s->port[i] == port)
			return i;
	return -1;
}

int apcsynth_seq_drain(struct apcsynth_seq *s, apcsynth_seq_sink sink, void *ctx)
{
	struct synth_event out[APCSYNTH_MAP_MAX];
	snd_seq_event_t *ev;
	int64_t q_ns = 0, m_ns = 0;
	int have_clock = 0, ret, n, i, idx;

	for (;;) {
		ret = snd_seq_event_input(s->seq, &ev);
		if (ret == -EAGAIN)
			return 0;
		if (ret == -ENOSPC) {
			/* The kernel's input pool overflowed while we slept:
			 * events are lost; count it and go on. */
			s->input_overruns++;
			continue;
		}
		if (ret < 0)
			return ret;
		idx = port_index(s, ev->dest.port);
		n = idx < 0 ? 0 : apcsynth_seq_map(ev, (unsigned int)idx, out, &s->sysex_dropped);
		if (n == 0) {
			s->ignored++;
			continue;
		}
		{
			int64_t t = 0;

			if (snd_seq_ev_is_real(ev) && ev->queue == s->queue) {
				if (!have_clock)
					have_clock = queue_now(s, &q_ns, &m_ns) == 0;
				if (have_clock)
					t = m_ns - (q_ns - rt_ns(&ev->time.time));
			}
			for (i = 0; i < n; i++)
				sink(ctx, &out[i], t);
		}
	}
}
