/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one event loop of the tree (apcminid, apcsynth, the emulator, the
 * bench's waiting threads): one epoll set of every file descriptor the
 * thread waits on (sequencer clients, libusb, a signalfd) plus one timerfd
 * armed for the earliest deadline any hook asks for. Nothing wakes up when
 * nothing happens: no periodic tick, no wait timeout. A loop belongs to
 * the thread that runs it.
 */
#ifndef APC_LOOP_H
#define APC_LOOP_H

#include <stdint.h>

struct loop;

typedef void (*loop_fd_fn)(void *user, int fd, short revents);
/* Before each wait: lower *deadline_ns (CLOCK_MONOTONIC, 0 = none yet)
 * to the earliest time this hook has work. */
typedef void (*loop_prepare_fn)(void *user, uint64_t *deadline_ns);
/* Once per wake-up, after every fd callback of that wake-up (and when the
 * timer fired): run whatever is due or was marked ready by an fd callback.
 * Hooks check their own times and flags; this is where work that should
 * happen once per wake-up, not once per ready fd, goes (libusb's event
 * handling, a sequencer drain). */
typedef void (*loop_dispatch_fn)(void *user);

int loop_new(struct loop **out);
void loop_free(struct loop *l);

/* Watch `fd` for `events` (POLLIN...). One entry per fd: -EEXIST if it is
 * watched already. Safe to call from inside a callback. */
int loop_add_fd(struct loop *l, int fd, short events, loop_fd_fn fn, void *user);
/* Stop watching `fd`; its callback is not called again, even later in the
 * same iteration. */
void loop_del_fd(struct loop *l, int fd);

/* Hooks live as long as the loop. */
int loop_add_hook(struct loop *l, loop_prepare_fn prepare, loop_dispatch_fn dispatch, void *user);

/* One wait and the callbacks it calls for; waits at most until
 * `until_ns` (CLOCK_MONOTONIC) when it is not 0. 0 or -errno. */
int loop_iterate(struct loop *l, uint64_t until_ns);
/* Iterate until loop_quit(). 0 or -errno. */
int loop_run(struct loop *l);
void loop_quit(struct loop *l);

#endif
