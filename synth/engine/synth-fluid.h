/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The FluidSynth engine: settings, SoundFont lookup and loading, and the
 * event application and rendering the scheduler drives. After setup only
 * one thread (the audio or render thread) touches the synth, so the synth
 * is created with its API lock off: no mutex on the audio path.
 */
#ifndef APC_SYNTH_FLUID_H
#define APC_SYNTH_FLUID_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <fluidsynth.h>

#include "synth-event.h"
#include "synth-sched.h"

/* libfluidsynth computes voices in blocks of this many frames and only
 * changes voice state between blocks (its compile-time FLUID_BUFSIZE). */
#define SYNTH_FLUID_BLOCK 64

struct synth_fluid_config {
	const char *soundfont;	/* NULL: search the usual places */
	double rate;
	double gain;
	int reverb;
	int chorus;
	int ports;		/* 16 MIDI channels per port */
	int polyphony;
	/* Audio driver settings, used only when a driver is created. */
	const char *audio_driver;
	const char *audio_device; /* the driver's audio.<driver>.device, NULL: default */
	int period_size;
	int periods;
	int rt_prio;		/* 0: let the audio thread run unprivileged */
};

void synth_fluid_config_defaults(struct synth_fluid_config *c);

struct synth_fluid {
	fluid_settings_t *settings;
	fluid_synth_t *synth;
	int sfont_id;
	char *sfont_path;
	int channels;
	atomic_uint_fast64_t sysex_unhandled;
};

/* Find a SoundFont: `explicit` if given (must exist), else
 * $APCSYNTH_SOUNDFONT, the usual distribution paths, then FluidSynth's
 * compiled-in default. Returns a malloc'd path or NULL with -errno in *err. */
char *synth_fluid_find_soundfont(const char *explicit, int *err);

/* FluidSynth messages dropped so far because a thread other than the one
 * that created the synth (the audio thread) logged them; any thread. */
uint64_t synth_fluid_msgs_dropped(void);

/* Creates settings and synth, loads the SoundFont. On error returns -errno
 * and has logged "Cannot ..." already. */
int synth_fluid_new(const struct synth_fluid_config *c, struct synth_fluid **out);
void synth_fluid_free(struct synth_fluid *f);

/* Play a note into a scratch buffer and reset the synth, so the first note
 * the audio thread plays does not pay the one-time costs of the voice and
 * DSP paths. Nothing of it is heard. Before any audio thread exists. */
void synth_fluid_warm(struct synth_fluid *f);

/* Engine callbacks for the scheduler (audio thread). */
void synth_fluid_render(void *ctx, float *l, float *r, unsigned int n);
void synth_fluid_apply(void *ctx, const struct synth_event *ev);
void synth_fluid_engine(struct synth_fluid *f, struct synth_engine *eng);

/* Names of the audio drivers this libfluidsynth has, comma-separated,
 * into buf. */
void synth_fluid_list_drivers(char *buf, size_t len);
int synth_fluid_has_driver(const char *name);
/* 0 if FluidSynth's driver `name` can call back into our scheduler (the
 * only way events reach their block); -ENOTSUP for the drivers that write
 * on their own (the file driver, sdl2), after logging what to use instead. */
int synth_fluid_driver_check(const char *name);

#endif
