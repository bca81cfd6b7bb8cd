/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Playing an APC mini from commands: the one runner of the command
 * language (driver/core/apccmd.h) over the one device model (apcdev).
 * Command sources (stdin, a script, a control socket), the replies, the
 * busy commands (sleep, wait, burst), the logs and counters. The rig's
 * emulator (tests/vm/apcemu, a USB gadget) and the virtual APC mini
 * (tools/apcvirt, a sequencer client) differ only in how the device's bytes
 * travel: the ops below. One thread: the caller's loop.
 */
#ifndef APC_APCRUN_H
#define APC_APCRUN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "apcdev.h"

struct apcrun;
struct loop;

struct apcrun_ops {
	/* Send one whole message as the device on `cable`: 0, or -errno after
	 * apcrun_error() said why. */
	int (*write)(void *user, unsigned int cable, const uint8_t *msg, size_t len);
	/* 1 while messages sent on `cable` (-1: any) still wait for room;
	 * NULL: never (a flat-out burst then goes BURST_SLICE at a time). */
	int (*busy)(void *user, int cable);
	/* 1 while the device can send; NULL: always. */
	int (*connected)(void *user);
	/* Cable out / in; NULL: the command is refused. */
	int (*unplug)(void *user);
	int (*replug)(void *user);
	/* Lines of `info` after the model's (apcrun_printf). */
	void (*info)(void *user, struct apcrun *r);
};

struct apcrun_config {
	const char *name; /* program name, in messages */
	const struct apc_model *model;
	const struct apcrun_ops *ops;
	void *user;
	const char *socket_path; /* NULL: no control socket */
	const char *script;	 /* NULL: none */
	const char *txlog, *rxlog;
	int echo, monitor;
	int no_stdin; /* do not read commands from stdin */
};

/* The runner's own options, the same in every program built on it: their
 * getopt_long entries, their short letters, their --help lines, and the
 * parser that takes one into the config (1; 0 if `opt` is none of them). */
#define APCRUN_LONG_OPTIONS                                                                 \
	{ "socket", required_argument, NULL, 'S' }, { "script", required_argument, NULL, 's' }, \
		{ "log", required_argument, NULL, 'l' },                                     \
		{ "rx-log", required_argument, NULL, 'r' }, { "echo", no_argument, NULL, 'e' },  \
		{ "monitor", no_argument, NULL, 'M' }
#define APCRUN_SHORT_OPTIONS "S:s:l:r:eM"
#define APCRUN_OPTIONS_HELP                                          \
	"  -s, --script FILE   run these commands first\n"              \
	"  -l, --log FILE      log sent events: seq ns bytes\n"         \
	"  -r, --rx-log FILE   log received messages: seq ns bytes\n"   \
	"  -e, --echo          send every received message back\n"      \
	"  -M, --monitor       print received messages\n"
int apcrun_option(struct apcrun_config *cfg, int opt, const char *arg);

/* Everything opened (script, logs, socket, signalfd for SIGINT/SIGTERM,
 * the loop hook); on failure a message is printed and 1 returned. */
int apcrun_new(struct apcrun **out, struct loop *loop, const struct apcrun_config *cfg);
void apcrun_free(struct apcrun *r);
/* Run the loop until quit, a signal or (for a script error) failure;
 * prints the counters at the end. The exit status: 0 or 1. */
int apcrun_run(struct apcrun *r);
void apcrun_quit(struct apcrun *r);

struct apcdev *apcrun_dev(struct apcrun *r);
/* Bytes the host sent on `cable`, just read. */
void apcrun_input(struct apcrun *r, unsigned int cable, const uint8_t *buf, size_t len);
/* A control as the device sends it (stamped, logged, counted). */
int apcrun_control(struct apcrun *r, const struct apc_control *c);
/* Run one command line from elsewhere (apcvirt's control port): no reply;
 * busy commands are refused. An error goes to stderr. 0 or -errno. */
int apcrun_command(struct apcrun *r, const char *line, const char *from);

/* For the ops: the message of a failing command, and `info` lines. */
__attribute__((format(printf, 3, 4))) int apcrun_error(struct apcrun *r, int err,
						       const char *fmt, ...);
__attribute__((format(printf, 2, 3))) void apcrun_printf(struct apcrun *r, const char *fmt, ...);

#endif
