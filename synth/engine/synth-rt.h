/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Real-time rendering: one producer thread posts time-stamped events, the
 * audio thread (a FluidSynth audio driver calling back, or our own render
 * thread writing a WAV file at real-time pace) takes them from a lock-free
 * ring and applies each at its frame. No ALSA here: the sequencer front end
 * is one producer, an in-process driver could be another.
 */
#ifndef APC_SYNTH_RT_H
#define APC_SYNTH_RT_H

#include <stdint.h>

#include "synth-event.h"
#include "synth-fluid.h"
#include "synth-wav.h"

struct synth_rt_config {
	struct synth_fluid_config fluid;	/* audio_driver, period_size... */
	const char *wav_path;	/* set: render to this file instead of a driver */
	enum synth_wav_format wav_format;
	unsigned int latency;	/* frames between an event's arrival and its effect */
	unsigned int ring_size;
	int rt_prio;		/* 0: no real-time scheduling */
};

struct synth_rt_stats {
	uint64_t frames;
	uint64_t applied;
	uint64_t late;
	uint64_t late_max;
	uint64_t overflows;
	uint64_t sysex_unhandled;	/* sysex FluidSynth does not know */
	uint64_t write_errors;
	uint64_t fluid_msgs_dropped;	/* FluidSynth messages from the audio thread */
};

struct synth_rt;

void synth_rt_config_defaults(struct synth_rt_config *c);

/* Loads the SoundFont, warms the synth (synth_fluid_warm) and prepares
 * everything; nothing runs yet. */
int synth_rt_new(const struct synth_rt_config *c, struct synth_rt **out);

/* Starts the audio driver or the WAV render thread. After this only the
 * audio thread touches the synth. */
int synth_rt_start(struct synth_rt *rt);

/* Producer side (one thread). `t_ns` is the time the event happened on
 * the tree's clock (apc_now_ns(), CLOCK_MONOTONIC), 0 for now; the event
 * is scheduled at that time plus the latency, never before an event posted
 * earlier. -ENOBUFS if the ring is
 * full (counted). */
int synth_rt_post(struct synth_rt *rt, struct synth_event *ev, int64_t t_ns);
/* The frame at which an event stamped `t_ns` takes effect, given the start
 * of the last block the audio thread rendered (`frame` at `ns`): the stamp
 * on the frame clock plus the latency, so the delay from the stamp is the
 * same whenever the event is posted. Pure. */
uint64_t synth_rt_frame_at(uint64_t frame, int64_t ns, int64_t t_ns, double rate,
			   unsigned int latency);

/* Producer side: notes off everywhere, wait until the audio thread has
 * applied it (the WAV render thread is joined; a driver's thread signals
 * it), stop the audio, then finalise the WAV file (`keep_output`) or
 * remove it (the program failed: no partial output). Returns the WAV
 * close status; a file that cannot be finalised is removed too. Calling
 * it again does nothing. */
int synth_rt_stop(struct synth_rt *rt, int keep_output);
/* Stops first if needed, removing any WAV file not yet finalised. */
void synth_rt_free(struct synth_rt *rt);

void synth_rt_get_stats(struct synth_rt *rt, struct synth_rt_stats *st);

#endif
