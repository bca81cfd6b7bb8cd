/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz harness: the model's sysex parsers and the LED state
 * (driver/core/apcmini.c). Each input is a model and a list of operations:
 * a message run through every parser (identity reply, mk2 introduction
 * reply, mk2 RGB sysex) and applied as a client's LED message, flushes
 * with a clock that moves, a replug (invalidate), queued flushes and their
 * stamps. Properties: what a parser accepts is well formed and a reply
 * built from its result parses back the same; the pending count always
 * equals the LEDs that differ; what a flush writes is valid LED messages
 * that the device model (apcdev) takes; and when everything is flushed the
 * device shows exactly what the clients wanted.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "apcdev.h"
#include "apcmini.h"
#include "fuzz.h"

static int led_same(const struct apc_led *a, const struct apc_led *b)
{
	return a->value == b->value && a->behaviour == b->behaviour && a->rgb == b->rgb &&
	       a->c.r == b->c.r && a->c.g == b->c.g && a->c.b == b->c.b;
}

static void check_pending(const struct apc_led_state *s)
{
	unsigned int i, n = 0;

	for (i = 0; i < APC_NUM_LEDS; i++)
		if (s->unknown[i] || !led_same(&s->want[i], &s->shown[i]))
			n++;
	FUZZ_CHECK(apc_leds_pending(s) == n);
}

struct rgb_seen {
	unsigned int pads;
	unsigned int pad[4096];
	struct apc_rgb c[4096];
};

static void rgb_cb(void *user, unsigned int pad, struct apc_rgb c)
{
	struct rgb_seen *r = user;

	FUZZ_CHECK(pad < APC_NUM_PADS);
	if (r->pads < 4096) {
		r->pad[r->pads] = pad;
		r->c[r->pads] = c;
	}
	r->pads++;
}

static struct rgb_seen seen, again;

/* Every parser on one message. */
static void parsers(const uint8_t *msg, size_t len)
{
	const struct apc_model *m = apc_model_by_inquiry_reply(msg, len);
	uint8_t faders[APC_NUM_FADERS], out[64];
	int n, i, cmd;

	if (m) {
		FUZZ_CHECK(len > 7 && msg[0] == 0xf0 && msg[len - 1] == 0xf7);
		FUZZ_CHECK(msg[6] == m->inquiry_model);
		n = apc_inquiry_reply(m, msg[2] & 0x7f, out, sizeof(out));
		FUZZ_CHECK(n > 0 && apc_model_by_inquiry_reply(out, (size_t)n) == m);
	}
	cmd = apc_mk2_sysex_cmd(msg, len);
	FUZZ_CHECK(cmd == -EINVAL || (cmd >= 0 && cmd <= 0x7f));
	if (apc_is_inquiry_request(msg, len))
		FUZZ_CHECK(len == 6 && cmd == -EINVAL);

	memset(faders, 0xee, sizeof(faders));
	n = apc_mk2_intro_reply_parse(msg, len, faders);
	FUZZ_CHECK(n == -EINVAL || (n >= 0 && n <= APC_NUM_FADERS));
	if (n >= 0) {
		FUZZ_CHECK(cmd == APC_MK2_CMD_INTRO_REPLY);
		for (i = 0; i < n; i++)
			FUZZ_CHECK(faders[i] <= 0x7f);
		for (; i < APC_NUM_FADERS; i++)
			faders[i] = 0;
		n = apc_mk2_intro_reply(faders, out, sizeof(out));
		FUZZ_CHECK(n > 0);
		{
			uint8_t back[APC_NUM_FADERS];

			FUZZ_CHECK(apc_mk2_intro_reply_parse(out, (size_t)n, back) == APC_NUM_FADERS);
			FUZZ_CHECK(!memcmp(back, faders, sizeof(back)));
		}
	}

	seen.pads = 0;
	n = apc_mk2_rgb_sysex_parse(msg, len, rgb_cb, &seen);
	FUZZ_CHECK(n == -EINVAL || (n >= 0 && (unsigned int)n == seen.pads));
	if (n < 0) {
		FUZZ_CHECK(seen.pads == 0); /* all or nothing */
		return;
	}
	FUZZ_CHECK(cmd == APC_MK2_CMD_RGB);
	FUZZ_CHECK(apc_mk2_rgb_sysex_parse(msg, len, NULL, NULL) == n);
	/* Each pad's colour as a one-pad sysex parses back the same. */
	for (i = 0; i < n && i < 4096; i++) {
		int k = apc_mk2_rgb_sysex(seen.pad[i], seen.pad[i], seen.c[i], out, sizeof(out));

		FUZZ_CHECK(k > 0);
		again.pads = 0;
		FUZZ_CHECK(apc_mk2_rgb_sysex_parse(out, (size_t)k, rgb_cb, &again) == 1);
		FUZZ_CHECK(again.pad[0] == seen.pad[i]);
		FUZZ_CHECK(again.c[0].r == seen.c[i].r && again.c[0].g == seen.c[i].g &&
			   again.c[0].b == seen.c[i].b);
	}
}

static struct apc_led_state leds;
static struct apcdev dev;

/* What a flush writes goes to the device model as the USB OUT path would
 * carry it: note-ons, then one RGB sysex. */
static void to_device(const uint8_t *buf, size_t n, int sysex)
{
	size_t i;

	if (sysex) {
		FUZZ_CHECK(n > 8 && buf[0] == 0xf0 && buf[n - 1] == 0xf7);
		FUZZ_CHECK(apc_mk2_rgb_sysex_parse(buf, n, NULL, NULL) > 0);
		apcdev_input(&dev, 0, buf, n);
		return;
	}
	FUZZ_CHECK(n % 3 == 0);
	for (i = 0; i < n; i += 3) {
		struct apc_led l;

		FUZZ_CHECK(apc_led_from_midi(leds.model, buf + i, 3, &l) >= 0);
	}
	apcdev_input(&dev, 0, buf, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	const struct apc_model *m = fuzz_byte(&in) & 1 ? &apc_model_mk2 : &apc_model_mk1;
	uint8_t out[1024];
	uint64_t now = 1000000000ull;
	unsigned int i, rounds;
	size_t n;

	apc_leds_init(&leds, m);
	apcdev_init(&dev, m, NULL, NULL, NULL);
	check_pending(&leds);
	while (in.n) {
		uint8_t op = fuzz_byte(&in);

		switch (op % 6) {
		case 0:
		case 5: {
			size_t len = fuzz_byte(&in);
			const uint8_t *msg = in.p;
			int r;

			if (op & 0x80)
				len = len << 2 | (fuzz_byte(&in) & 3);
			if (len > in.n)
				len = in.n;
			in.p += len;
			in.n -= len;
			parsers(msg, len);
			if (op % 6 == 5)
				break;
			r = apc_leds_apply_midi(&leds, msg, len);
			FUZZ_CHECK(r == -ENOENT || r == 0 || r == 1);
			break;
		}
		case 1:
			n = apc_leds_flush(&leds, out, fuzz_byte(&in) % 250, now);
			to_device(out, n, 0);
			break;
		case 2:
			n = apc_leds_flush_rgb(&leds, out, fuzz_byte(&in) * 4u, now);
			if (n)
				to_device(out, n, 1);
			break;
		case 3:
			if (op & 0x40) {
				/* A replug: the device powers up, nothing known. */
				apc_leds_invalidate(&leds);
				apcdev_reset(&dev);
			} else {
				n = apc_leds_flush(&leds, out, sizeof(out), APC_LEDS_QUEUED);
				to_device(out, n, 0);
			}
			break;
		case 4:
			now += (uint64_t)fuzz_byte(&in) * 50000u;
			if (op & 0x40)
				apc_leds_sent(&leds, now);
			break;
		}
		check_pending(&leds);
		FUZZ_CHECK(apc_leds_due(&leds, now) == 0 || apc_leds_pending(&leds) > 0);
	}

	/* Flush until nothing is pending, as the OUT queue does: then the
	 * device shows what was wanted. */
	apc_leds_sent(&leds, now);
	for (rounds = 0; apc_leds_pending(&leds) && rounds < 8; rounds++) {
		uint64_t due = apc_leds_due(&leds, now);

		FUZZ_CHECK(due != 0);
		if (due > now)
			now = due;
		n = apc_leds_flush(&leds, out, sizeof(out), now);
		to_device(out, n, 0);
		n = apc_leds_flush_rgb(&leds, out, sizeof(out), now);
		if (n)
			to_device(out, n, 1);
		check_pending(&leds);
	}
	FUZZ_CHECK(apc_leds_pending(&leds) == 0);
	for (i = 0; i < APC_NUM_LEDS; i++)
		FUZZ_CHECK(led_same(&dev.leds.want[i], &leds.want[i]));
	FUZZ_CHECK(apcdev_grid(&dev, (char *)out, sizeof(out)) > 0);
	return 0;
}
