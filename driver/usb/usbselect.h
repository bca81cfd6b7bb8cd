/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device selection for apcminid's --device and --list: what a selection
 * string means (parsed without touching USB, so it is unit-tested), the APC
 * minis present in the order --list prints and --device counts them, and
 * whether a device is the one asked for.
 */
#ifndef APC_USBSELECT_H
#define APC_USBSELECT_H

#include <stdio.h>

struct apc_model;
struct libusb_context;
struct libusb_device;

enum usbsel_match {
	USBSEL_MATCH_ANY,
	USBSEL_MATCH_BUSADDR,
	USBSEL_MATCH_PATH,
	USBSEL_MATCH_INDEX,
	USBSEL_MATCH_MODEL,
	USBSEL_MATCH_SERIAL,
};

struct usbsel_spec {
	enum usbsel_match type;
	unsigned int bus, addr, index;
	const struct apc_model *model;
	const char *text;
};

/* Parse a --device string: NULL or "" for any; "BUS:ADDRESS"; an index as
 * --list prints it; a port path "BUS-PORT[.PORT...]" or a sysfs device path
 * ending in one (as the systemd unit passes it); a model ("mk1", "mk2");
 * anything else is a serial number. `sp->text` points into `s`. */
void usbsel_parse(struct usbsel_spec *sp, const char *s);

/* The model of a device by its VID/PID, NULL if it is no APC mini. */
const struct apc_model *usbsel_model_of(struct libusb_device *dev);
/* "BUS-PORT.PORT...". */
void usbsel_port_path(struct libusb_device *dev, char *out, size_t outsz);
/* The APC minis present, sorted by bus and address. Returns the count (the
 * list in *out, referenced; free with usbsel_put_list) or -errno. */
int usbsel_get_list(struct libusb_context *ctx, struct libusb_device ***out);
void usbsel_put_list(struct libusb_device **list, int n);
/* Whether `dev` is the one asked for, as far as can be told before opening
 * it: the serial number is checked after the open. */
int usbsel_match_early(struct libusb_context *ctx, const struct usbsel_spec *sp,
		       struct libusb_device *dev);
/* Print the APC minis present, one a line, in the order --device counts
 * them. Returns how many were found or -errno. */
int usbsel_list(FILE *f);

#endif
