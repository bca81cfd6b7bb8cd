/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcbench's paths: sets up each one (the sequencer-only peers, the
 * kernel's client, the direct transport, apcminid's raw and play ports) and
 * measures it. Main
 * thread. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apclog.h"
#include "bench-direct.h"
#include "bench-paths.h"
#include "bench-peer.h"
#include "bench-play.h"
#include "bench-sinks.h"
#include "clock.h"

static int parse_addr(struct bench_seq *s, const char *arg, snd_seq_addr_t *a)
{
	return snd_seq_parse_address(bench_seq_handle(s), a, arg);
}

void bench_path_seq(struct bench_measure *c, struct bench_rig *rig, struct bench_path_result *r)
{
	struct bench_peer *peer;
	struct bench_target tgt = { 0 };
	snd_seq_addr_t src, sink;
	int err;

	snprintf(r->desc, sizeof(r->desc), "sequencer only: peer client -> bench client and back, "
					   "direct events, no device");
	err = bench_peer_open(&peer, 1 << 16);
	if (err < 0) {
		bench_why(r, "cannot open the peer clients", snd_strerror(err));
		return;
	}
	bench_peer_addrs(peer, &src, &sink);
	err = bench_seq_connect(rig->seq, &src, &sink);
	if (err < 0) {
		bench_why(r, "cannot connect", snd_strerror(err));
		goto out;
	}
	tgt.inject = bench_peer_inject;
	tgt.inject_ctx = peer;
	tgt.recv = bench_seq_recv;
	tgt.leds = bench_seq_leds;
	tgt.bench_ctx = rig->seq;
	tgt.ledlog = bench_peer_ledlog(peer);
	tgt.led_efd = bench_peer_efd(peer);
	tgt.echo = bench_peer_echo;
	tgt.echo_ctx = peer;
	bench_measure_path(c, &tgt, r, 0, bench_peer_tid(peer));
	bench_seq_connect(rig->seq, NULL, NULL);
out:
	bench_peer_close(peer);
}

/* A real device: what no stamp on its side can measure. */
#define NO_DEVICE_SIDE                                                                     \
	"LED times and the CC round trip: nothing tells when a real device shows an LED, " \
	"and it echoes nothing (needs the emulated gadget)"

static void seq_device_target(struct bench_rig *rig, struct bench_target *tgt)
{
	memset(tgt, 0, sizeof(*tgt));
	if (rig->set.n > 1) {
		/* several controllers: input only (the LEDs and the round
		 * trip are one controller's figures) */
		tgt->inject = bench_device_set_inject;
		tgt->inject_ctx = &rig->set;
		tgt->controllers = rig->set.n;
		tgt->recv = bench_seq_recv;
		tgt->bench_ctx = rig->seq;
		return;
	}
	if (rig->gadget) {
		tgt->inject = bench_device_inject;
		tgt->inject_ctx = rig->gadget;
		tgt->ledlog = bench_device_ledlog(rig->gadget);
		tgt->led_efd = bench_device_efd(rig->gadget);
		tgt->echo = bench_device_echo;
		tgt->echo_ctx = rig->gadget;
	}
	tgt->recv = bench_seq_recv;
	tgt->leds = bench_seq_leds;
	tgt->identity = bench_seq_identity;
	tgt->bench_ctx = rig->seq;
}

/* Subscribe the other subscribers (--subscribers) to every source first,
 * then the bench's input port, so that the bench is delivered to last;
 * the bench's LED port to dst (may be NULL). */
static int connect_path(struct bench_measure *c, struct bench_rig *rig, const snd_seq_addr_t *src,
			unsigned int nsrc, const snd_seq_addr_t *dst)
{
	unsigned int i;
	int err = 0;

	for (i = 0; i < nsrc && c->sinks && !err; i++)
		err = bench_sinks_connect(c->sinks, &src[i]);
	if (!err)
		err = bench_seq_connect(rig->seq, nsrc ? &src[0] : NULL, dst);
	for (i = 1; i < nsrc && !err; i++)
		err = bench_seq_add_source(rig->seq, &src[i]);
	return err;
}

static void disconnect_path(struct bench_measure *c, struct bench_rig *rig)
{
	bench_seq_connect(rig->seq, NULL, NULL);
	if (c->sinks)
		bench_sinks_disconnect(c->sinks);
}

/* The sources of the first n clients bench_seq_find() matches, in order,
 * from *k on (those before it were found already), and the first one's
 * writable port in *dst. With `ports`, a client counts only once it has
 * its ports (apcminid's appear one after the other). 0 when all n are
 * there, else -errno, with *k the first missing. */
static int find_clients(struct bench_rig *rig, const char *prefix, int type, int pid, int ports,
			unsigned int n, unsigned int *k, snd_seq_addr_t *src, snd_seq_addr_t *dst)
{
	snd_seq_addr_t other;
	int err;

	for (; *k < n; (*k)++) {
		err = bench_seq_find(rig->seq, prefix, type, pid, *k, &src[*k], *k ? &other : dst);
		if (err < 0)
			return err;
		if (ports && (!src[*k].client || (!*k && !dst->client)))
			return -ENOENT;
	}
	return 0;
}

/* What a run with several controllers or subscribers says of itself. */
static void describe_scale(struct bench_measure *c, struct bench_path_result *r)
{
	size_t len = strlen(r->desc);

	if (c->o->controllers > 1 || c->o->subscribers > 1)
		snprintf(r->desc + len, sizeof(r->desc) - len, " [%u controllers, %u subscribers]",
			 c->o->controllers, c->o->subscribers);
	if (c->o->controllers > 1)
		bench_why(r, "LEDs and round trip: measured with one controller", NULL);
}

void bench_path_kernel(struct bench_measure *c, struct bench_rig *rig, struct bench_path_result *r)
{
	struct bench_target tgt;
	snd_seq_addr_t src[BENCH_MAX_CONTROLLERS], dst;
	unsigned int n = c->o->controllers, k = 0;
	int err = -ENOENT, i;

	snprintf(r->desc, sizeof(r->desc), "device -> snd-usb-audio -> sequencer -> bench, and back");
	if (c->o->kernel_port) {
		err = parse_addr(rig->seq, c->o->kernel_port, &src[0]);
		dst = src[0];
		n = 1;
	} else {
		/* A path before this one may just have given the devices back
		 * (a USB reset): snd-usb-audio binds them again within a
		 * second or two. */
		for (i = 0; i < 50 && !bench_stop; i++) {
			err = find_clients(rig, "APC", SND_SEQ_KERNEL_CLIENT, 0, 0, n, &k, src, &dst);
			if (!err)
				break;
			apc_sleep_until_ns(apc_now_ns() + 100000000ull);
		}
	}
	if (err < 0) {
		bench_why(r, "no snd-usb-audio sequencer client of an APC mini (is the device "
			     "plugged in and not held by apcminid?)", NULL);
		return;
	}
	err = connect_path(c, rig, src, n, &dst);
	if (err < 0) {
		bench_why(r, "cannot connect", snd_strerror(err));
		disconnect_path(c, rig);
		return;
	}
	snprintf(r->desc + strlen(r->desc), sizeof(r->desc) - strlen(r->desc), " (client %d:%d)",
		 src[0].client, src[0].port);
	describe_scale(c, r);
	seq_device_target(rig, &tgt);
	if (!rig->gadget) {
		tgt.leds = NULL;
		bench_why(r, NO_DEVICE_SIDE, NULL);
	}
	bench_measure_path(c, &tgt, r, 0, rig->gadget ? bench_device_tid(rig->gadget) : 0);
	disconnect_path(c, rig);
}

void bench_path_direct(struct bench_measure *c, struct bench_rig *rig,
			struct bench_path_result *r)
{
	struct bench_direct *u;
	struct bench_target tgt = { 0 };
	char desc[128] = "";
	int err;

	if (c->o->controllers > 1) {
		snprintf(r->desc, sizeof(r->desc), "device -> libapcusb in the bench, no sequencer");
		bench_why(r, "direct: measured with one controller", NULL);
		return;
	}
	err = bench_direct_open(&u, c->loop, desc, sizeof(desc));
	if (err < 0) {
		bench_why(r, "cannot open the APC mini with libapcusb", strerror(-err));
		snprintf(r->desc, sizeof(r->desc), "device -> libapcusb in the bench, no sequencer");
		return;
	}
	snprintf(r->desc, sizeof(r->desc), "device -> libapcusb in the bench (%s)", desc);
	if (rig->gadget) {
		tgt.inject = bench_device_inject;
		tgt.inject_ctx = rig->gadget;
		tgt.ledlog = bench_device_ledlog(rig->gadget);
		tgt.led_efd = bench_device_efd(rig->gadget);
		tgt.echo = bench_device_echo;
		tgt.echo_ctx = rig->gadget;
	}
	tgt.recv = bench_direct_recv;
	tgt.leds = bench_direct_leds;
	tgt.identity = bench_direct_identity;
	tgt.bench_ctx = u;
	bench_measure_path(c, &tgt, r, 0, rig->gadget ? bench_device_tid(rig->gadget) : 0);
	bench_direct_close(u);
}

static pid_t spawn(const char *cmd)
{
	char *argv[32], *copy = strdup(cmd), *save = NULL, *tok;
	int argc = 0;
	pid_t pid;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, " ", &save); tok && argc < 31; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	if (!argc) {
		free(copy);
		return -EINVAL;
	}
	pid = fork();
	if (pid == 0) {
		execvp(argv[0], argv);
		log_err("Cannot run %s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	free(copy);
	return pid < 0 ? -errno : pid;
}

void bench_stop_child(pid_t pid)
{
	int i, status;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (i = 0; i < 50; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return;
		apc_sleep_until_ns(apc_now_ns() + 100000000ull);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

/* apcminid's raw port 0 (play 0) or its play port (play 1): the same
 * start, the same device side, the same measurements. */
static void apcminid_path(struct bench_measure *c, struct bench_rig *rig,
			  struct bench_path_result *r, int play)
{
	struct bench_target tgt, ptgt;
	struct bench_play *pl = NULL;
	snd_seq_addr_t src[BENCH_MAX_CONTROLLERS] = { 0 }, dst = { 0 }, in;
	unsigned int n = c->o->controllers, k = 0;
	int err = -ENOENT, i, pid = 0;

	snprintf(r->desc, sizeof(r->desc), "%s",
		 play ? "device -> apcminid -> play mapping (default) -> play port -> bench"
		      : "device -> apcminid (libusb) -> sequencer -> bench, and back");
	if (play && n > 1) {
		bench_why(r, "play port: measured with one controller", NULL);
		return;
	}
	if (c->o->apcminid_cmd) {
		rig->apcminid = spawn(c->o->apcminid_cmd);
		if (rig->apcminid < 0) {
			bench_why(r, "cannot start apcminid", strerror(-rig->apcminid));
			rig->apcminid = 0;
			return;
		}
		pid = rig->apcminid;
		/* it announces a client for each device once it is open */
		for (i = 0; i < 150 && k < n && !bench_stop; i++) {
			if (waitpid(pid, NULL, WNOHANG) == pid) {
				rig->apcminid = 0;
				bench_why(r, "apcminid exited before its clients appeared", NULL);
				return;
			}
			err = find_clients(rig, "", -1, pid, 1, n, &k, src, &dst);
			if (err < 0)
				apc_sleep_until_ns(apc_now_ns() + 100000000ull);
		}
	} else if (c->o->raw_port) {
		err = parse_addr(rig->seq, c->o->raw_port, &src[0]);
		dst = src[0];
		n = 1;
	} else {
		err = find_clients(rig, "APC", SND_SEQ_USER_CLIENT, 0, 0, n, &k, src, &dst);
	}
	if (err < 0) {
		bench_why(r, n > 1 ? "apcminid has not a client for every controller"
				   : "no apcminid sequencer client (give --apcminid CMD or --raw-port)",
			  NULL);
		return;
	}
	if (!pid) {
		snd_seq_client_info_t *ci;

		snd_seq_client_info_alloca(&ci);
		if (snd_seq_get_any_client_info(bench_seq_handle(rig->seq), src[0].client, ci) == 0)
			pid = snd_seq_client_info_get_pid(ci);
	}
	in = src[0];
	if (play && (!in.client || bench_seq_find_port(rig->seq, in.client, " Play", &in) < 0)) {
		bench_why(r, "apcminid has no play port", NULL);
		return;
	}
	if (play)
		src[0] = in;
	/* a moment for the driver to finish its own start-up traffic */
	apc_sleep_until_ns(apc_now_ns() + 300000000ull);
	/* the play port only delivers: the bench's LED port stays unconnected */
	err = connect_path(c, rig, src, src[0].client ? n : 0, !play && dst.client ? &dst : NULL);
	if (err < 0) {
		bench_why(r, "cannot connect", snd_strerror(err));
		disconnect_path(c, rig);
		return;
	}
	snprintf(r->desc + strlen(r->desc), sizeof(r->desc) - strlen(r->desc),
		 " (client %d:%d, pid %d)", in.client, in.port, pid);
	describe_scale(c, r);
	seq_device_target(rig, &tgt);
	if (!src[0].client)
		tgt.inject = NULL;
	if (!dst.client || !rig->gadget)
		tgt.leds = NULL;
	if (!rig->gadget && !play)
		bench_why(r, NO_DEVICE_SIDE, NULL);
	if (!dst.client || play)
		tgt.identity = NULL;
	if (play) {
		/* the first subscriber hands the LEDs to the mapping: its
		 * picture goes out now, before the idle window */
		apc_sleep_until_ns(apc_now_ns() + 200000000ull);
		err = bench_play_open(&pl, c->o->model, &tgt, &ptgt);
		if (err < 0) {
			bench_why(r, "cannot set up the play mapping's keys", strerror(-err));
			disconnect_path(c, rig);
			return;
		}
		tgt = ptgt;
		bench_why(r, "sysex, round trip and LEDs: not on the play port (it delivers only "
			     "mapped controls; the mapping draws the LEDs, one repaint per press)",
			  NULL);
	}
	bench_measure_path(c, &tgt, r, pid, rig->gadget ? bench_device_tid(rig->gadget) : 0);
	disconnect_path(c, rig);
	bench_play_close(pl);
}

void bench_path_apcminid(struct bench_measure *c, struct bench_rig *rig, struct bench_path_result *r)
{
	apcminid_path(c, rig, r, 0);
}

void bench_path_apcminid_play(struct bench_measure *c, struct bench_rig *rig,
			      struct bench_path_result *r)
{
	apcminid_path(c, rig, r, 1);
}
