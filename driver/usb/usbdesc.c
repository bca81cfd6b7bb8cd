/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* MIDIStreaming interface lookup in a configuration descriptor; pure
 * descriptor walking, called from whichever thread opens the device. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "usbdesc.h"

/* USB Audio Class 1.0: the MIDIStreaming interface subclass. */
#define USBDESC_SUBCLASS_MIDISTREAMING 3

/* Only bits 10..0 of wMaxPacketSize are the size; the bits above count
 * extra transactions per microframe on high-speed periodic endpoints. */
#define USBDESC_PACKET_SIZE_MASK 0x7ff

static void usbdesc_take_endpoints(const struct libusb_interface_descriptor *alt,
				   struct usbdesc_midi *m)
{
	const struct libusb_endpoint_descriptor *ep;
	uint8_t type;
	int e;

	for (e = 0; e < alt->bNumEndpoints; e++) {
		ep = &alt->endpoint[e];
		type = ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK;
		if (type != LIBUSB_TRANSFER_TYPE_BULK && type != LIBUSB_TRANSFER_TYPE_INTERRUPT)
			continue;
		if ((ep->bEndpointAddress & LIBUSB_ENDPOINT_DIR_MASK) == LIBUSB_ENDPOINT_IN) {
			if (m->ep_in)
				continue;
			m->ep_in = ep->bEndpointAddress;
			m->in_type = type;
			m->in_size = ep->wMaxPacketSize & USBDESC_PACKET_SIZE_MASK;
		} else {
			if (m->ep_out)
				continue;
			m->ep_out = ep->bEndpointAddress;
			m->out_type = type;
			m->out_size = ep->wMaxPacketSize & USBDESC_PACKET_SIZE_MASK;
		}
	}
}

int usbdesc_find_midi(const struct libusb_config_descriptor *cfg, struct usbdesc_midi *out)
{
	const struct libusb_interface_descriptor *alt;
	struct usbdesc_midi m;
	int i, a;

	for (i = 0; i < cfg->bNumInterfaces; i++) {
		for (a = 0; a < cfg->interface[i].num_altsetting; a++) {
			alt = &cfg->interface[i].altsetting[a];
			if (alt->bInterfaceClass != LIBUSB_CLASS_AUDIO ||
			    alt->bInterfaceSubClass != USBDESC_SUBCLASS_MIDISTREAMING)
				continue;
			memset(&m, 0, sizeof(m));
			usbdesc_take_endpoints(alt, &m);
			if (m.ep_in && m.ep_out && m.in_size >= 4 && m.out_size >= 4) {
				m.iface = alt->bInterfaceNumber;
				m.alt = alt->bAlternateSetting;
				*out = m;
				return 0;
			}
		}
	}
	return -ENOENT;
}
