/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which APC minis there are and which one --device means: the selection
 * string, the sorted list --list prints and --device counts, port paths.
 * Runs in the main thread (listing) or the transport's loop thread. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libusb.h>

#include "apcmini.h"
#include "apcusb.h"
#include "usbselect.h"

static int usbsel_all_digits(const char *s, size_t n)
{
	size_t i;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

void usbsel_parse(struct usbsel_spec *sp, const char *s)
{
	const char *colon;

	memset(sp, 0, sizeof(*sp));
	sp->text = s;
	if (!s || !*s) {
		sp->type = USBSEL_MATCH_ANY;
		return;
	}
	colon = strchr(s, ':');
	if (colon && usbsel_all_digits(s, (size_t)(colon - s)) &&
	    usbsel_all_digits(colon + 1, strlen(colon + 1))) {
		sp->type = USBSEL_MATCH_BUSADDR;
		sp->bus = (unsigned int)strtoul(s, NULL, 10);
		sp->addr = (unsigned int)strtoul(colon + 1, NULL, 10);
		return;
	}
	if (usbsel_all_digits(s, strlen(s))) {
		sp->type = USBSEL_MATCH_INDEX;
		sp->index = (unsigned int)strtoul(s, NULL, 10);
		return;
	}
	/* A sysfs device path, as the systemd unit passes it: its last
	 * component is the port path. */
	if (s[0] == '/' && strrchr(s, '/')[1]) {
		sp->text = strrchr(s, '/') + 1;
		sp->type = USBSEL_MATCH_PATH;
		return;
	}
	if (strchr(s, '-') && strspn(s, "0123456789-.") == strlen(s)) {
		sp->type = USBSEL_MATCH_PATH;
		return;
	}
	sp->model = apc_model_by_name(s);
	sp->type = sp->model ? USBSEL_MATCH_MODEL : USBSEL_MATCH_SERIAL;
}

const struct apc_model *usbsel_model_of(libusb_device *dev)
{
	struct libusb_device_descriptor desc;

	if (libusb_get_device_descriptor(dev, &desc) < 0)
		return NULL;
	return apc_model_by_usb_id(desc.idVendor, desc.idProduct);
}

void usbsel_port_path(libusb_device *dev, char *out, size_t outsz)
{
	uint8_t ports[8];
	int n, i;
	size_t len;

	len = (size_t)snprintf(out, outsz, "%u", libusb_get_bus_number(dev));
	n = libusb_get_port_numbers(dev, ports, sizeof(ports));
	for (i = 0; i < n && len < outsz; i++)
		len += (size_t)snprintf(out + len, outsz - len, "%c%u", i ? '.' : '-', ports[i]);
}

static int usbsel_cmp_dev(const void *a, const void *b)
{
	libusb_device *da = *(libusb_device *const *)a;
	libusb_device *db = *(libusb_device *const *)b;
	int ka = libusb_get_bus_number(da) * 256 + libusb_get_device_address(da);
	int kb = libusb_get_bus_number(db) * 256 + libusb_get_device_address(db);

	return ka - kb;
}

/* The APC minis present, sorted by bus and address: the order --list prints
 * and --device counts. Returns the count (list in *out, referenced, free with
 * usbsel_put_list) or -errno. */
int usbsel_get_list(libusb_context *ctx, libusb_device ***out)
{
	libusb_device **all, **apc;
	ssize_t n, i;
	int k = 0;

	n = libusb_get_device_list(ctx, &all);
	if (n < 0)
		return apcusb_errno((int)n);
	apc = calloc((size_t)n + 1, sizeof(*apc));
	if (!apc) {
		libusb_free_device_list(all, 1);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		if (usbsel_model_of(all[i]))
			apc[k++] = libusb_ref_device(all[i]);
	libusb_free_device_list(all, 1);
	qsort(apc, (size_t)k, sizeof(*apc), usbsel_cmp_dev);
	*out = apc;
	return k;
}

void usbsel_put_list(libusb_device **list, int n)
{
	int i;

	for (i = 0; i < n; i++)
		libusb_unref_device(list[i]);
	free(list);
}

/* Whether `dev` is the one --device asked for, as far as can be told
 * before opening it; the serial is checked after the open. */
int usbsel_match_early(libusb_context *ctx, const struct usbsel_spec *sp, libusb_device *dev)
{
	libusb_device **list;
	char path[32];
	int n, i, r = 0;

	switch (sp->type) {
	case USBSEL_MATCH_ANY:
	case USBSEL_MATCH_SERIAL:
		return 1;
	case USBSEL_MATCH_BUSADDR:
		return libusb_get_bus_number(dev) == sp->bus &&
		       libusb_get_device_address(dev) == sp->addr;
	case USBSEL_MATCH_PATH:
		usbsel_port_path(dev, path, sizeof(path));
		return !strcmp(path, sp->text);
	case USBSEL_MATCH_MODEL:
		return usbsel_model_of(dev) == sp->model;
	case USBSEL_MATCH_INDEX:
		n = usbsel_get_list(ctx, &list);
		if (n < 0)
			return 0;
		for (i = 0; i < n; i++)
			if (list[i] == dev)
				r = (unsigned int)i == sp->index;
		usbsel_put_list(list, n);
		return r;
	}
	return 0;
}


int usbsel_list(FILE *f)
{
	struct libusb_device_descriptor desc;
	libusb_context *ctx;
	libusb_device **list;
	libusb_device_handle *h;
	unsigned char serial[64];
	char path[32];
	int r, n, i;

	r = apcusb_errno(libusb_init(&ctx));
	if (r < 0)
		return r;
	n = usbsel_get_list(ctx, &list);
	if (n < 0) {
		r = n;
		goto err_exit;
	}
	for (i = 0; i < n; i++) {
		const struct apc_model *m = usbsel_model_of(list[i]);

		strcpy((char *)serial, "-");
		if (libusb_get_device_descriptor(list[i], &desc) == 0 && desc.iSerialNumber &&
		    libusb_open(list[i], &h) == 0) {
			r = libusb_get_string_descriptor_ascii(h, desc.iSerialNumber, serial,
							       sizeof(serial) - 1);
			serial[r > 0 ? r : 0] = '\0';
			if (r <= 0)
				strcpy((char *)serial, "?");
			libusb_close(h);
		}
		usbsel_port_path(list[i], path, sizeof(path));
		fprintf(f, "%d: %-13s %03u:%03u  port %-10s serial %s\n", i, m->name,
			libusb_get_bus_number(list[i]), libusb_get_device_address(list[i]), path,
			(char *)serial);
	}
	usbsel_put_list(list, n);
	r = n;
err_exit:
	libusb_exit(ctx);
	return r;
}
