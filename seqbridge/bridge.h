/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The bridge between APC minis and the ALSA sequencer: one sequencer client
 * per device, kept by the device's key (serial number or port path) across
 * unplug and replug with its ports and subscriptions; USB-MIDI packets from
 * the device become sequencer events on its cable's port, and played notes
 * (the play mapping, apcmap) on the play port after those; LED events
 * written to port 0 become coalesced LED changes, everything else goes out
 * in order.
 * The sequencer itself is reached through bridge_seq_ops (seqclient.c for
 * the real one, a mock in the tests) and the device through usbdev.h.
 */
#ifndef APC_BRIDGE_H
#define APC_BRIDGE_H

#include <stdint.h>
#include <stdio.h>

#include <alsa/asoundlib.h>

#include "apcmap.h"
#include "apcmini.h"
#include "held.h"
#include "usbdev.h"
#include "usbmidi.h"
#include "usbout.h"

/* The client is laid out as snd-usb-audio's: one duplex port per cable,
 * port n is cable n (the mk2's "Control" and "Notes"), named and typed as
 * the kernel names and types them, so that applications, saved connections
 * and mappings written for the kernel's client find this one. */
#define BRIDGE_MAX_PORTS 2
/* The ports after the kernel's: the play port (bridge_dev_play_port) and
 * the LED mirror (bridge_dev_leds_port). */
#define BRIDGE_MAX_ALL_PORTS (BRIDGE_MAX_PORTS + 2)

struct bridge_dev;

/* How the bridge reaches the sequencer. */
struct bridge_seq_ops {
	/* Create the client `name` with the ports bridge_dev_ports() says,
	 * then the play port (bridge_dev_play_port, bd->play_port_name) and
	 * the LED mirror (bridge_dev_leds_port, bd->leds_port_name), both
	 * for subscribers to read, and start watching it;
	 * bridge_dev_seq_ready() when it has input. */
	int (*open)(struct bridge_dev *bd, const char *name);
	void (*close)(struct bridge_dev *bd);
	/* Buffer one event for sending; nothing leaves before drain(). */
	int (*output)(struct bridge_dev *bd, snd_seq_event_t *ev);
	int (*drain)(struct bridge_dev *bd);
	/* Next event written to one of our ports: 0, -EAGAIN when there is
	 * none, -ENOSPC after an input overrun (events were lost). */
	int (*input)(struct bridge_dev *bd, snd_seq_event_t **ev);
	/* Give the client another name. */
	int (*rename)(struct bridge_dev *bd, const char *name);
};

/* What may be set per device (apcmini.conf's device sections). */
struct bridge_dev_config {
	char name[64];		/* the client's name; "" for the kernel's */
	int keep_leds;		/* -1: the bridge's option */
	struct apcmap_config map; /* the play mapping; comes with the defaults */
};

struct bridge_stats {
	uint64_t in_messages;	/* MIDI messages decoded from the device */
	uint64_t in_events;	/* events sent to the sequencer */
	uint64_t in_drains;	/* drains: one per wake-up that brought events */
	uint64_t in_dropped;	/* messages that made no event or failed */
	uint64_t seq_events;	/* events read from the sequencer */
	uint64_t seq_overruns;
	uint64_t seq_refused;	/* events a full subscriber FIFO refused */
	uint64_t led_events;	/* LED messages applied to the LED state */
	uint64_t kicks;		/* OUT batches handed to the transport */
	uint64_t out_dropped;	/* ordered messages dropped */
	uint64_t notes_released; /* note-offs sent for notes held at unplug */
	uint64_t fader_syncs;	/* mk2 fader positions read and passed on */
	uint64_t mode_changes;	/* mk2 mode-change messages from the device */
	uint64_t play_events;	/* events sent on the play port */
	uint64_t app_led_events; /* LED events kept while the mapping drew */
	uint64_t sysex_joined;	/* sysex pieces joined to the message they end */
	struct usbdev_stats usb; /* the transport's, summed over plugs */
};

struct bridge;

/* One IN transfer as the debug log (apcminid --in-log) keeps it: when the
 * event loop woke up for it, when its callback ran, when its events had been
 * written to the sequencer, and its bytes (the first BRIDGE_IN_LOG_BYTES). */
#define BRIDGE_IN_LOG_BYTES 64
struct bridge_in_rec {
	uint64_t woke_ns, reap_ns, drain_ns; /* CLOCK_MONOTONIC */
	int client;
	unsigned int len;
	uint8_t data[BRIDGE_IN_LOG_BYTES];
};

struct bridge_dev {
	struct bridge *b;
	struct bridge_dev *next;
	char key[96];
	char name[64];		/* the client name */
	char card_name[32];	/* the kernel's name for the card */
	char serial[64], path[32]; /* as the transport read them (for the configuration) */
	int keep_leds;		/* from the configuration, -1: the bridge's option */
	char port_names[BRIDGE_MAX_PORTS][32];
	char play_port_name[32]; /* "<card> Play" */
	char leds_port_name[32]; /* "<card> LEDs" */
	const struct apc_model *model;
	struct usbdev *usb;	/* NULL while the device is unplugged */
	unsigned int plugs;	/* times the device was attached */
	int inquiry_pending;	/* our identity request is unanswered */
	int intro_pending;	/* mk2: our introduction (fader query) is unanswered */
	const struct apc_model *confirmed; /* model the identity reply named */
	uint64_t in_time_ns;	/* when the IN transfer being decoded came */
	int in_unsent;		/* events buffered for the next drain */
	uint64_t in_first_ns;	/* the reap time of the first of them */

	/* sequencer side; seq_priv belongs to the seq ops */
	void *seq_priv;
	int client;
	snd_midi_event_t *to_event[BRIDGE_MAX_ALL_PORTS]; /* MIDI bytes -> events, per port */
	snd_midi_event_t *to_midi;     /* events -> MIDI bytes */

	struct usbmidi_decoder in;
	struct apc_held held;	/* notes the device holds, released at unplug */
	/* A sysex that comes in pieces (a raw MIDI port's 256 bytes each):
	 * the pieces so far, joined; the OUT queue and the LED state take
	 * whole messages. sx_pieces 0: none under way. */
	uint8_t sx[USBMIDI_SYSEX_MAX];
	size_t sx_len;
	unsigned int sx_pieces, sx_cable;
	int sx_skip;		/* the rest of a sysex too long to join */

	struct apc_led_state leds; /* what the device is to show */
	struct usbout out;
	/* The play mapping, and the LEDs it shares with clients (apcmap_grid:
	 * while its port has subscribers it draws them, what clients write
	 * to them meanwhile is kept and shown again when the last goes). */
	struct apcmap map;
	struct apcmap_grid grid;
	uint64_t draw_at;	/* its next drawing is due then (0: none) */
	/* The LED mirror: what the LEDs are to show, as LED messages, for
	 * monitors (apcmon); `mirrored` is what its subscribers were told. */
	unsigned int leds_subs;
	int mirror_known;	/* 0: tell them everything */
	struct apc_led mirrored[APC_NUM_LEDS];
	struct bridge_stats stats;
};

struct bridge_options {
	int keep_leds;		/* do not switch the LEDs off on exit */
	/* Called when a device goes away (after its ports are marked
	 * absent); apcminid --once quits from here. */
	void (*gone)(void *user, struct bridge_dev *bd);
	/* The in-process path: every message a device sends (not the answers
	 * to the bridge's own questions) with its transfer's reap time, before
	 * it goes to the sequencer, from the USB completion's thread. It must
	 * not block (apcminid --synth posts to the synth's ring). NULL: none. */
	void (*local)(void *user, struct bridge_dev *bd, unsigned int cable, const uint8_t *msg,
		      size_t len, uint64_t t_ns);
	void *local_user;
	/* Per-device settings, asked when a device's client is created and by
	 * bridge_reconfigure(); `cfg` comes with the defaults. NULL: none. */
	void (*configure)(void *user, const struct bridge_dev *bd, struct bridge_dev_config *cfg);
	void *user;		/* for gone() and configure() */
};

int bridge_new(struct bridge **out, const struct bridge_seq_ops *ops, void *seq_user,
	       const struct bridge_options *opt);
/* Closes every client; devices must be detached already. */
void bridge_free(struct bridge *b);
void *bridge_seq_user(const struct bridge *b);

/* The bridge as a usbdev owner; its user pointer is the struct bridge. */
extern const struct usbdev_owner bridge_usb_owner;

/* The sequencer has input for this device's client: read all of it, then
 * hand the OUT queue to the transport once. */
void bridge_dev_seq_ready(struct bridge_dev *bd);
/* One event from the sequencer; 1 if the OUT queue has new work. */
int bridge_dev_seq_event(struct bridge_dev *bd, const snd_seq_event_t *ev);

/* Number of ports the device's client has as the kernel's: one per cable
 * (1 for the mk1, 2 for the mk2). */
unsigned int bridge_dev_ports(const struct bridge_dev *bd);
/* The play port's number: right after those; the LED mirror's after it. */
unsigned int bridge_dev_play_port(const struct bridge_dev *bd);
unsigned int bridge_dev_leds_port(const struct bridge_dev *bd);
/* Nonzero while the play mapping draws the LEDs (its port has subscribers). */
int bridge_dev_map_draws(const struct bridge_dev *bd);
struct bridge_dev *bridge_devs(const struct bridge *b);
unsigned int bridge_num_present(const struct bridge *b);

/* Ask configure() again for every device and apply what changed (client
 * names at once). */
void bridge_reconfigure(struct bridge *b);

/* When a play mapping has work that waits (a held-back fader value, its
 * LED picture to draw): 1 and *due_ns (CLOCK_MONOTONIC), or 0; call
 * bridge_tick() then. */
int bridge_next_deadline(const struct bridge *b, uint64_t *due_ns);
void bridge_tick(struct bridge *b, uint64_t now_ns);

/* Want every LED of every present device off and start sending. */
void bridge_leds_off(struct bridge *b);
/* Nothing queued and no OUT transfer in flight on any present device. */
int bridge_out_idle(const struct bridge *b);

void bridge_print_stats(const struct bridge *b, FILE *f);

/* Debugging: record every IN transfer into a ring of `nrec` records,
 * allocated now, and write them as text lines to `f` from
 * bridge_in_log_flush(), which the event loop calls before it sleeps, so
 * that nothing is written from inside a transfer callback. Records that do
 * not fit before the next flush are counted and reported. 0 or -errno. */
int bridge_in_log_open(struct bridge *b, FILE *f, unsigned int nrec);
/* The event loop woke up for USB at `ns`: the next records get that time. */
void bridge_in_log_woke(struct bridge *b, uint64_t ns);
int bridge_in_log_enabled(const struct bridge *b);
void bridge_in_log_flush(struct bridge *b);

#endif
