/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libusb transport: hotplug, open/claim/give back, IN and OUT transfers.
 * Runs in the thread of the loop it was given (apcminid's only thread, the
 * bench's direct-path thread); libusb calls back from there too. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libusb.h>

#include "apcmini.h"
#include "apclog.h"
#include "apcusb.h"
#include "clock.h"
#include "loop.h"
#include "usbdesc.h"
#include "usbmidi.h"
#include "usbselect.h"

#define NSEC_PER_USEC 1000ull
#define NSEC_PER_MSEC 1000000ull
#define NSEC_PER_SEC 1000000000ull

/* udev applies the device node's permissions a moment after the kernel
 * announces the device; an open in that window fails with ACCESS (or
 * NOT_FOUND while the node is being created). Retry with a growing delay:
 * 50, 100, 200, 400, 800 ms, about 1.5 s in all. */
#define APCUSB_OPEN_TRIES 6
#define APCUSB_OPEN_RETRY_NS (50 * NSEC_PER_MSEC)

/* After a transfer error that may be transient, wait before resubmitting,
 * as the kernel's snd-usb-audio does (ERROR_DELAY_JIFFIES, HZ / 10). */
#define APCUSB_ERROR_DELAY_NS (100 * NSEC_PER_MSEC)

/* An OUT transfer the device does not take in this time has failed. */
#define APCUSB_OUT_TIMEOUT_MS 2000

/* How long closing waits for cancelled transfers to come back. */
#define APCUSB_CLOSE_WAIT_NS (2 * NSEC_PER_SEC)

enum apcusb_state {
	APCUSB_ARRIVED, /* seen by hotplug, not yet open */
	APCUSB_OPEN,	/* claimed, transfers running */
	APCUSB_CLOSING, /* transfers cancelled, waiting for them */
	APCUSB_DEAD,	/* to be freed by the next reap */
};

/* What a failed transfer or call means for the device, as the kernel's
 * snd_usbmidi_urb_error() sorts URB errors. */
enum apcusb_verdict {
	APCUSB_XFER_OK,
	APCUSB_XFER_CANCELLED, /* we asked for it */
	APCUSB_XFER_GONE,      /* unplugged: tear down, wait for hotplug */
	APCUSB_XFER_RETRY,     /* resubmit from a timer */
};

struct apcusb_dev {
	struct usbdev pub;
	struct apcusb *u;
	struct apcusb_dev *next;
	libusb_device *dev;
	libusb_device_handle *h;
	enum apcusb_state state;
	int gone;
	int attached;	     /* owner->attach() succeeded */
	uint32_t claimed;    /* interfaces claimed, bit per number */
	uint32_t detached;   /* interfaces taken from their kernel driver */
	int n_ifaces;
	int iface, alt;	     /* the MIDIStreaming interface */
	uint8_t ep_in, ep_out;
	uint8_t ep_in_type, ep_out_type;
	uint16_t in_size;
	unsigned int out_cables;
	uint8_t out_ijack[16];
	unsigned int open_tries;
	int open_error;	     /* last open error, for the final message */
	uint64_t open_at;    /* ARRIVED: next open attempt */
	uint64_t in_retry_at; /* OPEN: resubmit idle IN transfers then */
	int in_halted, out_halted;
	uint64_t out_at;     /* earliest next OUT submission */
	int out_waiting;     /* the pump stopped for out_at */
	uint64_t fill_at;    /* the owner has data for then (fill_out due_ns) */
	uint64_t close_deadline;
	struct libusb_transfer *in[APCUSB_IN_TRANSFERS];
	struct libusb_transfer *out[APCUSB_OUT_TRANSFERS];
	uint8_t in_flying[APCUSB_IN_TRANSFERS];
	uint8_t out_flying[APCUSB_OUT_TRANSFERS];
	unsigned int n_in_flying, n_out_flying;
	/* IN transfers reaped in this wake-up, resubmitted after the owner's
	 * input_end(): the events leave before the transfers go back */
	uint8_t in_again[APCUSB_IN_TRANSFERS];
	unsigned int n_in_again;
};

struct apcusb {
	libusb_context *ctx;
	struct apcusb_config cfg;
	uint64_t out_gap_ns;
	const struct usbdev_owner *owner;
	void *owner_user;
	struct loop *loop;
	int fd_ready;	/* a libusb descriptor fired in this wake-up */
	uint64_t woke_ns; /* when it did */
	uint64_t deadline_ns; /* as asked for before the last poll(), 0 = none */
	libusb_hotplug_callback_handle hotplug;
	int hotplug_registered;
	struct apcusb_dev *devs;
	int need_reap;
	int input_seen;	/* input() was called since the last input_end() */
};

static void apcusb_dev_close(struct apcusb_dev *d);
static void apcusb_out_pump(struct apcusb_dev *d);

int apcusb_errno(int r)
{
	if (r >= 0)
		return r;
	switch (r) {
	case LIBUSB_ERROR_IO:
		return -EIO;
	case LIBUSB_ERROR_INVALID_PARAM:
		return -EINVAL;
	case LIBUSB_ERROR_ACCESS:
		return -EACCES;
	case LIBUSB_ERROR_NO_DEVICE:
		return -ENODEV;
	case LIBUSB_ERROR_NOT_FOUND:
		return -ENOENT;
	case LIBUSB_ERROR_BUSY:
		return -EBUSY;
	case LIBUSB_ERROR_TIMEOUT:
		return -ETIMEDOUT;
	case LIBUSB_ERROR_OVERFLOW:
		return -EOVERFLOW;
	case LIBUSB_ERROR_PIPE:
		return -EPIPE;
	case LIBUSB_ERROR_INTERRUPTED:
		return -EINTR;
	case LIBUSB_ERROR_NO_MEM:
		return -ENOMEM;
	case LIBUSB_ERROR_NOT_SUPPORTED:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}

static enum apcusb_verdict apcusb_xfer_verdict(enum libusb_transfer_status st)
{
	switch (st) {
	case LIBUSB_TRANSFER_COMPLETED:
		return APCUSB_XFER_OK;
	case LIBUSB_TRANSFER_CANCELLED:
		return APCUSB_XFER_CANCELLED;
	case LIBUSB_TRANSFER_NO_DEVICE:
		return APCUSB_XFER_GONE;
	case LIBUSB_TRANSFER_STALL:
		/* Also what some host controllers report while the device
		 * is being unplugged: the retry clears the halt, and that
		 * control request fails with NO_DEVICE if it is gone. */
	case LIBUSB_TRANSFER_ERROR:	/* -EPROTO, -EILSEQ: noise on the bus */
	case LIBUSB_TRANSFER_TIMED_OUT:
	case LIBUSB_TRANSFER_OVERFLOW:
	default:
		return APCUSB_XFER_RETRY;
	}
}

static struct apcusb_dev *apcusb_dev_of(struct usbdev *pub)
{
	return (struct apcusb_dev *)((char *)pub - offsetof(struct apcusb_dev, pub));
}

/* ---- opening ---- */

static int apcusb_find_midi_interface(struct apcusb_dev *d)
{
	struct libusb_config_descriptor *cfg;
	struct usbdesc_midi m;
	int r;

	r = apcusb_errno(libusb_get_active_config_descriptor(d->dev, &cfg));
	if (r < 0)
		return r;
	/* claimed and detached are bit masks of interface numbers */
	d->n_ifaces = cfg->bNumInterfaces < 32 ? cfg->bNumInterfaces : 32;
	r = usbdesc_find_midi(cfg, &m);
	libusb_free_config_descriptor(cfg);
	if (r < 0)
		return r;
	d->iface = m.iface;
	d->alt = m.alt;
	d->ep_in = m.ep_in;
	d->ep_in_type = m.in_type;
	d->in_size = m.in_size;
	d->ep_out = m.ep_out;
	d->ep_out_type = m.out_type;
	d->pub.out_packet_size = m.out_size;
	d->out_cables = m.out_cables;
	memcpy(d->out_ijack, m.out_ijack, sizeof(d->out_ijack));
	return 0;
}

/* A string descriptor as text, "" when there is none or it cannot be read. */
static void apcusb_string(struct apcusb_dev *d, uint8_t index, char *out, size_t outsz)
{
	unsigned char buf[64];
	int r;

	out[0] = '\0';
	if (!index)
		return;
	r = libusb_get_string_descriptor_ascii(d->h, index, buf, sizeof(buf) - 1);
	if (r <= 0)
		return;
	buf[r] = '\0';
	snprintf(out, outsz, "%s", (char *)buf);
}

/* The names snd-usb-audio would give: the card (and client) after the
 * product string, each cable's port after its jack's string, if any. */
static void apcusb_read_names(struct apcusb_dev *d)
{
	struct libusb_device_descriptor desc;
	char product[64], jack[64];
	unsigned int i;

	product[0] = '\0';
	if (libusb_get_device_descriptor(d->dev, &desc) == 0)
		apcusb_string(d, desc.iProduct, product, sizeof(product));
	usbmidi_card_name(d->pub.card_name, product, desc.idVendor, desc.idProduct);
	for (i = 0; i < 2; i++) {
		jack[0] = '\0';
		if (i < d->out_cables)
			apcusb_string(d, d->out_ijack[i], jack, sizeof(jack));
		usbmidi_port_name(d->pub.port_names[i], d->pub.card_name, jack, i);
	}
}

static void apcusb_read_serial(struct apcusb_dev *d)
{
	struct libusb_device_descriptor desc;
	unsigned char buf[64];
	int r;

	d->pub.serial[0] = '\0';
	if (libusb_get_device_descriptor(d->dev, &desc) < 0 || !desc.iSerialNumber)
		return;
	r = libusb_get_string_descriptor_ascii(d->h, desc.iSerialNumber, buf, sizeof(buf) - 1);
	if (r <= 0)
		return;
	buf[r] = '\0';
	snprintf(d->pub.serial, sizeof(d->pub.serial), "%s", (char *)buf);
}

static void apcusb_log_open_error(struct apcusb_dev *d, int err)
{
	const char *what = d->pub.model->name;

	switch (err) {
	case -EACCES:
		log_err("Cannot open %s at %u:%u: %s", what, d->pub.busnum, d->pub.address,
			strerror(-err));
		log_err("The udev rule 70-apcmini.rules gives the logged-in user access "
			"(uaccess) and the audio group: is it installed and was the device "
			"plugged in after it was? Otherwise add the user to the audio group.");
		break;
	case -EBUSY:
		log_err("Cannot claim %s at %u:%u: %s (in use by another program, another "
			"apcminid?)",
			what, d->pub.busnum, d->pub.address, strerror(-err));
		break;
	default:
		log_err("Cannot open %s at %u:%u: %s", what, d->pub.busnum, d->pub.address,
			strerror(-err));
		break;
	}
}

/* A completion: which of the n transfers in xfers t is, now no longer in
 * flight. n when it is none of them. */
static unsigned int apcusb_xfer_landed(struct libusb_transfer *const *xfers, uint8_t *flying,
				       unsigned int *n_flying, unsigned int n,
				       const struct libusb_transfer *t)
{
	unsigned int i;

	for (i = 0; i < n && xfers[i] != t; i++)
		;
	if (i < n) {
		flying[i] = 0;
		(*n_flying)--;
	}
	return i;
}

static void apcusb_in_done(struct libusb_transfer *t);
static void apcusb_out_done(struct libusb_transfer *t);

static int apcusb_alloc_transfers(struct apcusb_dev *d)
{
	unsigned int i;
	uint8_t *buf;

	for (i = 0; i < APCUSB_IN_TRANSFERS; i++) {
		d->in[i] = libusb_alloc_transfer(0);
		buf = malloc(d->in_size);
		if (!d->in[i] || !buf) {
			free(buf);
			return -ENOMEM;
		}
		if (d->ep_in_type == LIBUSB_TRANSFER_TYPE_INTERRUPT)
			libusb_fill_interrupt_transfer(d->in[i], d->h, d->ep_in, buf, d->in_size,
						       apcusb_in_done, d, 0);
		else
			libusb_fill_bulk_transfer(d->in[i], d->h, d->ep_in, buf, d->in_size,
						  apcusb_in_done, d, 0);
		d->in[i]->flags = LIBUSB_TRANSFER_FREE_BUFFER;
	}
	for (i = 0; i < APCUSB_OUT_TRANSFERS; i++) {
		d->out[i] = libusb_alloc_transfer(0);
		buf = malloc(APCUSB_OUT_BUFSIZE);
		if (!d->out[i] || !buf) {
			free(buf);
			return -ENOMEM;
		}
		if (d->ep_out_type == LIBUSB_TRANSFER_TYPE_INTERRUPT)
			libusb_fill_interrupt_transfer(d->out[i], d->h, d->ep_out, buf, 0,
						       apcusb_out_done, d, APCUSB_OUT_TIMEOUT_MS);
		else
			libusb_fill_bulk_transfer(d->out[i], d->h, d->ep_out, buf, 0,
						  apcusb_out_done, d, APCUSB_OUT_TIMEOUT_MS);
		d->out[i]->flags = LIBUSB_TRANSFER_FREE_BUFFER;
	}
	return 0;
}

static void apcusb_free_transfers(struct apcusb_dev *d)
{
	unsigned int i;

	for (i = 0; i < APCUSB_IN_TRANSFERS; i++) {
		libusb_free_transfer(d->in[i]);
		d->in[i] = NULL;
	}
	for (i = 0; i < APCUSB_OUT_TRANSFERS; i++) {
		libusb_free_transfer(d->out[i]);
		d->out[i] = NULL;
	}
}

static void apcusb_dev_gone(struct apcusb_dev *d)
{
	if (!d->gone)
		log_dev_info(d->pub.name, "gone (was at %u:%u)", d->pub.busnum, d->pub.address);
	d->gone = 1;
	d->pub.gone = 1;
	apcusb_dev_close(d);
}

static void apcusb_in_submit(struct apcusb_dev *d, unsigned int i)
{
	int r;

	if (d->state != APCUSB_OPEN || d->in_flying[i])
		return;
	r = apcusb_errno(libusb_submit_transfer(d->in[i]));
	if (!r) {
		d->in_flying[i] = 1;
		d->n_in_flying++;
		return;
	}
	if (r == -ENODEV) {
		apcusb_dev_gone(d);
		return;
	}
	log_dev_dbg(d->pub.name, "Cannot submit IN transfer: %s", strerror(-r));
	d->pub.stats.errors++;
	if (!d->in_retry_at)
		d->in_retry_at = apc_now_ns() + APCUSB_ERROR_DELAY_NS;
}

static void apcusb_in_submit_all(struct apcusb_dev *d)
{
	unsigned int i;

	for (i = 0; i < APCUSB_IN_TRANSFERS && d->state == APCUSB_OPEN; i++)
		apcusb_in_submit(d, i);
}

/* The IN transfers reaped since the last call go back to the kernel. */
static void apcusb_in_again(struct apcusb_dev *d)
{
	unsigned int i;

	for (i = 0; i < APCUSB_IN_TRANSFERS && d->n_in_again; i++)
		if (d->in_again[i]) {
			d->in_again[i] = 0;
			d->n_in_again--;
			apcusb_in_submit(d, i);
		}
}

static void apcusb_xfer_returned(struct apcusb_dev *d)
{
	if (d->state == APCUSB_CLOSING && !d->n_in_flying && !d->n_out_flying)
		d->u->need_reap = 1;
}

static void apcusb_in_done(struct libusb_transfer *t)
{
	struct apcusb_dev *d = t->user_data;
	struct apcusb *u = d->u;
	unsigned int i;

	i = apcusb_xfer_landed(d->in, d->in_flying, &d->n_in_flying, APCUSB_IN_TRANSFERS, t);
	if (i == APCUSB_IN_TRANSFERS)
		return;

	switch (apcusb_xfer_verdict(t->status)) {
	case APCUSB_XFER_OK:
		if (t->actual_length > 0) {
			d->pub.stats.in_transfers++;
			d->pub.stats.in_bytes += (uint64_t)t->actual_length;
			log_dev_trace(d->pub.name, "IN %d bytes", t->actual_length);
			if (d->attached && d->state == APCUSB_OPEN) {
				/* This transfer's own reap time: libusb calls
				 * the completions one after the other. */
				u->owner->input(u->owner_user, &d->pub, t->buffer,
						(size_t)t->actual_length, apc_now_ns());
				u->input_seen = 1;
			}
		}
		/* Resubmitted once the wake-up's events left (a usbfs
		 * submission each), or now when half the ring waits. */
		d->in_again[i] = 1;
		if (++d->n_in_again >= APCUSB_IN_TRANSFERS / 2)
			apcusb_in_again(d);
		break;
	case APCUSB_XFER_CANCELLED:
		break;
	case APCUSB_XFER_GONE:
		apcusb_dev_gone(d);
		break;
	case APCUSB_XFER_RETRY:
		log_dev_dbg(d->pub.name, "IN transfer failed (status %d), retrying", t->status);
		d->pub.stats.errors++;
		if (t->status == LIBUSB_TRANSFER_STALL)
			d->in_halted = 1;
		if (!d->in_retry_at)
			d->in_retry_at = apc_now_ns() + APCUSB_ERROR_DELAY_NS;
		break;
	}
	apcusb_xfer_returned(d);
}

static void apcusb_out_done(struct libusb_transfer *t)
{
	struct apcusb_dev *d = t->user_data;
	struct apcusb *u = d->u;
	unsigned int i;

	i = apcusb_xfer_landed(d->out, d->out_flying, &d->n_out_flying, APCUSB_OUT_TRANSFERS, t);
	if (i == APCUSB_OUT_TRANSFERS)
		return;

	switch (apcusb_xfer_verdict(t->status)) {
	case APCUSB_XFER_OK:
		d->pub.stats.out_transfers++;
		d->pub.stats.out_bytes += (uint64_t)t->actual_length;
		break;
	case APCUSB_XFER_CANCELLED:
		break;
	case APCUSB_XFER_GONE:
		apcusb_dev_gone(d);
		break;
	case APCUSB_XFER_RETRY:
		log_dev_dbg(d->pub.name, "OUT transfer failed (status %d)", t->status);
		d->pub.stats.errors++;
		if (t->status == LIBUSB_TRANSFER_STALL)
			d->out_halted = 1;
		if (d->attached && u->owner->out_error)
			u->owner->out_error(u->owner_user, &d->pub);
		d->out_at = apc_now_ns() + APCUSB_ERROR_DELAY_NS;
		break;
	}
	if (d->state == APCUSB_OPEN)
		apcusb_out_pump(d);
	apcusb_xfer_returned(d);
}

static void apcusb_out_pump(struct apcusb_dev *d)
{
	struct apcusb *u = d->u;
	struct libusb_transfer *t;
	size_t cap, n;
	uint64_t now, due;
	unsigned int i;
	int r;

	while (d->state == APCUSB_OPEN && d->attached && !d->out_halted) {
		for (i = 0; i < APCUSB_OUT_TRANSFERS && d->out_flying[i]; i++)
			;
		if (i == APCUSB_OUT_TRANSFERS)
			return; /* a completion pumps again */
		now = apc_now_ns();
		if (d->out_at > now) {
			d->out_waiting = 1;
			return;
		}
		d->out_waiting = 0;
		t = d->out[i];
		cap = APCUSB_OUT_BUFSIZE;
		/* With a gap the pacing is per USB packet, which is what a
		 * device that drops fast writes sees. */
		if (u->out_gap_ns && cap > d->pub.out_packet_size)
			cap = d->pub.out_packet_size;
		due = 0;
		n = u->owner->fill_out(u->owner_user, &d->pub, t->buffer, cap, now, &due);
		if (!n) {
			/* Held back, not paced: a kick meanwhile still fills. */
			d->fill_at = due > now ? due : 0;
			return;
		}
		t->length = (int)n;
		r = apcusb_errno(libusb_submit_transfer(t));
		if (r < 0) {
			if (u->owner->out_error)
				u->owner->out_error(u->owner_user, &d->pub);
			if (r == -ENODEV) {
				apcusb_dev_gone(d);
				return;
			}
			log_dev_dbg(d->pub.name, "Cannot submit OUT transfer: %s", strerror(-r));
			d->pub.stats.errors++;
			d->out_at = apc_now_ns() + APCUSB_ERROR_DELAY_NS;
			d->out_waiting = 1;
			return;
		}
		log_dev_trace(d->pub.name, "OUT %zu bytes", n);
		d->out_flying[i] = 1;
		d->n_out_flying++;
		if (u->out_gap_ns)
			d->out_at = apc_now_ns() + u->out_gap_ns;
		else
			d->out_at = 0;
	}
}

static void apcusb_ops_kick(struct usbdev *pub)
{
	apcusb_out_pump(apcusb_dev_of(pub));
}

static unsigned int apcusb_ops_out_in_flight(struct usbdev *pub)
{
	return apcusb_dev_of(pub)->n_out_flying;
}

static const struct usbdev_ops apcusb_dev_ops = {
	.kick = apcusb_ops_kick,
	.out_in_flight = apcusb_ops_out_in_flight,
};

/* snd-usb-audio binds the AudioControl interface and claims the
 * MIDIStreaming one from there. Taking only the latter shuts its card down
 * but leaves it bound to interface 0, with a dead "APC MINI" sequencer client
 * in everybody's aconnect -l for as long as we run: take the kernel driver
 * off every interface that has one, and claim them all so that nothing
 * probes them behind our back. Only the MIDIStreaming interface must work. */
static int apcusb_claim(struct apcusb_dev *d)
{
	int i, r;

	for (i = 0; i < d->n_ifaces; i++) {
		r = apcusb_errno(libusb_kernel_driver_active(d->h, i));
		if (r == 1)
			r = apcusb_errno(libusb_detach_kernel_driver(d->h, i));
		else if (r == 0 || r == -EOPNOTSUPP)
			continue;
		if (r == 0) {
			d->detached |= 1u << i;
			log_dev_dbg(d->pub.name, "kernel driver detached from interface %d", i);
		} else if (r != -ENOENT && i == d->iface) {
			log_dev_err(d->pub.name,
				    "Cannot detach the kernel driver from interface %d: %s", i,
				    strerror(-r));
			return r;
		}
	}
	r = apcusb_errno(libusb_claim_interface(d->h, d->iface));
	if (r < 0)
		return r;
	d->claimed |= 1u << d->iface;
	for (i = 0; i < d->n_ifaces; i++)
		if (i != d->iface && (d->detached & (1u << i)) &&
		    libusb_claim_interface(d->h, i) == 0)
			d->claimed |= 1u << i;
	if (d->alt) {
		r = apcusb_errno(libusb_set_interface_alt_setting(d->h, d->iface, d->alt));
		if (r < 0)
			return r;
	}
	return 0;
}

/* Hand the device back to the kernel driver: release, then re-attach it
 * where it was, lowest interface first. snd-usb-audio probing the
 * AudioControl interface claims the MIDIStreaming one itself (attaching that
 * one afterwards then just says busy). Should the MIDIStreaming interface
 * still have no driver after that (interface 0 could not be taken: a
 * re-attach of interface 1 alone then fails with -EBUSY, "probe of ...:1.1
 * failed with error -16", because interface 0 is still bound to the card it
 * shut down), a port reset makes the kernel unbind every interface and probe
 * the device afresh. Both need nothing beyond access to the device node,
 * unlike unbinding and binding drivers through sysfs. */
/* Re-attach the kernel driver to the interfaces in `mask`, lowest first,
 * then reset the device if its MIDIStreaming interface `midi` is still
 * without a driver. `name` is the log's context. */
static void apcusb_reattach(libusb_device_handle *h, const char *name, uint32_t mask, int n_ifaces,
			    int midi)
{
	int i, r;

	for (i = 0; i < n_ifaces; i++) {
		if (!(mask & (1u << i)))
			continue;
		r = apcusb_errno(libusb_attach_kernel_driver(h, i));
		log_dev_dbg(name, "re-attaching the kernel driver to interface %d: %s", i,
			    r < 0 ? strerror(-r) : "done");
	}
	if (apcusb_errno(libusb_kernel_driver_active(h, midi)) == 1)
		return;
	r = apcusb_errno(libusb_reset_device(h));
	/* ENOENT: the device re-enumerated as a new one, which is fine. */
	if (r < 0 && r != -ENOENT && r != -ENODEV)
		log_dev_warn(name, "Cannot reset it to give it back to the kernel driver: %s",
			     strerror(-r));
	else
		log_dev_dbg(name, "reset, the kernel driver can bind it again");
}

static void apcusb_give_back(struct apcusb_dev *d)
{
	int i, r;

	for (i = 0; i < d->n_ifaces; i++) {
		if (!(d->claimed & (1u << i)))
			continue;
		r = apcusb_errno(libusb_release_interface(d->h, i));
		if (r < 0 && r != -ENODEV)
			log_dev_dbg(d->pub.name, "Cannot release interface %d: %s", i,
				    strerror(-r));
	}
	d->claimed = 0;
	if (!d->detached || d->gone)
		return;
	apcusb_reattach(d->h, d->pub.name, d->detached, d->n_ifaces, d->iface);
	d->detached = 0;
}

int apcusb_give_back_orphans(const char *device)
{
	struct libusb_config_descriptor *cfg;
	struct usbdesc_midi m;
	struct usbsel_spec sp;
	libusb_context *ctx;
	libusb_device **list;
	libusb_device_handle *h;
	char path[32], name[64];
	uint32_t mask;
	int r, n, i, k, n_ifaces, given = 0;

	r = apcusb_errno(libusb_init(&ctx));
	if (r < 0)
		return r;
	usbsel_parse(&sp, device);
	n = usbsel_get_list(ctx, &list);
	if (n < 0) {
		r = n;
		goto err_exit;
	}
	for (i = 0; i < n; i++) {
		if (!usbsel_match_early(ctx, &sp, list[i]))
			continue;
		usbsel_port_path(list[i], path, sizeof(path));
		snprintf(name, sizeof(name), "%s %s", usbsel_model_of(list[i])->name, path);
		if (apcusb_errno(libusb_get_active_config_descriptor(list[i], &cfg)) < 0)
			continue;
		n_ifaces = cfg->bNumInterfaces < 32 ? cfg->bNumInterfaces : 32;
		r = usbdesc_find_midi(cfg, &m);
		libusb_free_config_descriptor(cfg);
		if (r < 0)
			continue;
		r = apcusb_errno(libusb_open(list[i], &h));
		if (r < 0) {
			log_dev_err(name, "Cannot open it to give it back: %s", strerror(-r));
			continue;
		}
		/* Claimed by a running driver (another apcminid): not ours. */
		if (apcusb_errno(libusb_claim_interface(h, m.iface)) < 0) {
			log_dev_dbg(name, "in use, left alone");
			libusb_close(h);
			continue;
		}
		libusb_release_interface(h, m.iface);
		mask = 0;
		for (k = 0; k < n_ifaces; k++)
			if (apcusb_errno(libusb_kernel_driver_active(h, k)) == 0)
				mask |= 1u << k;
		if (mask) {
			log_dev_info(name, "giving it back to the kernel driver");
			apcusb_reattach(h, name, mask, n_ifaces, m.iface);
			given++;
		}
		libusb_close(h);
	}
	usbsel_put_list(list, n);
	r = given;
err_exit:
	libusb_exit(ctx);
	return r;
}

/* One open attempt: 0 when open and attached, -EAGAIN when it is retried
 * from the timer, any other -errno when the device was given up (it is then
 * DEAD and reaped): -ENODEV when it is not the one asked for. */
static int apcusb_dev_open(struct apcusb_dev *d)
{
	struct apcusb *u = d->u;
	struct usbsel_spec sp;
	int r;

	usbsel_parse(&sp, u->cfg.device);
	if (!d->open_tries && !usbsel_match_early(u->ctx, &sp, d->dev)) {
		log_dbg("%s at %u:%u is not the device asked for", d->pub.model->name,
			d->pub.busnum, d->pub.address);
		d->state = APCUSB_DEAD;
		u->need_reap = 1;
		return -ENODEV;
	}
	r = apcusb_errno(libusb_open(d->dev, &d->h));
	if (r == -EACCES || r == -ENOENT || r == -EBUSY) {
		d->open_error = r;
		goto err_retry;
	}
	if (r < 0)
		goto err_give_up;

	apcusb_read_serial(d);
	if (sp.type == USBSEL_MATCH_SERIAL && strcmp(sp.text, d->pub.serial)) {
		log_dev_dbg(d->pub.name, "serial \"%s\" is not the one asked for", d->pub.serial);
		r = -ENODEV;
		goto err_close;
	}
	if (d->pub.serial[0])
		snprintf(d->pub.key, sizeof(d->pub.key), "serial:%s", d->pub.serial);
	else
		snprintf(d->pub.key, sizeof(d->pub.key), "port:%s", d->pub.path);

	r = apcusb_find_midi_interface(d);
	if (r == -ENOENT && d->open_tries + 1 < APCUSB_OPEN_TRIES) {
		/* Right after arrival the kernel may not have set the
		 * configuration yet: libusb then finds no active one (seen
		 * about once in 100 replugs in the test guest). */
		d->open_error = r;
		libusb_close(d->h);
		d->h = NULL;
		goto err_retry;
	}
	if (r < 0) {
		log_err("Cannot find a MIDIStreaming interface on %s at %u:%u: %s",
			d->pub.model->name, d->pub.busnum, d->pub.address, strerror(-r));
		goto err_close;
	}
	apcusb_read_names(d);
	r = apcusb_claim(d);
	if (r == -EBUSY && d->open_tries + 1 < APCUSB_OPEN_TRIES) {
		/* snd-usb-audio may still be probing right after arrival. */
		d->open_error = r;
		libusb_close(d->h);
		d->h = NULL;
		goto err_retry;
	}
	if (r < 0) {
		apcusb_log_open_error(d, r);
		goto err_release;
	}
	r = apcusb_alloc_transfers(d);
	if (r < 0) {
		log_dev_err(d->pub.name, "Cannot allocate transfers: %s", strerror(-r));
		goto err_free_transfers;
	}
	log_info("%s at %u:%u (%s%s%s): interface %d, endpoints IN 0x%02x OUT 0x%02x, "
		 "%u-byte packets",
		 d->pub.model->name, d->pub.busnum, d->pub.address, d->pub.path,
		 d->pub.serial[0] ? ", serial " : "", d->pub.serial, d->iface, d->ep_in, d->ep_out,
		 d->pub.out_packet_size);

	d->state = APCUSB_OPEN;
	d->attached = 1;
	r = u->owner->attach(u->owner_user, &d->pub);
	if (r < 0) {
		d->attached = 0;
		log_dev_err(d->pub.name, "Cannot attach: %s", strerror(-r));
		d->state = APCUSB_ARRIVED;
		goto err_free_transfers;
	}
	apcusb_in_submit_all(d);
	if (d->state == APCUSB_OPEN)
		apcusb_out_pump(d);
	return 0;

err_free_transfers:
	apcusb_free_transfers(d);
err_release:
	apcusb_give_back(d);
err_close:
	libusb_close(d->h);
	d->h = NULL;
	d->state = APCUSB_DEAD;
	u->need_reap = 1;
	return r;
err_retry:
	if (++d->open_tries < APCUSB_OPEN_TRIES) {
		d->open_at = apc_now_ns() + (APCUSB_OPEN_RETRY_NS << (d->open_tries - 1));
		log_dev_dbg(d->pub.name, "open failed (%s), retry %u", strerror(-d->open_error),
			d->open_tries);
		return -EAGAIN;
	}
	r = d->open_error;
err_give_up:
	apcusb_log_open_error(d, r);
	d->state = APCUSB_DEAD;
	u->need_reap = 1;
	return r;
}

/* Stop a device: the owner forgets it now, transfers are cancelled, and
 * the handle is closed once they have all come back (apcusb_reap). */
static void apcusb_dev_close(struct apcusb_dev *d)
{
	struct apcusb *u = d->u;
	unsigned int i;

	if (d->state == APCUSB_ARRIVED) {
		d->state = APCUSB_DEAD;
		u->need_reap = 1;
		return;
	}
	if (d->state != APCUSB_OPEN)
		return;
	d->state = APCUSB_CLOSING;
	if (d->attached) {
		d->attached = 0;
		u->owner->detach(u->owner_user, &d->pub);
	}
	for (i = 0; i < APCUSB_IN_TRANSFERS; i++)
		if (d->in_flying[i])
			libusb_cancel_transfer(d->in[i]);
	for (i = 0; i < APCUSB_OUT_TRANSFERS; i++)
		if (d->out_flying[i])
			libusb_cancel_transfer(d->out[i]);
	d->close_deadline = apc_now_ns() + APCUSB_CLOSE_WAIT_NS;
	u->need_reap = 1;
}

static void apcusb_dev_free(struct apcusb_dev *d)
{
	if (!d)
		return;
	if (d->h) {
		apcusb_give_back(d);
		/* Transfers still in flight after the wait are dropped by
		 * libusb_close(); only then may they be freed. */
		libusb_close(d->h);
	}
	apcusb_free_transfers(d);
	libusb_unref_device(d->dev);
	free(d);
}

static void apcusb_reap(struct apcusb *u)
{
	struct apcusb_dev **pp = &u->devs, *d;
	uint64_t now = 0;

	if (!u->need_reap)
		return;
	u->need_reap = 0;
	while ((d = *pp)) {
		if (d->state == APCUSB_CLOSING && (d->n_in_flying || d->n_out_flying)) {
			if (!now)
				now = apc_now_ns();
			if (now < d->close_deadline) {
				pp = &d->next;
				continue;
			}
			log_dev_warn(d->pub.name, "%u transfers did not come back, closing anyway", d->n_in_flying + d->n_out_flying);
		} else if (d->state != APCUSB_CLOSING && d->state != APCUSB_DEAD) {
			pp = &d->next;
			continue;
		}
		*pp = d->next;
		apcusb_dev_free(d);
	}
}

static struct apcusb_dev *apcusb_find(struct apcusb *u, libusb_device *dev)
{
	struct apcusb_dev *d;

	for (d = u->devs; d; d = d->next)
		if (d->dev == dev && d->state != APCUSB_DEAD)
			return d;
	return NULL;
}

static void apcusb_arrived(struct apcusb *u, libusb_device *dev)
{
	const struct apc_model *m = usbsel_model_of(dev);
	struct apcusb_dev *d;

	if (!m || apcusb_find(u, dev))
		return;
	d = calloc(1, sizeof(*d));
	if (!d) {
		log_err("Cannot handle a new device: %s", strerror(ENOMEM));
		return;
	}
	d->u = u;
	d->dev = libusb_ref_device(dev);
	d->pub.ops = &apcusb_dev_ops;
	d->pub.model = m;
	d->pub.busnum = libusb_get_bus_number(dev);
	d->pub.address = libusb_get_device_address(dev);
	usbsel_port_path(dev, d->pub.path, sizeof(d->pub.path));
	snprintf(d->pub.name, sizeof(d->pub.name), "%s %s", m->name, d->pub.path);
	d->state = APCUSB_ARRIVED;
	d->open_at = apc_now_ns();
	d->next = u->devs;
	u->devs = d;
	log_dev_dbg(d->pub.name, "arrived at %u:%u", d->pub.busnum, d->pub.address);
}

static int LIBUSB_CALL apcusb_hotplug_cb(libusb_context *ctx, libusb_device *dev,
					 libusb_hotplug_event ev, void *user)
{
	struct apcusb *u = user;
	struct apcusb_dev *d;

	/* Only note what happened: opening does I/O, which a hotplug
	 * callback must not; apcusb_dispatch() acts on it right after. */
	if (ev == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED) {
		apcusb_arrived(u, dev);
	} else if (ev == LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT) {
		d = apcusb_find(u, dev);
		if (d)
			apcusb_dev_gone(d);
	}
	return 0;
}

static void apcusb_run_timers(struct apcusb *u)
{
	struct apcusb_dev *d;
	uint64_t now = apc_now_ns();
	unsigned int i;
	int r;

	for (d = u->devs; d; d = d->next) {
		switch (d->state) {
		case APCUSB_ARRIVED:
			if (d->open_at <= now)
				apcusb_dev_open(d);
			break;
		case APCUSB_OPEN:
			if (d->in_retry_at && d->in_retry_at <= now) {
				d->in_retry_at = 0;
				if (d->in_halted) {
					r = apcusb_errno(libusb_clear_halt(d->h, d->ep_in));
					if (r == -ENODEV) {
						apcusb_dev_gone(d);
						break;
					}
					d->in_halted = r < 0;
					if (r < 0)
						d->in_retry_at = now + APCUSB_ERROR_DELAY_NS;
				}
				for (i = 0; i < APCUSB_IN_TRANSFERS && !d->in_halted; i++)
					apcusb_in_submit(d, i);
			}
			if (d->state == APCUSB_OPEN && d->out_halted && d->out_at <= now) {
				r = apcusb_errno(libusb_clear_halt(d->h, d->ep_out));
				if (r == -ENODEV) {
					apcusb_dev_gone(d);
					break;
				}
				d->out_halted = r < 0;
				if (r < 0)
					d->out_at = now + APCUSB_ERROR_DELAY_NS;
				else
					/* The stalled transfer's completion could not
					 * pump while halted: what waits goes now. */
					apcusb_out_pump(d);
			}
			if (d->state == APCUSB_OPEN && d->out_waiting && d->out_at <= now)
				apcusb_out_pump(d);
			if (d->state == APCUSB_OPEN && d->fill_at && d->fill_at <= now) {
				d->fill_at = 0;
				apcusb_out_pump(d);
			}
			break;
		case APCUSB_CLOSING:
			if (d->close_deadline <= now)
				u->need_reap = 1;
			break;
		case APCUSB_DEAD:
			break;
		}
	}
}

/* libusb's events without blocking, then whatever timers are due. Once
 * per loop wake-up, however many of libusb's descriptors fired. */
static void apcusb_dispatch(struct apcusb *u)
{
	struct timeval zero = { 0, 0 };
	struct apcusb_dev *d;
	int r;

	r = apcusb_errno(libusb_handle_events_timeout_completed(u->ctx, &zero, NULL));
	if (r < 0 && r != -EINTR)
		log_warn("Cannot handle USB events: %s", strerror(-r));
	/* libusb reaped every transfer that had completed (and those that
	 * completed meanwhile): what they carried leaves together. */
	if (u->input_seen) {
		u->input_seen = 0;
		if (u->owner->input_end)
			u->owner->input_end(u->owner_user);
	}
	for (d = u->devs; d; d = d->next)
		apcusb_in_again(d);
	apcusb_run_timers(u);
	apcusb_reap(u);
}

static void apcusb_min(uint64_t *best, uint64_t t)
{
	if (t && (!*best || t < *best))
		*best = t;
}

/* Earliest time at which apcusb_dispatch() has work, libusb's own timeouts
 * included: 1 and *deadline_ns, or 0 when nothing is scheduled. */
static int apcusb_next_deadline(struct apcusb *u, uint64_t *deadline_ns)
{
	struct apcusb_dev *d;
	struct timeval tv;
	uint64_t best = 0;

	for (d = u->devs; d; d = d->next) {
		switch (d->state) {
		case APCUSB_ARRIVED:
			apcusb_min(&best, d->open_at ? d->open_at : 1);
			break;
		case APCUSB_OPEN:
			apcusb_min(&best, d->in_retry_at);
			if (d->out_waiting || d->out_halted)
				apcusb_min(&best, d->out_at ? d->out_at : 1);
			if (d->fill_at)
				apcusb_min(&best, d->fill_at);
			break;
		case APCUSB_CLOSING:
			apcusb_min(&best, d->close_deadline);
			break;
		case APCUSB_DEAD:
			apcusb_min(&best, 1);
			break;
		}
	}
	if (u->need_reap)
		apcusb_min(&best, 1);
	if (libusb_get_next_timeout(u->ctx, &tv) == 1)
		apcusb_min(&best, apc_now_ns() + (uint64_t)tv.tv_sec * NSEC_PER_SEC +
					  (uint64_t)tv.tv_usec * NSEC_PER_USEC);
	if (!best)
		return 0;
	*deadline_ns = best;
	return 1;
}

unsigned int apcusb_num_devices(const struct apcusb *u)
{
	const struct apcusb_dev *d;
	unsigned int n = 0;

	for (d = u->devs; d; d = d->next)
		if (d->state == APCUSB_ARRIVED || d->state == APCUSB_OPEN)
			n++;
	return n;
}

/* ---- the loop: libusb's descriptors, the deadline, one dispatch ---- */

static void apcusb_fd_ready(void *user, int fd, short revents)
{
	struct apcusb *u = user;

	(void)fd;
	(void)revents;
	if (!u->fd_ready)
		u->woke_ns = apc_now_ns();
	u->fd_ready = 1;
}

static void apcusb_loop_prepare(void *user, uint64_t *deadline)
{
	struct apcusb *u = user;
	uint64_t t;

	u->deadline_ns = 0;
	if (apcusb_next_deadline(u, &t)) {
		u->deadline_ns = t;
		if (!*deadline || t < *deadline)
			*deadline = t;
	}
}

static void apcusb_loop_dispatch(void *user)
{
	struct apcusb *u = user;

	/* Not our wake-up (a sequencer client, a signal): nothing to do. */
	if (!u->fd_ready && !(u->deadline_ns && u->deadline_ns <= apc_now_ns()))
		return;
	u->fd_ready = 0;
	apcusb_dispatch(u);
}

uint64_t apcusb_woke_ns(const struct apcusb *u)
{
	return u->woke_ns;
}

static void LIBUSB_CALL apcusb_pollfd_added(int fd, short events, void *user)
{
	struct apcusb *u = user;
	int r;

	r = loop_add_fd(u->loop, fd, events, apcusb_fd_ready, u);
	if (r < 0)
		log_err("Cannot watch USB file descriptor %d: %s", fd, strerror(-r));
}

static void LIBUSB_CALL apcusb_pollfd_removed(int fd, void *user)
{
	struct apcusb *u = user;

	loop_del_fd(u->loop, fd);
}

int apcusb_new(struct apcusb **out, const struct apcusb_config *cfg,
	       const struct usbdev_owner *owner, void *owner_user, struct loop *loop)
{
	const struct libusb_pollfd **fds = NULL;
	struct apcusb *u;
	int r, i;

	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	if (cfg)
		u->cfg = *cfg;
	u->out_gap_ns = (uint64_t)u->cfg.out_gap_us * NSEC_PER_USEC;
	u->owner = owner;
	u->owner_user = owner_user;
	u->loop = loop;

	r = apcusb_errno(libusb_init(&u->ctx));
	if (r < 0)
		goto err_free;
	if (apclog_level >= APCLOG_TRACE)
		libusb_set_option(u->ctx, LIBUSB_OPTION_LOG_LEVEL, LIBUSB_LOG_LEVEL_DEBUG);

	libusb_set_pollfd_notifiers(u->ctx, apcusb_pollfd_added, apcusb_pollfd_removed, u);
	fds = libusb_get_pollfds(u->ctx);
	if (!fds) {
		r = -ENOMEM;
		goto err_exit;
	}
	for (i = 0; fds[i]; i++) {
		r = loop_add_fd(loop, fds[i]->fd, fds[i]->events, apcusb_fd_ready, u);
		if (r < 0)
			goto err_unwatch;
	}
	r = loop_add_hook(loop, apcusb_loop_prepare, apcusb_loop_dispatch, u);
	if (r < 0)
		goto err_unwatch;
	libusb_free_pollfds(fds);
	*out = u;
	return 0;

err_unwatch:
	while (i-- > 0)
		loop_del_fd(loop, fds[i]->fd);
	libusb_free_pollfds(fds);
err_exit:
	libusb_set_pollfd_notifiers(u->ctx, NULL, NULL, NULL);
	libusb_exit(u->ctx);
err_free:
	free(u);
	return r;
}

int apcusb_start(struct apcusb *u)
{
	libusb_device **list;
	int r, n, i;

	if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) {
		r = apcusb_errno(libusb_hotplug_register_callback(
			u->ctx,
			LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
			LIBUSB_HOTPLUG_ENUMERATE, APC_VID_AKAI, LIBUSB_HOTPLUG_MATCH_ANY,
			LIBUSB_HOTPLUG_MATCH_ANY, apcusb_hotplug_cb, u, &u->hotplug));
		if (r < 0)
			return r;
		u->hotplug_registered = 1;
		apcusb_run_timers(u);
		apcusb_reap(u);
		return 0;
	}
	n = usbsel_get_list(u->ctx, &list);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++)
		apcusb_arrived(u, list[i]);
	usbsel_put_list(list, n);
	apcusb_run_timers(u);
	apcusb_reap(u);
	return -EOPNOTSUPP;
}

void apcusb_free(struct apcusb *u)
{
	struct apcusb_dev *d;
	struct timeval tv;
	uint64_t deadline;

	if (!u)
		return;
	if (u->hotplug_registered)
		libusb_hotplug_deregister_callback(u->ctx, u->hotplug);
	for (d = u->devs; d; d = d->next)
		apcusb_dev_close(d);
	/* Bounded wait for the cancelled transfers; blocking is fine now. */
	deadline = apc_now_ns() + APCUSB_CLOSE_WAIT_NS;
	for (;;) {
		unsigned int flying = 0;

		for (d = u->devs; d; d = d->next)
			flying += d->n_in_flying + d->n_out_flying;
		if (!flying || apc_now_ns() >= deadline)
			break;
		tv.tv_sec = 0;
		tv.tv_usec = 100000;
		libusb_handle_events_timeout_completed(u->ctx, &tv, NULL);
	}
	while ((d = u->devs)) {
		u->devs = d->next;
		apcusb_dev_free(d);
	}
	libusb_set_pollfd_notifiers(u->ctx, NULL, NULL, NULL);
	libusb_exit(u->ctx);
	free(u);
}
