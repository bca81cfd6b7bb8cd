/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcemu: plays an APC mini on the gadget side of the system-test guest
 * (configfs plug/unplug, the f_midi card, scripted input). One thread: it
 * runs the tree's loop (driver/util/loop.h); sleep, wait and burst pauses
 * and the card retries are deadlines of its one hook, no timer of its own.
 *
 * What the host sends is read from the gadget card's rawmidi inputs; what
 * the device sends goes through gadget-seq.c (why not a rawmidi write:
 * there). */

#include "config.h"

#include <alsa/asoundlib.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "apcemu.h"
#include "clock.h"
#include "gadget-seq.h"
#include "loop.h"

#define SOCKET_DEFAULT "/run/apcemu.sock"
#define MAX_CLIENTS 8
#define LINE_LEN 4096
#define REPLY_LEN 16384
#define MAX_ARGS 64
#define RETRY_NS 100000000ull /* look for the gadget card again every 100 ms */
#define BURST_SLICE 256	      /* events per loop turn, so input keeps flowing */

enum src_kind { SRC_STDIN, SRC_SCRIPT, SRC_CLIENT };

struct source {
	enum src_kind kind;
	int fd; /* -1: closed */
	int watched; /* the fd the loop watches for it, -1: none */
	FILE *file; /* SRC_SCRIPT */
	const char *name;
	char in[LINE_LEN];
	size_t inlen;
	int eof;
	unsigned int line_no;
};

enum busy_op { BUSY_NONE, BUSY_SLEEP, BUSY_WAIT, BUSY_BURST };

struct emu {
	const struct apc_model *model;
	struct apcdev dev;
	const char *gadget;
	const char *card_id;
	const char *socket_path;

	/* The gadget card: its rawmidi inputs, its sequencer client (port N
	 * is cable N) fed from our ports; card < 0 while unplugged. */
	int card;
	int want_connected;
	snd_rawmidi_t *in[APCDEV_MAX_CABLES];
	int in_fd[APCDEV_MAX_CABLES];
	struct gadget_seq *out;

	struct loop *loop;
	int sig_fd, listen_fd;
	int listen_watched;
	/* CLOCK_MONOTONIC deadlines of the loop hook, 0 = none: the end of
	 * a sleep, wait or the next paced burst event; the next look for
	 * the gadget card. */
	uint64_t busy_due, retry_due;
	struct source stdin_src, script_src;
	struct source clients[MAX_CLIENTS];

	struct emu_tx_stats tx;
	FILE *txlog, *rxlog;
	uint64_t rxseq;
	uint64_t rx_stamp; /* when the bytes being parsed were read */
	int echo, monitor;

	enum busy_op busy;
	struct source *busy_src;
	uint64_t busy_t0;
	const uint64_t *wait_counter;
	const char *wait_name;
	uint64_t wait_target;
	uint64_t burst_n, burst_i, burst_rate;

	char reply[REPLY_LEN];
	size_t reply_len;
	char errmsg[256];

	int quit;
	int exit_status;
};

__attribute__((format(printf, 2, 3)))
static void reply_printf(struct emu *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(e->reply + e->reply_len, sizeof(e->reply) - e->reply_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		e->reply_len += (size_t)n < sizeof(e->reply) - e->reply_len ?
					(size_t)n :
					sizeof(e->reply) - e->reply_len - 1;
}

/* Commands fail with a message and -EINVAL (or another -errno). */
__attribute__((format(printf, 3, 4)))
static int cmd_error(struct emu *e, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->errmsg, sizeof(e->errmsg), fmt, ap);
	va_end(ap);
	return err;
}

static void hex_format(char *out, size_t sz, const uint8_t *msg, size_t len)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < len && o + 4 < sz; i++)
		o += snprintf(out + o, sz - o, "%s%02x", i ? " " : "", msg[i]);
}

/* ---- the gadget card ---- */

static void emu_read(struct emu *e, unsigned int c);

static void on_rawmidi(void *user, int fd, short revents)
{
	struct emu *e = user;
	unsigned int c;

	for (c = 0; c < APCDEV_MAX_CABLES; c++)
		if (e->card >= 0 && e->in_fd[c] == fd)
			emu_read(e, c);
}

/* Close the rawmidi inputs; the loop stops watching them first (their
 * numbers may come back for another descriptor). */
static void emu_close_inputs(struct emu *e)
{
	unsigned int c;

	for (c = 0; c < APCDEV_MAX_CABLES; c++) {
		if (e->in_fd[c] >= 0 && e->loop)
			loop_del_fd(e->loop, e->in_fd[c]);
		if (e->in[c])
			snd_rawmidi_close(e->in[c]);
		e->in[c] = NULL;
		e->in_fd[c] = -1;
	}
}

static void emu_disconnect(struct emu *e, const char *why)
{
	if (e->card < 0)
		return;
	emu_close_inputs(e);
	gadget_seq_unlink(e->out);
	printf("apcemu: disconnected from hw:%d (%s)\n", e->card, why);
	e->card = -1;
	if (e->want_connected)
		e->retry_due = apc_now_ns() + RETRY_NS;
}

static int rawmidi_fd(snd_rawmidi_t *r)
{
	struct pollfd pfd;

	if (snd_rawmidi_poll_descriptors(r, &pfd, 1) != 1)
		return -1;
	return pfd.fd;
}

/* Open the gadget card's rawmidi inputs, one per cable, and subscribe our
 * ports to its sequencer client for the output. A fresh connection is a
 * power-up: the device's LED state is reset. */
static int emu_connect(struct emu *e, int quiet)
{
	char name[64];
	unsigned int c;
	int card, err;

	card = snd_card_get_index(e->card_id);
	if (card < 0) {
		if (!quiet)
			fprintf(stderr, "Cannot find ALSA card '%s' (gadget plugged?)\n",
				e->card_id);
		return -ENODEV;
	}
	for (c = 0; c < e->model->n_cables && c < APCDEV_MAX_CABLES; c++) {
		snprintf(name, sizeof(name), "hw:%d,0,%u", card, c);
		err = snd_rawmidi_open(&e->in[c], NULL, name, SND_RAWMIDI_NONBLOCK);
		if (err < 0) {
			if (!quiet)
				fprintf(stderr, "Cannot open rawmidi %s: %s\n", name,
					snd_strerror(err));
			goto err_close;
		}
		e->in_fd[c] = rawmidi_fd(e->in[c]);
	}
	for (c = 0; c < APCDEV_MAX_CABLES; c++) {
		if (e->in_fd[c] < 0)
			continue;
		err = loop_add_fd(e->loop, e->in_fd[c], POLLIN, on_rawmidi, e);
		if (err < 0) {
			if (!quiet)
				fprintf(stderr, "Cannot watch rawmidi hw:%d,0,%u: %s\n", card, c,
					strerror(-err));
			goto err_close;
		}
	}
	err = gadget_seq_link(e->out, card);
	if (err < 0) {
		if (!quiet)
			fprintf(stderr, "Cannot send through card %d's sequencer client: %s\n",
				card, snd_strerror(err));
		goto err_close;
	}
	e->card = card;
	apcdev_reset(&e->dev);
	e->retry_due = 0;
	printf("apcemu: connected: %s on hw:%d (card %s), %u cable%s\n", e->model->short_name,
	       card, e->card_id, e->model->n_cables, e->model->n_cables > 1 ? "s" : "");
	return 0;

err_close:
	emu_close_inputs(e);
	return err;
}

/* Hand bytes to the card; what it cannot take now waits in the queue. */
static int emu_write(struct emu *e, unsigned int c, const uint8_t *msg, size_t len)
{
	int err;

	if (e->card < 0)
		return cmd_error(e, -ENODEV, "not connected (unplugged?)");
	if (c >= e->model->n_cables)
		return cmd_error(e, -EINVAL, "no cable %u on %s", c, e->model->short_name);
	err = gadget_seq_write(e->out, c, msg, len);
	if (err == -ENOBUFS)
		return cmd_error(e, -ENOBUFS, "output queue full");
	if (err < 0) {
		emu_disconnect(e, snd_strerror(err));
		return cmd_error(e, err, "Cannot send to the gadget card: %s", snd_strerror(err));
	}
	e->tx.bytes += len;
	e->tx.msgs++;
	return 0;
}

/* A control event: stamped and logged (seq = the event's number since the
 * emulator started, stamp = CLOCK_MONOTONIC ns just before the write). */
static int emu_send_control(struct emu *e, const struct apc_control *ctl)
{
	uint8_t msg[3];
	char hex[16];
	uint64_t stamp;
	int n, err;

	n = apc_control_to_midi(e->model, ctl, msg);
	if (n < 0)
		return cmd_error(e, n, "%s has no such control", e->model->short_name);
	stamp = apc_now_ns();
	err = emu_write(e, 0, msg, n);
	if (err)
		return err;
	e->tx.controls++;
	if (ctl->type == APC_CTL_FADER)
		e->dev.faders[ctl->index] = ctl->value;
	if (e->txlog) {
		hex_format(hex, sizeof(hex), msg, n);
		fprintf(e->txlog, "%" PRIu64 " %" PRIu64 " %s\n", e->tx.msgs, stamp, hex);
	}
	return 0;
}

/* The device answers on its own (identity, mk2 introduction, mode echo). */
static void apcdev_send(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
	struct emu *e = user;

	if (emu_write(e, cable, msg, len) == 0)
		e->tx.replies++;
}

static void emu_on_msg(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
	struct emu *e = user;
	char hex[3 * APCDEV_SYSEX_MAX + 1];

	if (e->rxlog || e->monitor)
		hex_format(hex, sizeof(hex), msg, len);
	if (e->rxlog)
		fprintf(e->rxlog, "%" PRIu64 " %" PRIu64 " %s\n", ++e->rxseq, e->rx_stamp, hex);
	if (e->monitor)
		printf("rx %u: %s\n", cable, hex);
	if (e->echo && emu_write(e, cable, msg, len) == 0)
		e->tx.echoes++;
}

static void emu_read(struct emu *e, unsigned int c)
{
	uint8_t buf[4096];
	ssize_t n;

	while (e->card >= 0) {
		n = snd_rawmidi_read(e->in[c], buf, sizeof(buf));
		if (n == -EAGAIN || n == 0)
			break;
		if (n < 0) {
			emu_disconnect(e, snd_strerror((int)n));
			break;
		}
		e->rx_stamp = apc_now_ns();
		apcdev_input(&e->dev, c, buf, n);
	}
}

/* ---- gadget from inside the emulator ---- */

static int emu_unplug(struct emu *e)
{
	int err;

	e->want_connected = 0;
	e->retry_due = 0;
	emu_disconnect(e, "unplug");
	err = emu_gadget_unbind(e->gadget);
	return err ? cmd_error(e, err, "Cannot unplug gadget %s: %s", e->gadget, strerror(-err)) :
		     0;
}

static int emu_replug(struct emu *e)
{
	int err = emu_gadget_bind(e->gadget);

	if (err)
		return cmd_error(e, err, "Cannot plug gadget %s in: %s", e->gadget, strerror(-err));
	e->want_connected = 1;
	err = emu_connect(e, 0);
	if (err)
		return cmd_error(e, err, "Cannot open the gadget card %s", e->card_id);
	return 0;
}

/* ---- commands ---- */

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* CONTROL: "pad N" | "track N" | "scene N" | "shift"; returns args used. */
static int parse_control(struct emu *e, int argc, char **argv, struct apc_control *c)
{
	static const struct {
		const char *name;
		enum apc_control_type type;
		unsigned long max;
	} kinds[] = {
		{ "pad", APC_CTL_PAD, APC_NUM_PADS - 1 },
		{ "track", APC_CTL_TRACK, APC_NUM_TRACK - 1 },
		{ "scene", APC_CTL_SCENE, APC_NUM_SCENE - 1 },
	};
	unsigned long v;
	size_t i;

	if (argc < 1)
		return cmd_error(e, -EINVAL, "which control? pad N, track N, scene N, shift");
	if (!strcmp(argv[0], "shift")) {
		c->type = APC_CTL_SHIFT;
		c->index = 0;
		return 1;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(argv[0], kinds[i].name))
			continue;
		if (argc < 2 || parse_uint(argv[1], kinds[i].max, &v))
			return cmd_error(e, -EINVAL, "%s needs a number 0-%lu", kinds[i].name,
					 kinds[i].max);
		c->type = kinds[i].type;
		c->index = v;
		return 2;
	}
	return cmd_error(e, -EINVAL, "unknown control '%s'", argv[0]);
}

static int cmd_press_release(struct emu *e, int argc, char **argv)
{
	struct apc_control c;
	unsigned long vel = 127;
	int used, err;

	used = parse_control(e, argc - 1, argv + 1, &c);
	if (used < 0)
		return used;
	if (argc > 1 + used && parse_uint(argv[1 + used], 127, &vel))
		return cmd_error(e, -EINVAL, "bad velocity '%s'", argv[1 + used]);
	if (!strcmp(argv[0], "press") || !strcmp(argv[0], "tap")) {
		c.value = vel ? vel : 127;
		err = emu_send_control(e, &c);
		if (err || strcmp(argv[0], "tap"))
			return err;
	}
	c.value = 0;
	return emu_send_control(e, &c);
}

static int cmd_fader(struct emu *e, int argc, char **argv)
{
	struct apc_control c = { .type = APC_CTL_FADER };
	unsigned long idx, v;

	if (argc != 3)
		return cmd_error(e, -EINVAL, "usage: fader N|master VALUE");
	if (!strcmp(argv[1], "master"))
		idx = APC_NUM_FADERS - 1;
	else if (parse_uint(argv[1], APC_NUM_FADERS - 1, &idx))
		return cmd_error(e, -EINVAL, "fader is 0-%d or master", APC_NUM_FADERS - 1);
	if (parse_uint(argv[2], 127, &v))
		return cmd_error(e, -EINVAL, "fader value is 0-127");
	c.index = idx;
	c.value = v;
	return emu_send_control(e, &c);
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int cmd_send(struct emu *e, int argc, char **argv)
{
	uint8_t msg[APCDEV_SYSEX_MAX];
	unsigned long cable = 0;
	size_t len = 0;
	int i = 1, err;

	if (argc > 2 && !strcmp(argv[1], "-c")) {
		if (parse_uint(argv[2], APCDEV_MAX_CABLES - 1, &cable))
			return cmd_error(e, -EINVAL, "bad cable '%s'", argv[2]);
		i = 3;
	}
	for (; i < argc; i++) {
		const char *s = argv[i];

		if (strlen(s) % 2)
			return cmd_error(e, -EINVAL, "odd number of hex digits in '%s'", s);
		for (; *s; s += 2) {
			int hi = hexval(s[0]), lo = hexval(s[1]);

			if (hi < 0 || lo < 0)
				return cmd_error(e, -EINVAL, "not hex: '%s'", argv[i]);
			if (len == sizeof(msg))
				return cmd_error(e, -E2BIG, "message too long");
			msg[len++] = hi << 4 | lo;
		}
	}
	if (!len)
		return cmd_error(e, -EINVAL, "usage: send [-c CABLE] HEX...");
	err = emu_write(e, cable, msg, len);
	return err;
}

static int cmd_grid(struct emu *e, int argc, char **argv)
{
	int n = apcdev_grid(&e->dev, e->reply + e->reply_len,
				sizeof(e->reply) - e->reply_len);

	if (n < 0)
		return cmd_error(e, n, "grid does not fit the reply");
	e->reply_len += n;
	return 0;
}

static int cmd_stats(struct emu *e, int argc, char **argv)
{
	const struct apcdev_stats *r = &e->dev.rx;
	const struct emu_tx_stats *t = &e->tx;

	if (argc > 1 && !strcmp(argv[1], "reset")) {
		memset(&e->dev.rx, 0, sizeof(e->dev.rx));
		memset(&e->tx, 0, sizeof(e->tx));
		return 0;
	}
	reply_printf(e,
		     "rx bytes=%" PRIu64 " msgs=%" PRIu64 " leds=%" PRIu64 " sysex=%" PRIu64
		     " inquiries=%" PRIu64 " rgb=%" PRIu64 " other=%" PRIu64 " dropped=%" PRIu64
		     "\n",
		     r->bytes, r->msgs, r->leds, r->sysex, r->inquiries, r->rgb, r->other,
		     r->dropped);
	reply_printf(e,
		     "tx bytes=%" PRIu64 " msgs=%" PRIu64 " controls=%" PRIu64 " replies=%" PRIu64
		     " echoes=%" PRIu64 "\n",
		     t->bytes, t->msgs, t->controls, t->replies, t->echoes);
	return 0;
}

static int cmd_info(struct emu *e, int argc, char **argv)
{
	reply_printf(e, "model %s\n", e->model->short_name);
	reply_printf(e, "usb %04x:%04x '%s' '%s'\n", e->model->vid, e->model->pid,
		     e->model->usb_manufacturer, e->model->usb_product);
	reply_printf(e, "gadget %s card %s ", e->gadget, e->card_id);
	if (e->card >= 0)
		reply_printf(e, "hw:%d\n", e->card);
	else
		reply_printf(e, "unplugged\n");
	reply_printf(e, "mode %u echo %s monitor %s\n", e->dev.mode, e->echo ? "on" : "off",
		     e->monitor ? "on" : "off");
	return 0;
}

static int busy_done_wait(struct emu *e)
{
	return *e->wait_counter >= e->wait_target;
}

static int cmd_wait(struct emu *e, int argc, char **argv)
{
	static const char *const names[] = { "leds", "msgs", "sysex", "bytes" };
	const uint64_t *counters[] = { &e->dev.rx.leds, &e->dev.rx.msgs, &e->dev.rx.sysex,
				       &e->dev.rx.bytes };
	unsigned long n, ms = 5000;
	size_t i;

	if (argc < 3 || parse_uint(argv[2], ULONG_MAX, &n) ||
	    (argc > 3 && parse_uint(argv[3], 86400000, &ms)))
		return cmd_error(e, -EINVAL, "usage: wait leds|msgs|sysex|bytes N [MS]");
	for (i = 0; i < 4; i++)
		if (!strcmp(argv[1], names[i]))
			break;
	if (i == 4)
		return cmd_error(e, -EINVAL, "cannot wait for '%s'", argv[1]);
	e->wait_counter = counters[i];
	e->wait_name = names[i];
	e->wait_target = n;
	if (busy_done_wait(e))
		return 0;
	e->busy = BUSY_WAIT;
	e->busy_due = apc_now_ns() + ms * 1000000ull;
	return 1;
}

static int cmd_sleep(struct emu *e, int argc, char **argv)
{
	unsigned long ms;

	if (argc != 2 || parse_uint(argv[1], 86400000, &ms))
		return cmd_error(e, -EINVAL, "usage: sleep MS");
	if (!ms)
		return 0;
	e->busy = BUSY_SLEEP;
	e->busy_due = apc_now_ns() + ms * 1000000ull;
	return 1;
}

static int burst_step(struct emu *e);

static int cmd_burst(struct emu *e, int argc, char **argv)
{
	unsigned long n, rate = 0;

	if (argc < 2 || parse_uint(argv[1], ULONG_MAX, &n) ||
	    (argc > 2 && parse_uint(argv[2], 1000000, &rate)))
		return cmd_error(e, -EINVAL, "usage: burst N [RATE]");
	if (e->card < 0)
		return cmd_error(e, -ENODEV, "not connected (unplugged?)");
	e->burst_n = n;
	e->burst_i = 0;
	e->burst_rate = rate;
	e->busy_t0 = apc_now_ns();
	e->busy = BUSY_BURST;
	return burst_step(e);
}

static int cmd_onoff(struct emu *e, int argc, char **argv, int *flag)
{
	if (argc != 2 || (strcmp(argv[1], "on") && strcmp(argv[1], "off")))
		return cmd_error(e, -EINVAL, "usage: %s on|off", argv[0]);
	*flag = !strcmp(argv[1], "on");
	return 0;
}

static int cmd_log(struct emu *e, int argc, char **argv, FILE **fp)
{
	if (argc != 2)
		return cmd_error(e, -EINVAL, "usage: %s FILE|off", argv[0]);
	if (*fp) {
		fclose(*fp);
		*fp = NULL;
	}
	if (!strcmp(argv[1], "off"))
		return 0;
	*fp = fopen(argv[1], "we");
	if (!*fp)
		return cmd_error(e, -errno, "Cannot open %s: %s", argv[1], strerror(errno));
	return 0;
}

static const char help_text[] =
	"press CONTROL [VEL]      CONTROL: pad N (0-63) | track N | scene N (0-7) | shift\n"
	"release CONTROL          note-off (mk1) / the model's release\n"
	"tap CONTROL [VEL]        press and release\n"
	"fader N|master VALUE     N 0-8 (8 = master), VALUE 0-127\n"
	"send [-c CABLE] HEX...   raw bytes to the host\n"
	"burst N [RATE]           N press/release events, RATE per second (0 = flat out)\n"
	"grid                     the LED state as text\n"
	"stats [reset]            counters\n"
	"wait leds|msgs|sysex|bytes N [MS]   until the rx counter reaches N\n"
	"sleep MS                 pause this command source\n"
	"echo on|off              send every received message back\n"
	"monitor on|off           print received messages on stdout\n"
	"log FILE|off             log sent events: seq ns bytes\n"
	"rxlog FILE|off           log received messages: seq ns bytes\n"
	"unplug | replug          UDC unbind / bind (replug = power-up state)\n"
	"info | mark TEXT | ping | help | quit\n";

static int emu_exec(struct emu *e, char *line)
{
	char *argv[MAX_ARGS], *save = NULL, *tok;
	int argc = 0;

	line[strcspn(line, "#")] = '\0';
	for (tok = strtok_r(line, " \t\r\n", &save); tok && argc < MAX_ARGS;
	     tok = strtok_r(NULL, " \t\r\n", &save))
		argv[argc++] = tok;
	if (argc == 0)
		return 0;
	if (!strcmp(argv[0], "press") || !strcmp(argv[0], "release") || !strcmp(argv[0], "tap"))
		return cmd_press_release(e, argc, argv);
	if (!strcmp(argv[0], "fader"))
		return cmd_fader(e, argc, argv);
	if (!strcmp(argv[0], "send"))
		return cmd_send(e, argc, argv);
	if (!strcmp(argv[0], "burst"))
		return cmd_burst(e, argc, argv);
	if (!strcmp(argv[0], "grid"))
		return cmd_grid(e, argc, argv);
	if (!strcmp(argv[0], "stats"))
		return cmd_stats(e, argc, argv);
	if (!strcmp(argv[0], "wait"))
		return cmd_wait(e, argc, argv);
	if (!strcmp(argv[0], "sleep"))
		return cmd_sleep(e, argc, argv);
	if (!strcmp(argv[0], "echo"))
		return cmd_onoff(e, argc, argv, &e->echo);
	if (!strcmp(argv[0], "monitor"))
		return cmd_onoff(e, argc, argv, &e->monitor);
	if (!strcmp(argv[0], "log"))
		return cmd_log(e, argc, argv, &e->txlog);
	if (!strcmp(argv[0], "rxlog"))
		return cmd_log(e, argc, argv, &e->rxlog);
	if (!strcmp(argv[0], "unplug"))
		return emu_unplug(e);
	if (!strcmp(argv[0], "replug"))
		return emu_replug(e);
	if (!strcmp(argv[0], "info"))
		return cmd_info(e, argc, argv);
	if (!strcmp(argv[0], "mark")) {
		int i;

		for (i = 1; i < argc; i++)
			reply_printf(e, "%s%s", i > 1 ? " " : "", argv[i]);
		reply_printf(e, "\n");
		return 0;
	}
	if (!strcmp(argv[0], "ping")) {
		reply_printf(e, "pong\n");
		return 0;
	}
	if (!strcmp(argv[0], "help")) {
		reply_printf(e, "%s", help_text);
		return 0;
	}
	if (!strcmp(argv[0], "quit")) {
		e->quit = 1;
		return 0;
	}
	return cmd_error(e, -EINVAL, "unknown command '%s' (try help)", argv[0]);
}

/* ---- command sources ---- */

static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= n;
	}
}

static void source_close(struct emu *e, struct source *s)
{
	if (s->watched >= 0) {
		loop_del_fd(e->loop, s->watched);
		s->watched = -1;
	}
	if (s->kind == SRC_CLIENT && s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->inlen = 0;
	s->eof = 1;
}

/* Socket clients get the reply lines, a leading '.' doubled, then ".ok" or
 * ".error MESSAGE"; stdin and scripts print to stdout and stderr. */
static void emu_finish(struct emu *e, struct source *s, int status)
{
	if (s->kind == SRC_CLIENT) {
		char *p = e->reply, *end = e->reply + e->reply_len;
		char term[300];

		if (s->fd < 0)
			return;
		while (p < end) {
			char *nl = memchr(p, '\n', end - p);
			size_t n = nl ? (size_t)(nl - p + 1) : (size_t)(end - p);

			if (*p == '.')
				write_all(s->fd, ".", 1);
			write_all(s->fd, p, n);
			if (!nl)
				write_all(s->fd, "\n", 1);
			p += n;
		}
		if (status < 0)
			snprintf(term, sizeof(term), ".error %s\n", e->errmsg);
		else
			snprintf(term, sizeof(term), ".ok\n");
		write_all(s->fd, term, strlen(term));
		return;
	}
	fwrite(e->reply, 1, e->reply_len, stdout);
	fflush(stdout);
	if (status < 0) {
		fprintf(stderr, "apcemu: %s:%u: %s\n", s->name, s->line_no, e->errmsg);
		if (s->kind == SRC_SCRIPT) {
			e->exit_status = 1;
			e->quit = 1;
		}
	}
}

static void emu_run_line(struct emu *e, struct source *s, char *line)
{
	int status;

	s->line_no++;
	e->reply_len = 0;
	e->reply[0] = '\0';
	e->errmsg[0] = '\0';
	status = emu_exec(e, line);
	if (status == 1) {
		e->busy_src = s;
		return;
	}
	emu_finish(e, s, status);
}

/* A busy command (sleep, wait, burst) has finished. */
static void emu_busy_done(struct emu *e, int status)
{
	struct source *s = e->busy_src;

	e->busy = BUSY_NONE;
	e->busy_src = NULL;
	e->busy_due = 0;
	if (e->txlog)
		fflush(e->txlog);
	if (s)
		emu_finish(e, s, status);
}

/* Take one complete line out of a source's buffer. */
static int source_line(struct source *s, char *line, size_t sz)
{
	char *nl = memchr(s->in, '\n', s->inlen);
	size_t n;

	if (!nl) {
		if (!s->eof || !s->inlen)
			return 0;
		nl = s->in + s->inlen; /* last line without a newline */
	}
	n = nl - s->in;
	if (n >= sz)
		n = sz - 1;
	memcpy(line, s->in, n);
	line[n] = '\0';
	if (nl < s->in + s->inlen)
		nl++;
	s->inlen -= nl - s->in;
	memmove(s->in, nl, s->inlen);
	return 1;
}

static void emu_process(struct emu *e)
{
	char line[LINE_LEN];
	int i, progress = 1;

	while (progress && e->busy == BUSY_NONE && !e->quit) {
		progress = 0;
		if (e->script_src.file) {
			if (fgets(line, sizeof(line), e->script_src.file)) {
				emu_run_line(e, &e->script_src, line);
			} else {
				fclose(e->script_src.file);
				e->script_src.file = NULL;
			}
			progress = 1;
			continue;
		}
		if (source_line(&e->stdin_src, line, sizeof(line))) {
			emu_run_line(e, &e->stdin_src, line);
			progress = 1;
			continue;
		}
		for (i = 0; i < MAX_CLIENTS; i++) {
			struct source *s = &e->clients[i];

			if (s->fd < 0)
				continue;
			if (source_line(s, line, sizeof(line))) {
				emu_run_line(e, s, line);
				progress = 1;
				break;
			}
			if (s->eof)
				source_close(e, s);
		}
	}
}

static void source_read(struct source *s)
{
	ssize_t n;

	if (s->inlen == sizeof(s->in)) /* a line longer than the buffer */
		s->inlen = 0;
	n = read(s->fd, s->in + s->inlen, sizeof(s->in) - s->inlen);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		s->eof = 1;
		if (s->kind == SRC_STDIN)
			s->fd = -1;
		return;
	}
	s->inlen += n;
}

static void emu_accept(struct emu *e)
{
	int fd = accept4(e->listen_fd, NULL, NULL, SOCK_CLOEXEC), i;

	if (fd < 0)
		return;
	for (i = 0; i < MAX_CLIENTS; i++) {
		struct source *s = &e->clients[i];

		if (s->fd >= 0)
			continue;
		memset(s, 0, sizeof(*s));
		s->kind = SRC_CLIENT;
		s->fd = fd;
		s->watched = -1;
		s->name = "socket";
		return;
	}
	write_all(fd, ".error too many clients\n", 24);
	close(fd);
}

static int emu_listen(struct emu *e)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(e->socket_path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "Cannot use socket %s: path too long\n", e->socket_path);
		return -ENAMETOOLONG;
	}
	strcpy(addr.sun_path, e->socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto err;
	unlink(e->socket_path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 8) < 0)
		goto err_close;
	e->listen_fd = fd;
	return 0;

err_close:
	err = -errno;
	close(fd);
	errno = -err;
err:
	err = -errno;
	fprintf(stderr, "Cannot listen on %s: %s\n", e->socket_path, strerror(errno));
	return err;
}

/* ---- busy operations ---- */

static int burst_send_one(struct emu *e)
{
	struct apc_control c = { .type = APC_CTL_PAD };

	c.index = (e->burst_i / 2) % APC_NUM_PADS;
	c.value = e->burst_i % 2 ? 0 : 127;
	e->burst_i++;
	return emu_send_control(e, &c);
}

static void burst_report(struct emu *e)
{
	double s = (apc_now_ns() - e->busy_t0) / 1e9;

	reply_printf(e, "burst %" PRIu64 " events in %.6f s (%.0f events/s)\n", e->burst_i, s,
		     s > 0 ? e->burst_i / s : 0.0);
}

/* Returns 1 while the burst goes on, 0 when done, -errno on failure. */
static int burst_step(struct emu *e)
{
	unsigned int slice = 0;
	int err;

	if (e->burst_rate) {
		uint64_t period = 1000000000ull / e->burst_rate;
		uint64_t due = (apc_now_ns() - e->busy_t0) / period + 1;

		while (e->burst_i < e->burst_n && e->burst_i < due) {
			err = burst_send_one(e);
			if (err)
				return err;
		}
		if (e->burst_i < e->burst_n) {
			e->busy_due = e->busy_t0 + e->burst_i * period;
			return 1;
		}
	} else {
		/* Flat out, but only into an empty queue: a stamp then is
		 * the moment the card's output buffer took the event. */
		while (e->burst_i < e->burst_n && !gadget_seq_busy(e->out, 0) &&
		       slice++ < BURST_SLICE) {
			err = burst_send_one(e);
			if (err)
				return err;
		}
		if (e->burst_i < e->burst_n)
			return 1;
	}
	burst_report(e);
	return 0;
}

static void emu_busy_check(struct emu *e, int timer_fired)
{
	int status;

	switch (e->busy) {
	case BUSY_NONE:
		break;
	case BUSY_SLEEP:
		if (timer_fired)
			emu_busy_done(e, 0);
		break;
	case BUSY_WAIT:
		if (busy_done_wait(e)) {
			emu_busy_done(e, 0);
		} else if (timer_fired) {
			cmd_error(e, -ETIMEDOUT, "timeout: %s=%" PRIu64 " of %" PRIu64,
				  e->wait_name, *e->wait_counter, e->wait_target);
			emu_busy_done(e, -ETIMEDOUT);
		}
		break;
	case BUSY_BURST:
		if (e->card < 0) {
			cmd_error(e, -ENODEV, "unplugged during the burst (%" PRIu64 " sent)",
				  e->burst_i);
			emu_busy_done(e, -ENODEV);
			break;
		}
		status = burst_step(e);
		if (status != 1)
			emu_busy_done(e, status);
		break;
	}
}

/* ---- the loop ---- */

static void on_signal(void *user, int fd, short revents)
{
	struct emu *e = user;
	struct signalfd_siginfo si;

	if (read(fd, &si, sizeof(si)) == sizeof(si))
		printf("apcemu: signal %u, quitting\n", si.ssi_signo);
	e->quit = 1;
}

static void on_listen(void *user, int fd, short revents)
{
	emu_accept(user);
}

static void on_source(void *user, int fd, short revents)
{
	struct emu *e = user;
	int i;

	if (e->stdin_src.watched == fd) {
		source_read(&e->stdin_src);
		return;
	}
	for (i = 0; i < MAX_CLIENTS; i++)
		if (e->clients[i].watched == fd && e->clients[i].fd == fd)
			source_read(&e->clients[i]);
}

/* Command input is read only while no command is busy: a sleep, wait or
 * burst holds every source back, not only its own, and lines must not
 * pile up behind it. */
static void source_watch(struct emu *e, struct source *s, int want)
{
	want = want && s->fd >= 0 && !s->eof;
	if (s->watched >= 0 && (!want || s->watched != s->fd)) {
		loop_del_fd(e->loop, s->watched);
		s->watched = -1;
	}
	if (want && s->watched < 0 && loop_add_fd(e->loop, s->fd, POLLIN, on_source, e) == 0)
		s->watched = s->fd;
}

static void emu_watch(struct emu *e)
{
	int idle = e->busy == BUSY_NONE, i;

	if (e->listen_fd >= 0 && !idle && e->listen_watched) {
		loop_del_fd(e->loop, e->listen_fd);
		e->listen_watched = 0;
	} else if (e->listen_fd >= 0 && idle && !e->listen_watched) {
		e->listen_watched = loop_add_fd(e->loop, e->listen_fd, POLLIN, on_listen, e) == 0;
	}
	source_watch(e, &e->stdin_src, idle);
	for (i = 0; i < MAX_CLIENTS; i++)
		source_watch(e, &e->clients[i], idle);
}

static void lower(uint64_t *deadline, uint64_t t)
{
	if (t && (!*deadline || t < *deadline))
		*deadline = t;
}

/* Nothing signals room in the card's output buffer (the sequencer owns
 * it): what waits is retried every GADGET_SEQ_RETRY_NS; a flat-out burst
 * with room goes on at once. */
static void emu_prepare(void *user, uint64_t *deadline)
{
	struct emu *e = user;
	uint64_t now = apc_now_ns();

	lower(deadline, e->busy_due);
	lower(deadline, e->retry_due);
	if (e->card < 0)
		return;
	if (gadget_seq_busy(e->out, -1))
		lower(deadline, now + GADGET_SEQ_RETRY_NS);
	if (e->busy == BUSY_BURST && !e->burst_rate && !gadget_seq_busy(e->out, 0))
		lower(deadline, now);
}

/* After every wake-up: send what waits, finish or go on with the busy
 * command, look for the card when due, then run the command lines that
 * have come in. */
static void emu_dispatch(void *user)
{
	struct emu *e = user;
	uint64_t now;

	if (e->card >= 0 && gadget_seq_flush(e->out) < 0)
		emu_disconnect(e, "write failed");
	now = apc_now_ns();
	emu_busy_check(e, e->busy_due && now >= e->busy_due);
	if (e->retry_due && now >= e->retry_due) {
		e->retry_due = 0;
		if (e->card < 0 && e->want_connected && emu_connect(e, 1) < 0)
			e->retry_due = apc_now_ns() + RETRY_NS;
	}
	emu_process(e);
	if (e->quit)
		loop_quit(e->loop);
	else
		emu_watch(e);
}

static int emu_loop(struct emu *e)
{
	int err;

	err = loop_add_fd(e->loop, e->sig_fd, POLLIN, on_signal, e);
	if (!err)
		err = loop_add_hook(e->loop, emu_prepare, emu_dispatch, e);
	if (err < 0) {
		fprintf(stderr, "Cannot set up the loop: %s\n", strerror(-err));
		return err;
	}
	emu_process(e);
	if (e->quit)
		return 0;
	emu_watch(e);
	err = loop_run(e->loop);
	if (err < 0)
		fprintf(stderr, "Cannot poll: %s\n", strerror(-err));
	return err;
}

/* ---- subcommands ---- */

static const struct apc_model *model_arg(const char *name)
{
	const struct apc_model *m = apc_model_by_name(name);

	if (!m)
		fprintf(stderr, "apcemu: unknown model '%s' (mk1, mk2)\n", name);
	return m;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: apcemu COMMAND [options]\n"
		"Emulate an APC mini (mk1, mk2) on a USB gadget (dummy_hcd + configfs + f_midi).\n"
		"\n"
		"Commands:\n"
		"  plug   [-m MODEL] [-g GADGET] [-c CARD]  create the gadget and plug it in\n"
		"  unplug [-g GADGET]                      unbind it from the UDC\n"
		"  replug [-g GADGET]                      bind it again\n"
		"  remove [-g GADGET]                      unplug and delete it\n"
		"  run    [options]                        play the device (see run --help)\n"
		"  ctl    [-S SOCKET] [-t MS] [CMD...]     send commands to a running emulator\n"
		"  info   [-m MODEL]                       the model's facts as shell variables\n"
		"\n"
		"Defaults: model mk1 (run: the plugged gadget's), gadget '%s', card '%s',\n"
		"socket $APCEMU_SOCKET or %s. Commands: tests/vm/README.md.\n",
		EMU_GADGET_DEFAULT, EMU_CARD_DEFAULT, SOCKET_DEFAULT);
}

static const char *default_socket(void)
{
	const char *s = getenv("APCEMU_SOCKET");

	return s && *s ? s : SOCKET_DEFAULT;
}

/* plug / unplug / replug / remove / info share their options. */
static int main_gadget(const char *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "gadget", required_argument, NULL, 'g' },
		{ "card", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const struct apc_model *m = &apc_model_mk1;
	const char *gadget = EMU_GADGET_DEFAULT, *card = EMU_CARD_DEFAULT;
	int opt, err;

	while ((opt = getopt_long(argc, argv, "m:g:c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			m = model_arg(optarg);
			if (!m)
				return 2;
			break;
		case 'g':
			gadget = optarg;
			break;
		case 'c':
			card = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(cmd, "info")) {
		printf("apc_model=%s\napc_name='%s'\napc_usb_manufacturer='%s'\n"
		       "apc_usb_product='%s'\napc_usb_id=%04x:%04x\napc_cables=%u\n"
		       "apc_inquiry_model=%02x\napc_track_first=%u\napc_scene_first=%u\n"
		       "apc_shift_note=%u\napc_fader_cc_first=%u\napc_release_status=%02x\n"
		       "apc_pad_led_default_channel=%u\n",
		       m->short_name, m->name, m->usb_manufacturer, m->usb_product, m->vid,
		       m->pid, m->n_cables, m->inquiry_model, m->track_first, m->scene_first,
		       m->shift_note, m->fader_cc_first, m->release_status,
		       m->pad_led_default_channel);
		return 0;
	}
	if (!strcmp(cmd, "plug")) {
		err = emu_gadget_create(gadget, m, card);
		if (!err)
			err = emu_gadget_bind(gadget);
	} else if (!strcmp(cmd, "unplug")) {
		err = emu_gadget_unbind(gadget);
	} else if (!strcmp(cmd, "replug")) {
		err = emu_gadget_bind(gadget);
	} else {
		err = emu_gadget_remove(gadget);
		if (err == -ENOENT)
			err = 0; /* nothing to remove */
	}
	return err ? 1 : 0;
}

/* Read one reply: data lines (dots unstuffed) to stdout, then the status. */
static int ctl_reply(FILE *f)
{
	char line[LINE_LEN];

	while (fgets(line, sizeof(line), f)) {
		if (!strcmp(line, ".ok\n"))
			return 0;
		if (!strncmp(line, ".error ", 7)) {
			fprintf(stderr, "apcemu: %s", line + 7);
			return 1;
		}
		fputs(line[0] == '.' ? line + 1 : line, stdout);
	}
	fprintf(stderr, "apcemu: the emulator closed the connection\n");
	return 1;
}

static int main_ctl(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	const char *path = default_socket();
	unsigned long timeout_ms = 60000;
	char line[LINE_LEN];
	int opt, fd, i, status = 0;
	FILE *f;

	while ((opt = getopt_long(argc, argv, "+S:t:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'S':
			path = optarg;
			break;
		case 't':
			if (parse_uint(optarg, 86400000, &timeout_ms)) {
				fprintf(stderr, "apcemu: bad timeout '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			printf("Usage: apcemu ctl [-S SOCKET] [-t MS] [COMMAND...]\n"
			       "Send COMMAND (or each line of stdin) to a running emulator;\n"
			       "print its output; exit 1 on the first error. -t bounds each\n"
			       "reply (default 60000 ms, 0 = no bound).\n");
			return 0;
		default:
			return 2;
		}
	}
	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "apcemu: socket path too long: %s\n", path);
		return 2;
	}
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		fprintf(stderr, "Cannot connect to %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (timeout_ms) {
		struct timeval tv = { .tv_sec = timeout_ms / 1000,
				      .tv_usec = (timeout_ms % 1000) * 1000 };

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return 1;
	}
	if (optind < argc) {
		size_t len = 0;

		line[0] = '\0';
		for (i = optind; i < argc && len < sizeof(line) - 2; i++)
			len += snprintf(line + len, sizeof(line) - len, "%s%s",
					i > optind ? " " : "", argv[i]);
		strcat(line, "\n");
		write_all(fd, line, strlen(line));
		status = ctl_reply(f);
	} else {
		while (!status && fgets(line, sizeof(line), stdin)) {
			if (!strchr(line, '\n'))
				strcat(line, "\n");
			write_all(fd, line, strlen(line));
			status = ctl_reply(f);
		}
	}
	fflush(stdout);
	fclose(f);
	return status;
}

static int main_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "gadget", required_argument, NULL, 'g' },
		{ "card", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 'S' },
		{ "script", required_argument, NULL, 's' },
		{ "log", required_argument, NULL, 'l' },
		{ "rx-log", required_argument, NULL, 'r' },
		{ "echo", no_argument, NULL, 'e' },
		{ "monitor", no_argument, NULL, 'M' },
		{ "plug", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct emu emu; /* large buffers: not on the stack */
	struct emu *e = &emu;
	const char *script = NULL, *txlog = NULL, *rxlog = NULL;
	int opt, i, plug = 0, err;
	unsigned int c;
	sigset_t mask;

	e->gadget = EMU_GADGET_DEFAULT;
	e->card_id = EMU_CARD_DEFAULT;
	e->socket_path = default_socket();
	while ((opt = getopt_long(argc, argv, "m:g:c:S:s:l:r:eMph", opts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			e->model = model_arg(optarg);
			if (!e->model)
				return 2;
			break;
		case 'g':
			e->gadget = optarg;
			break;
		case 'c':
			e->card_id = optarg;
			break;
		case 'S':
			e->socket_path = optarg;
			break;
		case 's':
			script = optarg;
			break;
		case 'l':
			txlog = optarg;
			break;
		case 'r':
			rxlog = optarg;
			break;
		case 'e':
			e->echo = 1;
			break;
		case 'M':
			e->monitor = 1;
			break;
		case 'p':
			plug = 1;
			break;
		case 'h':
			printf("Usage: apcemu run [options]\n"
			       "Play the APC mini on the gadget's card; commands from stdin,\n"
			       "the control socket and a script file.\n\n"
			       "  -m, --model MODEL   mk1 or mk2 (default: the plugged gadget's)\n"
			       "  -g, --gadget NAME   configfs gadget (default %s)\n"
			       "  -c, --card ID       gadget-side ALSA card id (default %s)\n"
			       "  -S, --socket PATH   control socket (default %s)\n"
			       "  -s, --script FILE   run these commands first\n"
			       "  -l, --log FILE      log sent events: seq ns bytes\n"
			       "  -r, --rx-log FILE   log received messages: seq ns bytes\n"
			       "  -e, --echo          send every received message back\n"
			       "  -M, --monitor       print received messages\n"
			       "  -p, --plug          plug the gadget in first, remove it at exit\n"
			       "  -h, --help          this help\n",
			       EMU_GADGET_DEFAULT, EMU_CARD_DEFAULT, default_socket());
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "apcemu: run takes no arguments\n");
		return 2;
	}
	if (!e->model)
		e->model = emu_gadget_model(e->gadget);
	if (!e->model)
		e->model = &apc_model_mk1;
	setvbuf(stdout, NULL, _IOLBF, 0);

	e->card = -1;
	e->listen_fd = e->sig_fd = -1;
	for (c = 0; c < APCDEV_MAX_CABLES; c++)
		e->in_fd[c] = -1;
	for (i = 0; i < MAX_CLIENTS; i++)
		e->clients[i].fd = e->clients[i].watched = -1;
	e->stdin_src = (struct source){ .kind = SRC_STDIN, .fd = STDIN_FILENO, .watched = -1,
					.name = "stdin" };
	e->script_src = (struct source){ .kind = SRC_SCRIPT, .fd = -1, .watched = -1,
					 .name = script };
	apcdev_init(&e->dev, e->model, apcdev_send, emu_on_msg, e);
	if (fcntl(STDIN_FILENO, F_GETFD) < 0)
		e->stdin_src.eof = 1;

	err = 1;
	if (script) {
		e->script_src.file = fopen(script, "re");
		if (!e->script_src.file) {
			fprintf(stderr, "Cannot open %s: %s\n", script, strerror(errno));
			return 1;
		}
	}
	if (txlog && !(e->txlog = fopen(txlog, "we"))) {
		fprintf(stderr, "Cannot open %s: %s\n", txlog, strerror(errno));
		goto out;
	}
	if (rxlog && !(e->rxlog = fopen(rxlog, "we"))) {
		fprintf(stderr, "Cannot open %s: %s\n", rxlog, strerror(errno));
		goto out;
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	e->sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (e->sig_fd < 0) {
		fprintf(stderr, "Cannot create the signalfd: %s\n", strerror(errno));
		goto out;
	}
	err = loop_new(&e->loop);
	if (err < 0) {
		fprintf(stderr, "Cannot create the event loop: %s\n", strerror(-err));
		err = 1;
		goto out;
	}
	err = gadget_seq_new(&e->out, "apcemu", e->model->n_cables);
	if (err < 0) {
		fprintf(stderr, "Cannot open the sequencer: %s\n", snd_strerror(err));
		err = 1;
		goto out;
	}
	err = 1;
	if (emu_listen(e))
		goto out;

	if (plug) {
		emu_gadget_remove(e->gadget);
		if (emu_gadget_create(e->gadget, e->model, e->card_id) ||
		    emu_gadget_bind(e->gadget))
			goto out;
	}
	e->want_connected = 1;
	if (emu_connect(e, 1) < 0) {
		printf("apcemu: waiting for card %s\n", e->card_id);
		e->retry_due = apc_now_ns() + RETRY_NS;
	}

	err = emu_loop(e) ? 1 : e->exit_status;

	e->reply_len = 0;
	cmd_stats(e, 1, NULL);
	printf("apcemu: exit\n%.*s", (int)e->reply_len, e->reply);
out:
	if (e->out && e->card >= 0)
		gadget_seq_flush(e->out);
	e->want_connected = 0;
	emu_disconnect(e, "exit");
	gadget_seq_free(e->out);
	if (plug)
		emu_gadget_remove(e->gadget);
	if (e->listen_fd >= 0) {
		close(e->listen_fd);
		unlink(e->socket_path);
	}
	for (i = 0; i < MAX_CLIENTS; i++)
		source_close(e, &e->clients[i]);
	if (e->script_src.file)
		fclose(e->script_src.file);
	if (e->txlog)
		fclose(e->txlog);
	if (e->rxlog)
		fclose(e->rxlog);
	loop_free(e->loop);
	if (e->sig_fd >= 0)
		close(e->sig_fd);
	return err;
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
		printf("apcemu %s\n", PACKAGE_VERSION);
		return 0;
	}
	argv[1] = argv[0];
	if (!strcmp(cmd, "run"))
		return main_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "ctl"))
		return main_ctl(argc - 1, argv + 1);
	if (!strcmp(cmd, "plug") || !strcmp(cmd, "unplug") || !strcmp(cmd, "replug") ||
	    !strcmp(cmd, "remove") || !strcmp(cmd, "info"))
		return main_gadget(cmd, argc - 1, argv + 1);
	fprintf(stderr, "apcemu: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
