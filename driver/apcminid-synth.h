/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcminid --synth: the synthesizer in the driver's own process. Messages
 * from the controllers come from the bridge's in-process tap (straight from
 * the USB completion, stamped with the transfer's reap time) and go into the
 * synth's lock-free ring, to sound at that stamp plus a fixed latency; the
 * synth also has its own sequencer client, "apcminid synth", that other
 * applications can play. The sequencer path to the controller's client is
 * untouched (the hybrid). Everything here runs on apcminid's loop thread,
 * the ring's only producer; FluidSynth's audio thread is the consumer.
 */
#ifndef APC_APCMINID_SYNTH_H
#define APC_APCMINID_SYNTH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct bridge_dev;
struct loop;
struct apcminid_synth;

struct apcminid_synth_config {
	const char *soundfont;	  /* NULL: the usual places */
	const char *audio_driver; /* FluidSynth's name; "alsa" by default */
	const char *audio_device; /* the driver's device, NULL: its default */
	unsigned int rate;	  /* Hz */
	unsigned int period_size; /* frames per audio period */
	unsigned int periods;
	unsigned int latency;	  /* frames from a press to its sound */
	int rt_prio;		  /* 0: the audio thread is not real-time */
	int reverb, chorus;	  /* FluidSynth's effects, on by default */
};

void apcminid_synth_config_defaults(struct apcminid_synth_config *c);
/* Load the SoundFont, start the audio driver and open the sequencer client
 * on `loop`. 0 or -errno (after logging why). */
int apcminid_synth_new(struct apcminid_synth **out, const struct apcminid_synth_config *c,
		       struct loop *loop);
void apcminid_synth_free(struct apcminid_synth *s);

/* The bridge's local tap (bridge_options.local): `user` is the synth. */
void apcminid_synth_local(void *user, struct bridge_dev *bd, unsigned int cable,
			  const uint8_t *msg, size_t len, uint64_t t_ns);

/* Counters: events from the controllers and from the sequencer, refused by
 * a full ring, ignored; and the synth's own. */
void apcminid_synth_print_stats(struct apcminid_synth *s, FILE *f);

#endif
