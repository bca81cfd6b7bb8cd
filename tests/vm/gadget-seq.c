/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sending as the device through the gadget card's sequencer client; runs
 * on the thread that owns the instance (the emulator's loop, the bench's
 * device side under its lock).
 *
 * Why not a rawmidi write: a user-space write (snd_rawmidi_kernel_write1()
 * with a user buffer) advances appl_ptr and avail before copy_from_user()
 * outside the lock, and f_midi's IN completion (snd_rawmidi_transmit() on
 * another CPU) can take the not yet copied bytes, i.e. the previous lap's,
 * in that window. snd-seq-midi writes with snd_rawmidi_kernel_write(), a
 * memcpy under the lock. */
#include "config.h"

#include <alsa/asoundlib.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gadget-seq.h"

#define OUTQ_LEN 65536
#define EXT_MAX 1024	/* the longest sysex sent as one event */
#define TX_EVENT_MAX 3	/* bytes snd-seq-midi writes for any non-sysex event */

/* What a cable still has to send. Bytes wait in buf until the encoder
 * makes an event of them; that event waits in ev until the card's output
 * buffer has room for it. */
struct outq {
	uint8_t buf[OUTQ_LEN];
	size_t len;
	snd_midi_event_t *enc;
	snd_seq_event_t ev;
	int pending;
	uint8_t ext[EXT_MAX]; /* ev's sysex bytes: the encoder reuses its own */
	size_t room;	      /* bytes the output buffer surely takes now */
};

struct gadget_seq {
	snd_seq_t *seq;
	unsigned int n_cables;
	int port[GADGET_SEQ_MAX_CABLES];
	int card;	/* < 0: not linked */
	int client;	/* the card's sequencer client */
	struct outq q[GADGET_SEQ_MAX_CABLES];
};

static void outq_reset(struct outq *q)
{
	q->len = 0;
	q->pending = 0;
	q->room = 0;
	if (q->enc)
		snd_midi_event_reset_encode(q->enc);
}

int gadget_seq_new(struct gadget_seq **out, const char *name, unsigned int n_cables)
{
	struct gadget_seq *g;
	char pname[64];
	unsigned int c;
	int err;

	if (n_cables < 1 || n_cables > GADGET_SEQ_MAX_CABLES)
		return -EINVAL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->n_cables = n_cables;
	g->card = g->client = -1;
	err = snd_seq_open(&g->seq, "default", SND_SEQ_OPEN_OUTPUT, SND_SEQ_NONBLOCK);
	if (err < 0)
		goto err_free;
	snd_seq_set_client_name(g->seq, name);
	for (c = 0; c < n_cables; c++) {
		snprintf(pname, sizeof(pname), "%s-%u", name, c);
		/* private: no SUBS_READ, no export; we subscribe it ourselves */
		err = snd_seq_create_simple_port(g->seq, pname,
						 SND_SEQ_PORT_CAP_READ | SND_SEQ_PORT_CAP_NO_EXPORT,
						 SND_SEQ_PORT_TYPE_MIDI_GENERIC |
							 SND_SEQ_PORT_TYPE_APPLICATION);
		if (err < 0)
			goto err_close;
		g->port[c] = err;
		/* Large enough for any sysex sent in one event (longer ones
		 * would go as several, which snd-seq-midi joins). */
		err = snd_midi_event_new(EXT_MAX, &g->q[c].enc);
		if (err < 0)
			goto err_close;
	}
	*out = g;
	return 0;

err_close:
	gadget_seq_free(g);
	return err;
err_free:
	free(g);
	return err;
}

void gadget_seq_free(struct gadget_seq *g)
{
	unsigned int c;

	if (!g)
		return;
	gadget_seq_unlink(g);
	for (c = 0; c < GADGET_SEQ_MAX_CABLES; c++)
		if (g->q[c].enc)
			snd_midi_event_free(g->q[c].enc);
	if (g->seq)
		snd_seq_close(g->seq);
	free(g);
}

/* The sequencer client snd-seq-midi made for the card. */
static int find_card_client(snd_seq_t *seq, int card)
{
	snd_seq_client_info_t *info;

	snd_seq_client_info_alloca(&info);
	snd_seq_client_info_set_client(info, -1);
	while (snd_seq_query_next_client(seq, info) >= 0)
		if (snd_seq_client_info_get_card(info) == card)
			return snd_seq_client_info_get_client(info);
	return -ENOENT;
}

int gadget_seq_link(struct gadget_seq *g, int card)
{
	unsigned int c;
	int client, err;

	gadget_seq_unlink(g);
	client = find_card_client(g->seq, card);
	if (client < 0)
		return client;
	g->client = client;
	g->card = card;
	for (c = 0; c < g->n_cables; c++) {
		/* Subscribing makes snd-seq-midi open the output substream. */
		err = snd_seq_connect_to(g->seq, g->port[c], client, (int)c);
		if (err < 0) {
			gadget_seq_unlink(g);
			return err;
		}
	}
	return 0;
}

/* When the card has gone the kernel has already dropped the subscriptions
 * with its client, hence no error. */
void gadget_seq_unlink(struct gadget_seq *g)
{
	unsigned int c;

	for (c = 0; c < GADGET_SEQ_MAX_CABLES; c++)
		outq_reset(&g->q[c]);
	if (g->card < 0)
		return;
	for (c = 0; c < g->n_cables; c++)
		snd_seq_disconnect_to(g->seq, g->port[c], g->client, (int)c);
	g->card = g->client = -1;
}

/* Room in the output buffer of the card's rawmidi substream `c`.
 * snd-seq-midi gives no back-pressure: its dump_midi() drops an event that
 * does not fit (logging "MIDI output buffer overrun") and the sender never
 * hears of it. So we send only what the buffer's free space ("Avail" in the
 * card's rawmidi proc file) takes. Nobody else writes there, so that space
 * only grows until we send again. */
static int output_room(const struct gadget_seq *g, unsigned int c)
{
	char path[64], line[128];
	unsigned int n;
	unsigned long avail;
	int in_ours = 0, room = -ENODEV;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/asound/card%d/midi0", g->card);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ENODEV : -errno; /* the card has gone */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Output %u", &n) == 1)
			in_ours = n == c;
		else if (line[0] != ' ')
			in_ours = 0;
		else if (in_ours && sscanf(line, " Avail : %lu", &avail) == 1)
			room = avail > INT_MAX ? INT_MAX : (int)avail;
	}
	fclose(f);
	return room; /* -ENODEV: the substream is not open (subscription gone) */
}

/* Is there surely room for `need` bytes on cable c? 1, 0 or -errno. */
static int have_room(struct gadget_seq *g, unsigned int c, size_t need)
{
	struct outq *q = &g->q[c];
	int room;

	if (q->room >= need)
		return 1;
	room = output_room(g, c);
	if (room < 0)
		return room;
	q->room = (size_t)room;
	return q->room >= need;
}

/* Turn the next queued bytes into an event, if they make one. */
static int outq_encode(struct gadget_seq *g, unsigned int c)
{
	struct outq *q = &g->q[c];
	size_t i = 0;
	long n = 0;

	snd_seq_ev_clear(&q->ev);
	while (i < q->len && n == 0)
		n = snd_midi_event_encode_byte(q->enc, q->buf[i++], &q->ev);
	memmove(q->buf, q->buf + i, q->len - i);
	q->len -= i;
	if (n <= 0)
		return 0; /* an incomplete message waits in the encoder */
	if (snd_seq_ev_is_variable(&q->ev)) {
		memcpy(q->ext, q->ev.data.ext.ptr, q->ev.data.ext.len);
		q->ev.data.ext.ptr = q->ext;
	}
	snd_seq_ev_set_source(&q->ev, g->port[c]);
	snd_seq_ev_set_subs(&q->ev);
	snd_seq_ev_set_direct(&q->ev);
	q->pending = 1;
	return 1;
}

/* Send what the card's output buffer takes now; the rest waits. A direct
 * event to a kernel client is delivered within the write (snd-seq-midi's
 * event_process_midi() then snd_rawmidi_kernel_write()), so once the call
 * returns the bytes are in the buffer. */
static int outq_flush(struct gadget_seq *g, unsigned int c)
{
	struct outq *q = &g->q[c];
	size_t need;
	long n;
	int r;

	for (;;) {
		if (!q->pending && !outq_encode(g, c))
			return 0;
		need = snd_seq_ev_is_variable(&q->ev) ? q->ev.data.ext.len : TX_EVENT_MAX;
		r = have_room(g, c, need);
		if (r <= 0)
			return r;
		/* Not through the output buffer: a failed write leaves
		 * nothing half sent behind. */
		n = snd_seq_event_output_direct(g->seq, &q->ev);
		if (n == -EAGAIN)
			return 0;
		if (n < 0)
			return (int)n;
		q->room -= need;
		q->pending = 0;
	}
}

int gadget_seq_write(struct gadget_seq *g, unsigned int cable, const uint8_t *msg, size_t len)
{
	struct outq *q;

	if (g->card < 0)
		return -ENODEV;
	if (cable >= g->n_cables)
		return -EINVAL;
	q = &g->q[cable];
	if (q->len + len > sizeof(q->buf))
		return -ENOBUFS;
	memcpy(q->buf + q->len, msg, len);
	q->len += len;
	return outq_flush(g, cable);
}

int gadget_seq_flush(struct gadget_seq *g)
{
	unsigned int c;
	int err;

	if (g->card < 0)
		return 0;
	for (c = 0; c < g->n_cables; c++) {
		if (!gadget_seq_busy(g, (int)c))
			continue;
		err = outq_flush(g, c);
		if (err < 0)
			return err;
	}
	return 0;
}

int gadget_seq_busy(const struct gadget_seq *g, int cable)
{
	unsigned int c;

	if (cable >= 0)
		return (unsigned int)cable < g->n_cables &&
		       (g->q[cable].len || g->q[cable].pending);
	for (c = 0; c < g->n_cables; c++)
		if (g->q[c].len || g->q[c].pending)
			return 1;
	return 0;
}

int gadget_seq_room(struct gadget_seq *g, unsigned int cable, size_t len)
{
	if (g->card < 0)
		return -ENODEV;
	if (cable >= g->n_cables)
		return -EINVAL;
	if (gadget_seq_busy(g, (int)cable))
		return 0;
	return have_room(g, cable, len && len <= TX_EVENT_MAX ? TX_EVENT_MAX : len);
}
