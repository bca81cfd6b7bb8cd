/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcsynth's ALSA sequencer front end: the client, its writable ports (one
 * per 16 MIDI channels), and the mapping of snd_seq_event_t to the core's
 * synth_event. The only file besides main() that knows about ALSA.
 */
#ifndef APC_APCSYNTH_SEQ_H
#define APC_APCSYNTH_SEQ_H

#include <poll.h>
#include <stdint.h>

#include <alsa/asoundlib.h>

#include "synth-event.h"

#define APCSYNTH_MAX_PORTS 16
/* Most synth events one sequencer event turns into (an NRPN/RPN write). */
#define APCSYNTH_MAP_MAX 4

struct apcsynth_seq {
	snd_seq_t *seq;
	int client;
	int queue;
	int nports;
	int port[APCSYNTH_MAX_PORTS];
	uint64_t input_overruns;
	uint64_t ignored;
	uint64_t sysex_dropped;
};

/* Map one sequencer event arriving on port index `port`. Returns how many
 * events were written to out (0: nothing to play). Pure, no I/O. */
int apcsynth_seq_map(const snd_seq_event_t *ev, unsigned int port,
		     struct synth_event out[APCSYNTH_MAP_MAX], uint64_t *sysex_dropped);

/* Open the client and ports; -errno or an ALSA error code. */
int apcsynth_seq_open(struct apcsynth_seq *s, const char *name, int nports);
void apcsynth_seq_close(struct apcsynth_seq *s);

int apcsynth_seq_poll_count(struct apcsynth_seq *s);
int apcsynth_seq_poll_fill(struct apcsynth_seq *s, struct pollfd *pfd, int n);

/* Called for every mapped event with the CLOCK_MONOTONIC time it reached
 * us (from the kernel's delivery stamp where there is one). */
typedef int (*apcsynth_seq_sink)(void *ctx, struct synth_event *ev, int64_t t_ns);

/* Read until the input is empty. 0, or a negative error other than
 * "nothing left" and input overruns (which are counted). */
int apcsynth_seq_drain(struct apcsynth_seq *s, apcsynth_seq_sink sink, void *ctx);

#endif
