/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcbench on apcminid's play port: the sent keys through the default play
 * mapping, and the pads left pressed released before each run. inject on
 * the sender thread; prepare on the main thread between runs (after the
 * previous sender was joined, before the next one starts). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apclog.h"
#include "apcmap.h"
#include "apcmini.h"
#include "bench-plan.h"
#include "bench-play.h"
#include "bench-stats.h"
#include "clock.h"

/* the most messages one hand-over carries (bench_bufs: 3 * 4096 bytes) */
#define PLAY_MAX_KEYS 4096
#define PREPARE_WAIT_NS 500000000ull

struct bench_play {
	const struct apc_model *model;
	struct bench_target inner;
	/* the default mapping as apcmap makes it, looked up, not re-derived */
	uint8_t note[APC_NUM_PADS];		/* APCMAP_NONE: silent */
	uint8_t channel, velocity;
	uint8_t fader_cc[APC_NUM_FADERS];	/* APCMAP_NONE: sends nothing */
	uint8_t fader_channel;
	/* pads whose last message handed over was a press */
	uint8_t held[APC_NUM_PADS];
	uint32_t keys[PLAY_MAX_KEYS];
	struct bench_log scratch_tx, scratch_rx;
};

uint32_t bench_play_key(const struct bench_play *p, const uint8_t msg[3])
{
	struct apc_control c;

	if (apc_control_from_midi(p->model, msg, 3, &c) < 0)
		return 0;
	switch (c.type) {
	case APC_CTL_PAD:
		if (c.index >= APC_NUM_PADS || p->note[c.index] == APCMAP_NONE)
			return 0;
		/* apcmap: note-on at the fixed velocity, note-off with 0 */
		return c.value ? bench_key((uint8_t)(0x90 | p->channel), p->note[c.index], p->velocity)
			       : bench_key((uint8_t)(0x80 | p->channel), p->note[c.index], 0);
	case APC_CTL_FADER:
		if (c.index >= APC_NUM_FADERS || p->fader_cc[c.index] == APCMAP_NONE)
			return 0;
		return bench_key((uint8_t)(0xb0 | p->fader_channel), p->fader_cc[c.index], c.value);
	default:
		return 0;
	}
}

static int play_inject(void *ctx, const uint8_t *bytes, size_t len, size_t unit,
		       const uint32_t *keys, struct bench_log *tx)
{
	struct bench_play *p = ctx;
	size_t n = unit ? len / unit : 0, i;
	struct apc_control c;
	int k;

	if (unit != 3 || n > PLAY_MAX_KEYS)
		return p->inner.inject(p->inner.inject_ctx, bytes, len, unit, keys, tx);
	for (i = 0; i < n; i++)
		p->keys[i] = bench_play_key(p, bytes + 3 * i);
	k = p->inner.inject(p->inner.inject_ctx, bytes, len, unit, p->keys, tx);
	for (i = 0; k > 0 && i < (size_t)k; i++)
		if (apc_control_from_midi(p->model, bytes + 3 * i, 3, &c) == 0 &&
		    c.type == APC_CTL_PAD && c.index < APC_NUM_PADS)
			p->held[c.index] = c.value > 0;
	return k;
}

/* Releases what the previous run left pressed and takes the note-offs the
 * mapping plays for them off the port, before the run's logs start. */
static int play_prepare(void *ctx)
{
	struct bench_play *p = ctx;
	uint8_t msgs[3 * APC_NUM_PADS];
	size_t n = 0, sent = 0;
	uint64_t deadline;
	unsigned int pad;
	int k;

	if (!p->inner.inject)
		return 0;
	for (pad = 0; pad < APC_NUM_PADS; pad++) {
		if (!p->held[pad])
			continue;
		msgs[3 * n] = 0x80;
		msgs[3 * n + 1] = (uint8_t)pad;
		msgs[3 * n + 2] = 0;
		p->keys[n++] = 0;
	}
	if (!n)
		return 0;
	bench_log_reset(&p->scratch_tx);
	bench_log_reset(&p->scratch_rx);
	deadline = apc_now_ns() + PREPARE_WAIT_NS;
	while (sent < n && !bench_stop) {
		k = p->inner.inject(p->inner.inject_ctx, msgs + 3 * sent, 3 * (n - sent), 3,
				    p->keys, &p->scratch_tx);
		if (k < 0)
			return k;
		sent += (size_t)k;
		if (apc_now_ns() > deadline)
			return -ETIMEDOUT;
		if (!k)
			apc_sleep_until_ns(apc_now_ns() + 100000ull);
	}
	memset(p->held, 0, sizeof(p->held));
	deadline = apc_now_ns() + PREPARE_WAIT_NS;
	while (atomic_load(&p->scratch_rx.n) < n && !bench_stop && apc_now_ns() < deadline) {
		k = p->inner.recv(p->inner.bench_ctx, deadline, &p->scratch_rx);
		if (k < 0)
			return k;
	}
	log_dbg("play port: %zu pads released before the run, %zu note-offs back", n,
		(size_t)atomic_load(&p->scratch_rx.n));
	return 0;
}

int bench_play_open(struct bench_play **out, const struct apc_model *model,
		    const struct bench_target *inner, struct bench_target *tgt)
{
	struct bench_play *p;
	struct apcmap_config conf;
	struct apcmap map;
	unsigned int i;
	int note;

	apcmap_config_default(&conf);
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	if (apcmap_init(&map, model, &conf) < 0) {
		free(p);
		return -EINVAL;
	}
	p->model = model;
	p->inner = *inner;
	for (i = 0; i < APC_NUM_PADS; i++) {
		note = apcmap_pad_note(&map, i);
		p->note[i] = note < 0 ? APCMAP_NONE : (uint8_t)note;
	}
	p->channel = conf.channel;
	p->velocity = conf.velocity;
	memcpy(p->fader_cc, conf.fader_cc, sizeof(p->fader_cc));
	p->fader_channel = conf.fader_channel == APCMAP_NONE ? conf.channel : conf.fader_channel;
	if (bench_log_init(&p->scratch_tx, 4 * APC_NUM_PADS) < 0 ||
	    bench_log_init(&p->scratch_rx, 4 * APC_NUM_PADS) < 0) {
		bench_play_close(p);
		return -ENOMEM;
	}
	*tgt = *inner;
	tgt->inject = inner->inject ? play_inject : NULL;
	tgt->inject_ctx = p;
	tgt->prepare = play_prepare;
	tgt->prepare_ctx = p;
	tgt->leds = NULL;
	tgt->echo = NULL;
	tgt->echo_ctx = NULL;
	tgt->controls_only = 1;
	*out = p;
	return 0;
}

void bench_play_close(struct bench_play *p)
{
	if (!p)
		return;
	bench_log_free(&p->scratch_tx);
	bench_log_free(&p->scratch_rx);
	free(p);
}
