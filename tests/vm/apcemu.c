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
#include "apccmd.h"
#include "apcrun.h"
#include "clock.h"
#include "gadget-seq.h"
#include "loop.h"

#define SOCKET_DEFAULT "/run/apcemu.sock"
#define RETRY_NS 100000000ull /* look for the gadget card again every 100 ms */

struct emu {
	const struct apc_model *model;
	struct apcrun *run;
	struct apcdev *dev;
	const char *gadget;
	const char *card_id;

	/* The gadget card: its rawmidi inputs, its sequencer client (port N
	 * is cable N) fed from our ports; card < 0 while unplugged. */
	int card;
	int want_connected;
	snd_rawmidi_t *in[APCDEV_MAX_CABLES];
	int in_fd[APCDEV_MAX_CABLES];
	struct gadget_seq *out;

	struct loop *loop;
	/* CLOCK_MONOTONIC deadline of the next look for the gadget card, 0 = none. */
	uint64_t retry_due;
};

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
	apcdev_reset(e->dev);
	e->retry_due = 0;
	printf("apcemu: connected: %s on hw:%d (card %s), %u cable%s\n", e->model->short_name,
	       card, e->card_id, e->model->n_cables, e->model->n_cables > 1 ? "s" : "");
	return 0;

err_close:
	emu_close_inputs(e);
	return err;
}

/* Hand bytes to the card; what it cannot take now waits in the queue. */
static int emu_write(void *user, unsigned int c, const uint8_t *msg, size_t len)
{
	struct emu *e = user;
	int err;

	err = gadget_seq_write(e->out, c, msg, len);
	if (err == -ENOBUFS)
		return apcrun_error(e->run, -ENOBUFS, "output queue full");
	if (err < 0) {
		emu_disconnect(e, snd_strerror(err));
		return apcrun_error(e->run, err, "Cannot send to the gadget card: %s",
				    snd_strerror(err));
	}
	return 0;
}

static int emu_busy(void *user, int cable)
{
	struct emu *e = user;

	return gadget_seq_busy(e->out, cable);
}

static int emu_connected(void *user)
{
	struct emu *e = user;

	return e->card >= 0;
}

static void emu_info(void *user, struct apcrun *r)
{
	struct emu *e = user;

	apcrun_printf(r, "gadget %s card %s ", e->gadget, e->card_id);
	if (e->card >= 0)
		apcrun_printf(r, "hw:%d\n", e->card);
	else
		apcrun_printf(r, "unplugged\n");
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
		apcrun_input(e->run, c, buf, (size_t)n);
	}
}

/* ---- gadget from inside the emulator ---- */

static int emu_unplug(void *user)
{
	struct emu *e = user;
	int err;

	e->want_connected = 0;
	e->retry_due = 0;
	emu_disconnect(e, "unplug");
	err = emu_gadget_unbind(e->gadget);
	return err ? apcrun_error(e->run, err, "Cannot unplug gadget %s: %s", e->gadget, strerror(-err)) :
		     0;
}

static int emu_replug(void *user)
{
	struct emu *e = user;
	int err = emu_gadget_bind(e->gadget);

	if (err)
		return apcrun_error(e->run, err, "Cannot plug gadget %s in: %s", e->gadget, strerror(-err));
	e->want_connected = 1;
	err = emu_connect(e, 0);
	if (err)
		return apcrun_error(e->run, err, "Cannot open the gadget card %s", e->card_id);
	return 0;
}

/* ---- the loop ---- */

static void lower(uint64_t *deadline, uint64_t t)
{
	if (t && (!*deadline || t < *deadline))
		*deadline = t;
}

/* Nothing signals room in the card's output buffer (the sequencer owns
 * it): what waits is retried every GADGET_SEQ_RETRY_NS. */
static void emu_prepare(void *user, uint64_t *deadline)
{
	struct emu *e = user;

	lower(deadline, e->retry_due);
	if (e->card >= 0 && gadget_seq_busy(e->out, -1))
		lower(deadline, apc_now_ns() + GADGET_SEQ_RETRY_NS);
}

/* After every wake-up, before the runner's hook: send what waits, look for
 * the card when due. */
static void emu_dispatch(void *user)
{
	struct emu *e = user;

	if (e->card >= 0 && gadget_seq_flush(e->out) < 0)
		emu_disconnect(e, "write failed");
	if (e->retry_due && apc_now_ns() >= e->retry_due) {
		e->retry_due = 0;
		if (e->card < 0 && e->want_connected && emu_connect(e, 1) < 0)
			e->retry_due = apc_now_ns() + RETRY_NS;
	}
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
	char line[APCCMD_LINE_MAX];

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
	char line[APCCMD_LINE_MAX];
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
		dprintf(fd, "%s", line);
		status = ctl_reply(f);
	} else {
		while (!status && fgets(line, sizeof(line), stdin)) {
			if (!strchr(line, '\n'))
				strcat(line, "\n");
			dprintf(fd, "%s", line);
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
		APCRUN_LONG_OPTIONS,
		{ "plug", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const struct apcrun_ops ops = {
		.write = emu_write,
		.busy = emu_busy,
		.connected = emu_connected,
		.unplug = emu_unplug,
		.replug = emu_replug,
		.info = emu_info,
	};
	static struct emu emu;
	struct emu *e = &emu;
	struct apcrun_config cfg = { .name = "apcemu", .ops = &ops, .user = e };
	int opt, plug = 0, err;
	unsigned int c;

	e->gadget = EMU_GADGET_DEFAULT;
	e->card_id = EMU_CARD_DEFAULT;
	cfg.socket_path = default_socket();
	while ((opt = getopt_long(argc, argv, "m:g:c:" APCRUN_SHORT_OPTIONS "ph", opts, NULL)) != -1) {
		if (apcrun_option(&cfg, opt, optarg))
			continue;
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
			       APCRUN_OPTIONS_HELP
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
	cfg.model = e->model;

	e->card = -1;
	for (c = 0; c < APCDEV_MAX_CABLES; c++)
		e->in_fd[c] = -1;
	err = loop_new(&e->loop);
	if (err < 0) {
		fprintf(stderr, "Cannot create the event loop: %s\n", strerror(-err));
		return 1;
	}
	/* The card's hook first: what waits is sent before the runner's
	 * hook looks at the queue. */
	err = loop_add_hook(e->loop, emu_prepare, emu_dispatch, e);
	if (err < 0) {
		fprintf(stderr, "Cannot set up the loop: %s\n", strerror(-err));
		err = 1;
		goto out_loop;
	}
	err = apcrun_new(&e->run, e->loop, &cfg);
	if (err)
		goto out;
	e->dev = apcrun_dev(e->run);
	err = gadget_seq_new(&e->out, "apcemu", e->model->n_cables);
	if (err < 0) {
		fprintf(stderr, "Cannot open the sequencer: %s\n", snd_strerror(err));
		err = 1;
		goto out;
	}
	err = 1;
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

	err = apcrun_run(e->run);
out:
	if (e->out && e->card >= 0)
		gadget_seq_flush(e->out);
	e->want_connected = 0;
	emu_disconnect(e, "exit");
	gadget_seq_free(e->out);
	if (plug)
		emu_gadget_remove(e->gadget);
	apcrun_free(e->run);
out_loop:
	loop_free(e->loop);
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
