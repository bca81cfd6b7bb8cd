/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcbench's paths: seq (sequencer only), kernel (snd-usb-audio), direct
 * (libapcusb in the bench), apcminid (its raw port 0) and apcminid-play
 * (its play port); each is set up, measured into its
 * bench_path_result (or told why not) and taken down.
 */
#ifndef APC_BENCH_PATHS_H
#define APC_BENCH_PATHS_H

#include <sys/types.h>

#include "bench-device.h"
#include "bench-measure.h"
#include "bench-seq.h"

/* What every path shares: the bench's client, the emulated device (NULL
 * on a real one), every emulated controller played at once (--controllers;
 * set.d[0] is gadget) and apcminid when the bench started it. */
struct bench_rig {
	struct bench_seq *seq;
	struct bench_device *gadget;
	struct bench_device_set set;
	pid_t apcminid;
};

void bench_path_seq(struct bench_measure *c, struct bench_rig *rig, struct bench_path_result *r);
void bench_path_kernel(struct bench_measure *c, struct bench_rig *rig,
		       struct bench_path_result *r);
void bench_path_direct(struct bench_measure *c, struct bench_rig *rig,
		       struct bench_path_result *r);
/* Starts apcminid when --apcminid was given; bench_stop_child() ends it. */
void bench_path_apcminid(struct bench_measure *c, struct bench_rig *rig,
			 struct bench_path_result *r);
/* The same apcminid (started or found the same way), measured on its play
 * port with the default mapping's keys (bench-play.h): pads and faders
 * only, its LED feedback drawn meanwhile. */
void bench_path_apcminid_play(struct bench_measure *c, struct bench_rig *rig,
			      struct bench_path_result *r);
/* SIGTERM, up to 5 s, then SIGKILL. */
void bench_stop_child(pid_t pid);

#endif
