/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Frame-accurate event scheduler. Renders one audio block by asking the
 * engine for the frames up to each due event, applying the event, and
 * going on: an event stamped with frame f takes effect before frame f is
 * rendered, whatever the block size and wherever the block starts.
 *
 * Engines that can only change state at a fixed grid (libfluidsynth applies
 * events at its internal 64-frame block boundaries) declare it as their
 * quantum; the scheduler then applies each event at the grid line nearest
 * its frame, which halves the worst error of letting the engine defer it to
 * the next line, and makes it symmetric. Runs on the audio thread: no
 * allocation, no locks, no system calls.
 */
#ifndef APC_SYNTH_SCHED_H
#define APC_SYNTH_SCHED_H

#include <stdint.h>

#include "synth-event.h"

struct synth_engine {
	/* Render n frames into l[0..n) and r[0..n). */
	void (*render)(void *ctx, float *l, float *r, unsigned int n);
	void (*apply)(void *ctx, const struct synth_event *ev);
	void *ctx;
	unsigned int quantum;	/* 1: any frame; else the engine's grid */
};

/* Where events come from: the ring in real time, a file reader offline.
 * peek returns the next event (time-ordered) or NULL for "none yet". */
struct synth_source {
	const struct synth_event *(*peek)(void *ctx);
	void (*pop)(void *ctx);
	void *ctx;
};

struct synth_sched_stats {
	uint64_t applied;
	uint64_t late;		/* arrived after their frame was rendered */
	uint64_t late_max;	/* worst lateness, frames */
};

struct synth_sched {
	struct synth_engine eng;
	struct synth_source src;
	uint64_t frame;		/* first frame of the next block */
	struct synth_sched_stats stats;
};

void synth_sched_init(struct synth_sched *s, const struct synth_engine *eng,
		      const struct synth_source *src);

/* The frame at which an event stamped `frame` will take effect. */
uint64_t synth_sched_effective(const struct synth_sched *s, uint64_t frame);

/* Render [s->frame, s->frame + n) into l and r, applying due events. */
void synth_sched_run(struct synth_sched *s, float *l, float *r, unsigned int n);

#endif
