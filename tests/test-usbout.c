/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the OUT queue (driver/core/usbout.c): order, LED merging,
 * the ring's wrap-around and its full case. Single-threaded test program. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "apcmini.h"
#include "usbmidi.h"
#include "usbout.h"

/* A sysex of `len` bytes whose payload counts from `seed`. */
static size_t make_sysex(uint8_t *out, size_t len, unsigned int seed)
{
	size_t i;

	out[0] = 0xf0;
	for (i = 1; i + 1 < len; i++)
		out[i] = (uint8_t)((seed + i) & 0x7f);
	out[len - 1] = 0xf7;
	return len;
}

struct sink {
	uint8_t msg[USBOUT_RING_SIZE];
	size_t len;
	unsigned int count;
};

static void sink_msg(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
	struct sink *s = user;

	(void)cable;
	assert_true(len <= sizeof(s->msg));
	memcpy(s->msg, msg, len);
	s->len = len;
	s->count++;
}

/* Fill transfers of `cap` bytes until the queue is empty; decode them. */
static void drain(struct usbout *q, size_t cap, struct usbmidi_decoder *dec, struct sink *s)
{
	uint8_t buf[512];
	size_t n;

	assert_true(cap <= sizeof(buf));
	while ((n = usbout_fill(q, buf, cap, 0)) > 0) {
		assert_int_equal(n % USBMIDI_PACKET_SIZE, 0);
		assert_true(n <= cap);
		usbmidi_decode(dec, buf, n, sink_msg, s);
	}
	assert_false(usbout_pending(q));
}

/* Messages that straddle the end of the ring come out whole, in order,
 * whatever the transfer size: the head is walked round the ring several
 * times by messages of a size that does not divide it. */
static void test_ring_wraps(void **state)
{
	static const size_t caps[] = { 4, 64, 512 };
	struct usbout q;
	struct usbmidi_decoder dec;
	struct sink s;
	uint8_t msg[301];
	unsigned int i, c, wraps = 0;
	size_t last_head = 0;

	(void)state;
	for (c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
		usbout_init(&q, NULL);
		usbmidi_decoder_init(&dec);
		for (i = 0; i < 200; i++) {
			memset(&s, 0, sizeof(s));
			make_sysex(msg, sizeof(msg), i);
			/* Two messages queued at once, so the second often
			 * starts before the end of the ring and ends after. */
			assert_int_equal(usbout_push(&q, 0, msg, sizeof(msg)), 0);
			assert_int_equal(usbout_push(&q, 0, msg, sizeof(msg)), 0);
			drain(&q, caps[c], &dec, &s);
			assert_int_equal(s.count, 2);
			assert_int_equal(s.len, sizeof(msg));
			assert_memory_equal(s.msg, msg, sizeof(msg));
			if (q.head < last_head)
				wraps++;
			last_head = q.head;
		}
		assert_true(wraps >= 2 * (c + 1));
	}
}

/* A full ring refuses (and counts) what does not fit, keeps what it has. */
static void test_ring_full(void **state)
{
	struct usbout q;
	struct usbmidi_decoder dec;
	struct sink s = { 0 };
	uint8_t msg[255];
	unsigned int pushed = 0;
	int r;

	(void)state;
	usbout_init(&q, NULL);
	usbmidi_decoder_init(&dec);
	make_sysex(msg, sizeof(msg), 7);
	while ((r = usbout_push(&q, 1, msg, sizeof(msg))) == 0)
		pushed++;
	assert_int_equal(r, -ENOSPC);
	assert_int_equal(q.stats.dropped, 1);
	assert_int_equal(q.stats.messages, pushed);
	/* 255 bytes = 85 packets = 340 bytes a message. */
	assert_int_equal(pushed, USBOUT_RING_SIZE / 340);
	drain(&q, 64, &dec, &s);
	assert_int_equal(s.count, pushed);
	assert_memory_equal(s.msg, msg, sizeof(msg));
	assert_int_equal(usbout_push(&q, 0, msg, 0), -EINVAL);
}

/* LED changes made before an ordered message go out before it; those made
 * after merge (latest wins) behind it. */
static void test_leds_order(void **state)
{
	static const uint8_t sysex[] = { 0xf0, 0x47, 0x7f, 0x4f, 0x62, 0x00, 0x01, 0x00, 0xf7 };
	struct apc_led_state leds;
	struct usbout q;
	uint8_t buf[512], note[3] = { 0x96, 5, 3 };
	size_t n;

	(void)state;
	apc_leds_init(&leds, &apc_model_mk2);
	usbout_init(&q, &leds);
	/* The first flush writes all 80 (the power-up state is unknown). */
	assert_int_equal(usbout_fill(&q, buf, sizeof(buf), 0), 80 * USBMIDI_PACKET_SIZE);
	assert_int_equal(usbout_fill(&q, buf, sizeof(buf), 0), 0);
	assert_int_equal(apc_leds_apply_midi(&leds, note, 3), 1);
	assert_int_equal(usbout_push(&q, 0, sysex, sizeof(sysex)), 0);
	note[2] = 4;
	assert_int_equal(apc_leds_apply_midi(&leds, note, 3), 1);
	note[2] = 5;
	assert_int_equal(apc_leds_apply_midi(&leds, note, 3), 1);
	n = usbout_fill(&q, buf, sizeof(buf), 0);
	/* LED (1 packet), sysex (3 packets), LED with its latest value. */
	assert_int_equal(n, 5 * USBMIDI_PACKET_SIZE);
	assert_int_equal(buf[0], 0x09);
	assert_int_equal(buf[1], 0x96);
	assert_int_equal(buf[3], 3);
	assert_int_equal(buf[4], 0x04);
	assert_int_equal(buf[16], 0x09);
	assert_int_equal(buf[19], 5);
	assert_false(usbout_pending(&q));
}

/* An mk2 RGB colour for a pad that was just lit waits for the firmware's
 * gap: the transfer that sets the pad solid goes at once, the colour's only
 * when usbout_due() says, and a kick before that sends other LEDs without
 * it. A note-on queued in the ring counts from when the ring drains. */
static void test_rgb_gap(void **state)
{
	static const uint8_t mode[] = { 0xf0, 0x47, 0x7f, 0x4f, 0x62, 0x00, 0x01, 0x00, 0xf7 };
	const uint64_t ms = 1000000;
	const struct apc_rgb c = { 255, 0, 128 };
	uint8_t rgb[64], blink[3] = { 0x9b, 9, 5 }, other[3] = { 0x96, 20, 5 };
	struct apc_led_state leds;
	struct usbmidi_decoder dec;
	struct sink sink = { .len = 0 };
	struct usbout q;
	uint8_t buf[512];
	int len;

	(void)state;
	apc_leds_init(&leds, &apc_model_mk2);
	usbout_init(&q, &leds);
	assert_int_equal(usbout_fill(&q, buf, sizeof(buf), 0), 80 * USBMIDI_PACKET_SIZE);
	assert_int_equal(usbout_due(&q, ms), 0);
	len = apc_mk2_rgb_sysex(9, 9, c, rgb, sizeof(rgb));
	assert_true(len > 0);

	/* Blinking, then coloured: solid off now, the colour 2 ms later. */
	apc_leds_apply_midi(&leds, blink, 3);
	assert_int_equal(usbout_fill(&q, buf, sizeof(buf), ms), USBMIDI_PACKET_SIZE);
	assert_int_equal(apc_leds_apply_midi(&leds, rgb, (size_t)len), 1);
	assert_int_equal(usbout_due(&q, 2 * ms), 2 * ms);
	assert_int_equal(usbout_fill(&q, buf, sizeof(buf), 2 * ms), USBMIDI_PACKET_SIZE);
	assert_int_equal(buf[1], 0x96);
	assert_int_equal(buf[3], 0);
	assert_true(usbout_pending(&q));
	assert_int_equal(usbout_due(&q, 2 * ms), 4 * ms);
	/* Another LED meanwhile goes alone. */
	apc_leds_apply_midi(&leds, other, 3);
	assert_int_equal(usbout_due(&q, 3 * ms), 3 * ms);
	assert_int_equal(usbout_fill(&q, buf, sizeof(buf), 3 * ms), USBMIDI_PACKET_SIZE);
	assert_int_equal(buf[2], 20);
	assert_int_equal(usbout_fill(&q, buf, sizeof(buf), 4 * ms - 1), 0);
	usbmidi_decoder_init(&dec);
	usbmidi_decode(&dec, buf, usbout_fill(&q, buf, sizeof(buf), 4 * ms), sink_msg, &sink);
	assert_int_equal(sink.count, 1);
	assert_int_equal(sink.len, (size_t)len);
	assert_memory_equal(sink.msg, rgb, (size_t)len);
	assert_false(usbout_pending(&q));

	/* Blinking again, coloured, then an ordered message: the solid off is
	 * queued before it, and the colour counts from the drain. */
	apc_leds_apply_midi(&leds, blink, 3);
	assert_int_equal(usbout_fill(&q, buf, sizeof(buf), 10 * ms), USBMIDI_PACKET_SIZE);
	apc_leds_apply_midi(&leds, rgb, (size_t)len);
	assert_int_equal(usbout_push(&q, 0, mode, sizeof(mode)), 0);
	assert_int_equal(usbout_fill(&q, buf, sizeof(buf), 20 * ms), 4 * USBMIDI_PACKET_SIZE);
	assert_int_equal(buf[1], 0x96);
	assert_int_equal(usbout_due(&q, 20 * ms), 22 * ms);
	assert_int_equal(usbout_fill(&q, buf, sizeof(buf), 21 * ms), 0);
	assert_true(usbout_fill(&q, buf, sizeof(buf), 22 * ms) > 0);
	assert_false(usbout_pending(&q));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_wraps),
		cmocka_unit_test(test_ring_full),
		cmocka_unit_test(test_leds_order),
		cmocka_unit_test(test_rgb_gap),
	};

	return cmocka_run_group_tests_name("usbout", tests, NULL, NULL);
}
