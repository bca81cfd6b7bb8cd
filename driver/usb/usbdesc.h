/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Finding an APC mini's MIDIStreaming interface and its endpoints in a
 * configuration descriptor. Shared by the transport and by the bench's
 * direct libusb path, so both talk to the same interface the same way.
 */
#ifndef APC_USBDESC_H
#define APC_USBDESC_H

#include <stdint.h>

#include <libusb.h>

struct usbdesc_midi {
	int iface, alt;		/* bInterfaceNumber, bAlternateSetting */
	uint8_t ep_in, ep_out;	/* endpoint addresses */
	uint8_t in_type, out_type; /* LIBUSB_TRANSFER_TYPE_BULK or _INTERRUPT */
	uint16_t in_size, out_size; /* wMaxPacketSize, packet size bits only */
	/* The OUT endpoint's cables (its embedded MIDI IN jacks, in order) and
	 * the iJack string index of each, 0 where none: what snd-usb-audio
	 * names a cable's port after. */
	unsigned int out_cables;
	uint8_t out_ijack[16];
};

/* The first alternate setting of class audio, subclass MIDIStreaming with a
 * bulk or interrupt endpoint each way (the first of each) whose packets hold
 * at least one 4-byte USB-MIDI event. 0, or -ENOENT when there is none. */
int usbdesc_find_midi(const struct libusb_config_descriptor *cfg, struct usbdesc_midi *out);

#endif
