/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ALSA sequencer client per device: ports, buffered output, input reads.
 * Runs in apcminid's event loop thread. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "seqclient.h"
#include "apclog.h"

/* Output buffer of each client: room for about 9000 events, so that a
 * burst from the device survives a subscriber that is slow for a moment. */
#define SEQCLIENT_OBUF_SIZE (256 * 1024)
#define SEQCLIENT_MAX_FDS 4

/* Cells of our client's input pool: every event a client writes to our
 * ports is copied into it during that client's write(), before we can read
 * any, so it must hold the largest write a client makes at once. alsa-lib
 * flushes a client's output buffer (16 KiB by default: 585 fixed-size
 * events) in one write; a 64-pad repaint plus a burst of 256 LED events is
 * far below that. 2000 is the most the kernel allows (SNDRV_SEQ_MAX_EVENTS):
 * three default-sized flushes, or an mk2 RGB sysex for every pad (two cells
 * each) several times over, for about 100 KiB of kernel memory. */
#define SEQCLIENT_POOL_INPUT 2000
/* We only send direct events: the kernel delivers them to the subscribers'
 * FIFOs during our write() without taking cells from our output pool, so
 * the pool and its room never hold us back. Keep a small pool, and the room
 * at one cell: writable whenever any cell is free. */
#define SEQCLIENT_POOL_OUTPUT 64
#define SEQCLIENT_POOL_OUTPUT_ROOM 1

struct seqclient {
	snd_seq_t *seq;
	struct loop *loop;
	struct bridge_dev *bd;
	int fds[SEQCLIENT_MAX_FDS];
	unsigned int nfds;
	int wfd;		/* the sequencer's descriptor, written by drain */
	uint8_t *obuf;		/* events as write(2) takes them (asequencer.h) */
	size_t oused;
};

/* What snd-seq-midi gives a port of a rawmidi device with both directions
 * (sound/core/seq/seq_midi.c): readable and writable, for subscriptions
 * and sync too, duplex. */
#define SEQCLIENT_PORT_CAPS                                                    \
	(SND_SEQ_PORT_CAP_READ | SND_SEQ_PORT_CAP_SYNC_READ | SND_SEQ_PORT_CAP_SUBS_READ | \
	 SND_SEQ_PORT_CAP_WRITE | SND_SEQ_PORT_CAP_SYNC_WRITE |                     \
	 SND_SEQ_PORT_CAP_SUBS_WRITE | SND_SEQ_PORT_CAP_DUPLEX)

int seqclient_check(void)
{
	snd_seq_t *seq;
	int r;

	r = snd_seq_open(&seq, "default", SND_SEQ_OPEN_DUPLEX, SND_SEQ_NONBLOCK);
	if (r < 0)
		return r;
	snd_seq_close(seq);
	return 0;
}

static void seqclient_fd_ready(void *user, int fd, short revents)
{
	struct seqclient *sc = user;

	if (revents & (POLLERR | POLLNVAL))
		log_warn("%s: sequencer descriptor error", sc->bd->name);
	bridge_dev_seq_ready(sc->bd);
}

/* The length of the buffered event at p: the event, and the data of a
 * variable-length one right after it. */
static size_t seqclient_event_len(const uint8_t *p)
{
	snd_seq_event_t ev;

	memcpy(&ev, p, sizeof(ev));
	return (size_t)snd_seq_event_length(&ev);
}

/* Write out every buffered event. A subscriber whose FIFO is full refuses
 * an event: the kernel has then delivered it to every other subscriber, and
 * marked an overrun at the full one, whose next read throws its whole FIFO
 * away. write() stops there, short or with EAGAIN. Writing that event again
 * would only repeat it to the others and keep everything behind it waiting:
 * drop it, count it, go on, as the kernel's own drivers do
 * (snd_seq_kernel_client_dispatch ignores a full FIFO too). This is why the
 * buffer is ours and written here: alsa-lib's snd_seq_drain_output() writes
 * the rest of a short write again at once, the refused event first, so the
 * other subscribers got it twice. Bounded: each pass writes or drops at
 * least one event. */
static int seqclient_drain(struct bridge_dev *bd)
{
	struct seqclient *sc = bd->seq_priv;
	size_t off = 0;
	ssize_t w;
	int r = 0;

	while (off < sc->oused) {
		w = write(sc->wfd, sc->obuf + off, sc->oused - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno != EAGAIN) {
			r = -errno;
			log_warn("%s: Cannot send events: %s", bd->name, strerror(-r));
			break;
		}
		if (w > 0)
			off += (size_t)w;
		if (off < sc->oused) {
			bd->stats.seq_refused++;
			off += seqclient_event_len(sc->obuf + off);
		}
	}
	sc->oused = 0;
	return r;
}

static int seqclient_output(struct bridge_dev *bd, snd_seq_event_t *ev)
{
	struct seqclient *sc = bd->seq_priv;
	size_t len = (size_t)snd_seq_event_length(ev);

	if (len > SEQCLIENT_OBUF_SIZE)
		return -EINVAL;
	if (sc->oused + len > SEQCLIENT_OBUF_SIZE)
		seqclient_drain(bd);
	memcpy(sc->obuf + sc->oused, ev, sizeof(*ev));
	if (snd_seq_ev_is_variable(ev))
		memcpy(sc->obuf + sc->oused + sizeof(*ev), ev->data.ext.ptr, ev->data.ext.len);
	sc->oused += len;
	return 0;
}

static int seqclient_input(struct bridge_dev *bd, snd_seq_event_t **ev)
{
	struct seqclient *sc = bd->seq_priv;
	int r;

	r = snd_seq_event_input(sc->seq, ev);
	return r < 0 ? r : 0;
}

static void seqclient_close(struct bridge_dev *bd)
{
	struct seqclient *sc = bd->seq_priv;
	unsigned int i;

	if (!sc)
		return;
	for (i = 0; i < sc->nfds; i++)
		loop_del_fd(sc->loop, sc->fds[i]);
	if (sc->seq) {
		seqclient_drain(bd);
		snd_seq_close(sc->seq);
	}
	free(sc->obuf);
	free(sc);
	bd->seq_priv = NULL;
}

static int seqclient_create_ports(struct seqclient *sc)
{
	snd_seq_port_info_t *pi;
	unsigned int p, n = bridge_dev_ports(sc->bd);
	int r;

	snd_seq_port_info_alloca(&pi);
	for (p = 0; p < n; p++) {
		snd_seq_port_info_set_port(pi, (int)p);
		snd_seq_port_info_set_port_specified(pi, 1);
		snd_seq_port_info_set_name(pi, sc->bd->port_names[p]);
		snd_seq_port_info_set_capability(pi, SEQCLIENT_PORT_CAPS);
		snd_seq_port_info_set_type(pi, SND_SEQ_PORT_TYPE_MIDI_GENERIC |
						       SND_SEQ_PORT_TYPE_HARDWARE |
						       SND_SEQ_PORT_TYPE_PORT);
		snd_seq_port_info_set_midi_channels(pi, 16);
		r = snd_seq_create_port(sc->seq, pi);
		if (r < 0) {
			log_err("Cannot create port %u \"%s\": %s", p, sc->bd->port_names[p],
				snd_strerror(r));
			return r;
		}
	}
	/* Ours, after the kernel's: what the play mapping plays, to read.
	 * The sequencer tells the owner of a port when someone subscribes to
	 * it, with an event sent to that port, which it delivers only to a
	 * writable one (snd_seq_deliver_single_event checks CAP_WRITE): hence
	 * WRITE without SUBS_WRITE. That notice is how the bridge knows when
	 * the mapping draws the LEDs. */
	snd_seq_port_info_set_port(pi, (int)bridge_dev_play_port(sc->bd));
	snd_seq_port_info_set_name(pi, sc->bd->play_port_name);
	snd_seq_port_info_set_capability(pi, SND_SEQ_PORT_CAP_READ | SND_SEQ_PORT_CAP_SUBS_READ |
						     SND_SEQ_PORT_CAP_WRITE);
	snd_seq_port_info_set_type(pi, SND_SEQ_PORT_TYPE_MIDI_GENERIC |
					       SND_SEQ_PORT_TYPE_SOFTWARE |
					       SND_SEQ_PORT_TYPE_APPLICATION);
	r = snd_seq_create_port(sc->seq, pi);
	if (r < 0) {
		log_err("Cannot create port \"%s\": %s", sc->bd->play_port_name, snd_strerror(r));
		return r;
	}
	/* And the LED mirror, the same way: what the LEDs are to show, for
	 * monitors, whoever sent it. */
	snd_seq_port_info_set_port(pi, (int)bridge_dev_leds_port(sc->bd));
	snd_seq_port_info_set_name(pi, sc->bd->leds_port_name);
	r = snd_seq_create_port(sc->seq, pi);
	if (r < 0)
		log_err("Cannot create port \"%s\": %s", sc->bd->leds_port_name, snd_strerror(r));
	return r < 0 ? r : 0;
}

static int seqclient_open(struct bridge_dev *bd, const char *name)
{
	struct pollfd pfds[SEQCLIENT_MAX_FDS];
	struct seqclient *sc;
	unsigned int i;
	int r, n;

	sc = calloc(1, sizeof(*sc));
	if (!sc)
		return -ENOMEM;
	sc->obuf = malloc(SEQCLIENT_OBUF_SIZE);
	if (!sc->obuf) {
		free(sc);
		return -ENOMEM;
	}
	sc->bd = bd;
	sc->loop = bridge_seq_user(bd->b);
	r = snd_seq_open(&sc->seq, "default", SND_SEQ_OPEN_DUPLEX, SND_SEQ_NONBLOCK);
	if (r < 0) {
		log_err("Cannot open sequencer: %s; is snd-seq loaded?", snd_strerror(r));
		goto err_free;
	}
	r = snd_seq_set_client_name(sc->seq, name);
	if (r < 0)
		goto err_close_seq;
	r = snd_seq_set_client_pool_input(sc->seq, SEQCLIENT_POOL_INPUT);
	if (r < 0)
		goto err_close_seq;
	r = snd_seq_set_client_pool_output(sc->seq, SEQCLIENT_POOL_OUTPUT);
	if (r < 0)
		goto err_close_seq;
	r = snd_seq_set_client_pool_output_room(sc->seq, SEQCLIENT_POOL_OUTPUT_ROOM);
	if (r < 0)
		goto err_close_seq;
	r = seqclient_create_ports(sc);
	if (r < 0)
		goto err_close_seq;
	bd->client = snd_seq_client_id(sc->seq);

	n = snd_seq_poll_descriptors_count(sc->seq, POLLIN);
	if (n > SEQCLIENT_MAX_FDS)
		n = SEQCLIENT_MAX_FDS;
	n = snd_seq_poll_descriptors(sc->seq, pfds, (unsigned int)n, POLLIN);
	/* One descriptor does both ways (the hw plugin's). */
	sc->wfd = n > 0 ? pfds[0].fd : -1;
	for (i = 0; i < (unsigned int)n; i++) {
		r = loop_add_fd(sc->loop, pfds[i].fd, POLLIN, seqclient_fd_ready, sc);
		if (r < 0)
			goto err_del_fds;
		sc->fds[sc->nfds++] = pfds[i].fd;
	}
	bd->seq_priv = sc;
	return 0;

err_del_fds:
	for (i = 0; i < sc->nfds; i++)
		loop_del_fd(sc->loop, sc->fds[i]);
err_close_seq:
	log_err("Cannot set up sequencer client \"%s\": %s", name, snd_strerror(r));
	snd_seq_close(sc->seq);
err_free:
	free(sc->obuf);
	free(sc);
	return r;
}

static int seqclient_rename(struct bridge_dev *bd, const char *name)
{
	struct seqclient *sc = bd->seq_priv;
	int r;

	if (!sc)
		return -ENODEV;
	r = snd_seq_set_client_name(sc->seq, name);
	return r < 0 ? r : 0;
}

const struct bridge_seq_ops seqclient_ops = {
	.open = seqclient_open,
	.close = seqclient_close,
	.output = seqclient_output,
	.drain = seqclient_drain,
	.input = seqclient_input,
	.rename = seqclient_rename,
};
