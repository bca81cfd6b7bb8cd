/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The command language of a played APC mini (press pads, move faders,
 * send bytes, print the grid...): one line in, one parsed command out.
 * Pure: no I/O. The rig's emulator (apcemu) and the virtual APC mini
 * (apcvirt) both run their commands through it; the language is in
 * tests/vm/README.md and apcvirt(1).
 */
#ifndef APC_APCCMD_H
#define APC_APCCMD_H

#include <stddef.h>
#include <stdint.h>

#include "apcdev.h"
#include "apcmini.h"

#define APCCMD_LINE_MAX 4096
#define APCCMD_MSG_MAX APCDEV_SYSEX_MAX

enum apccmd_op {
	APCCMD_NONE = 0, /* empty line or comment */
	APCCMD_PRESS,
	APCCMD_RELEASE,
	APCCMD_TAP,
	APCCMD_FADER,
	APCCMD_SEND,
	APCCMD_BURST,
	APCCMD_GRID,
	APCCMD_STATS,
	APCCMD_WAIT,
	APCCMD_SLEEP,
	APCCMD_ECHO,
	APCCMD_MONITOR,
	APCCMD_LOG,
	APCCMD_RXLOG,
	APCCMD_UNPLUG,
	APCCMD_REPLUG,
	APCCMD_INFO,
	APCCMD_MARK,
	APCCMD_PING,
	APCCMD_HELP,
	APCCMD_QUIT,
};

/* The receive counters `wait` can wait for (struct apcdev_stats). */
enum apccmd_counter {
	APCCMD_WAIT_LEDS,
	APCCMD_WAIT_MSGS,
	APCCMD_WAIT_SYSEX,
	APCCMD_WAIT_BYTES,
};

struct apccmd {
	enum apccmd_op op;
	/* press/release/tap: the control, value = velocity (release: 0);
	 * fader: index 0-8 and value 0-127. */
	struct apc_control ctl;
	unsigned int cable;		/* send */
	uint8_t msg[APCCMD_MSG_MAX];	/* send */
	size_t len;
	unsigned long n;		/* burst: events; wait: target */
	unsigned long rate;		/* burst: events/s, 0 = flat out */
	unsigned long ms;		/* wait: limit (default 5000); sleep */
	enum apccmd_counter counter;	/* wait */
	int on;				/* echo/monitor on|off; stats reset */
	char text[APCCMD_LINE_MAX];	/* mark: its words; log/rxlog: FILE, "" = off */
};

/* Parse one line (a '#' starts a comment; numbers decimal or 0x hex).
 * Returns 0 (c->op is APCCMD_NONE for a blank line) or -EINVAL / -E2BIG
 * with a one-line message in err. */
int apccmd_parse(const char *line, struct apccmd *c, char *err, size_t errsz);
/* The command's word ("press", ...). */
const char *apccmd_name(enum apccmd_op op);
/* The counter's word ("leds", ...). */
const char *apccmd_counter_name(enum apccmd_counter counter);
/* One line per command: what `help` prints. */
extern const char apccmd_help[];

#endif
