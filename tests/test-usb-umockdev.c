/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Functional tests of the libusb transport (apcusb) driving the bridge,
 * against APC minis emulated by umockdev's usbdevfs ioctl emulation. The
 * test thread runs libusb; umockdev's handler thread plays the device. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#ifdef HAVE_UMOCKDEV

#include <sys/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <umockdev.h>

#include "apcmini.h"
#include "apcusb.h"
#include "clock.h"
#include "bridge.h"
#include "loop.h"
#include "apclog.h"
#include "usbmidi.h"

#include "mock-seq.h"

/* ---- the emulated device (runs in umockdev's handler thread) ---- */

#define EMU_MAX_OUT 256

struct emu_out {
	uint8_t data[APCUSB_OUT_BUFSIZE];
	size_t len;
	uint8_t endpoint;
	gint64 time_us;
};

struct emu {
	GMutex lock;
	const struct apc_model *model;
	const char *serial;
	unsigned int busnum, devnum;
	char syspath[160];
	char devnode[64];
	uint8_t ep_in, ep_out;
	UMockdevIoctlBase *handler;

	int gone;		/* unplugged: submits fail with ENODEV */
	int stall_on_unplug;	/* IN URBs end with -EPIPE, not -ESHUTDOWN */
	unsigned int stall_out;	/* this many next OUT URBs end with -EPIPE */
	int bound[2];		/* snd-usb-audio holds interface 0, 1 */
	int probe_broken;	/* re-attaching does not bind, only a reset */
	unsigned int claimed;	/* interfaces claimed through usbfs */
	unsigned int disconnects, connects, claims, releases, resets, clear_halts;
	unsigned int in_submits;
	GList *in_flying;	/* UMockdevIoctlData of IN URBs */
	GList *reapable;
	uint8_t in_queue[8192];
	size_t in_len;
	struct emu_out out[EMU_MAX_OUT];
	unsigned int n_out;
};

static void emu_bytes_to_hex(const uint8_t *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/* Descriptors as f_midi and the real devices have them: AudioControl
 * interface 0, MIDIStreaming interface 1 with one bulk endpoint each way. */
static size_t emu_descriptors(const struct emu *e, uint8_t *d)
{
	const uint8_t dev[] = {
		18, 1, 0x00, 0x02, 0, 0, 0, 64,
		APC_VID_AKAI & 0xff, APC_VID_AKAI >> 8,
		(uint8_t)(e->model->pid & 0xff), (uint8_t)(e->model->pid >> 8),
		0x00, 0x01, 1, 2, (uint8_t)(e->serial ? 3 : 0), 1,
	};
	const uint8_t cfg[] = {
		9, 2, 71, 0, 2, 1, 0, 0x80, 50,
		9, 4, 0, 0, 0, 1, 1, 0, 0,
		9, 0x24, 1, 0x00, 0x01, 9, 0, 1, 1,
		9, 4, 1, 0, 2, 1, 3, 0, 0,
		7, 0x24, 1, 0x00, 0x01, 7 + 5 + 5, 0,
		9, 5, e->ep_out, 2, 64, 0, 0, 0, 0,
		5, 0x25, 1, 1, 1,
		9, 5, e->ep_in, 2, 64, 0, 0, 0, 0,
		5, 0x25, 1, 1, 3,
	};

	memcpy(d, dev, sizeof(dev));
	memcpy(d + sizeof(dev), cfg, sizeof(cfg));
	return sizeof(dev) + sizeof(cfg);
}

static void emu_complete_in(struct emu *e)
{
	UMockdevIoctlData *ud;
	struct usbdevfs_urb *urb;
	size_t n;

	while (e->in_len && e->in_flying) {
		ud = e->in_flying->data;
		e->in_flying = g_list_delete_link(e->in_flying, e->in_flying);
		urb = (struct usbdevfs_urb *)ud->data;
		n = e->in_len < (size_t)urb->buffer_length ? e->in_len : (size_t)urb->buffer_length;
		if (n > 64)
			n = 64; /* one full-speed packet per transfer */
		memcpy(urb->buffer, e->in_queue, n);
		memmove(e->in_queue, e->in_queue + n, e->in_len - n);
		e->in_len -= n;
		urb->actual_length = (int)n;
		urb->status = 0;
		e->reapable = g_list_append(e->reapable, ud);
	}
}

static int emu_control(struct emu *e, struct usbdevfs_urb *urb)
{
	uint8_t *b = urb->buffer;
	unsigned int type = b[3], index = b[2], i, n = 0;
	uint8_t *data = b + 8;
	size_t room = (size_t)urb->buffer_length - 8;
	const char *s = NULL;

	/* GET_DESCRIPTOR (string) is all the driver asks for. */
	if (b[0] != 0x80 || b[1] != 6 || type != 3)
		return -EPIPE;
	if (index == 0) {
		uint8_t langs[] = { 4, 3, 0x09, 0x04 };

		n = sizeof(langs) < room ? sizeof(langs) : (unsigned int)room;
		memcpy(data, langs, n);
	} else {
		if (index == 1)
			s = e->model->usb_manufacturer;
		else if (index == 2)
			s = e->model->usb_product;
		else if (index == 3)
			s = e->serial;
		if (!s)
			return -EPIPE;
		uint8_t desc[2 + 2 * 64];

		desc[0] = (uint8_t)(2 + 2 * strlen(s));
		desc[1] = 3;
		for (i = 0; s[i] && i < 64; i++) {
			desc[2 + 2 * i] = (uint8_t)s[i];
			desc[3 + 2 * i] = 0;
		}
		n = desc[0] < room ? desc[0] : (unsigned int)room;
		memcpy(data, desc, n);
	}
	urb->actual_length = (int)n;
	urb->status = 0;
	return 0;
}

static gboolean emu_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *client, gpointer user)
{
	struct emu *e = user;
	gulong req = umockdev_ioctl_client_get_request(client);
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	UMockdevIoctlData *d, *buf;
	struct usbdevfs_urb *urb;
	gboolean handled = TRUE;
	unsigned int i;
	int err = 0;

	g_mutex_lock(&e->lock);
	switch (req) {
	case USBDEVFS_GET_CAPABILITIES:
		d = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), NULL);
		*(guint32 *)d->data = USBDEVFS_CAP_BULK_CONTINUATION |
				      USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
				      USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
		umockdev_ioctl_data_unref(d);
		break;
	case USBDEVFS_GETDRIVER: {
		struct usbdevfs_getdriver *gd;

		d = umockdev_ioctl_data_resolve(arg, 0, sizeof(*gd), NULL);
		gd = (struct usbdevfs_getdriver *)d->data;
		if (gd->interface < 2 && e->bound[gd->interface] && !e->gone)
			snprintf(gd->driver, sizeof(gd->driver), "snd-usb-audio");
		else
			err = ENODATA;
		umockdev_ioctl_data_unref(d);
		break;
	}
	case USBDEVFS_IOCTL: {
		struct usbdevfs_ioctl *io;

		d = umockdev_ioctl_data_resolve(arg, 0, sizeof(*io), NULL);
		io = (struct usbdevfs_ioctl *)d->data;
		if (e->gone) {
			err = ENODEV;
		} else if (io->ifno < 0 || io->ifno > 1) {
			err = EINVAL;
		} else if (io->ioctl_code == (int)USBDEVFS_DISCONNECT) {
			e->bound[io->ifno] = 0;
			e->disconnects++;
		} else if (io->ioctl_code == (int)USBDEVFS_CONNECT) {
			e->connects++;
			if (e->bound[io->ifno] || (e->claimed & (1u << io->ifno)))
				err = EBUSY;
			/* snd-usb-audio's probe of interface 0 claims 1 too;
			 * a probe of 1 fails while 0 holds the old card. */
			else if (io->ifno == 0 && !e->probe_broken && !(e->claimed & 2))
				e->bound[0] = e->bound[1] = 1;
		} else {
			err = EINVAL;
		}
		umockdev_ioctl_data_unref(d);
		break;
	}
	case USBDEVFS_CLAIMINTERFACE:
	case USBDEVFS_RELEASEINTERFACE:
		d = umockdev_ioctl_data_resolve(arg, 0, sizeof(unsigned int), NULL);
		i = *(unsigned int *)d->data;
		if (e->gone) {
			err = ENODEV;
		} else if (i > 1) {
			err = EINVAL;
		} else if (req == USBDEVFS_CLAIMINTERFACE) {
			if (e->bound[i])
				err = EBUSY;
			e->claimed |= err ? 0 : 1u << i;
			e->claims += !err;
		} else {
			e->claimed &= ~(1u << i);
			e->releases++;
		}
		umockdev_ioctl_data_unref(d);
		break;
	case USBDEVFS_RESET:
		if (e->gone) {
			err = ENODEV;
			break;
		}
		/* The kernel unbinds every interface and probes again. */
		e->resets++;
		if (!e->claimed)
			e->bound[0] = e->bound[1] = 1;
		break;
	case USBDEVFS_CLEAR_HALT:
		if (e->gone)
			err = ENODEV;
		else
			e->clear_halts++;
		break;
	case USBDEVFS_SETINTERFACE:
		break;
	case USBDEVFS_SUBMITURB:
		if (e->gone) {
			err = ENODEV;
			break;
		}
		d = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), NULL);
		urb = (struct usbdevfs_urb *)d->data;
		buf = umockdev_ioctl_data_resolve(d, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer),
						  (gsize)urb->buffer_length, NULL);
		umockdev_ioctl_data_unref(buf);
		if (urb->type == USBDEVFS_URB_TYPE_CONTROL) {
			urb->status = emu_control(e, urb);
			e->reapable = g_list_append(e->reapable, d);
		} else if (urb->endpoint == e->ep_in && urb->type == USBDEVFS_URB_TYPE_BULK) {
			e->in_submits++;
			e->in_flying = g_list_append(e->in_flying, d);
			emu_complete_in(e);
		} else if (urb->endpoint == e->ep_out && urb->type == USBDEVFS_URB_TYPE_BULK &&
			   e->stall_out) {
			/* A halted endpoint: nothing taken, -EPIPE. */
			e->stall_out--;
			urb->actual_length = 0;
			urb->status = -EPIPE;
			e->reapable = g_list_append(e->reapable, d);
		} else if (urb->endpoint == e->ep_out && urb->type == USBDEVFS_URB_TYPE_BULK &&
			   e->n_out < EMU_MAX_OUT &&
			   (size_t)urb->buffer_length <= APCUSB_OUT_BUFSIZE) {
			struct emu_out *o = &e->out[e->n_out++];

			memcpy(o->data, urb->buffer, (size_t)urb->buffer_length);
			o->len = (size_t)urb->buffer_length;
			o->endpoint = urb->endpoint;
			o->time_us = g_get_monotonic_time();
			urb->actual_length = urb->buffer_length;
			urb->status = 0;
			e->reapable = g_list_append(e->reapable, d);
		} else {
			umockdev_ioctl_data_unref(d);
			err = EINVAL;
		}
		break;
	case USBDEVFS_REAPURB:
	case USBDEVFS_REAPURBNDELAY:
		emu_complete_in(e);
		if (e->reapable) {
			UMockdevIoctlData *p;

			d = e->reapable->data;
			e->reapable = g_list_delete_link(e->reapable, e->reapable);
			p = umockdev_ioctl_data_resolve(arg, 0, sizeof(gpointer), NULL);
			umockdev_ioctl_data_set_ptr(p, 0, d);
			umockdev_ioctl_data_unref(p);
			umockdev_ioctl_data_unref(d);
		} else {
			err = e->gone ? ENODEV : EAGAIN;
		}
		break;
	case USBDEVFS_DISCARDURB: {
		GList *l;

		err = e->gone ? ENODEV : EINVAL;
		for (l = e->in_flying; l; l = l->next) {
			d = l->data;
			if (d->client_addr != (gulong) * (void **)arg->data)
				continue;
			e->in_flying = g_list_delete_link(e->in_flying, l);
			((struct usbdevfs_urb *)d->data)->status = -ENOENT;
			((struct usbdevfs_urb *)d->data)->actual_length = 0;
			e->reapable = g_list_append(e->reapable, d);
			err = 0;
			break;
		}
		break;
	}
	default:
		handled = FALSE;
		break;
	}
	g_mutex_unlock(&e->lock);
	if (handled)
		umockdev_ioctl_client_complete(client, err ? -1 : 0, err);
	return handled;
}

/* ---- fixture ---- */

/* The bursts here run to thousands of events. */
#define MOCK_MAX_EVENTS 20000

struct fixture {
	UMockdevTestbed *tb;
	struct emu *emus[4];
	unsigned int n_emus;
	struct loop *loop;
	struct bridge *bridge;
	struct apcusb *usb;
	struct apcusb_config cfg;
	unsigned int gone;
};

static void fixture_gone(void *user, struct bridge_dev *bd)
{
	((struct fixture *)user)->gone++;
}

/* Plug an emulated device in: sysfs entry, node with the ioctl handler. */
static struct emu *plug(struct fixture *f, const struct apc_model *m, const char *serial,
			unsigned int port, unsigned int devnum, uint8_t ep_in, uint8_t ep_out)
{
	struct emu *e = calloc(1, sizeof(*e));
	uint8_t desc[128];
	char hex[300], *rec;
	size_t n;

	assert_non_null(e);
	g_mutex_init(&e->lock);
	e->model = m;
	e->serial = serial;
	e->busnum = 1;
	e->devnum = devnum;
	e->ep_in = ep_in;
	e->ep_out = ep_out;
	e->bound[0] = e->bound[1] = 1;
	snprintf(e->syspath, sizeof(e->syspath), "/devices/pci0000:00/0000:00:14.0/usb1/1-%u",
		 port);
	snprintf(e->devnode, sizeof(e->devnode), "/dev/bus/usb/%03u/%03u", e->busnum, devnum);
	e->handler = umockdev_ioctl_base_new();
	g_signal_connect(e->handler, "handle-ioctl", G_CALLBACK(emu_ioctl), e);
	assert_true(umockdev_testbed_attach_ioctl(f->tb, e->devnode, e->handler, NULL));

	n = emu_descriptors(e, desc);
	emu_bytes_to_hex(desc, n, hex);
	rec = g_strdup_printf("P: %s\n"
			      "N: bus/usb/%03u/%03u\n"
			      "E: SUBSYSTEM=usb\n"
			      "E: DEVTYPE=usb_device\n"
			      "E: DRIVER=usb\n"
			      "E: BUSNUM=%03u\n"
			      "E: DEVNUM=%03u\n"
			      "E: DEVNAME=%s\n"
			      "A: busnum=%u\\n\n"
			      "A: devnum=%u\\n\n"
			      "A: devpath=%u\\n\n"
			      "A: speed=12\\n\n"
			      "A: bConfigurationValue=1\\n\n"
			      "H: descriptors=%s\n",
			      e->syspath, e->busnum, devnum, e->busnum, devnum, e->devnode,
			      e->busnum, devnum, port, hex);
	assert_true(umockdev_testbed_add_from_string(f->tb, rec, NULL));
	g_free(rec);
	f->emus[f->n_emus++] = e;
	return e;
}

/* Pull the plug: URBs in flight end as the kernel ends them on disconnect,
 * later calls fail with ENODEV, and udev announces the removal. */
static void unplug(struct fixture *f, struct emu *e)
{
	char *sys;
	GList *l;

	g_mutex_lock(&e->lock);
	e->gone = 1;
	for (l = e->in_flying; l; l = l->next) {
		struct usbdevfs_urb *urb = (struct usbdevfs_urb *)((UMockdevIoctlData *)l->data)->data;

		urb->status = e->stall_on_unplug ? -EPIPE : -ESHUTDOWN;
		urb->actual_length = 0;
	}
	e->reapable = g_list_concat(e->reapable, e->in_flying);
	e->in_flying = NULL;
	g_mutex_unlock(&e->lock);

	sys = g_strdup_printf("/sys%s", e->syspath);
	umockdev_testbed_uevent(f->tb, sys, "remove");
	umockdev_testbed_remove_device(f->tb, sys);
	g_free(sys);
}

static void emu_send(struct emu *e, unsigned int cable, const uint8_t *midi, size_t len)
{
	struct usbmidi_encoder enc;
	int n;

	usbmidi_encoder_init(&enc);
	g_mutex_lock(&e->lock);
	n = usbmidi_encode(&enc, cable, midi, len, e->in_queue + e->in_len,
			   sizeof(e->in_queue) - e->in_len);
	assert_true(n > 0);
	e->in_len += (size_t)n;
	g_mutex_unlock(&e->lock);
}

/* Packets as they are, however malformed (a device's firmware bug). */
static void emu_send_raw(struct emu *e, const uint8_t *pkts, size_t len)
{
	g_mutex_lock(&e->lock);
	assert_true(len <= sizeof(e->in_queue) - e->in_len);
	memcpy(e->in_queue + e->in_len, pkts, len);
	e->in_len += len;
	g_mutex_unlock(&e->lock);
}

/* The IN endpoint halts: one IN URB in flight ends with -EPIPE. */
static void emu_stall_in(struct emu *e)
{
	struct usbdevfs_urb *urb;
	UMockdevIoctlData *ud;

	g_mutex_lock(&e->lock);
	assert_non_null(e->in_flying);
	ud = e->in_flying->data;
	e->in_flying = g_list_delete_link(e->in_flying, e->in_flying);
	urb = (struct usbdevfs_urb *)ud->data;
	urb->actual_length = 0;
	urb->status = -EPIPE;
	e->reapable = g_list_append(e->reapable, ud);
	g_mutex_unlock(&e->lock);
}

static void emu_free(struct emu *e)
{
	g_list_free_full(e->in_flying, (GDestroyNotify)umockdev_ioctl_data_unref);
	g_list_free_full(e->reapable, (GDestroyNotify)umockdev_ioctl_data_unref);
	g_object_unref(e->handler);
	g_mutex_clear(&e->lock);
	free(e);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct bridge_options opt = { .gone = fixture_gone };

	assert_non_null(f);
	mock_seq_init(MOCK_MAX_EVENTS);
	f->tb = umockdev_testbed_new();
	assert_non_null(f->tb);
	assert_int_equal(loop_new(&f->loop), 0);
	opt.user = f;
	assert_int_equal(bridge_new(&f->bridge, mock_seq_ops, f->loop, &opt), 0);
	*state = f;
	return 0;
}

static void start(struct fixture *f)
{
	assert_int_equal(apcusb_new(&f->usb, &f->cfg, &bridge_usb_owner, f->bridge, f->loop), 0);
	assert_int_equal(apcusb_start(f->usb), 0);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	unsigned int i;

	apcusb_free(f->usb);
	f->usb = NULL;
	bridge_free(f->bridge);
	loop_free(f->loop);
	for (i = 0; i < f->n_emus; i++)
		emu_free(f->emus[i]);
	g_object_unref(f->tb);
	free(f);
	mock_seq_free();
	return 0;
}

typedef int (*cond_fn)(struct fixture *f, const void *arg);

/* Run the event loop until cond holds or `ms` pass. */
static int run_until(struct fixture *f, cond_fn cond, const void *arg, unsigned int ms)
{
	uint64_t end = apc_now_ns() + (uint64_t)ms * 1000000ull;

	while (!cond(f, arg)) {
		uint64_t now = apc_now_ns(), until = now + 10000000ull;

		if (now >= end)
			return 0;
		assert_int_equal(loop_iterate(f->loop, until < end ? until : end), 0);
	}
	return 1;
}

static int cond_present(struct fixture *f, const void *arg)
{
	return bridge_num_present(f->bridge) == *(const unsigned int *)arg;
}

static int cond_out_transfers(struct fixture *f, const void *arg)
{
	const struct emu *e = f->emus[0];

	return e->n_out >= *(const unsigned int *)arg && f->usb &&
	       bridge_out_idle(f->bridge);
}

static int cond_events(struct fixture *f, const void *arg)
{
	return mseq.n_out >= *(const unsigned int *)arg;
}

static int cond_in_flying(struct fixture *f, const void *arg)
{
	const struct emu *e = arg;

	return g_list_length(e->in_flying) >= APCUSB_IN_TRANSFERS;
}

static int cond_gone(struct fixture *f, const void *arg)
{
	return f->gone >= *(const unsigned int *)arg && !apcusb_num_devices(f->usb);
}

static int cond_never(struct fixture *f, const void *arg)
{
	return 0;
}

static void wait_present(struct fixture *f, unsigned int n)
{
	assert_true(run_until(f, cond_present, &n, 3000));
}

static void wait_out(struct fixture *f, unsigned int n)
{
	assert_true(run_until(f, cond_out_transfers, &n, 3000));
}

/* Decode every OUT transfer from `first` on into LED states per index;
 * returns the number of LED messages, counts inquiries in *inq. */
struct out_summary {
	unsigned int leds, inquiries, others;
	int value[APC_NUM_LEDS]; /* -1: not sent */
	const struct apc_model *model;
};

static void summary_msg(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
	struct out_summary *s = user;
	struct apc_led led;
	int idx;

	if (len == sizeof(apc_inquiry_request) &&
	    !memcmp(msg, apc_inquiry_request, sizeof(apc_inquiry_request))) {
		s->inquiries++;
		return;
	}
	idx = apc_led_from_midi(s->model, msg, len, &led);
	if (idx < 0 || cable != 0) {
		s->others++;
		return;
	}
	s->leds++;
	s->value[idx] = led.value;
}

static void summarize(const struct emu *e, unsigned int first, unsigned int last,
		      struct out_summary *s)
{
	struct usbmidi_decoder *dec = calloc(1, sizeof(*dec));
	unsigned int i;

	assert_non_null(dec);
	memset(s, 0, sizeof(*s));
	s->model = e->model;
	for (i = 0; i < APC_NUM_LEDS; i++)
		s->value[i] = -1;
	usbmidi_decoder_init(dec);
	for (i = first; i < last; i++) {
		assert_int_equal(e->out[i].endpoint, e->ep_out);
		usbmidi_decode(dec, e->out[i].data, e->out[i].len, summary_msg, s);
	}
	free(dec);
}

/* ---- tests ---- */

static void check_enumerate_claim(struct fixture *f, const struct apc_model *m,
				  const char *serial, uint8_t ep_in, uint8_t ep_out)
{
	struct bridge_dev *bd;
	struct out_summary s;
	struct emu *e;
	unsigned int i;

	e = plug(f, m, serial, 2, 5, ep_in, ep_out);
	start(f);
	wait_present(f, 1);
	bd = bridge_devs(f->bridge);
	assert_ptr_equal(bd->model, m);
	if (serial)
		assert_string_equal(bd->usb->serial, serial);
	assert_string_equal(bd->key, serial ? "serial:MK2-0001" : "port:1-2");
	assert_string_equal(bd->usb->path, "1-2");
	assert_int_equal(bd->usb->busnum, 1);
	assert_int_equal(bd->usb->address, 5);
	assert_int_equal(bd->usb->out_packet_size, 64);

	/* snd-usb-audio taken off the MIDIStreaming interface, which is
	 * claimed; IN transfers kept in flight on the endpoint the
	 * descriptors name. */
	assert_int_equal(e->disconnects, 2);
	assert_int_equal(e->claims, 2);
	assert_int_equal(e->claimed, 3);
	assert_false(e->bound[0] || e->bound[1]);
	assert_true(run_until(f, cond_in_flying, e, 2000));

	/* The first paint: every LED and the inquiry (and, to an mk2, the
	 * introduction that asks for its faders), in one transfer. */
	wait_out(f, 1);
	assert_int_equal(e->n_out, 1);
	summarize(e, 0, e->n_out, &s);
	assert_int_equal(s.leds, APC_NUM_LEDS);
	assert_int_equal(s.inquiries, 1);
	assert_int_equal(s.others, m->id == APC_MODEL_MK2 ? 1 : 0);
	for (i = 0; i < APC_NUM_LEDS; i++)
		assert_int_equal(s.value[i], 0);

	/* Given back on exit: released, snd-usb-audio attached to the
	 * AudioControl interface again (and from there to the MIDI one). */
	apcusb_free(f->usb);
	f->usb = NULL;
	assert_int_equal(e->releases, 2);
	assert_int_equal(e->claimed, 0);
	assert_true(e->connects >= 1);
	assert_true(e->bound[0] && e->bound[1]);
	assert_int_equal(e->resets, 0);
	assert_int_equal(bridge_num_present(f->bridge), 0);
}

static void test_enumerate_claim_mk1(void **state)
{
	check_enumerate_claim(*state, &apc_model_mk1, NULL, 0x81, 0x02);
}

static void test_enumerate_claim_mk2(void **state)
{
	/* Other endpoint numbers: they must come from the descriptors. */
	check_enumerate_claim(*state, &apc_model_mk2, "MK2-0001", 0x83, 0x04);
}

/* When re-attaching does not bring the kernel driver back, a reset does. */
static void test_give_back_by_reset(void **state)
{
	struct fixture *f = *state;
	struct emu *e;

	e = plug(f, &apc_model_mk1, NULL, 2, 5, 0x81, 0x02);
	e->probe_broken = 1;
	start(f);
	wait_present(f, 1);
	apcusb_free(f->usb);
	f->usb = NULL;
	assert_int_equal(e->claimed, 0);
	assert_int_equal(e->resets, 1);
	assert_true(e->bound[0] && e->bound[1]);
}

static void test_in_packets_become_events(void **state)
{
	struct fixture *f = *state;
	/* identity reply, then pad 0 down, fader 9 (master), pad 0 up */
	static const uint8_t midi[] = { 0x90, 0, 127, 0xb0, 56, 100, 0x80, 0, 0 };
	uint8_t reply[64];
	struct bridge_dev *bd;
	unsigned int want = 3;
	struct emu *e;
	int n;

	e = plug(f, &apc_model_mk2, NULL, 3, 7, 0x81, 0x02);
	start(f);
	wait_present(f, 1);
	bd = bridge_devs(f->bridge);
	n = apc_inquiry_reply(&apc_model_mk2, 0, reply, sizeof(reply));
	assert_true(n > 0);
	emu_send(e, 0, reply, (size_t)n);
	emu_send(e, 0, midi, sizeof(midi));
	assert_true(run_until(f, cond_events, &want, 3000));
	assert_int_equal(mseq.n_out, 3);
	assert_ptr_equal(bd->confirmed, &apc_model_mk2);
	assert_int_equal(mseq.out[0].ev.type, SND_SEQ_EVENT_NOTEON);
	assert_int_equal(mseq.out[0].ev.data.note.note, 0);
	assert_int_equal(mseq.out[0].ev.data.note.velocity, 127);
	assert_int_equal(mseq.out[1].ev.type, SND_SEQ_EVENT_CONTROLLER);
	assert_int_equal(mseq.out[1].ev.data.control.param, 56);
	assert_int_equal(mseq.out[1].ev.data.control.value, 100);
	assert_int_equal(mseq.out[2].ev.type, SND_SEQ_EVENT_NOTEOFF);
	assert_int_equal(mseq.out[2].ev.source.port, 0);

	/* mk2 Note mode: cable 1 -> the Notes port. */
	want = 4;
	emu_send(e, 1, (const uint8_t[]){ 0x90, 60, 90 }, 3);
	assert_true(run_until(f, cond_events, &want, 3000));
	assert_int_equal(mseq.out[3].ev.source.port, 1);
	assert_int_equal(mseq.out[3].ev.data.note.note, 60);
	assert_true(bd->usb->stats.in_transfers >= 2);
}

static void test_in_burst_nothing_lost(void **state)
{
	struct fixture *f = *state;
	unsigned int i, want = 2000;
	uint8_t midi[3];
	struct emu *e;

	e = plug(f, &apc_model_mk1, NULL, 2, 5, 0x81, 0x02);
	start(f);
	wait_present(f, 1);
	for (i = 0; i < want; i++) {
		midi[0] = 0xb0;
		midi[1] = (uint8_t)(48 + i % 9);
		midi[2] = (uint8_t)(i % 128);
		emu_send(e, 0, midi, 3);
	}
	assert_true(run_until(f, cond_events, &want, 10000));
	for (i = 0; i < want; i++) {
		assert_int_equal(mseq.out[i].ev.type, SND_SEQ_EVENT_CONTROLLER);
		assert_int_equal(mseq.out[i].ev.data.control.param, 48 + i % 9);
		assert_int_equal(mseq.out[i].ev.data.control.value, i % 128);
	}
	/* One drain per wake-up, however many transfers it reaped: never more
	 * than one per transfer (16 events per 64-byte transfer). */
	assert_true(mseq.drains >= 1);
	assert_true(mseq.drains <= want / 16);
	assert_int_equal(bridge_devs(f->bridge)->stats.in_drains, mseq.drains);
}

static void test_led_changes_one_transfer(void **state)
{
	struct fixture *f = *state;
	struct out_summary s;
	unsigned int round, pad, i;
	struct emu *e;
	int want[APC_NUM_PADS];

	e = plug(f, &apc_model_mk1, NULL, 2, 5, 0x81, 0x02);
	start(f);
	wait_present(f, 1);
	wait_out(f, 1);

	/* 4 rounds over 16 pads: 64 LED events, 16 changes. */
	for (i = 0; i < APC_NUM_PADS; i++)
		want[i] = -1;
	for (round = 0; round < 4; round++)
		for (pad = 0; pad < 16; pad++) {
			want[pad] = (int)((pad + round) % 6 + 1);
			mock_seq_in_note(0, 0x90, pad, (unsigned int)want[pad]);
		}
	bridge_dev_seq_ready(bridge_devs(f->bridge));
	wait_out(f, 2);
	/* Let anything else that would go out go out. */
	run_until(f, cond_never, NULL, 50);
	assert_int_equal(e->n_out, 2);
	summarize(e, 1, 2, &s);
	assert_int_equal(s.leds, 16);
	assert_int_equal(s.others + s.inquiries, 0);
	for (pad = 0; pad < APC_NUM_PADS; pad++)
		assert_int_equal(s.value[pad], want[pad]);
}

static void check_unplug_mid_transfer(struct fixture *f, int stall)
{
	struct bridge_dev *bd;
	struct out_summary s;
	unsigned int one = 1, first;
	struct emu *e, *again;

	e = plug(f, &apc_model_mk1, NULL, 2, 5, 0x81, 0x02);
	e->stall_on_unplug = stall;
	start(f);
	wait_present(f, 1);
	wait_out(f, 1);
	assert_true(run_until(f, cond_in_flying, e, 2000));
	bd = bridge_devs(f->bridge);

	mock_seq_in_note(0, 0x90, 9, 3);
	bridge_dev_seq_ready(bd);
	wait_out(f, 2);

	unplug(f, e);
	assert_true(run_until(f, cond_gone, &one, 5000));
	assert_null(bd->usb);
	/* Gone devices are not reset or released: there is nothing there. */
	assert_int_equal(e->resets, 0);
	if (stall)
		assert_int_equal(e->clear_halts, 0);

	/* Written while unplugged, shown after the replug. */
	mock_seq_in_note(0, 0x90, 10, 5);
	bridge_dev_seq_ready(bd);

	/* Same port, new address: the same client, repainted. */
	again = plug(f, &apc_model_mk1, NULL, 2, 6, 0x81, 0x02);
	wait_present(f, 1);
	assert_ptr_equal(bridge_devs(f->bridge), bd);
	assert_null(bd->next);
	assert_int_equal(bd->plugs, 2);
	assert_int_equal(bd->usb->address, 6);
	f->emus[0] = again; /* cond_out_transfers looks at emus[0] */
	f->emus[f->n_emus - 1] = e;
	first = 0;
	wait_out(f, 1);
	summarize(again, first, again->n_out, &s);
	assert_int_equal(s.leds, APC_NUM_LEDS);
	assert_int_equal(s.value[9], 3);
	assert_int_equal(s.value[10], 5);
	assert_int_equal(s.value[0], 0);
	assert_int_equal(s.inquiries, 1);
}

static void test_unplug_mid_transfer(void **state)
{
	check_unplug_mid_transfer(*state, 0);
}

static void test_unplug_stall(void **state)
{
	check_unplug_mid_transfer(*state, 1);
}

static int cond_clear_halts(struct fixture *f, const void *arg)
{
	return f->emus[0]->clear_halts >= *(const unsigned int *)arg;
}

/* A STALL on IN, then on OUT, with the device staying: the halt is cleared
 * from the timer, input flows again, and the LED change the stalled OUT
 * transfer carried reaches the device after all (the LED state is repainted
 * whole, since what the lost transfer set is unknown). Nothing is torn down. */
static void test_stall_in_out(void **state)
{
	struct fixture *f = *state;
	struct bridge_dev *bd;
	struct out_summary s;
	unsigned int want = 1, halts = 1, first;
	struct emu *e;

	e = plug(f, &apc_model_mk1, NULL, 2, 5, 0x81, 0x02);
	start(f);
	wait_present(f, 1);
	wait_out(f, 1);
	assert_true(run_until(f, cond_in_flying, e, 2000));
	bd = bridge_devs(f->bridge);

	emu_stall_in(e);
	assert_true(run_until(f, cond_clear_halts, &halts, 3000));
	emu_send(e, 0, (const uint8_t[]){ 0x90, 7, 127 }, 3);
	assert_true(run_until(f, cond_events, &want, 3000));
	assert_int_equal(mseq.out[0].ev.type, SND_SEQ_EVENT_NOTEON);
	assert_int_equal(mseq.out[0].ev.data.note.note, 7);

	first = e->n_out;
	e->stall_out = 1;
	mock_seq_in_note(0, 0x90, 12, 5);
	bridge_dev_seq_ready(bd);
	halts = 2;
	assert_true(run_until(f, cond_clear_halts, &halts, 3000));
	wait_out(f, first + 1);
	summarize(e, first, e->n_out, &s);
	assert_int_equal(s.value[12], 5);
	assert_int_equal(s.leds, APC_NUM_LEDS);
	assert_ptr_equal(bd->usb, bridge_devs(f->bridge)->usb);
	assert_non_null(bd->usb);
	assert_int_equal(f->gone, 0);
	assert_int_equal(e->resets, 0);
	assert_true(bd->usb->stats.errors >= 2);
}

/* Malformed USB-MIDI packets from the device (which f_midi in the test
 * guest cannot send: it frames bytes itself): each is dropped and counted,
 * the good messages around them arrive in order, a sysex with a bad piece
 * is dropped whole, one too long for the decoder is dropped and counted. */
static void test_in_malformed_packets(void **state)
{
	struct fixture *f = *state;
	static const uint8_t bad[] = {
		0x09, 0x90, 0x05, 0x7f, /* good: pad 5 down */
		0x01, 0x12, 0x34, 0x56, /* CIN 1: reserved */
		0x0f, 0x05, 0x00, 0x00, /* CIN F: a lone data byte */
		0x09, 0x80, 0x05, 0x00, /* CIN 9 (note-on) carrying a note-off */
		0x09, 0x90, 0x85, 0x7f, /* a status byte where data belongs */
		0x05, 0xf7, 0x00, 0x00, /* sysex end without a start */
		0x02, 0xf8, 0x00, 0x00, /* CIN 2 with a realtime byte */
		0x19, 0x90, 0x06, 0x7f, /* cable 1: the mk1 has one */
		0x04, 0xf0, 0x47, 0x7f, /* a sysex... */
		0x04, 0x01, 0x92, 0x03, /* ...with a status byte inside */
		0x07, 0x04, 0x05, 0xf7, /* ...and its end: dropped whole */
		0x08, 0x80, 0x05, 0x00, /* good: pad 5 up */
	};
	struct bridge_dev *bd;
	unsigned int want = 2, i;
	uint8_t big[4 * 400];
	struct emu *e;
	char *text = NULL;
	size_t size = 0;
	FILE *mem;

	e = plug(f, &apc_model_mk1, NULL, 2, 5, 0x81, 0x02);
	start(f);
	wait_present(f, 1);
	bd = bridge_devs(f->bridge);
	emu_send_raw(e, bad, sizeof(bad));
	assert_true(run_until(f, cond_events, &want, 3000));
	/* Let anything else come. */
	run_until(f, cond_never, NULL, 50);
	assert_int_equal(mseq.n_out, 2);
	assert_int_equal(mseq.out[0].ev.type, SND_SEQ_EVENT_NOTEON);
	assert_int_equal(mseq.out[0].ev.data.note.note, 5);
	assert_int_equal(mseq.out[1].ev.type, SND_SEQ_EVENT_NOTEOFF);
	assert_int_equal(bd->in.stats.invalid, 8);
	/* The cable the device does not have: decoded, then dropped. */
	assert_int_equal(bd->stats.in_dropped, 1);

	/* 1,200 bytes of sysex (the decoder holds 1 KiB), then a note. */
	big[0] = 0x04;
	big[1] = 0xf0;
	big[2] = 0x47;
	big[3] = 0x7f;
	for (i = 1; i < 399; i++) {
		big[4 * i] = 0x04;
		big[4 * i + 1] = big[4 * i + 2] = big[4 * i + 3] = (uint8_t)(i & 0x7f);
	}
	big[4 * 399] = 0x05;
	big[4 * 399 + 1] = 0xf7;
	big[4 * 399 + 2] = big[4 * 399 + 3] = 0;
	emu_send_raw(e, big, sizeof(big));
	emu_send(e, 0, (const uint8_t[]){ 0x90, 9, 127 }, 3);
	want = 3;
	assert_true(run_until(f, cond_events, &want, 3000));
	run_until(f, cond_never, NULL, 50);
	assert_int_equal(mseq.n_out, 3);
	assert_int_equal(mseq.out[2].ev.data.note.note, 9);
	assert_int_equal(bd->in.stats.sysex_overflows, 1);

	/* What apcminid prints on SIGUSR1 says so. */
	mem = open_memstream(&text, &size);
	assert_non_null(mem);
	bridge_print_stats(f->bridge, mem);
	fclose(mem);
	assert_non_null(strstr(text, "from the device: 8 malformed USB-MIDI packets, 1 sysex too long"));
	free(text);
}

static void test_hotplug_arrival_and_select(void **state)
{
	struct fixture *f = *state;
	unsigned int one = 1;

	/* Only the mk2 at 1:9 is ours. */
	f->cfg.device = "1:9";
	start(f);
	assert_int_equal(apcusb_num_devices(f->usb), 0);
	plug(f, &apc_model_mk1, NULL, 2, 8, 0x81, 0x02);
	plug(f, &apc_model_mk2, "S", 3, 9, 0x81, 0x02);
	wait_present(f, 1);
	run_until(f, cond_never, NULL, 100);
	assert_int_equal(bridge_num_present(f->bridge), 1);
	assert_ptr_equal(bridge_devs(f->bridge)->model, &apc_model_mk2);
	assert_int_equal(f->emus[0]->claims, 0);
	assert_int_equal(f->emus[1]->claims, 2);
	assert_int_equal(apcusb_num_devices(f->usb), one);
}

static void test_two_devices(void **state)
{
	struct fixture *f = *state;

	plug(f, &apc_model_mk1, NULL, 2, 5, 0x81, 0x02);
	plug(f, &apc_model_mk2, "S2", 3, 6, 0x81, 0x02);
	start(f);
	wait_present(f, 2);
	assert_int_equal(f->emus[0]->claims, 2);
	assert_int_equal(f->emus[1]->claims, 2);
	/* Two devices on the bridge, one of each model, each with its own key
	 * (the serial number where there is one) and its own client. */
	{
		struct bridge_dev *a = bridge_devs(f->bridge), *b = a ? a->next : NULL;
		struct bridge_dev *mk1, *mk2;

		assert_non_null(a);
		assert_non_null(b);
		assert_null(b->next);
		mk1 = a->model == &apc_model_mk1 ? a : b;
		mk2 = a->model == &apc_model_mk1 ? b : a;
		assert_ptr_equal(mk1->model, &apc_model_mk1);
		assert_ptr_equal(mk2->model, &apc_model_mk2);
		assert_string_equal(mk2->key, "serial:S2");
		assert_int_equal(strncmp(mk1->key, "port:", 5), 0);
		assert_int_not_equal(mk1->client, mk2->client);
	}
}

static void test_out_gap(void **state)
{
	struct fixture *f = *state;
	struct out_summary s;
	unsigned int i, n = 6;
	struct emu *e;

	/* 80 LEDs + inquiry = 82 packets = 6 USB packets of 16. */
	f->cfg.out_gap_us = 3000;
	e = plug(f, &apc_model_mk1, NULL, 2, 5, 0x81, 0x02);
	start(f);
	wait_present(f, 1);
	wait_out(f, n);
	assert_int_equal(e->n_out, n);
	for (i = 0; i < e->n_out; i++) {
		assert_true(e->out[i].len <= 64);
		if (i)
			assert_true(e->out[i].time_us - e->out[i - 1].time_us >= 3000);
	}
	summarize(e, 0, e->n_out, &s);
	assert_int_equal(s.leds, APC_NUM_LEDS);
}

#endif /* HAVE_UMOCKDEV */

static int tap_skip(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	return 0;
}

int main(int argc, char **argv)
{
#ifndef HAVE_UMOCKDEV
	return tap_skip("built without umockdev");
#else
	const char *preload = getenv("LD_PRELOAD");

#if defined(__SANITIZE_ADDRESS__)
	return tap_skip("umockdev's LD_PRELOAD cannot run under AddressSanitizer");
#endif
	/* usbdevfs is emulated by umockdev's preload library: run again
	 * under its wrapper unless already there. */
	if (!preload || !strstr(preload, "libumockdev-preload")) {
		if (getenv("APC_TEST_UMOCKDEV_REEXEC"))
			return tap_skip("umockdev preload did not load");
		setenv("APC_TEST_UMOCKDEV_REEXEC", "1", 1);
		char **args = calloc((size_t)argc + 2, sizeof(*args));

		if (!args)
			return 1;
		args[0] = (char *)"umockdev-wrapper";
		memcpy(args + 1, argv, (size_t)argc * sizeof(*args));
		execvp(args[0], args);
		return tap_skip("umockdev-wrapper not found");
	}
	/* Quiet unless asked: the failure paths these tests walk log errors
	 * that are expected. apcminid's own variable raises it. */
	apclog_level = APCLOG_ERR;
	apclog_init(NULL, 0);

	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enumerate_claim_mk1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enumerate_claim_mk2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_give_back_by_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_packets_become_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_burst_nothing_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_led_changes_one_transfer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unplug_mid_transfer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unplug_stall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stall_in_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_malformed_packets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hotplug_arrival_and_select, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_two_devices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_gap, setup, teardown),
	};

	return cmocka_run_group_tests_name("usb-umockdev", tests, NULL, NULL);
#endif
}
