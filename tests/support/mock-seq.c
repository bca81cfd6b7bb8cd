/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The mock sequencer of the bridge tests: records what the bridge writes and
 * drains, and plays back a queue of events for the bridge to read. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mock-seq.h"

struct mock_seq mseq;

void mock_seq_init(unsigned int cap)
{
	memset(&mseq, 0, sizeof(mseq));
	mseq.cap = cap;
	mseq.out = calloc(cap, sizeof(*mseq.out));
	mseq.in = calloc(cap, sizeof(*mseq.in));
	assert_non_null(mseq.out);
	assert_non_null(mseq.in);
}

void mock_seq_free(void)
{
	free(mseq.out);
	free(mseq.in);
	memset(&mseq, 0, sizeof(mseq));
}

static int mock_open(struct bridge_dev *bd, const char *name)
{
	mseq.opens++;
	snprintf(mseq.last_name, sizeof(mseq.last_name), "%s", name);
	/* Like the real sequencer: the first client numbers above the system's. */
	bd->client = 128 + mseq.next_client++;
	bd->seq_priv = &mseq;
	return 0;
}

static void mock_close(struct bridge_dev *bd)
{
	mseq.closes++;
	bd->seq_priv = NULL;
}

/* Keep a copy of sysex data: the bridge's buffer is reused once we return. */
static void keep_event(struct mock_seq_event *m, const snd_seq_event_t *ev)
{
	m->ev = *ev;
	m->drain = 0;
	if (snd_seq_ev_is_variable(ev)) {
		assert_true(ev->data.ext.len <= MOCK_SEQ_MAX_SYSEX);
		memcpy(m->data, ev->data.ext.ptr, ev->data.ext.len);
		m->ev.data.ext.ptr = m->data;
	}
}

static int mock_output(struct bridge_dev *bd, snd_seq_event_t *ev)
{
	/* A full real output pool says the same; tests that must never get
	 * here check refused. */
	if (mseq.n_out >= mseq.cap) {
		mseq.refused++;
		return -ENOSPC;
	}
	keep_event(&mseq.out[mseq.n_out++], ev);
	return 0;
}

static int mock_drain(struct bridge_dev *bd)
{
	mseq.drains++;
	/* Events only ever append, so everything past n_tagged is new. */
	for (; mseq.n_tagged < mseq.n_out; mseq.n_tagged++)
		mseq.out[mseq.n_tagged].drain = mseq.drains;
	return 0;
}

static int mock_input(struct bridge_dev *bd, snd_seq_event_t **ev)
{
	if (mseq.overrun_once) {
		mseq.overrun_once = 0;
		return -ENOSPC;
	}
	if (mseq.in_pos >= mseq.n_in)
		return -EAGAIN;
	*ev = &mseq.in[mseq.in_pos++].ev;
	return 0;
}

static int mock_rename(struct bridge_dev *bd, const char *name)
{
	(void)bd;
	mseq.renames++;
	snprintf(mseq.last_name, sizeof(mseq.last_name), "%s", name);
	return 0;
}

static const struct bridge_seq_ops ops = {
	.open = mock_open,
	.close = mock_close,
	.output = mock_output,
	.drain = mock_drain,
	.input = mock_input,
	.rename = mock_rename,
};

const struct bridge_seq_ops *const mock_seq_ops = &ops;

static snd_seq_event_t *in_next(unsigned int port)
{
	snd_seq_event_t *ev;

	assert_true(mseq.n_in < mseq.cap);
	ev = &mseq.in[mseq.n_in++].ev;
	snd_seq_ev_clear(ev);
	ev->dest.port = (unsigned char)port;
	return ev;
}

void mock_seq_in_note(unsigned int port, unsigned int status, unsigned int note,
		      unsigned int vel)
{
	snd_seq_event_t *ev = in_next(port);

	if ((status & 0xf0) == 0x90)
		snd_seq_ev_set_noteon(ev, status & 0x0f, note, vel);
	else
		snd_seq_ev_set_noteoff(ev, status & 0x0f, note, vel);
}

void mock_seq_in_subscription(int subscribed, int client, unsigned int port)
{
	snd_seq_event_t *ev = in_next(port);

	ev->type = subscribed ? SND_SEQ_EVENT_PORT_SUBSCRIBED : SND_SEQ_EVENT_PORT_UNSUBSCRIBED;
	ev->source.client = SND_SEQ_CLIENT_SYSTEM;
	ev->source.port = SND_SEQ_PORT_SYSTEM_ANNOUNCE;
	ev->data.connect.sender.client = (unsigned char)client;
	ev->data.connect.sender.port = (unsigned char)port;
	ev->data.connect.dest.client = 200;
	ev->data.connect.dest.port = 0;
}

void mock_seq_in_sysex(unsigned int port, const uint8_t *msg, size_t len)
{
	snd_seq_event_t *ev = in_next(port);
	struct mock_seq_event *m = &mseq.in[mseq.n_in - 1];

	assert_true(len <= MOCK_SEQ_MAX_SYSEX);
	memcpy(m->data, msg, len);
	snd_seq_ev_set_sysex(ev, (unsigned int)len, m->data);
}
