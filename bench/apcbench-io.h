/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcbench endpoints: the device side (gadget rawmidi, or a peer sequencer
 * client for the sequencer-only path), the bench's own sequencer client,
 * and the direct libusb path. Each is used through struct bench_target.
 */
#ifndef APC_BENCH_IO_H
#define APC_BENCH_IO_H

#include <alsa/asoundlib.h>
#include <pthread.h>

#include "apcbench.h"

struct apc_model;

/* What one path looks like to the measurements. */
struct bench_target {
	/* device side: write whole messages of `unit` bytes each (len is a
	 * multiple of unit) without blocking; returns how many messages were
	 * accepted (0 when there is no room) or -errno. */
	int (*inject)(void *ctx, const uint8_t *bytes, size_t len, size_t unit);
	void *inject_ctx;
	/* bench side: wait up to timeout_ms for input, append every message
	 * received (key, stamp) to rx; returns messages added or -errno. */
	int (*recv)(void *ctx, int timeout_ms, struct bench_log *rx);
	/* bench side: write n LED messages (3 bytes each); per_event: each one
	 * written and flushed on its own, else all in one flush. Returns 0 once
	 * they are handed on (libusb: once the transfers completed). */
	int (*leds)(void *ctx, const uint8_t *msgs, size_t n, int per_event);
	void *bench_ctx;
	/* device side LED log and an eventfd that is signalled on appends */
	struct bench_log *ledlog;
	int led_efd;
};

/* ---- gadget: the emulated device's rawmidi, or nothing ---- */
struct bench_gadget;

/* Find the gadget card (driver "MIDI Gadget") or open `name` (hw:N,0).
 * Returns -ENODEV when there is no gadget (a real device). */
int bench_gadget_open(struct bench_gadget **g, const char *name, const struct apc_model *m,
		      size_t logcap);
void bench_gadget_close(struct bench_gadget *g);
int bench_gadget_inject(void *ctx, const uint8_t *bytes, size_t len, size_t unit);
struct bench_log *bench_gadget_ledlog(struct bench_gadget *g);
int bench_gadget_efd(struct bench_gadget *g);
const char *bench_gadget_name(struct bench_gadget *g);
int bench_gadget_tid(struct bench_gadget *g);

/* ---- the bench's sequencer client ---- */
struct bench_seq;

int bench_seq_open(struct bench_seq **s, const char *client_name);
void bench_seq_close(struct bench_seq *s);
int bench_seq_client_id(struct bench_seq *s);
/* Subscribe the bench's input port from `src` and its output port to `dst`
 * (either may be NULL); disconnects what was connected before. */
int bench_seq_connect(struct bench_seq *s, const snd_seq_addr_t *src, const snd_seq_addr_t *dst);
int bench_seq_recv(void *ctx, int timeout_ms, struct bench_log *rx);
int bench_seq_leds(void *ctx, const uint8_t *msgs, size_t n, int per_event);
snd_seq_t *bench_seq_handle(struct bench_seq *s);
/* Find a port: client name prefix (case-sensitive) and type (KERNEL or
 * USER, -1 any), or a client with pid `pid` (> 0); the first port that can
 * be read from (src) and written to (dst). Returns 0 or -ENOENT. */
int bench_seq_find(struct bench_seq *s, const char *prefix, int type, int pid,
		   snd_seq_addr_t *src, snd_seq_addr_t *dst);

/* ---- sequencer-only peer: a source client and a sink client ---- */
struct bench_peer;

int bench_peer_open(struct bench_peer **p, struct bench_seq *bench, size_t logcap);
void bench_peer_close(struct bench_peer *p);
int bench_peer_inject(void *ctx, const uint8_t *bytes, size_t len, size_t unit);
struct bench_log *bench_peer_ledlog(struct bench_peer *p);
int bench_peer_efd(struct bench_peer *p);
/* The sink's address (where the bench sends LEDs) and the source's. */
void bench_peer_addrs(struct bench_peer *p, snd_seq_addr_t *src, snd_seq_addr_t *sink);
int bench_peer_tid(struct bench_peer *p);

/* ---- direct: libusb in this process ---- */
struct bench_usb;

/* Open the first APC mini (or vid:pid), claim its MIDI interface (the
 * kernel driver is detached) with n_in IN transfers in flight (7 when 0).
 * -ENODEV: none; -EBUSY: someone holds it. */
int bench_usb_open(struct bench_usb **u, unsigned int n_in, char *desc, size_t descsz);
void bench_usb_close(struct bench_usb *u);
int bench_usb_recv(void *ctx, int timeout_ms, struct bench_log *rx);
int bench_usb_leds(void *ctx, const uint8_t *msgs, size_t n, int per_event);

#endif
