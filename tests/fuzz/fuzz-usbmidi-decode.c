/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz harness: the USB-MIDI packet decoder (usbmidi_decode) on any bytes a
 * device could send. Properties: every delivered message is a well-formed
 * MIDI message of its length (a sysex F0 ... F7 within USBMIDI_SYSEX_MAX,
 * data bytes only in between), the counts add up, and decoding the same
 * packets in pieces (as they come in several transfers) delivers the same
 * messages as decoding them at once.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "midimsg.h"
#include "usbmidi.h"

/* Every message in order, as cable, length, bytes: enough to compare runs. */
struct trace {
	uint8_t buf[1 << 16];
	size_t len;
	size_t msgs;
	int full;
};

static void check_msg(unsigned int cable, const uint8_t *msg, size_t len)
{
	size_t i;

	FUZZ_CHECK(cable < USBMIDI_MAX_CABLES);
	FUZZ_CHECK(len > 0);
	if (msg[0] == 0xf0) {
		FUZZ_CHECK(len >= 2 && len <= USBMIDI_SYSEX_MAX);
		FUZZ_CHECK(msg[len - 1] == 0xf7);
		for (i = 1; i < len - 1; i++)
			FUZZ_CHECK(msg[i] < 0x80);
		return;
	}
	FUZZ_CHECK(msg[0] >= 0x80);
	FUZZ_CHECK(midi_msg_length(msg[0]) == len);
	for (i = 1; i < len; i++)
		FUZZ_CHECK(msg[i] < 0x80);
}

static void on_msg(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
	struct trace *t = user;

	check_msg(cable, msg, len);
	t->msgs++;
	if (t->full || t->len + 3 + len > sizeof(t->buf)) {
		t->full = 1;
		return;
	}
	t->buf[t->len++] = (uint8_t)cable;
	t->buf[t->len++] = (uint8_t)(len >> 8);
	t->buf[t->len++] = (uint8_t)len;
	memcpy(t->buf + t->len, msg, len);
	t->len += len;
}

static struct usbmidi_decoder dec_whole, dec_split;
static struct trace whole, split;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t delivered, off, n, pkts;
	const uint8_t *pkt;
	uint8_t cut;

	if (size < 1)
		return 0;
	/* The first byte says where the split run cuts the packets. */
	cut = data[0];
	data++;
	size--;

	usbmidi_decoder_init(&dec_whole);
	memset(&whole, 0, sizeof(whole));
	delivered = usbmidi_decode(&dec_whole, data, size, on_msg, &whole);
	FUZZ_CHECK(delivered == whole.msgs);
	FUZZ_CHECK(dec_whole.stats.messages == delivered);
	pkts = size / USBMIDI_PACKET_SIZE;
	FUZZ_CHECK(dec_whole.stats.packets + dec_whole.stats.padding == pkts);
	FUZZ_CHECK(dec_whole.stats.invalid <= pkts + 1);
	for (off = 0; off + 4 <= size; off += 4)
		if (data[off] == 0)
			pkts--;
	FUZZ_CHECK(dec_whole.stats.packets == pkts);

	/* The same packets in pieces of 1 to 8 packets (a partial packet only
	 * at the end, as usbmidi_decode takes it). */
	usbmidi_decoder_init(&dec_split);
	memset(&split, 0, sizeof(split));
	delivered = 0;
	for (off = 0, pkt = data; off < size; off += n) {
		n = (size_t)(((cut >> (off / 4 % 8)) & 7) + 1) * USBMIDI_PACKET_SIZE;
		if (n > size - off)
			n = size - off;
		delivered += usbmidi_decode(&dec_split, pkt + off, n, on_msg, &split);
	}
	FUZZ_CHECK(delivered == split.msgs);
	FUZZ_CHECK(split.msgs == whole.msgs && split.len == whole.len);
	FUZZ_CHECK(!memcmp(split.buf, whole.buf, whole.len));
	FUZZ_CHECK(!memcmp(&dec_split.stats, &dec_whole.stats, sizeof(dec_whole.stats)));
	return 0;
}
