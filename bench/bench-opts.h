/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcbench's options as main() parsed them, read by the measurements and
 * the paths. Types only.
 */
#ifndef APC_BENCH_OPTS_H
#define APC_BENCH_OPTS_H

#include "bench-result.h"

struct apc_model;

struct bench_opts {
	const char *paths;
	const struct apc_model *model;
	const char *gadget;
	const char *kernel_port, *raw_port;
	const char *apcminid_cmd;
	unsigned int controllers;	/* emulated controllers played at once */
	unsigned int subscribers;	/* subscribers of each readable port */
	unsigned int count, warmup, interval_us;
	unsigned int burst, bursts, gap_ms;
	unsigned int duration_ms;
	double rates[BENCH_MAX_RATES];
	unsigned int nrates;
	unsigned int reps;
	double idle_s;
	/* pad to sound (path "sound") */
	unsigned int sound_presses, sound_rounds;
	const char *sound_chains;	/* comma-separated chain names */
	const char *soundfont;
	const char *sound_capture, *sound_playback;	/* ALSA PCM names */
	const char *fluidsynth_cmd, *apcsynth_cmd;	/* program (and options) */
	const char *outdir;
	const char *stage_log;
	const char *baseline;
	double margin;
	int verbose;
};

#endif
