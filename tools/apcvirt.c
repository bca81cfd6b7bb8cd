/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcvirt: a virtual APC mini (mk1 or mk2) as an ALSA sequencer client,
 * named and laid out as apcminid (and snd-usb-audio) lay out the real one,
 * running the tree's one device model (apcdev) and command language. No
 * USB, no root. One thread: the tree's loop. */

#include "config.h"

#include <alsa/asoundlib.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apcmap.h"
#include "apcrun.h"
#include "apcvirt-proto.h"
#include "clock.h"
#include "loop.h"
#include "usbmidi.h"

#define VIRT_MAX_FDS 4
/* As apcminid's client (seqbridge/seqclient.c): a client's whole write()
 * lands in our input pool before we read any of it. */
#define VIRT_POOL_INPUT 2000

/* What snd-seq-midi gives a duplex rawmidi port, as apcminid does. */
#define VIRT_PORT_CAPS                                                                     \
	(SND_SEQ_PORT_CAP_READ | SND_SEQ_PORT_CAP_SYNC_READ | SND_SEQ_PORT_CAP_SUBS_READ | \
	 SND_SEQ_PORT_CAP_WRITE | SND_SEQ_PORT_CAP_SYNC_WRITE |                            \
	 SND_SEQ_PORT_CAP_SUBS_WRITE | SND_SEQ_PORT_CAP_DUPLEX)
#define VIRT_PORT_TYPE \
	(SND_SEQ_PORT_TYPE_MIDI_GENERIC | SND_SEQ_PORT_TYPE_HARDWARE | SND_SEQ_PORT_TYPE_PORT)

struct virt {
	const struct apc_model *model;
	struct apcrun *run;
	struct apcdev *dev;
	struct loop *loop;
	snd_seq_t *seq;
	snd_midi_event_t *enc, *dec;
	int client;
	int play_port; /* apcminid's play port: after the device's */
	int ctl_port;  /* the control port: after that */
	/* The play port as apcminid has it: the default play mapping and the
	 * LEDs it shares with clients (apcmap_grid). */
	struct apcmap map;
	struct apcmap_grid grid;
	int fds[VIRT_MAX_FDS];
	unsigned int nfds;
	unsigned long dropped; /* refused by a full subscriber */
};

static int virt_output(struct virt *v, snd_seq_event_t *ev, int port)
{
	int r;

	snd_seq_ev_set_source(ev, port);
	snd_seq_ev_set_subs(ev);
	snd_seq_ev_set_direct(ev);
	r = snd_seq_event_output_direct(v->seq, ev);
	/* A subscriber whose FIFO is full: the others have it; counted, as
	 * apcminid counts it. */
	if (r == -EAGAIN || r == -ENOSPC) {
		v->dropped++;
		return 0;
	}
	return r < 0 ? r : 0;
}

/* Bytes as events from `port`: one whole message (or several). */
static int virt_send_bytes(struct virt *v, int port, const uint8_t *msg, size_t len)
{
	snd_seq_event_t ev;
	long n;
	int r;

	snd_midi_event_reset_encode(v->enc);
	while (len) {
		snd_seq_ev_clear(&ev);
		n = snd_midi_event_encode(v->enc, msg, (long)len, &ev);
		if (n <= 0)
			return n < 0 ? (int)n : -EINVAL;
		msg += n;
		len -= (size_t)n;
		if (ev.type == SND_SEQ_EVENT_NONE)
			continue;
		r = virt_output(v, &ev, port);
		if (r < 0)
			return r;
	}
	return 0;
}

static int virt_write(void *user, unsigned int cable, const uint8_t *msg, size_t len)
{
	struct virt *v = user;
	struct apc_control c;
	struct apcmap_out out;
	unsigned int i;
	int r = virt_send_bytes(v, (int)cable, msg, len);

	if (r < 0)
		return apcrun_error(v->run, r, "Cannot send: %s", snd_strerror(r));
	/* What apcminid's play port would make of it. */
	if (cable != 0 || apc_control_from_midi(v->model, msg, len, &c) < 0 ||
	    apcmap_control(&v->map, &c, apc_now_ns(), &out) < 0 || !apcmap_grid_draws(&v->grid))
		return 0;
	for (i = 0; i < out.n; i++)
		virt_send_bytes(v, v->play_port, out.msg[i], 3);
	apcmap_grid_draw(&v->grid, &v->map, &v->dev->leds);
	return 0;
}

/* A subscription to the play port came or went. The clients' picture is
 * what the device showed when the mapping took over (commands set LEDs on
 * the device itself, not through port 0). */
static void virt_play_subscribers(struct virt *v, int delta)
{
	unsigned int i;

	if (delta > 0 && !apcmap_grid_draws(&v->grid))
		for (i = 0; i < APC_NUM_LEDS; i++)
			apc_leds_set(&v->grid.app, i, &v->dev->leds.want[i]);
	apcmap_grid_subscribers(&v->grid, &v->map, &v->dev->leds, delta);
}

static void virt_info(void *user, struct apcrun *r)
{
	struct virt *v = user;

	apcrun_printf(r, "client %d ports %u play port %d (%u subscribers) control port %d "
		      "dropped %lu\n",
		      v->client, v->model->n_cables, v->play_port, v->grid.subs, v->ctl_port,
		      v->dropped);
}

/* The whole LED state on the control port, for a monitor that has just
 * subscribed: every LED as the messages that show it. */
static void virt_replay(struct virt *v)
{
	uint8_t msg[64];
	unsigned int i;
	int n;

	for (i = 0; i < APC_NUM_LEDS; i++) {
		n = apc_led_show_msgs(v->model, i, &v->dev->leds.want[i], msg, sizeof(msg));
		if (n > 0)
			virt_send_bytes(v, v->ctl_port, msg, (size_t)n);
	}
}

/* A command from the control port: F0 7D "apcv " TEXT F7. */
static void virt_control(struct virt *v, const uint8_t *msg, size_t len)
{
	char line[APCDEV_SYSEX_MAX];
	size_t h = sizeof(apcvirt_cmd_header), i;

	if (len < h + 1 || memcmp(msg, apcvirt_cmd_header, h) || msg[len - 1] != 0xf7) {
		fprintf(stderr, "apcvirt: control port: not a command, ignored\n");
		return;
	}
	for (i = h; i < len - 1 && i - h < sizeof(line) - 1; i++)
		line[i - h] = (char)msg[i];
	line[i - h] = '\0';
	apcrun_command(v->run, line, "control port");
}

static void virt_event(struct virt *v, snd_seq_event_t *ev)
{
	uint8_t buf[APCDEV_SYSEX_MAX];
	long n;
	int port = ev->dest.port;

	if (ev->type == SND_SEQ_EVENT_PORT_SUBSCRIBED ||
	    ev->type == SND_SEQ_EVENT_PORT_UNSUBSCRIBED) {
		if (ev->data.connect.sender.client != v->client)
			return;
		/* The play port's own notices (not their copies on Announce). */
		if (ev->data.connect.sender.port == v->play_port && port == v->play_port)
			virt_play_subscribers(v, ev->type == SND_SEQ_EVENT_PORT_SUBSCRIBED ? 1 : -1);
		else if (ev->data.connect.sender.port == v->ctl_port &&
			 ev->type == SND_SEQ_EVENT_PORT_SUBSCRIBED)
			virt_replay(v);
		return;
	}
	snd_midi_event_reset_decode(v->dec);
	n = snd_midi_event_decode(v->dec, buf, sizeof(buf), ev);
	if (n <= 0)
		return; /* not a MIDI message (or a sysex too long: the device drops it too) */
	if (port == v->ctl_port) {
		virt_control(v, buf, (size_t)n);
		return;
	}
	if (port < 0 || (unsigned int)port >= v->model->n_cables)
		return;
	/* While the mapping draws, clients' LED messages wait in the grid. */
	if (port == 0 && apcmap_grid_draws(&v->grid) &&
	    apc_leds_apply_midi(&v->grid.app, buf, (size_t)n) >= 0)
		return;
	apcrun_input(v->run, (unsigned int)port, buf, (size_t)n);
	if (port == 0) {
		snd_seq_event_t copy = *ev;

		virt_output(v, &copy, v->ctl_port);
	}
}

static void virt_seq_ready(void *user, int fd, short revents)
{
	struct virt *v = user;
	snd_seq_event_t *ev;
	int r;

	(void)fd;
	(void)revents;
	for (;;) {
		r = snd_seq_event_input(v->seq, &ev);
		if (r == -EAGAIN)
			break;
		if (r == -ENOSPC) {
			fprintf(stderr, "apcvirt: input overrun: events lost\n");
			continue;
		}
		if (r < 0) {
			fprintf(stderr, "apcvirt: Cannot read from the sequencer: %s\n",
				snd_strerror(r));
			break;
		}
		virt_event(v, ev);
	}
}

static int virt_open(struct virt *v, const char *name)
{
	struct pollfd pfds[VIRT_MAX_FDS];
	snd_seq_port_info_t *pi;
	char card[USBMIDI_NAME_MAX], port[USBMIDI_NAME_MAX];
	unsigned int p;
	int r, n, i;

	r = snd_seq_open(&v->seq, "default", SND_SEQ_OPEN_DUPLEX, SND_SEQ_NONBLOCK);
	if (r < 0) {
		fprintf(stderr, "Cannot open the sequencer: %s; is snd-seq loaded?\n",
			snd_strerror(r));
		return r;
	}
	usbmidi_card_name(card, v->model->usb_product, v->model->vid, v->model->pid);
	if (!name)
		name = card;
	r = snd_seq_set_client_name(v->seq, name);
	if (r >= 0)
		r = snd_seq_set_client_pool_input(v->seq, VIRT_POOL_INPUT);
	if (r < 0)
		goto err;
	v->client = snd_seq_client_id(v->seq);
	snd_seq_port_info_alloca(&pi);
	v->play_port = (int)v->model->n_cables;
	v->ctl_port = v->play_port + 1;
	for (p = 0; p <= (unsigned int)v->ctl_port; p++) {
		unsigned int caps = VIRT_PORT_CAPS, type = VIRT_PORT_TYPE;

		snd_seq_port_info_set_port(pi, (int)p);
		snd_seq_port_info_set_port_specified(pi, 1);
		usbmidi_port_name(port, card, NULL, p);
		if ((int)p == v->play_port) {
			/* As seqclient.c makes apcminid's. */
			snprintf(port, sizeof(port), "%.26s Play", card);
			caps = SND_SEQ_PORT_CAP_READ | SND_SEQ_PORT_CAP_SUBS_READ |
			       SND_SEQ_PORT_CAP_WRITE;
			type = SND_SEQ_PORT_TYPE_MIDI_GENERIC | SND_SEQ_PORT_TYPE_SOFTWARE |
			       SND_SEQ_PORT_TYPE_APPLICATION;
		} else if ((int)p == v->ctl_port) {
			snprintf(port, sizeof(port), "%s", APCVIRT_PORT_NAME);
			caps = SND_SEQ_PORT_CAP_READ | SND_SEQ_PORT_CAP_SUBS_READ |
			       SND_SEQ_PORT_CAP_WRITE | SND_SEQ_PORT_CAP_SUBS_WRITE |
			       SND_SEQ_PORT_CAP_DUPLEX;
			type = SND_SEQ_PORT_TYPE_MIDI_GENERIC | SND_SEQ_PORT_TYPE_APPLICATION;
		}
		snd_seq_port_info_set_name(pi, port);
		snd_seq_port_info_set_capability(pi, caps);
		snd_seq_port_info_set_type(pi, type);
		snd_seq_port_info_set_midi_channels(pi, 16);
		r = snd_seq_create_port(v->seq, pi);
		if (r < 0)
			goto err;
	}
	/* Subscriptions to the control port are announced: replay the LEDs. */
	r = snd_seq_connect_from(v->seq, v->ctl_port, SND_SEQ_CLIENT_SYSTEM,
				 SND_SEQ_PORT_SYSTEM_ANNOUNCE);
	if (r < 0)
		goto err;
	r = snd_midi_event_new(APCDEV_SYSEX_MAX, &v->enc);
	if (r >= 0)
		r = snd_midi_event_new(APCDEV_SYSEX_MAX, &v->dec);
	if (r < 0)
		goto err;
	snd_midi_event_no_status(v->dec, 1);
	n = snd_seq_poll_descriptors(v->seq, pfds, VIRT_MAX_FDS, POLLIN);
	for (i = 0; i < n; i++) {
		r = loop_add_fd(v->loop, pfds[i].fd, POLLIN, virt_seq_ready, v);
		if (r < 0) {
			fprintf(stderr, "Cannot watch the sequencer: %s\n", strerror(-r));
			return r;
		}
		v->fds[v->nfds++] = pfds[i].fd;
	}
	printf("apcvirt: %s as client %d \"%s\", ports 0-%u, play port %d, control port %d\n",
	       v->model->short_name, v->client, name, v->model->n_cables - 1, v->play_port,
	       v->ctl_port);
	return 0;

err:
	fprintf(stderr, "Cannot set up the sequencer client \"%s\": %s\n", name,
		snd_strerror(r));
	return r;
}

static void virt_close(struct virt *v)
{
	unsigned int i;

	for (i = 0; i < v->nfds; i++)
		loop_del_fd(v->loop, v->fds[i]);
	if (v->enc)
		snd_midi_event_free(v->enc);
	if (v->dec)
		snd_midi_event_free(v->dec);
	if (v->seq)
		snd_seq_close(v->seq);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: apcvirt [options]\n"
		"A virtual APC mini: a sequencer client named and laid out as the real\n"
		"one under apcminid, played by commands (stdin, -s, -S, apcmon).\n"
		"\n"
		"  -m, --model MODEL   mk1 (default) or mk2\n"
		"  -n, --name NAME     client name (default: the device's, \"APC MINI\")\n"
		"  -S, --socket PATH   also take commands on this socket (apcemu ctl -S)\n"
		APCRUN_OPTIONS_HELP
		"  -h, --help          this help\n"
		"  -V, --version       the version\n"
		"\n"
		"Commands: 'help' on stdin, or apcvirt(1).\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "name", required_argument, NULL, 'n' },
		APCRUN_LONG_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	static const struct apcrun_ops ops = {
		.write = virt_write,
		.info = virt_info,
	};
	struct virt v = { .model = &apc_model_mk1 };
	struct apcrun_config cfg = { .name = "apcvirt", .ops = &ops, .user = &v };
	const char *name = NULL;
	int opt, err;

	while ((opt = getopt_long(argc, argv, "m:n:" APCRUN_SHORT_OPTIONS "hV", opts, NULL)) != -1) {
		if (apcrun_option(&cfg, opt, optarg))
			continue;
		switch (opt) {
		case 'm':
			v.model = apc_model_by_name(optarg);
			if (!v.model) {
				fprintf(stderr, "apcvirt: unknown model '%s' (mk1, mk2)\n", optarg);
				return 2;
			}
			break;
		case 'n':
			name = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("apcvirt %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "apcvirt: no arguments expected\n");
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	cfg.model = v.model;
	err = loop_new(&v.loop);
	if (err < 0) {
		fprintf(stderr, "Cannot create the event loop: %s\n", strerror(-err));
		return 1;
	}
	err = apcrun_new(&v.run, v.loop, &cfg);
	if (err)
		goto out;
	v.dev = apcrun_dev(v.run);
	apcmap_init(&v.map, v.model, NULL);
	apcmap_grid_init(&v.grid, v.model);
	err = 1;
	if (virt_open(&v, name) < 0)
		goto out;
	err = apcrun_run(v.run);
out:
	virt_close(&v);
	apcrun_free(v.run);
	loop_free(v.loop);
	return err;
}
