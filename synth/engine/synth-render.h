/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Offline rendering: Standard MIDI Files straight to a WAV file, as fast as
 * the engine goes, through the same scheduler the real-time paths use.
 */
#ifndef APC_SYNTH_RENDER_H
#define APC_SYNTH_RENDER_H

#include <stdint.h>

#include "synth-fluid.h"
#include "synth-wav.h"

struct synth_render_opts {
	struct synth_fluid_config fluid;
	const char *out_path;
	enum synth_wav_format format;
	unsigned int block;	/* frames per scheduler call; output does not depend on it */
	double tail_max;	/* seconds rendered after the last event at most */
};

struct synth_render_stats {
	uint64_t frames;
	uint64_t events;
	uint64_t sysex_dropped;	/* sysex longer than the event can carry */
	double seconds;		/* wall-clock time spent rendering */
};

void synth_render_opts_defaults(struct synth_render_opts *o);

/* Render the files one after the other. 0, or -errno after logging why. */
int synth_render_files(const struct synth_render_opts *o, const char *const *files,
		       unsigned int nfiles, struct synth_render_stats *stats);

#endif
