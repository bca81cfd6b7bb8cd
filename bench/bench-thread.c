/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcbench worker threads (each runs its own loop: a device side, the
 * direct path) and the main thread's waiting on its loop. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench-thread.h"
#include "clock.h"
#include "loop.h"

static void efd_write(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0) {
		/* the counter cannot overflow in a run; nothing to do */
	}
}

static void efd_drain(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0) {
		/* nothing to read: another wake-up raced us */
	}
}

void bench_worker_init(struct bench_worker *w)
{
	memset(w, 0, sizeof(*w));
	w->efd = w->quit_efd = w->ready_efd = -1;
}

static void on_quit(void *user, int fd, short revents)
{
	struct bench_worker *w = user;

	efd_drain(fd);
	loop_quit(w->loop);
}

static void *worker_main(void *arg)
{
	struct bench_worker *w = arg;
	int err;

	atomic_store(&w->tid, (int)syscall(SYS_gettid));
	err = loop_new(&w->loop);
	if (!err)
		err = loop_add_fd(w->loop, w->quit_efd, POLLIN, on_quit, w);
	if (!err)
		err = w->setup(w->user, w->loop);
	w->err = err;
	efd_write(w->ready_efd);
	if (!err) {
		loop_run(w->loop);
		if (w->teardown)
			w->teardown(w->user);
	}
	loop_free(w->loop);
	w->loop = NULL;
	return NULL;
}

int bench_worker_start(struct bench_worker *w, bench_worker_setup_fn setup,
		       bench_worker_teardown_fn teardown, void *user)
{
	uint64_t v;
	int err;

	w->setup = setup;
	w->teardown = teardown;
	w->user = user;
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->quit_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->ready_efd = eventfd(0, EFD_CLOEXEC);
	if (w->efd < 0 || w->quit_efd < 0 || w->ready_efd < 0) {
		err = -errno;
		goto err_close;
	}
	err = -pthread_create(&w->thread, NULL, worker_main, w);
	if (err < 0)
		goto err_close;
	while (read(w->ready_efd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
	if (w->err < 0) {
		err = w->err;
		pthread_join(w->thread, NULL);
		goto err_close;
	}
	w->running = 1;
	return 0;

err_close:
	bench_worker_stop(w);
	return err;
}

void bench_worker_stop(struct bench_worker *w)
{
	if (w->running) {
		efd_write(w->quit_efd);
		pthread_join(w->thread, NULL);
		w->running = 0;
	}
	if (w->efd >= 0)
		close(w->efd);
	if (w->quit_efd >= 0)
		close(w->quit_efd);
	if (w->ready_efd >= 0)
		close(w->ready_efd);
	w->efd = w->quit_efd = w->ready_efd = -1;
}

void bench_worker_signal(struct bench_worker *w)
{
	efd_write(w->efd);
}

int bench_worker_tid(struct bench_worker *w)
{
	return atomic_load(&w->tid);
}

struct waiter {
	int ready;
	int drain;
};

static void on_ready(void *user, int fd, short revents)
{
	struct waiter *wt = user;

	wt->ready = 1;
	if (wt->drain)
		efd_drain(fd);
}

int bench_wait_fds(struct loop *l, const int *fds, unsigned int n, int drain_efd,
		   uint64_t until_ns)
{
	struct waiter wt = { 0, drain_efd };
	unsigned int i;
	int err = 0;

	for (i = 0; i < n && !err; i++)
		err = loop_add_fd(l, fds[i], POLLIN, on_ready, &wt);
	while (!err && !wt.ready && apc_now_ns() < until_ns)
		err = loop_iterate(l, until_ns);
	for (i = 0; i < n; i++)
		loop_del_fd(l, fds[i]);
	return err < 0 ? err : wt.ready;
}

int bench_wait_pollfds(struct loop *l, const struct pollfd *pfds, unsigned int n,
		       uint64_t until_ns)
{
	struct waiter wt = { 0, 0 };
	unsigned int i, added = 0;
	int err = 0;

	for (i = 0; i < n && !err; i++) {
		err = loop_add_fd(l, pfds[i].fd, pfds[i].events, on_ready, &wt);
		if (!err)
			added++;
	}
	if (!err) {
		do
			err = loop_iterate(l, until_ns);
		while (!err && !wt.ready && apc_now_ns() < until_ns);
	}
	/* only ours: an fd the loop watched already is someone else's */
	for (i = 0; i < added; i++)
		loop_del_fd(l, pfds[i].fd);
	return err < 0 ? err : wt.ready;
}
