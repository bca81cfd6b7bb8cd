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

/* USB MIDI 1.0 class-specific descriptors. */
#define USBDESC_CS_INTERFACE 0x24
#define USBDESC_CS_ENDPOINT 0x25
#define USBDESC_MS_GENERAL 0x01
#define USBDESC_MIDI_IN_JACK 0x02

/* iJack of the MIDI IN jack `id` among an interface's class-specific
 * descriptors (bLength, 0x24, 0x02, bJackType, bJackID, iJack), 0 if none. */
static uint8_t usbdesc_in_jack_string(const unsigned char *p, int len, uint8_t id)
{
	int off = 0;

	while (off + 2 <= len && p[off] >= 2 && off + p[off] <= len) {
		if (p[off] >= 6 && p[off + 1] == USBDESC_CS_INTERFACE &&
		    p[off + 2] == USBDESC_MIDI_IN_JACK && p[off + 4] == id)
			return p[off + 5];
		off += p[off];
	}
	return 0;
}

/* The OUT endpoint's MS_GENERAL descriptor (bLength, 0x25, 0x01,
 * bNumEmbMIDIJack, baAssocJackID...): one cable per associated jack. */
static void usbdesc_out_jacks(const struct libusb_interface_descriptor *alt,
			      const struct libusb_endpoint_descriptor *ep, struct usbdesc_midi *m)
{
	const unsigned char *p = ep->extra;
	int off = 0, len = ep->extra_length;
	unsigned int j, n;

	while (off + 4 <= len && p[off] >= 4 && off + p[off] <= len) {
		if (p[off + 1] == USBDESC_CS_ENDPOINT && p[off + 2] == USBDESC_MS_GENERAL) {
			n = p[off + 3];
			if (n > 16)
				n = 16;
			if (4 + n > p[off])
				n = (unsigned int)p[off] - 4;
			for (j = 0; j < n; j++)
				m->out_ijack[j] =
					usbdesc_in_jack_string(alt->extra, alt->extra_length,
							       p[off + 4 + j]);
			m->out_cables = n;
			return;
		}
		off += p[off];
	}
}

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
			usbdesc_out_jacks(alt, ep, m);
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
