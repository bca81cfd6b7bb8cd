/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcbench's emulated device: reads what the host sends on its own thread
 * and loop (apcdev answers, LEDs are recorded, the round trip's echo goes
 * back); the sender thread hands controls over through gadget-seq under
 * the same lock. */
#include "config.h"

#include <alsa/asoundlib.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "apcdev.h"
#include "bench-device.h"
#include "bench-stats.h"
#include "bench-thread.h"
#include "clock.h"
#include "gadget-seq.h"
#include "loop.h"

struct bench_device {
	const struct apc_model *model;
	int card;
	char name[32];
	snd_rawmidi_t *in[GADGET_SEQ_MAX_CABLES];
	unsigned int n_in;
	/* `lock` guards out and dev: the sender thread and the device's
	 * thread both send (controls; identity and introduction replies). */
	pthread_mutex_t lock;
	struct gadget_seq *out;
	struct apcdev dev;
	struct loop *loop;	/* the device thread's */
	uint64_t rx_t;		/* when the bytes being parsed were read */
	int appended;
	_Atomic int echo;	/* round trip: send back what the host sends */
	uint64_t echo_failed;	/* echoes that found no room (device thread) */
	struct bench_log ledlog;
	struct bench_worker w;
};

/* The nth gadget card (from 0, in card order), or -ENODEV. */
static int find_gadget_card(unsigned int nth)
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
		if (found && !nth--)
			return card;
	}
	return -ENODEV;
}

/* The device answers what a driver asks when it opens it (identity, mk2
 * introduction), so apcminid finds the model it expects. With no room
 * during a throughput test the reply waits in gadget-seq's queue. */
static void dev_send(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
	struct bench_device *d = user;

	if (gadget_seq_write(d->out, cable, msg, len) < 0) {
		/* the card went away: the measurement notices the silence */
	}
}

static void dev_msg(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
	struct bench_device *d = user;

	/* Under d->lock (dev_read): the echo goes out before apcdev acts on
	 * the message, in the order the host sent; what finds no room waits
	 * in gadget-seq's queue (dev_dispatch), what it cannot even queue is
	 * counted here and lost to the round trip. */
	if (atomic_load_explicit(&d->echo, memory_order_relaxed) &&
	    gadget_seq_write(d->out, cable, msg, len) < 0)
		d->echo_failed++;
	if (msg[0] == 0xf0)
		return;
	if (cable == 0 && len == 3) {
		bench_log_add(&d->ledlog, bench_key(msg[0], msg[1], msg[2]), d->rx_t);
		d->appended = 1;
	} else {
		d->ledlog.other++;
	}
}

static void dev_read(void *user, int fd, short revents)
{
	struct bench_device *d = user;
	uint8_t buf[1024];
	unsigned int c;

	for (c = 0; c < d->n_in; c++) {
		ssize_t n;

		while ((n = snd_rawmidi_read(d->in[c], buf, sizeof(buf))) > 0) {
			d->rx_t = apc_now_ns();
			pthread_mutex_lock(&d->lock);
			apcdev_input(&d->dev, c, buf, (size_t)n);
			pthread_mutex_unlock(&d->lock);
		}
		if (n < 0 && n != -EAGAIN)
			loop_del_fd(d->loop, fd); /* the card went away */
	}
	if (d->appended) {
		d->appended = 0;
		bench_worker_signal(&d->w);
	}
}

/* Replies that found no room wait in the queue; nothing signals room, so
 * look again after GADGET_SEQ_RETRY_NS. */
static void dev_prepare(void *user, uint64_t *deadline_ns)
{
	struct bench_device *d = user;
	uint64_t t;
	int busy;

	pthread_mutex_lock(&d->lock);
	busy = gadget_seq_busy(d->out, -1);
	pthread_mutex_unlock(&d->lock);
	if (!busy)
		return;
	t = apc_now_ns() + GADGET_SEQ_RETRY_NS;
	if (!*deadline_ns || t < *deadline_ns)
		*deadline_ns = t;
}

static void dev_dispatch(void *user)
{
	struct bench_device *d = user;

	pthread_mutex_lock(&d->lock);
	if (gadget_seq_busy(d->out, -1) && gadget_seq_flush(d->out) < 0) {
		/* the card went away: the measurement notices the silence */
	}
	pthread_mutex_unlock(&d->lock);
}

static int dev_setup(void *user, struct loop *l)
{
	struct bench_device *d = user;
	unsigned int c;
	int err = 0;

	d->loop = l;
	for (c = 0; c < d->n_in && !err; c++) {
		struct pollfd pfd;

		if (snd_rawmidi_poll_descriptors(d->in[c], &pfd, 1) != 1)
			return -EIO;
		err = loop_add_fd(l, pfd.fd, POLLIN, dev_read, d);
	}
	if (!err)
		err = loop_add_hook(l, dev_prepare, dev_dispatch, d);
	return err;
}

static int open_inputs(struct bench_device *d)
{
	snd_rawmidi_params_t *params;
	char hw[32];
	unsigned int c;
	int err;

	snd_rawmidi_params_alloca(&params);
	for (c = 0; c < d->model->n_cables && c < GADGET_SEQ_MAX_CABLES; c++) {
		snprintf(hw, sizeof(hw), "hw:%d,0,%u", d->card, c);
		err = snd_rawmidi_open(&d->in[c], NULL, hw, SND_RAWMIDI_NONBLOCK);
		if (err < 0)
			return err;
		d->n_in++;
		/* what the host sends must not wait for room in our buffer */
		snd_rawmidi_params_current(d->in[c], params);
		snd_rawmidi_params_set_buffer_size(d->in[c], params, 65536);
		snd_rawmidi_params(d->in[c], params);
	}
	return 0;
}

static int card_of(const char *name)
{
	snd_rawmidi_t *r;
	snd_rawmidi_info_t *info;
	int err;

	err = snd_rawmidi_open(&r, NULL, name, SND_RAWMIDI_NONBLOCK);
	if (err < 0)
		return err;
	snd_rawmidi_info_alloca(&info);
	err = snd_rawmidi_info(r, info);
	if (!err)
		err = snd_rawmidi_info_get_card(info);
	snd_rawmidi_close(r);
	return err;
}

int bench_device_open(struct bench_device **out, const char *name, unsigned int nth,
		      const struct apc_model *m, size_t logcap)
{
	struct bench_device *d;
	unsigned int c;
	int err;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	bench_worker_init(&d->w);
	pthread_mutex_init(&d->lock, NULL);
	d->model = m;
	d->card = name ? card_of(name) : find_gadget_card(nth);
	if (d->card < 0) {
		err = d->card;
		goto err_free;
	}
	snprintf(d->name, sizeof(d->name), "hw:%d,0", d->card);
	err = bench_log_init(&d->ledlog, logcap);
	if (err < 0)
		goto err_free;
	err = open_inputs(d);
	if (err < 0)
		goto err_inputs;
	err = gadget_seq_new(&d->out, "apcbench-device", m->n_cables);
	if (err < 0)
		goto err_inputs;
	err = gadget_seq_link(d->out, d->card);
	if (err < 0)
		goto err_out;
	apcdev_init(&d->dev, m, dev_send, dev_msg, d);
	err = bench_worker_start(&d->w, dev_setup, NULL, d);
	if (err < 0)
		goto err_out;
	*out = d;
	return 0;

err_out:
	gadget_seq_free(d->out);
err_inputs:
	for (c = 0; c < d->n_in; c++)
		snd_rawmidi_close(d->in[c]);
	bench_log_free(&d->ledlog);
err_free:
	pthread_mutex_destroy(&d->lock);
	free(d);
	return err;
}

void bench_device_close(struct bench_device *d)
{
	unsigned int c;

	if (!d)
		return;
	bench_worker_stop(&d->w);
	gadget_seq_free(d->out);
	for (c = 0; c < d->n_in; c++)
		snd_rawmidi_close(d->in[c]);
	bench_log_free(&d->ledlog);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

int bench_device_inject(void *ctx, const uint8_t *bytes, size_t len, size_t unit,
			const uint32_t *keys, struct bench_log *tx)
{
	struct bench_device *d = ctx;
	size_t i, n = len / unit;
	int err = 0;

	pthread_mutex_lock(&d->lock);
	for (i = 0; i < n; i++) {
		uint64_t t;

		err = gadget_seq_room(d->out, 0, unit);
		if (err <= 0)
			break;
		/* room was there: the write hands the whole message over */
		t = apc_now_ns();
		err = gadget_seq_write(d->out, 0, bytes + i * unit, unit);
		if (err < 0)
			break;
		bench_log_add(tx, keys[i], t);
	}
	pthread_mutex_unlock(&d->lock);
	return i ? (int)i : err;
}

int bench_device_set_inject(void *ctx, const uint8_t *bytes, size_t len, size_t unit,
			    const uint32_t *keys, struct bench_log *tx)
{
	struct bench_device_set *set = ctx;
	size_t i, n = len / unit;
	int err = 0;

	for (i = 0; i < n; i++) {
		err = bench_device_inject(set->d[set->next], bytes + i * unit, unit, unit, keys + i,
					  tx);
		if (err <= 0)
			break;
		set->next = (set->next + 1) % set->n;
	}
	return i ? (int)i : err;
}

int bench_device_echo(void *ctx, int on)
{
	struct bench_device *d = ctx;

	atomic_store(&d->echo, on);
	return 0;
}

struct bench_log *bench_device_ledlog(struct bench_device *d)
{
	return &d->ledlog;
}

int bench_device_efd(struct bench_device *d)
{
	return d->w.efd;
}

const char *bench_device_name(struct bench_device *d)
{
	return d->name;
}

int bench_device_tid(struct bench_device *d)
{
	return bench_worker_tid(&d->w);
}
