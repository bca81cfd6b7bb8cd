/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * USB-MIDI 1.0 event packet codec (USB Device Class Definition for MIDI
 * Devices 1.0, section 4). Pure: no I/O, no allocation, no libusb or ALSA.
 *
 * A packet is 4 bytes: (cable << 4) | CIN, then up to 3 MIDI bytes. The
 * decoder turns a buffer of packets into complete MIDI messages per cable
 * (sysex reassembled into a bounded per-cable buffer); the encoder turns a
 * MIDI byte stream per cable into packets, like the kernel's
 * snd_usbmidi_transmit_byte() does.
 */
#ifndef APC_USBMIDI_H
#define APC_USBMIDI_H

#include <stddef.h>
#include <stdint.h>

#define USBMIDI_PACKET_SIZE 4
#define USBMIDI_MAX_CABLES 16

/* Sysex bytes kept per cable, F0 and F7 included. The APC mini's longest
 * message is an mk2 RGB sysex covering all 64 pads one by one (64 * 8 + 8
 * bytes); 1 KiB leaves room for anything a controller of this size sends. */
#define USBMIDI_SYSEX_MAX 1024

/* Called once per complete MIDI message: a channel or system common message
 * (1-3 bytes), a realtime byte, or a whole sysex (F0 ... F7). `msg` is valid
 * only during the call. */
typedef void (*usbmidi_msg_fn)(void *user, unsigned int cable, const uint8_t *msg, size_t len);

struct usbmidi_decoder_cable {
	uint8_t sysex[USBMIDI_SYSEX_MAX];
	size_t sysex_len;
	int in_sysex;		/* an F0 was seen and no end yet */
	int sysex_overflowed;	/* current sysex is being dropped */
};

struct usbmidi_decoder_stats {
	uint64_t packets;	  /* non-padding packets seen */
	uint64_t padding;	  /* all-zero first byte, skipped */
	uint64_t messages;	  /* messages delivered */
	uint64_t invalid;	  /* packets dropped as malformed */
	uint64_t sysex_overflows; /* sysex messages dropped for length */
	uint64_t sysex_truncated; /* sysex interrupted by a non-sysex packet */
};

struct usbmidi_decoder {
	struct usbmidi_decoder_cable cable[USBMIDI_MAX_CABLES];
	struct usbmidi_decoder_stats stats;
};

void usbmidi_decoder_init(struct usbmidi_decoder *d);

/* Decode `len` bytes (a multiple of 4; a trailing partial packet counts as
 * invalid) and call `fn` for every complete message, in order. Returns the
 * number of messages delivered. Never fails: errors go to d->stats. */
size_t usbmidi_decode(struct usbmidi_decoder *d, const uint8_t *buf, size_t len,
		      usbmidi_msg_fn fn, void *user);

/* Number of MIDI bytes that follow the header for a code index number. */
unsigned int usbmidi_cin_length(unsigned int cin);

/* Byte-stream encoder, one state per cable: running status is expanded,
 * realtime bytes pass straight through (also inside sysex), sysex of any
 * length is cut into CIN 4 packets and closed with CIN 5, 6 or 7. */
struct usbmidi_encoder_cable {
	uint8_t buf[3];
	uint8_t len;	     /* bytes pending in buf */
	uint8_t need;	     /* bytes the current message needs, 0 = unknown */
	uint8_t running;     /* running status, 0 = none */
	int in_sysex;
};

struct usbmidi_encoder {
	struct usbmidi_encoder_cable cable[USBMIDI_MAX_CABLES];
	uint64_t dropped;    /* stray data bytes with no status, dropped */
};

void usbmidi_encoder_init(struct usbmidi_encoder *e);

/* Feed MIDI bytes for one cable; complete packets are appended to `out`.
 * Returns the number of bytes written to `out` (a multiple of 4), or
 * -ENOSPC if `out` cannot hold the packets these bytes complete (nothing is
 * written then and the encoder state is unchanged), or -EINVAL for a cable
 * above 15. A message split over calls (a sysex in chunks) is fine.
 * `out` needs at most USBMIDI_ENCODE_MAX(len) bytes: each packet is
 * completed by one input byte, and realtime bytes or running-status program
 * changes do complete a packet each (4 * (len + 2) / 3 + 4 holds for sysex
 * and three-byte messages only). */
#define USBMIDI_ENCODE_MAX(len) ((len) * USBMIDI_PACKET_SIZE)
int usbmidi_encode(struct usbmidi_encoder *e, unsigned int cable, const uint8_t *midi, size_t len,
		   uint8_t *out, size_t outsz);

/* Stateless helper for one complete message (channel, system common,
 * realtime, or a whole F0..F7 sysex): same return convention. */
int usbmidi_encode_msg(unsigned int cable, const uint8_t *msg, size_t len, uint8_t *out,
		       size_t outsz);

/* ---- names, as snd-usb-audio gives them ---- */

/* The kernel keeps both names in 32-byte buffers. */
#define USBMIDI_NAME_MAX 32

/* The card's short name, which is also its sequencer client's name: the
 * product string without surrounding blanks, or "USB Device 0xVVVV:0xPPPP"
 * when the device has none (`product` NULL or blank). */
void usbmidi_card_name(char out[USBMIDI_NAME_MAX], const char *product, uint16_t vid,
		       uint16_t pid);
/* The name of port (cable) `number`, counted from 0: "<card> MIDI <n+1>"
 * without a jack name; "<card> <jack>" with one (the iJack string of the
 * jack the cable is associated with); the jack name alone when it already
 * starts with the card's name. */
void usbmidi_port_name(char out[USBMIDI_NAME_MAX], const char *card, const char *jack,
		       unsigned int number);

#endif
