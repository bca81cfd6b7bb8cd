/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz harness: the device model's byte input (apcdev_input), what the
 * emulator, the bench and the umockdev test run on every byte a host sends.
 * Properties: every message it delivers is well formed (a sysex F0 ... F7
 * within APCDEV_SYSEX_MAX); every reply it sends parses back (identity
 * reply as its model, the mk2 introduction reply as nine faders, the mode
 * echo as an mk2 sysex); the LED state's pending count stays consistent;
 * the grid text fits or says -ENOSPC; and the same bytes split anyhow over
 * calls give the same state as in one call.
 *
 * Input: [model and split seed] then [cable byte][length][bytes] chunks.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "apcdev.h"
#include "fuzz.h"
#include "midimsg.h"

static void check_msg(const uint8_t *msg, size_t len, size_t max)
{
	size_t i;

	FUZZ_CHECK(len > 0);
	if (msg[0] == 0xf0) {
		FUZZ_CHECK(len >= 2 && len <= max && msg[len - 1] == 0xf7);
		for (i = 1; i < len - 1; i++)
			FUZZ_CHECK(msg[i] < 0x80);
		return;
	}
	FUZZ_CHECK(msg[0] >= 0x80 && midi_msg_length(msg[0]) == len);
	for (i = 1; i < len; i++)
		FUZZ_CHECK(msg[i] < 0x80);
}

static void on_msg(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
	(void)user;
	FUZZ_CHECK(cable < APCDEV_MAX_CABLES);
	check_msg(msg, len, APCDEV_SYSEX_MAX);
}

static void on_send(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
	const struct apcdev *d = user;
	uint8_t faders[APC_NUM_FADERS];
	int cmd;

	FUZZ_CHECK(cable < APCDEV_MAX_CABLES);
	check_msg(msg, len, APCDEV_SYSEX_MAX);
	FUZZ_CHECK(msg[0] == 0xf0);
	if (apc_model_by_inquiry_reply(msg, len)) {
		FUZZ_CHECK(apc_model_by_inquiry_reply(msg, len) == d->model);
		return;
	}
	cmd = apc_mk2_sysex_cmd(msg, len);
	FUZZ_CHECK(d->model == &apc_model_mk2);
	if (cmd == APC_MK2_CMD_INTRO_REPLY) {
		FUZZ_CHECK(apc_mk2_intro_reply_parse(msg, len, faders) == APC_NUM_FADERS);
		FUZZ_CHECK(!memcmp(faders, d->faders, sizeof(faders)));
		return;
	}
	FUZZ_CHECK(cmd == APC_MK2_CMD_MODE && len == 9 && msg[7] == d->mode);
}

static void check_state(const struct apcdev *d)
{
	unsigned int i, n = 0;

	for (i = 0; i < APC_NUM_LEDS; i++) {
		const struct apc_led *w = &d->leds.want[i], *s = &d->leds.shown[i];

		if (d->leds.unknown[i] || w->value != s->value || w->behaviour != s->behaviour ||
		    w->rgb != s->rgb || memcmp(&w->c, &s->c, sizeof(w->c)))
			n++;
		FUZZ_CHECK(w->value <= 0x7f && w->behaviour <= 0x0f);
		FUZZ_CHECK(!w->rgb || (i < APC_NUM_PADS && d->model == &apc_model_mk2));
	}
	FUZZ_CHECK(apc_leds_pending(&d->leds) == n);
	FUZZ_CHECK(d->mode <= 2);
}

static struct apcdev whole, split;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t seed = fuzz_byte(&in);
	const struct apc_model *m = seed & 1 ? &apc_model_mk2 : &apc_model_mk1;
	char grid[1024];
	int g;

	apcdev_init(&whole, m, on_send, on_msg, &whole);
	apcdev_init(&split, m, on_send, on_msg, &split);
	whole.device_id = split.device_id = seed >> 1;
	for (unsigned int i = 0; i < APC_NUM_FADERS; i++)
		whole.faders[i] = split.faders[i] = (uint8_t)(i * 13);

	while (in.n) {
		uint8_t hdr = fuzz_byte(&in);
		/* Cable 2 and up: not the device's; ignored. */
		unsigned int cable = hdr & 3;
		size_t len = fuzz_byte(&in), off, step;
		const uint8_t *chunk = in.p;

		if (hdr & 0x80)
			len = len << 4 | (hdr >> 2 & 0xf); /* room for long sysex */
		if (len > in.n)
			len = in.n;
		in.p += len;
		in.n -= len;
		apcdev_input(&whole, cable, chunk, len);
		for (off = 0; off < len; off += step) {
			step = (size_t)((seed + off) % 7 + 1);
			if (step > len - off)
				step = len - off;
			apcdev_input(&split, cable, chunk + off, step);
		}
		check_state(&whole);
	}
	FUZZ_CHECK(!memcmp(&whole.rx, &split.rx, sizeof(whole.rx)));
	FUZZ_CHECK(!memcmp(&whole.leds, &split.leds, sizeof(whole.leds)));
	FUZZ_CHECK(!memcmp(whole.parser, split.parser, sizeof(whole.parser)));
	FUZZ_CHECK(whole.mode == split.mode);

	g = apcdev_grid(&whole, grid, sizeof(grid));
	FUZZ_CHECK(g > 0 && (size_t)g < sizeof(grid) && grid[g] == '\0');
	FUZZ_CHECK(strlen(grid) == (size_t)g);
	/* Too small: refused, never cut silently or overrun. */
	FUZZ_CHECK(apcdev_grid(&whole, grid, (size_t)g) == -ENOSPC);
	FUZZ_CHECK(apcdev_grid(&whole, grid, (size_t)(seed % (unsigned int)g)) == -ENOSPC);
	return 0;
}
