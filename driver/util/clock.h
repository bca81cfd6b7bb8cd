/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one clock of the tree: CLOCK_MONOTONIC in nanoseconds. Every stamp
 * (USB reap times, sequencer delivery, the synth's block clock, the bench
 * and the emulator) is on it, so stamps from different processes in one
 * machine compare directly. Header only; any thread.
 */
#ifndef APC_CLOCK_H
#define APC_CLOCK_H

#include <stdint.h>
#include <time.h>

#define APC_NS_PER_SEC 1000000000ull

static inline uint64_t apc_ts_to_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * APC_NS_PER_SEC + (uint64_t)ts->tv_nsec;
}

static inline struct timespec apc_ns_to_ts(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / APC_NS_PER_SEC),
			       .tv_nsec = (long)(ns % APC_NS_PER_SEC) };
	return ts;
}

static inline uint64_t apc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return apc_ts_to_ns(&ts);
}

/* Sleep until `ns` on CLOCK_MONOTONIC (absolute); returns early only for a
 * signal, with the errno value clock_nanosleep gave (0 when the time came). */
static inline int apc_sleep_until_ns(uint64_t ns)
{
	struct timespec ts = apc_ns_to_ts(ns);

	return clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

#endif
