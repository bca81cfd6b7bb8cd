/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcbench's result model: filled by the measurements (bench-measure.c),
 * read by the report writers (bench-report.c). Types only.
 */
#ifndef APC_BENCH_RESULT_H
#define APC_BENCH_RESULT_H

#include <stdint.h>

#include "bench-stats.h"

#define BENCH_MAX_LAT 12
#define BENCH_MAX_RATES 10
#define BENCH_MAX_BATCH 8
#define BENCH_MAX_RES 4

/* ---- results ---- */

struct bench_latency {
	char name[24];		/* "note", "cc", "sysex-64", "burst-first", ... */
	int measured;
	struct bench_summary s; /* nanoseconds */
	struct bench_hist hist; /* microseconds */
	uint64_t sent, received, lost, unexpected;
};

struct bench_rate {
	double offered;		/* events/s asked of the device side */
	double sent_rate;	/* events/s the device side got out */
	double recv_rate;	/* events/s received, first sent to last received */
	uint64_t sent, received, lost, unexpected;
	uint64_t overruns;	/* times the kernel told the bench it dropped */
	uint64_t sinks_lost;	/* --subscribers: the most another subscriber missed */
	double p50_us, p99_us;	/* latency of the matched ones under this load */
};

struct bench_repaint {
	unsigned int batch;	/* LED events per write */
	unsigned int reps;
	double median_us, min_us, max_us;
	double seen;		/* median LED messages the device saw per repaint */
	unsigned int timeouts;
};

struct bench_resource {
	char component[24];
	int pid;		/* 0: system-wide */
	double cpu_s;		/* user + system over the path's whole run */
	double cpu_us_per_msg;
	long hwm_kb;		/* peak RSS (VmHWM), -1 unknown */
	int fds;		/* open descriptors, -1 unknown */
	double idle_wakeups;	/* context switches per second while idle */
};

struct bench_path_result {
	char name[16];
	char desc[160];
	int measured;		/* anything at all */
	char why[320];		/* why a part was not measured, "" if all was */
	struct bench_latency lat[BENCH_MAX_LAT];
	unsigned int nlat;
	struct bench_rate rate[BENCH_MAX_RATES];
	unsigned int nrate;
	struct bench_repaint repaint64;	/* 64 events, one write each */
	struct bench_repaint batch[BENCH_MAX_BATCH]; /* sweep, one write per batch */
	unsigned int nbatch;
	struct bench_resource res[BENCH_MAX_RES];
	unsigned int nres;
	uint64_t msgs;		/* messages moved in this path's run */
};

#define BENCH_MAX_PATHS 8

/* ---- pad to sound (bench-sound.c) ---- */

#define BENCH_SOUND_MAX_CHAINS 4
#define BENCH_SOUND_MAX_ROUNDS 16
#define BENCH_SOUND_MAX_SAMPLES 4096

/* One chain from a pad press to the sound on the audio device, over all
 * rounds: the press stamp (device side, right before the hand-over) to
 * the onset found in the capture, whose frames are mapped to
 * CLOCK_MONOTONIC by the capture's own time stamps. */
struct bench_sound_chain {
	char name[24];
	char desc[192];
	char why[192];		/* what went wrong in some round, "" if nothing */
	unsigned int presses;	/* pressed, all rounds */
	unsigned int onsets;	/* presses with an onset found */
	unsigned int no_onset;	/* presses without one (loss) */
	unsigned int rounds;	/* rounds that measured it */
	struct bench_summary s;	/* ns, onsets of every round pooled */
	double p1_ns;		/* for the p99 - p1 spread */
	double round_p50_ns[BENCH_SOUND_MAX_ROUNDS];	/* -1: round failed */
	/* press stamp to the bench's receive of the same event from the
	 * chain's source client (the MIDI leg, emulator and USB included) */
	struct bench_summary midi;
	double midi_p1_ns;
	unsigned int midi_lost;
	unsigned int capture_xruns;	/* capture overruns, all rounds */
	double clock_ratio;	/* audio device frames per second / rate, median of
				 * the rounds (1: steady; below: fell behind) */
	float lat_ms[BENCH_SOUND_MAX_SAMPLES];	/* every onset's latency */
	unsigned int nlat;
};

struct bench_sound {
	int measured;		/* the measurement ran */
	char why[192];		/* why not, or what went wrong overall */
	char config[256];
	char capture[192];	/* device, format, rate, period, buffer */
	unsigned int rounds;
	struct bench_sound_chain chain[BENCH_SOUND_MAX_CHAINS];
	unsigned int nchain;
};

struct bench_run {
	char host[64], kernel[96], model[8], started[32];
	char device[64];	/* "emulated gadget (...)" or "real APC mini" */
	char config[256];	/* counts and rates used */
	struct bench_path_result path[BENCH_MAX_PATHS];
	unsigned int npath;
	struct bench_sound sound;	/* path list entry "sound" */
};

#endif
