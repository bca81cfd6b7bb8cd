/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcmon: a terminal monitor and LED tester for any APC mini sequencer
 * client (apcminid's, snd-usb-audio's, apcvirt's). One thread: the tree's
 * loop over the sequencer, the terminal, a signalfd and one timerfd-backed
 * deadline (LED chase, rates, the round-trip timeout).
 *
 * What it shows of the LEDs: the sequencer lets no client read what others
 * write to a port, so the LED model is fed by (1) the LED messages apcmon
 * sends itself (tests), (2) every port subscribed to the device's port 0:
 * apcmon subscribes to those senders too (System:Announce tells of new
 * ones), and (3) on apcvirt, its control port, which mirrors everything
 * sent to the device and replays the state on subscription. LED messages
 * addressed directly to the device (aplaymidi -p) are seen on apcvirt only. */

#include "config.h"

#include <alsa/asoundlib.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <locale.h>
#include <ncurses.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "apcdev.h"
#include "apcvirt-proto.h"
#include "clock.h"
#include "loop.h"
#include "usbmidi.h"

#define MON_MAX_FDS 4
#define MON_LAST 8		      /* last events shown */
#define MON_INQUIRY_NS 1000000000ull  /* an identity reply comes within 1 s */
#define MON_ONCE_NS 300000000ull      /* --once: events and replays settle */
#define MON_CHASE_NS 100000000ull     /* one chase step */
#define MON_RATE_NS 1000000000ull     /* rate window */
#define MON_PORT_IN 0		      /* device -> us; our sends; announce */
#define MON_PORT_LEDS 1		      /* what others send the device */

enum mon_kind { KIND_OTHER, KIND_APCMINID, KIND_KERNEL, KIND_APCVIRT };
enum mon_colours { COLOURS_8, COLOURS_256, COLOURS_DIRECT };
enum mon_test { TEST_NONE, TEST_CHASE };

struct mon {
	snd_seq_t *seq;
	snd_midi_event_t *dec, *enc;
	struct loop *loop;
	int me;
	int sig_fd;
	int fds[MON_MAX_FDS];
	unsigned int nfds;

	/* the device */
	const struct apc_model *model;
	int client;
	char client_name[64];
	enum mon_kind kind;
	int ctl_port; /* apcvirt's control port, -1 none */
	int mirror_port; /* a port that mirrors the LEDs (apcvirt's control
			  * port, apcminid's "<card> LEDs"), -1 none */
	struct apcdev leds; /* LED model only: no replies */
	uint8_t pressed[APC_NUM_LEDS];
	int shift;
	uint8_t faders[APC_NUM_FADERS];
	uint8_t fader_known[APC_NUM_FADERS];

	/* counters */
	uint64_t events, led_events, sysex;
	uint64_t window_t0, window_n;
	double rate;
	char last[MON_LAST][64];
	unsigned int last_i;

	/* identity round trip */
	uint64_t inquiry_sent;
	double rtt_ms;
	int rtt_state; /* 0 none, 1 waiting, 2 answered, 3 timed out */
	const struct apc_model *reply_model;

	/* tests */
	enum mon_test test;
	unsigned int chase_i;
	uint64_t chase_due;
	unsigned int palette_page;
	char status[128];

	/* terminal */
	int tui;
	enum mon_colours colours;
	int dirty;
	int cur_x, cur_y;
	unsigned int npairs;
	uint32_t pair_rgb[256][2];
	int once;
	uint64_t once_due;
	int quit;
	int exit_status;
};

/* ---- the device's client ---- */

static const struct apc_model *model_by_client_name(const char *name)
{
	char card[USBMIDI_NAME_MAX];
	unsigned int i;

	for (i = 0; apc_models[i]; i++) {
		const struct apc_model *m = apc_models[i];

		usbmidi_card_name(card, m->usb_product, m->vid, m->pid);
		if (!strcmp(name, card))
			return m;
	}
	return NULL;
}

static int port_named(snd_seq_t *seq, int client, const char *name)
{
	snd_seq_port_info_t *pi;

	snd_seq_port_info_alloca(&pi);
	snd_seq_port_info_set_client(pi, client);
	snd_seq_port_info_set_port(pi, -1);
	while (snd_seq_query_next_port(seq, pi) >= 0)
		if (!strcmp(snd_seq_port_info_get_name(pi), name))
			return snd_seq_port_info_get_port(pi);
	return -1;
}

/* apcminid's LED mirror: the port named "<card> LEDs", or -1. */
static int leds_port(snd_seq_t *seq, int client)
{
	static const char suffix[] = " LEDs";
	snd_seq_port_info_t *pi;
	const char *name;
	size_t n;

	snd_seq_port_info_alloca(&pi);
	snd_seq_port_info_set_client(pi, client);
	snd_seq_port_info_set_port(pi, -1);
	while (snd_seq_query_next_port(seq, pi) >= 0) {
		name = snd_seq_port_info_get_name(pi);
		n = strlen(name);
		if (n >= sizeof(suffix) && !strcmp(name + n - (sizeof(suffix) - 1), suffix) &&
		    (snd_seq_port_info_get_capability(pi) & SND_SEQ_PORT_CAP_SUBS_READ))
			return snd_seq_port_info_get_port(pi);
	}
	return -1;
}

static void mon_describe(struct mon *m, snd_seq_client_info_t *ci)
{
	snprintf(m->client_name, sizeof(m->client_name), "%s", snd_seq_client_info_get_name(ci));
	m->ctl_port = port_named(m->seq, m->client, APCVIRT_PORT_NAME);
	m->mirror_port = m->ctl_port >= 0 ? m->ctl_port : leds_port(m->seq, m->client);
	if (m->ctl_port >= 0)
		m->kind = KIND_APCVIRT;
	else if (snd_seq_client_info_get_type(ci) == SND_SEQ_KERNEL_CLIENT)
		m->kind = KIND_KERNEL;
	else
		m->kind = KIND_APCMINID;
}

/* The first client named as an APC mini (or an apcvirt), or -ENOENT. */
static int mon_find_first(struct mon *m)
{
	snd_seq_client_info_t *ci;

	snd_seq_client_info_alloca(&ci);
	snd_seq_client_info_set_client(ci, -1);
	while (snd_seq_query_next_client(m->seq, ci) >= 0) {
		const char *name = snd_seq_client_info_get_name(ci);
		int c = snd_seq_client_info_get_client(ci);

		if (c == m->me || !(m->model = model_by_client_name(name)))
			continue;
		m->client = c;
		mon_describe(m, ci);
		return 0;
	}
	return -ENOENT;
}

static const char *kind_name(enum mon_kind k)
{
	switch (k) {
	case KIND_APCMINID:
		return "apcminid";
	case KIND_KERNEL:
		return "snd-usb-audio";
	case KIND_APCVIRT:
		return "apcvirt";
	default:
		return "?";
	}
}

/* ---- sending ---- */

static void mon_flush(struct mon *m)
{
	int r = snd_seq_drain_output(m->seq);

	if (r < 0) {
		snprintf(m->status, sizeof(m->status), "Cannot send: %s", snd_strerror(r));
		snd_seq_drop_output(m->seq);
		m->dirty = 1;
	}
}

static int mon_send_bytes(struct mon *m, int client, int port, const uint8_t *msg, size_t len)
{
	snd_seq_event_t ev;
	long n;
	int r;

	snd_midi_event_reset_encode(m->enc);
	while (len) {
		snd_seq_ev_clear(&ev);
		n = snd_midi_event_encode(m->enc, msg, (long)len, &ev);
		if (n <= 0)
			return -EINVAL;
		msg += n;
		len -= (size_t)n;
		if (ev.type == SND_SEQ_EVENT_NONE)
			continue;
		snd_seq_ev_set_source(&ev, MON_PORT_IN);
		snd_seq_ev_set_dest(&ev, client, port);
		snd_seq_ev_set_direct(&ev);
		r = snd_seq_event_output(m->seq, &ev);
		if (r == -EAGAIN) { /* buffer full: write it out, once more */
			mon_flush(m);
			r = snd_seq_event_output(m->seq, &ev);
		}
		if (r < 0) {
			snprintf(m->status, sizeof(m->status), "Cannot send: %s", snd_strerror(r));
			return r;
		}
	}
	return 0;
}

/* An LED message to the device's port 0; apcvirt mirrors it back to us,
 * anything else never shows us: apply it ourselves. */
static void mon_led(struct mon *m, const uint8_t *msg, size_t len)
{
	mon_send_bytes(m, m->client, 0, msg, len);
	if (m->kind != KIND_APCVIRT)
		apcdev_message(&m->leds, 0, msg, len);
	m->dirty = 1;
}

static void mon_led_set(struct mon *m, unsigned int index, uint8_t value, uint8_t ch)
{
	struct apc_led l = { .value = value, .behaviour = ch };
	uint8_t msg[3];

	if (apc_led_to_midi(m->model, index, &l, msg) == 3)
		mon_led(m, msg, 3);
}

static void mon_inquiry(struct mon *m)
{
	mon_send_bytes(m, m->client, 0, apc_inquiry_request, sizeof(apc_inquiry_request));
	mon_flush(m);
	m->inquiry_sent = apc_now_ns();
	m->rtt_state = 1;
	m->dirty = 1;
}

/* A command for apcvirt, through its control port. */
static void mon_virt_command(struct mon *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void mon_virt_command(struct mon *m, const char *fmt, ...)
{
	uint8_t msg[256];
	size_t h = sizeof(apcvirt_cmd_header);
	va_list ap;
	int n;

	if (m->kind != KIND_APCVIRT)
		return;
	memcpy(msg, apcvirt_cmd_header, h);
	va_start(ap, fmt);
	n = vsnprintf((char *)msg + h, sizeof(msg) - h - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(msg) - h - 1)
		return;
	msg[h + (size_t)n] = 0xf7;
	mon_send_bytes(m, m->client, m->ctl_port, msg, h + (size_t)n + 1);
	mon_flush(m);
}

/* ---- LED tests ---- */

static unsigned int mk1_pad_value(unsigned int i)
{
	return i % 7;
}

static void test_colours(struct mon *m)
{
	unsigned int i;

	m->test = TEST_NONE;
	for (i = 0; i < APC_NUM_PADS; i++) {
		if (m->model->leds == APC_LEDS_MK1)
			mon_led_set(m, i, (uint8_t)mk1_pad_value(i), 0);
		else
			mon_led_set(m, i, (uint8_t)(i + 64 * m->palette_page),
				    m->model->pad_led_default_channel);
	}
	for (i = 0; i < APC_NUM_TRACK + APC_NUM_SCENE; i++)
		mon_led_set(m, APC_LED_TRACK0 + i, (uint8_t)(i % 3), 0);
	if (m->model->leds == APC_LEDS_MK2) {
		snprintf(m->status, sizeof(m->status), "palette %u-%u", 64 * m->palette_page,
			 64 * m->palette_page + 63);
		m->palette_page ^= 1;
	} else {
		snprintf(m->status, sizeof(m->status), "every colour and blink");
	}
	mon_flush(m);
}

/* mk2: one colour in every behaviour, row by row: channels 0-7 left, 8-15
 * right (brightness 10-100 %, pulse, blink). mk1: the blinking states. */
static void test_channels(struct mon *m)
{
	unsigned int i;

	m->test = TEST_NONE;
	for (i = 0; i < APC_NUM_PADS; i++) {
		unsigned int x = apc_pad_x(i), y = apc_pad_y(i);

		if (m->model->leds == APC_LEDS_MK1)
			mon_led_set(m, i, (uint8_t)(2 * (x % 3) + 2), 0);
		else
			mon_led_set(m, i, 5 + 16 * (uint8_t)(y % 4), (uint8_t)(y + 8 * (x / 4)));
	}
	snprintf(m->status, sizeof(m->status), "brightness and blink channels");
	mon_flush(m);
}

static void test_off(struct mon *m)
{
	unsigned int i;

	m->test = TEST_NONE;
	for (i = 0; i < APC_NUM_LEDS; i++)
		mon_led_set(m, i, 0, i < APC_NUM_PADS ? m->model->pad_led_default_channel : 0);
	snprintf(m->status, sizeof(m->status), "all off");
	mon_flush(m);
}

static void chase_step(struct mon *m)
{
	unsigned int prev = (m->chase_i + APC_NUM_PADS - 1) % APC_NUM_PADS;
	uint8_t on = m->model->leds == APC_LEDS_MK1 ? 3 : 5;

	mon_led_set(m, prev, 0, m->model->pad_led_default_channel);
	mon_led_set(m, m->chase_i, on, m->model->pad_led_default_channel);
	mon_flush(m);
	m->chase_i = (m->chase_i + 1) % APC_NUM_PADS;
	m->chase_due = apc_now_ns() + MON_CHASE_NS;
}

/* ---- what arrives ---- */

static void mon_last(struct mon *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void mon_last(struct mon *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->last[m->last_i % MON_LAST], sizeof(m->last[0]), fmt, ap);
	va_end(ap);
	m->last_i++;
}

static const char *control_name(struct mon *m, unsigned int idx, char *buf, size_t sz)
{
	if (idx < APC_NUM_PADS)
		snprintf(buf, sz, "pad %u", idx);
	else if (idx < APC_LED_SCENE0)
		snprintf(buf, sz, "track %u", idx - APC_LED_TRACK0);
	else
		snprintf(buf, sz, "scene %u", idx - APC_LED_SCENE0);
	return buf;
}

/* A message from the device: controls, replies. */
static void mon_from_device(struct mon *m, unsigned int port, const uint8_t *msg, size_t len)
{
	uint8_t n[3];
	struct apc_led l;
	char name[32];
	int idx;

	m->events++;
	m->window_n++;
	m->dirty = 1;
	if (msg[0] == 0xf0) {
		const struct apc_model *r = apc_model_by_inquiry_reply(msg, len);

		m->sysex++;
		if (r) {
			m->reply_model = r;
			if (m->rtt_state == 1) {
				m->rtt_ms = (double)(apc_now_ns() - m->inquiry_sent) / 1e6;
				m->rtt_state = 2;
			}
			mon_last(m, "identity reply: %s", r->short_name);
			return;
		}
		if (apc_mk2_sysex_cmd(msg, len) == APC_MK2_CMD_INTRO_REPLY) {
			int k, i;

			k = apc_mk2_intro_reply_parse(msg, len, m->faders);
			for (i = 0; i < k && i < APC_NUM_FADERS; i++)
				m->fader_known[i] = 1;
			mon_last(m, "introduction reply: %d faders", k);
			return;
		}
		mon_last(m, "sysex, %zu bytes", len);
		return;
	}
	if (len == 3 && (msg[0] & 0xf0) == 0xb0 && msg[1] >= m->model->fader_cc_first &&
	    msg[1] < m->model->fader_cc_first + APC_NUM_FADERS) {
		unsigned int f = msg[1] - m->model->fader_cc_first;

		m->faders[f] = msg[2];
		m->fader_known[f] = 1;
		if (f == APC_NUM_FADERS - 1)
			mon_last(m, "fader master %u", msg[2]);
		else
			mon_last(m, "fader %u %u", f, msg[2]);
		return;
	}
	if (len == 3 && ((msg[0] & 0xf0) == 0x90 || (msg[0] & 0xf0) == 0x80)) {
		int down = (msg[0] & 0xf0) == 0x90 && msg[2] > 0;

		if (msg[1] == m->model->shift_note && (msg[0] & 0x0f) == 0) {
			m->shift = down;
			mon_last(m, "shift %s", down ? "press" : "release");
			return;
		}
		/* The LED index of a note is its control (pads, track, scene). */
		n[0] = (uint8_t)(0x90 | (msg[0] & 0x0f));
		n[1] = msg[1];
		n[2] = 0;
		idx = apc_led_from_midi(m->model, n, 3, &l);
		if (idx >= 0 && port == 0) {
			m->pressed[idx] = (uint8_t)down;
			mon_last(m, "%s %s%s", control_name(m, (unsigned int)idx, name, sizeof(name)),
				 down ? "press" : "release", down && msg[2] != 127 ? " (vel)" : "");
			return;
		}
	}
	mon_last(m, "port %u: %02x %02x %02x", port, msg[0], len > 1 ? msg[1] : 0,
		 len > 2 ? msg[2] : 0);
}

static void mon_subscribe_sender(struct mon *m, const snd_seq_addr_t *a, int on)
{
	if (a->client == m->me || a->client == m->client)
		return;
	if (on)
		snd_seq_connect_from(m->seq, MON_PORT_LEDS, a->client, a->port);
	else
		snd_seq_disconnect_from(m->seq, MON_PORT_LEDS, a->client, a->port);
}

static void mon_announce(struct mon *m, snd_seq_event_t *ev)
{
	const snd_seq_connect_t *c = &ev->data.connect;

	switch (ev->type) {
	case SND_SEQ_EVENT_PORT_SUBSCRIBED:
	case SND_SEQ_EVENT_PORT_UNSUBSCRIBED:
		if (m->mirror_port < 0 && c->dest.client == m->client && c->dest.port == 0)
			mon_subscribe_sender(m, &c->sender,
					     ev->type == SND_SEQ_EVENT_PORT_SUBSCRIBED);
		break;
	case SND_SEQ_EVENT_CLIENT_EXIT:
		if (ev->data.addr.client == m->client) {
			snprintf(m->status, sizeof(m->status), "the client has gone");
			m->exit_status = 1;
			m->quit = 1;
		}
		break;
	default:
		break;
	}
}

static void mon_event(struct mon *m, snd_seq_event_t *ev)
{
	uint8_t buf[APCDEV_SYSEX_MAX];
	long n;

	if (ev->source.client == SND_SEQ_CLIENT_SYSTEM) {
		mon_announce(m, ev);
		return;
	}
	snd_midi_event_reset_decode(m->dec);
	n = snd_midi_event_decode(m->dec, buf, sizeof(buf), ev);
	if (n <= 0)
		return;
	if (ev->dest.port == MON_PORT_LEDS) {
		/* What someone sends the device (or apcvirt's mirror of it). */
		uint64_t before = m->leds.rx.leds + m->leds.rx.rgb;

		apcdev_message(&m->leds, 0, buf, (size_t)n);
		m->led_events += m->leds.rx.leds + m->leds.rx.rgb - before;
		m->dirty = 1;
		return;
	}
	if (ev->source.client == m->client)
		mon_from_device(m, ev->source.port, buf, (size_t)n);
}

static void mon_seq_ready(void *user, int fd, short revents)
{
	struct mon *m = user;
	snd_seq_event_t *ev;
	int r;

	(void)fd;
	(void)revents;
	for (;;) {
		r = snd_seq_event_input(m->seq, &ev);
		if (r == -EAGAIN)
			break;
		if (r == -ENOSPC)
			continue; /* overrun: events lost; the counters say less */
		if (r < 0)
			break;
		mon_event(m, ev);
	}
}

/* ---- drawing ---- */

static uint32_t scale(uint32_t rgb, unsigned int pct)
{
	uint32_t r = (rgb >> 16 & 0xff) * pct / 100, g = (rgb >> 8 & 0xff) * pct / 100,
		 b = (rgb & 0xff) * pct / 100;

	return r << 16 | g << 8 | b;
}

/* The colour a pad or button shows, and whether it blinks or pulses. */
static uint32_t led_rgb(const struct mon *m, unsigned int i, int *blink)
{
	static const unsigned int mk2_pct[7] = { 10, 25, 50, 65, 75, 90, 100 };
	static const uint32_t mk1[7] = { 0, 0x00ff00, 0x00ff00, 0xff0000, 0xff0000, 0xffff00,
					 0xffff00 };
	const struct apc_led *l = &m->leds.leds.want[i];
	/* Round buttons: track red, scene green. */
	uint32_t button = i < APC_LED_SCENE0 ? 0xff0000 : 0x00ff00;

	*blink = 0;
	if (i >= APC_NUM_PADS) {
		*blink = l->value == 2;
		return l->value ? button : 0;
	}
	if (l->rgb)
		return (uint32_t)l->c.r << 16 | (uint32_t)l->c.g << 8 | l->c.b;
	if (m->model->leds == APC_LEDS_MK1) {
		if (l->value > 6)
			return mk1[1]; /* 7-127 show green */
		*blink = l->value && !(l->value & 1);
		return mk1[l->value];
	}
	*blink = l->behaviour > APC_MK2_SOLID_MAX;
	return l->behaviour <= APC_MK2_SOLID_MAX ?
		       scale(apc_mk2_palette[l->value & 0x7f], mk2_pct[l->behaviour]) :
		       apc_mk2_palette[l->value & 0x7f];
}

static int cube(unsigned int v)
{
	return v < 48 ? 0 : v < 115 ? 1 : (int)(v - 35) / 40;
}

/* The terminal's colour number for an RGB value. */
static int term_colour(const struct mon *m, uint32_t rgb)
{
	unsigned int r = rgb >> 16 & 0xff, g = rgb >> 8 & 0xff, b = rgb & 0xff;

	switch (m->colours) {
	case COLOURS_DIRECT:
		/* Values below 8 are the terminal's own colours in direct mode. */
		return rgb < 8 ? COLOR_BLACK : (int)rgb;
	case COLOURS_256:
		return 16 + 36 * cube(r) + 6 * cube(g) + cube(b);
	default:
		return (r > 85 ? COLOR_RED : 0) | (g > 85 ? COLOR_GREEN : 0) |
		       (b > 85 ? COLOR_BLUE : 0);
	}
}

static int pair_for(struct mon *m, uint32_t fg, uint32_t bg)
{
	unsigned int i;

	if (!has_colors())
		return 0;
	for (i = 0; i < m->npairs; i++)
		if (m->pair_rgb[i][0] == fg && m->pair_rgb[i][1] == bg)
			return (int)i + 1;
	if (m->npairs + 1 >= (unsigned int)COLOR_PAIRS || m->npairs == 255)
		m->npairs = 0; /* reuse from the start: a redraw follows */
	i = m->npairs++;
	m->pair_rgb[i][0] = fg;
	m->pair_rgb[i][1] = bg;
	init_extended_pair((int)i + 1, term_colour(m, fg), term_colour(m, bg));
	return (int)i + 1;
}

static void draw_led(struct mon *m, int y, int x, unsigned int i, const char *label)
{
	int blink, pair;
	uint32_t rgb = led_rgb(m, i, &blink);
	unsigned int lum = (rgb >> 16 & 0xff) * 3 + (rgb >> 8 & 0xff) * 6 + (rgb & 0xff);
	uint32_t fg = lum > 1280 ? 0x000000 : 0xffffff;
	attr_t a = blink ? A_BLINK : A_NORMAL;
	char cell[8];

	pair = pair_for(m, fg, rgb);
	snprintf(cell, sizeof(cell), "%-4.4s", m->pressed[i] ? "[##]" : label);
	attr_set(a, (short)pair, &pair);
	mvaddstr(y, x, cell);
	attr_set(A_NORMAL, 0, NULL);
}

#define GRID_Y 2
#define GRID_X 2
#define CELL_W 5
#define FADER_Y (GRID_Y + 8 * 2 + 2)

static void draw(struct mon *m)
{
	unsigned int x, y, i;
	int row, col;
	char line[128];

	erase();
	mvprintw(0, 0, "apcmon: %s (client %d, %s, %s)", m->client_name, m->client,
		 m->model->short_name, kind_name(m->kind));
	for (y = 0; y < 8; y++) {
		row = GRID_Y + (int)(7 - y) * 2;
		for (x = 0; x < 8; x++)
			draw_led(m, row, GRID_X + (int)x * CELL_W, apc_pad_at(x, y), "");
		/* scene 1 is the top one */
		draw_led(m, row, GRID_X + 8 * CELL_W + 1, APC_LED_SCENE0 + 7 - y, "");
		mvprintw(row, GRID_X + 8 * CELL_W + 6, "S%u", 8 - y);
	}
	row = GRID_Y + 16;
	for (i = 0; i < APC_NUM_TRACK; i++)
		draw_led(m, row, GRID_X + (int)i * CELL_W, APC_LED_TRACK0 + i, "");
	mvprintw(row, GRID_X + 8 * CELL_W + 1, "%s", m->shift ? "[SHIFT]" : " shift ");

	row = FADER_Y;
	for (i = 0; i < APC_NUM_FADERS; i++) {
		unsigned int v = m->faders[i], len = (v * 20 + 63) / 127, k;

		col = 0;
		line[0] = '\0';
		for (k = 0; k < 20; k++)
			line[k] = k < len ? '#' : '.';
		line[20] = '\0';
		if (i == APC_NUM_FADERS - 1)
			mvprintw(row + (int)i, GRID_X, "master [%s] %s", line, "");
		else
			mvprintw(row + (int)i, GRID_X, "fader%u [%s] %s", i + 1, line, "");
		if (m->fader_known[i])
			mvprintw(row + (int)i, GRID_X + 30, "%3u", v);
		else
			mvprintw(row + (int)i, GRID_X + 30, "  ?");
		(void)col;
	}

	col = GRID_X + 8 * CELL_W + 12;
	mvprintw(GRID_Y, col, "events   %" PRIu64, m->events);
	mvprintw(GRID_Y + 1, col, "rate     %.0f/s", m->rate);
	mvprintw(GRID_Y + 2, col, "LED msgs %" PRIu64 " seen", m->led_events);
	if (m->rtt_state == 2)
		mvprintw(GRID_Y + 3, col, "identity %s, round trip %.2f ms",
			 m->reply_model ? m->reply_model->short_name : "?", m->rtt_ms);
	else if (m->rtt_state == 1)
		mvprintw(GRID_Y + 3, col, "identity: asking...");
	else if (m->rtt_state == 3)
		mvprintw(GRID_Y + 3, col, "identity: no reply");
	mvprintw(GRID_Y + 5, col, "last events:");
	for (i = 0; i < MON_LAST && i < m->last_i; i++)
		mvprintw(GRID_Y + 6 + (int)i, col + 2, "%s", m->last[(m->last_i - 1 - i) % MON_LAST]);
	mvprintw(LINES - 2, 0, "%s", m->status);
	mvprintw(LINES - 1, 0,
		 "q quit  c colours  b channels  h chase  o off  i identity%s",
		 m->kind == KIND_APCVIRT ? "  mouse/arrows+space: play" : "");
	if (m->kind == KIND_APCVIRT)
		move(GRID_Y + (7 - m->cur_y) * 2, GRID_X + m->cur_x * CELL_W + 1);
	refresh();
	m->dirty = 0;
}

/* ---- --once ---- */

static void print_snapshot(struct mon *m)
{
	char grid[1024];
	unsigned int i;

	printf("client %d '%s' model %s via %s\n", m->client, m->client_name,
	       m->model->short_name, kind_name(m->kind));
	if (apcdev_grid(&m->leds, grid, sizeof(grid)) > 0)
		fputs(grid, stdout);
	printf("F");
	for (i = 0; i < APC_NUM_FADERS; i++) {
		if (m->fader_known[i])
			printf(" %u", m->faders[i]);
		else
			printf(" ?");
	}
	printf("\npressed");
	for (i = 0; i < APC_NUM_LEDS; i++)
		if (m->pressed[i])
			printf(" %u", i);
	printf("%s\n", m->shift ? " shift" : "");
	printf("events %" PRIu64 " sysex %" PRIu64 " leds-seen %" PRIu64 "\n", m->events, m->sysex,
	       m->led_events);
	if (m->rtt_state == 2)
		printf("identity %s round-trip %.3f ms\n", m->reply_model->short_name, m->rtt_ms);
	else
		printf("identity none\n");
}

/* ---- the terminal ---- */

static void choose_colours(struct mon *m)
{
	const char *ct = getenv("COLORTERM");

	if (!has_colors()) {
		m->colours = COLOURS_8;
		return;
	}
	start_color();
	use_default_colors();
	if (COLORS >= 0x1000000)
		m->colours = COLOURS_DIRECT;
	else if (COLORS >= 256)
		m->colours = COLOURS_256;
	else
		m->colours = COLOURS_8;
	(void)ct;
}

/* COLORTERM=truecolor|24bit asks for direct colour: ncurses speaks it
 * through a "-direct" terminfo entry (tmux-direct, xterm-direct), so
 * open the terminal as that variant of $TERM when there is one. */
static int open_terminal(struct mon *m)
{
	const char *term = getenv("TERM"), *ct = getenv("COLORTERM");
	char direct[64];
	SCREEN *s = NULL;

	if (!term || !*term)
		term = "dumb";
	if (ct && (!strcasecmp(ct, "truecolor") || !strcasecmp(ct, "24bit")) &&
	    !strstr(term, "direct")) {
		size_t n = strcspn(term, "-");

		snprintf(direct, sizeof(direct), "%.*s-direct", (int)n, term);
		s = newterm(direct, stdout, stdin);
	}
	if (!s)
		s = newterm(term, stdout, stdin);
	if (!s) {
		fprintf(stderr, "apcmon: Cannot open the terminal '%s'\n", term);
		return -ENOTTY;
	}
	set_term(s);
	cbreak();
	noecho();
	nodelay(stdscr, TRUE);
	keypad(stdscr, TRUE);
	mousemask(BUTTON1_PRESSED | BUTTON1_RELEASED, NULL);
	mouseinterval(0);
	choose_colours(m);
	curs_set(m->kind == KIND_APCVIRT ? 1 : 0);
	m->tui = 1;
	return 0;
}

static void on_resize(struct mon *m)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	m->dirty = 1;
}

/* A mouse press or release on a pad, button or fader of apcvirt. */
static void mouse_play(struct mon *m, MEVENT *me)
{
	int down = !!(me->bstate & BUTTON1_PRESSED);
	const char *verb = down ? "press" : "release";
	int gx = (me->x - GRID_X) / CELL_W, gy = (me->y - GRID_Y) / 2;

	if (me->y >= FADER_Y && me->y < FADER_Y + APC_NUM_FADERS && down) {
		int v = (me->x - GRID_X - 8) * 127 / 19;

		if (me->x < GRID_X + 8 || me->x > GRID_X + 27)
			return;
		mon_virt_command(m, "fader %d %d", me->y - FADER_Y, v < 0 ? 0 : v > 127 ? 127 : v);
		return;
	}
	if (me->x < GRID_X || me->y < GRID_Y || (me->y - GRID_Y) % 2)
		return;
	if (gy < 8 && gx < 8)
		mon_virt_command(m, "%s pad %d", verb, apc_pad_at((unsigned int)gx, 7 - (unsigned int)gy));
	else if (gy < 8 && gx == 8)
		mon_virt_command(m, "%s scene %d", verb, gy);
	else if (gy == 8 && gx < 8)
		mon_virt_command(m, "%s track %d", verb, gx);
	else if (gy == 8 && gx >= 8)
		mon_virt_command(m, "%s shift", verb);
}

static void on_key(struct mon *m, int ch)
{
	MEVENT me;

	switch (ch) {
	case 'q':
	case 'Q':
		m->quit = 1;
		break;
	case 'c':
		test_colours(m);
		break;
	case 'b':
		test_channels(m);
		break;
	case 'o':
		test_off(m);
		break;
	case 'h':
		if (m->test == TEST_CHASE) {
			m->test = TEST_NONE;
			m->chase_due = 0;
			snprintf(m->status, sizeof(m->status), "chase stopped");
		} else {
			test_off(m);
			m->test = TEST_CHASE;
			m->chase_i = 0;
			snprintf(m->status, sizeof(m->status), "chase");
			chase_step(m);
		}
		break;
	case 'i':
		mon_inquiry(m);
		break;
	case KEY_LEFT:
		m->cur_x = m->cur_x > 0 ? m->cur_x - 1 : 0;
		break;
	case KEY_RIGHT:
		m->cur_x = m->cur_x < 7 ? m->cur_x + 1 : 7;
		break;
	case KEY_UP:
		m->cur_y = m->cur_y < 7 ? m->cur_y + 1 : 7;
		break;
	case KEY_DOWN:
		m->cur_y = m->cur_y > 0 ? m->cur_y - 1 : 0;
		break;
	case ' ':
		mon_virt_command(m, "tap pad %u", apc_pad_at((unsigned int)m->cur_x,
							   (unsigned int)m->cur_y));
		break;
	case KEY_MOUSE:
		if (getmouse(&me) == OK && m->kind == KIND_APCVIRT)
			mouse_play(m, &me);
		break;
	case KEY_RESIZE:
		/* ncurses has resized already (resizeterm queues this key:
		 * resizing again here would queue it again, for ever). */
		clearok(curscr, TRUE);
		break;
	default:
		return;
	}
	m->dirty = 1;
}

static void on_stdin(void *user, int fd, short revents)
{
	struct mon *m = user;
	int ch;

	(void)fd;
	if (revents & (POLLHUP | POLLERR)) {
		m->quit = 1;
		return;
	}
	while ((ch = getch()) != ERR)
		on_key(m, ch);
}

static void on_signal(void *user, int fd, short revents)
{
	struct mon *m = user;
	struct signalfd_siginfo si;

	(void)revents;
	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGWINCH)
			on_resize(m);
		else
			m->quit = 1;
	}
}

static void lower(uint64_t *d, uint64_t t)
{
	if (t && (!*d || t < *d))
		*d = t;
}

static void mon_prepare(void *user, uint64_t *deadline)
{
	struct mon *m = user;

	lower(deadline, m->chase_due);
	lower(deadline, m->once_due);
	if (m->rtt_state == 1)
		lower(deadline, m->inquiry_sent + MON_INQUIRY_NS);
	/* The rate: once a second while events come, then once to show 0. */
	if (m->tui && (m->window_n || m->rate > 0))
		lower(deadline, m->window_t0 + MON_RATE_NS);
}

static void mon_dispatch(void *user)
{
	struct mon *m = user;
	uint64_t now = apc_now_ns();

	if (m->test == TEST_CHASE && m->chase_due && now >= m->chase_due)
		chase_step(m);
	if (m->rtt_state == 1 && now >= m->inquiry_sent + MON_INQUIRY_NS) {
		m->rtt_state = 3;
		m->dirty = 1;
	}
	if (now >= m->window_t0 + MON_RATE_NS) {
		double s = (double)(now - m->window_t0) / 1e9;

		m->rate = m->window_t0 ? (double)m->window_n / s : 0;
		m->window_n = 0;
		m->window_t0 = now;
		m->dirty = 1;
	}
	if (m->once_due && now >= m->once_due && m->rtt_state != 1)
		m->quit = 1;
	if (m->tui && m->dirty && !m->quit)
		draw(m);
	if (m->quit)
		loop_quit(m->loop);
}

/* ---- set-up ---- */

static int mon_open_seq(struct mon *m)
{
	snd_seq_port_info_t *pi;
	int r;

	r = snd_seq_open(&m->seq, "default", SND_SEQ_OPEN_DUPLEX, SND_SEQ_NONBLOCK);
	if (r < 0) {
		fprintf(stderr, "apcmon: Cannot open the sequencer: %s\n", snd_strerror(r));
		return r;
	}
	snd_seq_set_client_name(m->seq, "apcmon");
	m->me = snd_seq_client_id(m->seq);
	snd_seq_port_info_alloca(&pi);
	snd_seq_port_info_set_capability(pi, SND_SEQ_PORT_CAP_WRITE | SND_SEQ_PORT_CAP_READ);
	snd_seq_port_info_set_type(pi, SND_SEQ_PORT_TYPE_MIDI_GENERIC |
					       SND_SEQ_PORT_TYPE_APPLICATION);
	snd_seq_port_info_set_port(pi, MON_PORT_IN);
	snd_seq_port_info_set_port_specified(pi, 1);
	snd_seq_port_info_set_name(pi, "apcmon");
	r = snd_seq_create_port(m->seq, pi);
	if (r >= 0) {
		snd_seq_port_info_set_port(pi, MON_PORT_LEDS);
		snd_seq_port_info_set_name(pi, "apcmon LEDs");
		snd_seq_port_info_set_capability(pi, SND_SEQ_PORT_CAP_WRITE);
		r = snd_seq_create_port(m->seq, pi);
	}
	if (r >= 0)
		r = snd_midi_event_new(APCDEV_SYSEX_MAX, &m->dec);
	if (r >= 0)
		r = snd_midi_event_new(APCDEV_SYSEX_MAX, &m->enc);
	if (r < 0) {
		fprintf(stderr, "apcmon: Cannot set up the sequencer client: %s\n",
			snd_strerror(r));
		return r;
	}
	snd_midi_event_no_status(m->dec, 1);
	return 0;
}

/* -p ADDR names a client: an APC mini by its name, or anything that
 * answers the identity inquiry as one within a second. */
static int mon_pick(struct mon *m, const char *addr)
{
	snd_seq_client_info_t *ci;
	snd_seq_addr_t a;
	struct pollfd pfd[MON_MAX_FDS];
	uint64_t end;
	int r, n;

	if (!addr) {
		if (mon_find_first(m) == 0)
			return 0;
		fprintf(stderr, "apcmon: no APC mini found (no sequencer client named as one; "
				"is apcminid, the kernel's driver or apcvirt running?)\n");
		return -ENOENT;
	}
	r = snd_seq_parse_address(m->seq, &a, addr);
	if (r < 0) {
		fprintf(stderr, "apcmon: no sequencer client '%s'\n", addr);
		return -ENOENT;
	}
	snd_seq_client_info_alloca(&ci);
	if (snd_seq_get_any_client_info(m->seq, a.client, ci) < 0) {
		fprintf(stderr, "apcmon: no sequencer client '%s'\n", addr);
		return -ENOENT;
	}
	m->client = a.client;
	mon_describe(m, ci);
	m->model = model_by_client_name(m->client_name);
	if (m->model)
		return 0;
	/* Not named as one: ask it. */
	snd_seq_connect_from(m->seq, MON_PORT_IN, m->client, 0);
	m->model = &apc_model_mk1; /* for the decoder only */
	mon_inquiry(m);
	end = m->inquiry_sent + MON_INQUIRY_NS;
	while (!m->reply_model && apc_now_ns() < end) {
		n = snd_seq_poll_descriptors(m->seq, pfd, MON_MAX_FDS, POLLIN);
		poll(pfd, (nfds_t)n, 50);
		mon_seq_ready(m, -1, 0);
	}
	snd_seq_disconnect_from(m->seq, MON_PORT_IN, m->client, 0);
	if (!m->reply_model) {
		fprintf(stderr, "apcmon: client %d '%s' is not an APC mini (not named as one, "
				"no identity reply)\n", m->client, m->client_name);
		return -ENODEV;
	}
	m->model = m->reply_model;
	m->rtt_state = 0;
	m->events = m->sysex = 0;
	m->last_i = 0;
	return 0;
}

/* Subscribe to the device's ports, to System:Announce, and to the LED
 * mirror (apcvirt's, apcminid's) or else to the ports that write to the
 * device. */
static int mon_attach(struct mon *m)
{
	snd_seq_query_subscribe_t *q;
	unsigned int p;
	int r;

	for (p = 0; p < m->model->n_cables; p++) {
		r = snd_seq_connect_from(m->seq, MON_PORT_IN, m->client, (int)p);
		if (r < 0) {
			fprintf(stderr, "apcmon: Cannot subscribe to %d:%u: %s\n", m->client, p,
				snd_strerror(r));
			return r;
		}
	}
	snd_seq_connect_from(m->seq, MON_PORT_IN, SND_SEQ_CLIENT_SYSTEM,
			     SND_SEQ_PORT_SYSTEM_ANNOUNCE);
	if (m->mirror_port >= 0)
		return snd_seq_connect_from(m->seq, MON_PORT_LEDS, m->client, m->mirror_port);
	snd_seq_query_subscribe_alloca(&q);
	snd_seq_query_subscribe_set_client(q, m->client);
	snd_seq_query_subscribe_set_port(q, 0);
	snd_seq_query_subscribe_set_type(q, SND_SEQ_QUERY_SUBS_WRITE);
	snd_seq_query_subscribe_set_index(q, 0);
	while (snd_seq_query_port_subscribers(m->seq, q) >= 0) {
		mon_subscribe_sender(m, snd_seq_query_subscribe_get_addr(q), 1);
		snd_seq_query_subscribe_set_index(q, snd_seq_query_subscribe_get_index(q) + 1);
	}
	return 0;
}

static int mon_watch(struct mon *m)
{
	struct pollfd pfd[MON_MAX_FDS];
	sigset_t mask;
	int n, i, r;

	n = snd_seq_poll_descriptors(m->seq, pfd, MON_MAX_FDS, POLLIN);
	for (i = 0; i < n; i++) {
		r = loop_add_fd(m->loop, pfd[i].fd, POLLIN, mon_seq_ready, m);
		if (r < 0)
			return r;
		m->fds[m->nfds++] = pfd[i].fd;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGWINCH);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	m->sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (m->sig_fd < 0)
		return -errno;
	r = loop_add_fd(m->loop, m->sig_fd, POLLIN, on_signal, m);
	if (r >= 0 && m->tui)
		r = loop_add_fd(m->loop, STDIN_FILENO, POLLIN, on_stdin, m);
	if (r >= 0)
		r = loop_add_hook(m->loop, mon_prepare, mon_dispatch, m);
	return r;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: apcmon [options] [CLIENT]\n"
		"Show an APC mini live: the grid in the device's colours, buttons, faders,\n"
		"events; test its LEDs. CLIENT is a sequencer client (name or number,\n"
		"'APC MINI', 24, 'APC mini mk2:0'); default: the first APC mini found.\n"
		"\n"
		"  -p, --port CLIENT   the same as the CLIENT argument\n"
		"  -1, --once          print a plain-text snapshot and exit\n"
		"  -i, --identity      (with --once) ask the identity and time the reply\n"
		"  -h, --help          this help\n"
		"  -V, --version       the version\n"
		"\n"
		"Keys: q quit, c colours (mk2: palette pages), b brightness and blink\n"
		"channels, h chase, o all off, i identity round trip; on apcvirt the\n"
		"mouse and arrows + space play pads, buttons and faders.\n"
		"Exit status: 0, 1 no APC mini (or it went away), 2 usage.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "once", no_argument, NULL, '1' },
		{ "identity", no_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	static struct mon mon;
	struct mon *m = &mon;
	const char *addr = NULL;
	int opt, identity = 0, err, status = 1;

	while ((opt = getopt_long(argc, argv, "p:1ihV", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			addr = optarg;
			break;
		case '1':
			m->once = 1;
			break;
		case 'i':
			identity = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("apcmon %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc && !addr)
		addr = argv[optind++];
	if (optind != argc) {
		fprintf(stderr, "apcmon: one client at most\n");
		usage(stderr);
		return 2;
	}
	setlocale(LC_ALL, "");
	m->sig_fd = -1;
	m->ctl_port = -1;
	m->mirror_port = -1;
	if (mon_open_seq(m) < 0)
		goto out;
	err = mon_pick(m, addr);
	if (err < 0)
		goto out;
	apcdev_init(&m->leds, m->model, NULL, NULL, NULL);
	memset(&m->leds.rx, 0, sizeof(m->leds.rx));
	if (mon_attach(m) < 0)
		goto out;
	if (loop_new(&m->loop) < 0)
		goto out;
	if (!m->once && open_terminal(m) < 0)
		goto out;
	if (mon_watch(m) < 0) {
		fprintf(stderr, "apcmon: Cannot set up the event loop\n");
		goto out;
	}
	if (m->once) {
		m->once_due = apc_now_ns() + MON_ONCE_NS;
		if (identity)
			mon_inquiry(m);
	} else {
		m->dirty = 1;
		draw(m);
	}
	m->window_t0 = apc_now_ns();
	err = loop_run(m->loop);
	status = err < 0 ? 1 : m->exit_status;
	if (m->tui) {
		endwin();
		m->tui = 0;
	}
	if (m->once)
		print_snapshot(m);
	if (m->exit_status)
		fprintf(stderr, "apcmon: client %d '%s' has gone\n", m->client, m->client_name);
out:
	if (m->tui)
		endwin();
	if (m->dec)
		snd_midi_event_free(m->dec);
	if (m->enc)
		snd_midi_event_free(m->enc);
	if (m->loop)
		loop_free(m->loop);
	if (m->sig_fd >= 0)
		close(m->sig_fd);
	if (m->seq)
		snd_seq_close(m->seq);
	return status;
}
