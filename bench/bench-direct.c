/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcbench's direct path: libapcusb runs on the direct thread's loop (the
 * usbdev_owner callbacks run there); the main thread takes received
 * messages and hands LED messages over through rings. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "apcmini.h"
#include "apcusb.h"
#include "bench-direct.h"
#include "bench-stats.h"
#include "bench-thread.h"
#include "clock.h"
#include "loop.h"
#include "usbmidi.h"

#define RING_CAP 65536
#define OPEN_WAIT_NS (5 * APC_NS_PER_SEC)
#define LED_WAIT_NS APC_NS_PER_SEC

struct bench_direct {
	struct bench_worker w;
	struct loop *main_loop;
	/* direct thread only */
	struct apcusb *usb;
	struct usbdev *dev;
	struct usbmidi_decoder dec;
	uint64_t reap_ns;	/* of the transfer being decoded */
	int added;
	int led_efd;		/* main -> direct: LED messages queued */
	int leds_waiting;	/* a leds() call waits for its transfers */
	/* direct -> main */
	struct bench_ring rx;	/* key, reap stamp */
	_Atomic int attached;
	_Atomic int gone;
	_Atomic uint64_t other;
	char desc[128];
	int done_efd;		/* direct -> main: the LED transfers completed */
	/* main -> direct */
	struct bench_ring tx;	/* LED message as a key, per_event flag */
};

static void efd_write(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0) {
		/* the counter cannot overflow in a run; nothing to do */
	}
}

static void on_msg(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
	struct bench_direct *b = user;
	uint32_t key;

	if (cable != 0)
		return;
	key = bench_key_of_msg(msg, len);
	if (key && bench_ring_push(&b->rx, key, b->reap_ns) == 0)
		b->added = 1;
	else if (!key)
		atomic_fetch_add(&b->other, 1);
}

static int own_attach(void *user, struct usbdev *d)
{
	struct bench_direct *b = user;

	if (b->dev)
		return -EBUSY; /* one device is measured */
	b->dev = d;
	usbmidi_decoder_init(&b->dec);
	snprintf(b->desc, sizeof(b->desc), "%s at USB %s, libapcusb with %d IN transfers",
		 d->model->short_name, d->path, APCUSB_IN_TRANSFERS);
	atomic_store(&b->attached, 1);
	efd_write(b->w.efd);
	return 0;
}

static void own_detach(void *user, struct usbdev *d)
{
	struct bench_direct *b = user;

	if (b->dev != d)
		return;
	b->dev = NULL;
	if (d->gone)
		atomic_store(&b->gone, 1);
	efd_write(b->w.efd);
}

/* Each IN transfer's messages carry the time the transport reaped it. */
static void own_input(void *user, struct usbdev *d, const uint8_t *buf, size_t len,
		      uint64_t reap_ns)
{
	struct bench_direct *b = user;

	b->reap_ns = reap_ns;
	usbmidi_decode(&b->dec, buf, len, on_msg, b);
}

static void own_input_end(void *user)
{
	struct bench_direct *b = user;

	if (b->added) {
		b->added = 0;
		bench_worker_signal(&b->w);
	}
}

/* The LED messages leds() queued: one per transfer when they were to be
 * written one by one, else as many as the transfer holds. */
static size_t own_fill_out(void *user, struct usbdev *d, uint8_t *buf, size_t cap,
			   uint64_t now_ns, uint64_t *due_ns)
{
	struct bench_direct *b = user;
	size_t len = 0;
	uint32_t key;
	uint64_t per_event;

	while (len + 4 <= cap && bench_ring_pop(&b->tx, &key, &per_event)) {
		uint8_t m[3] = { (uint8_t)(key >> 16), (uint8_t)(key >> 8), (uint8_t)key };
		int n;

		/* identity() queues the request as its key, alone and one
		 * by one (per_event), so it starts a transfer: 8 bytes fit */
		if (key == BENCH_KEY_IDENTITY)
			n = usbmidi_encode_msg(0, apc_inquiry_request, sizeof(apc_inquiry_request),
					       buf + len, cap - len);
		else
			n = usbmidi_encode_msg(0, m, 3, buf + len, cap - len);
		if (n > 0)
			len += (size_t)n;
		if (per_event)
			break;
	}
	return len;
}

static void own_out_error(void *user, struct usbdev *d)
{
	/* what it carried is lost: the device side's log shows it */
}

static const struct usbdev_owner owner = {
	.attach = own_attach,
	.detach = own_detach,
	.input = own_input,
	.input_end = own_input_end,
	.fill_out = own_fill_out,
	.out_error = own_out_error,
};

static void on_leds(void *user, int fd, short revents)
{
	struct bench_direct *b = user;
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0) {
		/* another wake-up raced us */
	}
	b->leds_waiting = 1;
	if (b->dev)
		usbdev_kick(b->dev);
}

/* After each wake-up: tell a waiting leds() when everything it queued has
 * left in completed transfers. */
static void direct_dispatch(void *user)
{
	struct bench_direct *b = user;

	if (!b->leds_waiting)
		return;
	if (b->dev && (atomic_load(&b->tx.head) != atomic_load(&b->tx.tail) ||
		       b->dev->ops->out_in_flight(b->dev)))
		return;
	b->leds_waiting = 0;
	efd_write(b->done_efd);
}

static int direct_setup(void *user, struct loop *l)
{
	struct bench_direct *b = user;
	struct apcusb_config cfg = { 0 };
	int err;

	err = loop_add_fd(l, b->led_efd, POLLIN, on_leds, b);
	if (!err)
		err = apcusb_new(&b->usb, &cfg, &owner, b, l);
	if (err)
		return err;
	/* after the transport's hook: it handles the wake-up's completions
	 * first, so out_in_flight() is current when ours looks */
	err = loop_add_hook(l, NULL, direct_dispatch, b);
	if (err) {
		apcusb_free(b->usb);
		b->usb = NULL;
		return err;
	}
	err = apcusb_start(b->usb);
	if (err == -EOPNOTSUPP)
		err = 0; /* the devices present were opened */
	if (err) {
		apcusb_free(b->usb);
		b->usb = NULL;
	}
	return err;
}

static void direct_teardown(void *user)
{
	struct bench_direct *b = user;

	apcusb_free(b->usb);
	b->usb = NULL;
}

int bench_direct_open(struct bench_direct **out, struct loop *loop, char *desc, size_t descsz)
{
	struct bench_direct *b = calloc(1, sizeof(*b));
	uint64_t until;
	int err;

	if (!b)
		return -ENOMEM;
	bench_worker_init(&b->w);
	b->main_loop = loop;
	b->led_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	b->done_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (b->led_efd < 0 || b->done_efd < 0) {
		err = -errno;
		goto err_free;
	}
	err = bench_ring_init(&b->rx, RING_CAP);
	if (!err)
		err = bench_ring_init(&b->tx, RING_CAP);
	if (err)
		goto err_free;
	err = bench_worker_start(&b->w, direct_setup, direct_teardown, b);
	if (err)
		goto err_free;
	until = apc_now_ns() + OPEN_WAIT_NS;
	while (!atomic_load(&b->attached) && apc_now_ns() < until) {
		err = bench_wait_fds(loop, &b->w.efd, 1, 1, until);
		if (err < 0)
			break;
	}
	if (!atomic_load(&b->attached)) {
		bench_direct_close(b);
		return err < 0 ? err : -ENODEV;
	}
	snprintf(desc, descsz, "%s", b->desc);
	*out = b;
	return 0;

err_free:
	bench_direct_close(b);
	return err;
}

void bench_direct_close(struct bench_direct *b)
{
	if (!b)
		return;
	bench_worker_stop(&b->w);
	if (b->led_efd >= 0)
		close(b->led_efd);
	if (b->done_efd >= 0)
		close(b->done_efd);
	bench_ring_free(&b->rx);
	bench_ring_free(&b->tx);
	free(b);
}

int bench_direct_recv(void *ctx, uint64_t until_ns, struct bench_log *rx)
{
	struct bench_direct *b = ctx;
	uint32_t key;
	uint64_t t;
	int n = 0, waited = 0, err;

	for (;;) {
		while (bench_ring_pop(&b->rx, &key, &t)) {
			bench_log_add(rx, key, t);
			n++;
		}
		rx->other += atomic_exchange(&b->other, 0);
		if (atomic_load(&b->gone))
			return -ENODEV;
		if (n || waited)
			return n;
		err = bench_wait_fds(b->main_loop, &b->w.efd, 1, 1, until_ns);
		if (err <= 0)
			return err;
		waited = 1;
	}
}

/* Queue keys for the direct thread's OUT transfers and wait until they
 * left in completed transfers. */
static int direct_send(struct bench_direct *b, const uint32_t *keys, size_t n, int per_event)
{
	uint64_t until;
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		err = bench_ring_push(&b->tx, keys[i], (uint64_t)per_event);
		if (err)
			return err;
	}
	efd_write(b->led_efd);
	until = apc_now_ns() + LED_WAIT_NS;
	err = bench_wait_fds(b->main_loop, &b->done_efd, 1, 1, until);
	if (err < 0)
		return err;
	if (atomic_load(&b->gone))
		return -ENODEV;
	return err ? 0 : -ETIMEDOUT;
}

int bench_direct_leds(void *ctx, const uint8_t *msgs, size_t n, int per_event)
{
	uint32_t keys[256];
	size_t i, k;
	int err = 0;

	for (i = 0; i < n && !err; i += k) {
		for (k = 0; k < 256 && i + k < n; k++)
			keys[k] = bench_key(msgs[3 * (i + k)], msgs[3 * (i + k) + 1],
					    msgs[3 * (i + k) + 2]);
		err = direct_send(ctx, keys, k, per_event);
	}
	return err;
}

int bench_direct_identity(void *ctx)
{
	const uint32_t key = BENCH_KEY_IDENTITY;

	return direct_send(ctx, &key, 1, 1);
}
