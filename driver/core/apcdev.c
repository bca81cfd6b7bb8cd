/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The device side of an APC mini: parses what the host sends, answers as
 * the model does, keeps the LED state, prints the grid. Pure; runs in the
 * thread of whoever plays the device (emulator, bench, umockdev test). */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "apcdev.h"
#include "midimsg.h"

void apcdev_init(struct apcdev *d, const struct apc_model *m, apcdev_send_fn send,
		     apcdev_msg_fn on_msg, void *user)
{
	memset(d, 0, sizeof(*d));
	d->model = m;
	d->send = send;
	d->on_msg = on_msg;
	d->user = user;
	apcdev_reset(d);
}

void apcdev_reset(struct apcdev *d)
{
	apc_leds_init(&d->leds, d->model);
	memset(d->parser, 0, sizeof(d->parser));
	d->mode = 0;
}

static void dev_send(struct apcdev *d, unsigned int cable, const uint8_t *msg, size_t len)
{
	if (d->send)
		d->send(d->user, cable, msg, len);
}

static void dev_deliver(struct apcdev *d, unsigned int cable, const uint8_t *msg, size_t len)
{
	d->rx.msgs++;
	if (d->on_msg)
		d->on_msg(d->user, cable, msg, len);
	apcdev_message(d, cable, msg, len);
}

void apcdev_input(struct apcdev *d, unsigned int cable, const uint8_t *buf, size_t len)
{
	struct apcdev_parser *p;
	size_t i;

	if (cable >= APCDEV_MAX_CABLES)
		return;
	p = &d->parser[cable];
	d->rx.bytes += len;
	for (i = 0; i < len; i++) {
		uint8_t c = buf[i];

		if (c >= 0xf8) { /* realtime: may appear anywhere */
			dev_deliver(d, cable, &c, 1);
			continue;
		}
		if (c == 0xf0) {
			if (p->in_sysex)
				d->rx.dropped++;
			p->in_sysex = 1;
			p->overflow = 0;
			p->buf[0] = c;
			p->len = 1;
			p->running = 0;
			continue;
		}
		if (p->in_sysex) {
			if (c == 0xf7 || !(c & 0x80)) {
				if (p->len < sizeof(p->buf))
					p->buf[p->len++] = c;
				else
					p->overflow = 1;
				if (c != 0xf7)
					continue;
				p->in_sysex = 0;
				if (p->overflow)
					d->rx.dropped++;
				else
					dev_deliver(d, cable, p->buf, p->len);
				p->len = 0;
				continue;
			}
			/* A status byte ends an unterminated sysex. */
			d->rx.dropped++;
			p->in_sysex = 0;
			p->len = 0;
		}
		if (c == 0xf7) { /* stray end of sysex */
			d->rx.dropped++;
			continue;
		}
		if (c & 0x80) {
			p->buf[0] = c;
			p->len = 1;
			p->need = midi_msg_length(c);
			p->running = c < 0xf0 ? c : 0;
			if (p->need == 0) { /* F4, F5: undefined */
				d->rx.dropped++;
				p->len = 0;
				continue;
			}
		} else {
			if (p->len == 0) {
				if (!p->running) {
					d->rx.dropped++;
					continue;
				}
				p->buf[0] = p->running;
				p->len = 1;
				p->need = midi_msg_length(p->running);
			}
			p->buf[p->len++] = c;
		}
		if (p->len == p->need) {
			dev_deliver(d, cable, p->buf, p->len);
			p->len = 0;
		}
	}
}

/* A pad that pulses or blinks keeps doing so and ignores a custom colour
 * until it is set solid, as users of the mk2 report (apcmini-protocol.md);
 * the host side (apc_leds_flush) is built to expect this. */
static void dev_rgb_set(void *user, unsigned int pad, struct apc_rgb c)
{
	struct apcdev *d = user;
	const struct apc_led *l = &d->leds.want[pad];
	const struct apc_led led = { .rgb = 1, .c = c };

	if (!l->rgb && l->behaviour > APC_MK2_SOLID_MAX) {
		d->rx.rgb_ignored++;
		return;
	}
	apc_leds_set(&d->leds, pad, &led);
}

static void dev_sysex(struct apcdev *d, unsigned int cable, const uint8_t *msg, size_t len)
{
	uint8_t out[64];
	int n;

	d->rx.sysex++;
	/* Universal device inquiry, F0 7E <id> 06 01 F7: <id> 7F asks all. */
	if (apc_is_inquiry_request(msg, len)) {
		d->rx.inquiries++;
		n = apc_inquiry_reply(d->model, d->device_id, out, sizeof(out));
		if (n > 0)
			dev_send(d, cable, out, (size_t)n);
		return;
	}
	if (d->model->id != APC_MODEL_MK2) {
		d->rx.other++;
		return;
	}
	switch (apc_mk2_sysex_cmd(msg, len)) {
	case APC_MK2_CMD_INTRO:
		d->rx.intros++;
		n = apc_mk2_intro_reply(d->faders, out, sizeof(out));
		if (n > 0)
			dev_send(d, cable, out, (size_t)n);
		return;
	case APC_MK2_CMD_RGB:
		if (apc_mk2_rgb_sysex_parse(msg, len, dev_rgb_set, d) >= 0)
			d->rx.rgb++;
		else
			d->rx.other++;
		return;
	case APC_MK2_CMD_MODE:
		if (len == 9 && msg[7] <= 2) {
			/* Mode change: the device echoes it. */
			d->mode = msg[7];
			dev_send(d, cable, msg, len);
			return;
		}
		break;
	default:
		break;
	}
	d->rx.other++;
}

void apcdev_message(struct apcdev *d, unsigned int cable, const uint8_t *msg, size_t len)
{
	struct apc_led led;
	int idx;

	if (len == 0)
		return;
	if (msg[0] == 0xf0) {
		dev_sysex(d, cable, msg, len);
		return;
	}
	/* LEDs listen on cable 0 only ("Control" on mk2). */
	idx = cable == 0 ? apc_led_from_midi(d->model, msg, len, &led) : -ENOENT;
	if (idx < 0 || apc_leds_set(&d->leds, (unsigned int)idx, &led) < 0) {
		d->rx.other++;
		return;
	}
	/* A palette colour replaces a custom one: led.rgb is 0. */
	d->rx.leds++;
}

/* ---- grid text ---- */

struct dev_text {
	char *buf;
	size_t size, len;
	int overflow;
};

__attribute__((format(printf, 2, 3)))
static void dev_text_printf(struct dev_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->size - t->len) {
		t->overflow = 1;
		return;
	}
	t->len += n;
}

/* Tokens: "." off; mk1 pads G g R r Y y (lower case = blinking); buttons
 * O on, B blink; mk2 pads the palette index, "/<channel>" when the channel
 * is not the full-brightness one, "#rrggbb" for a custom colour; any value
 * without a letter as a decimal number. */
static void dev_pad_token(const struct apcdev *d, unsigned int pad, char *tok, size_t sz)
{
	static const char mk1[] = ".GgRrYy";
	const struct apc_led *l = &d->leds.want[pad];

	if (l->rgb) {
		snprintf(tok, sz, "#%02x%02x%02x", l->c.r, l->c.g, l->c.b);
	} else if (l->value == 0) {
		snprintf(tok, sz, ".");
	} else if (d->model->leds == APC_LEDS_MK1) {
		if (l->value < sizeof(mk1) - 1)
			snprintf(tok, sz, "%c", mk1[l->value]);
		else
			snprintf(tok, sz, "%u", l->value);
	} else if (l->behaviour == d->model->pad_led_default_channel) {
		snprintf(tok, sz, "%u", l->value);
	} else {
		snprintf(tok, sz, "%u/%u", l->value, l->behaviour);
	}
}

static void dev_button_token(const struct apcdev *d, unsigned int index, char *tok, size_t sz)
{
	static const char names[] = ".OB";
	uint8_t v = d->leds.want[index].value;

	if (v < sizeof(names) - 1)
		snprintf(tok, sz, "%c", names[v]);
	else
		snprintf(tok, sz, "%u", v);
}

int apcdev_grid(const struct apcdev *d, char *out, size_t outsz)
{
	struct dev_text t = { .buf = out, .size = outsz };
	char tok[16];
	unsigned int x, y, i;

	dev_text_printf(&t, "grid %s\n", d->model->short_name);
	for (y = 8; y-- > 0;) {
		dev_text_printf(&t, "%u", y);
		for (x = 0; x < 8; x++) {
			dev_pad_token(d, apc_pad_at(x, y), tok, sizeof(tok));
			dev_text_printf(&t, " %s", tok);
		}
		dev_text_printf(&t, "\n");
	}
	dev_text_printf(&t, "T");
	for (i = 0; i < APC_NUM_TRACK; i++) {
		dev_button_token(d, APC_LED_TRACK0 + i, tok, sizeof(tok));
		dev_text_printf(&t, " %s", tok);
	}
	dev_text_printf(&t, "\nS");
	for (i = 0; i < APC_NUM_SCENE; i++) {
		dev_button_token(d, APC_LED_SCENE0 + i, tok, sizeof(tok));
		dev_text_printf(&t, " %s", tok);
	}
	dev_text_printf(&t, "\n");
	return t.overflow ? -ENOSPC : (int)t.len;
}
