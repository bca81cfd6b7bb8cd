/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcbench's threads and waiting: a worker thread runs its own event loop
 * (loop.h) for a device side or the direct path and signals an eventfd when
 * it recorded something; the main thread waits on its own loop for such a
 * descriptor, or any other, up to a deadline.
 */
#ifndef APC_BENCH_THREAD_H
#define APC_BENCH_THREAD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

struct loop;

/* Runs in the worker, on its loop, before it iterates: add descriptors and
 * hooks. 0 or -errno (the worker then ends and start() returns it). */
typedef int (*bench_worker_setup_fn)(void *user, struct loop *l);
/* Runs in the worker after its loop stopped. */
typedef void (*bench_worker_teardown_fn)(void *user);

struct bench_worker {
	int efd;		/* signalled by the worker after each record batch */
	int quit_efd;		/* the main thread asks the worker to stop */
	int ready_efd;
	pthread_t thread;
	int running;
	_Atomic int tid;	/* for the context-switch counters */
	struct loop *loop;
	bench_worker_setup_fn setup;
	bench_worker_teardown_fn teardown;
	void *user;
	int err;
};

void bench_worker_init(struct bench_worker *w);
/* Start the thread and wait until its setup ran; returns setup's result. */
int bench_worker_start(struct bench_worker *w, bench_worker_setup_fn setup,
		       bench_worker_teardown_fn teardown, void *user);
void bench_worker_stop(struct bench_worker *w);
/* In the worker: tell the main thread something was recorded. */
void bench_worker_signal(struct bench_worker *w);
int bench_worker_tid(struct bench_worker *w);

/* Main thread: wait on `l` until one of the n descriptors is readable or
 * until `until_ns` (CLOCK_MONOTONIC). An eventfd among them is drained.
 * 1 readable, 0 time is up, -errno. */
int bench_wait_fds(struct loop *l, const int *fds, unsigned int n, int drain_efd,
		   uint64_t until_ns);
/* Any thread, on its own loop: wait until one of the n descriptors is
 * ready for its own events (POLLOUT...) or until `until_ns`. Iterates at
 * least once, so a time already past asks "ready now?" without waiting.
 * 1 ready, 0 time is up, -errno. */
struct pollfd;
int bench_wait_pollfds(struct loop *l, const struct pollfd *pfds, unsigned int n,
		       uint64_t until_ns);

#endif
