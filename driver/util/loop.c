/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* poll() loop with a timerfd for deadlines; the thread that runs it runs
 * every callback (apcminid's only thread, apcsynth's sequencer thread, ...). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "loop.h"

struct loop_fd {
	int fd;
	short events;
	short revents;
	int dead;
	loop_fd_fn fn;
	void *user;
};

struct loop_hook {
	loop_prepare_fn prepare;
	loop_dispatch_fn dispatch;
	void *user;
};

struct loop {
	struct loop_fd *fds;
	unsigned int nfds, fds_cap;
	struct loop_hook *hooks;
	unsigned int nhooks, hooks_cap;
	struct pollfd *pfds;
	unsigned int pfds_cap;
	int timerfd;
	uint64_t armed_ns; /* what the timerfd is set to, 0 = disarmed */
	int quit;
	int dispatching;
};

int loop_new(struct loop **out)
{
	struct loop *l;
	int r;

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (l->timerfd < 0) {
		r = -errno;
		goto err_free;
	}
	*out = l;
	return 0;

err_free:
	free(l);
	return r;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	close(l->timerfd);
	free(l->fds);
	free(l->hooks);
	free(l->pfds);
	free(l);
}

static struct loop_fd *loop_find(struct loop *l, int fd)
{
	unsigned int i;

	for (i = 0; i < l->nfds; i++)
		if (l->fds[i].fd == fd && !l->fds[i].dead)
			return &l->fds[i];
	return NULL;
}

int loop_add_fd(struct loop *l, int fd, short events, loop_fd_fn fn, void *user)
{
	struct loop_fd *n;

	if (loop_find(l, fd))
		return -EEXIST;
	if (l->nfds == l->fds_cap) {
		unsigned int cap = l->fds_cap ? 2 * l->fds_cap : 16;

		n = realloc(l->fds, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		l->fds = n;
		l->fds_cap = cap;
	}
	n = &l->fds[l->nfds++];
	memset(n, 0, sizeof(*n));
	n->fd = fd;
	n->events = events;
	n->fn = fn;
	n->user = user;
	return 0;
}

void loop_del_fd(struct loop *l, int fd)
{
	struct loop_fd *e = loop_find(l, fd);

	if (e)
		e->dead = 1;
}

int loop_add_hook(struct loop *l, loop_prepare_fn prepare, loop_dispatch_fn dispatch, void *user)
{
	struct loop_hook *n;

	if (l->nhooks == l->hooks_cap) {
		unsigned int cap = l->hooks_cap ? 2 * l->hooks_cap : 8;

		n = realloc(l->hooks, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		l->hooks = n;
		l->hooks_cap = cap;
	}
	n = &l->hooks[l->nhooks++];
	n->prepare = prepare;
	n->dispatch = dispatch;
	n->user = user;
	return 0;
}

/* Drop entries removed during the last dispatch. */
static void loop_compact(struct loop *l)
{
	unsigned int i, j;

	for (i = j = 0; i < l->nfds; i++)
		if (!l->fds[i].dead)
			l->fds[j++] = l->fds[i];
	l->nfds = j;
}

static int loop_arm(struct loop *l, uint64_t deadline_ns)
{
	struct itimerspec its;

	if (deadline_ns == l->armed_ns)
		return 0;
	memset(&its, 0, sizeof(its));
	/* A deadline already past still arms the timer (it fires at once);
	 * an all-zero it_value would disarm it instead. */
	its.it_value = apc_ns_to_ts(deadline_ns);
	if (deadline_ns && !its.it_value.tv_sec && !its.it_value.tv_nsec)
		its.it_value.tv_nsec = 1;
	if (timerfd_settime(l->timerfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		return -errno;
	l->armed_ns = deadline_ns;
	return 0;
}

int loop_iterate(struct loop *l, uint64_t until_ns)
{
	uint64_t deadline = 0, expirations;
	unsigned int i, n;
	int r, timeout = -1;

	loop_compact(l);
	for (i = 0; i < l->nhooks; i++)
		if (l->hooks[i].prepare)
			l->hooks[i].prepare(l->hooks[i].user, &deadline);
	r = loop_arm(l, deadline);
	if (r < 0)
		return r;

	n = l->nfds + 1;
	if (n > l->pfds_cap) {
		struct pollfd *p = realloc(l->pfds, n * sizeof(*p));

		if (!p)
			return -ENOMEM;
		l->pfds = p;
		l->pfds_cap = n;
	}
	for (i = 0; i < l->nfds; i++) {
		l->pfds[i].fd = l->fds[i].fd;
		l->pfds[i].events = l->fds[i].events;
		l->pfds[i].revents = 0;
	}
	l->pfds[l->nfds].fd = l->timerfd;
	l->pfds[l->nfds].events = POLLIN;
	l->pfds[l->nfds].revents = 0;

	if (until_ns) {
		uint64_t now = apc_now_ns();

		timeout = until_ns > now ? (int)((until_ns - now + 999999) / 1000000) : 0;
	}
	r = poll(l->pfds, n, timeout);
	if (r < 0)
		return errno == EINTR ? 0 : -errno;

	/* Callbacks may add or remove entries: walk by index over the
	 * entries that were polled, skip the ones removed meanwhile. */
	n = l->nfds;
	for (i = 0; i < n; i++)
		l->fds[i].revents = l->pfds[i].revents;
	if (l->pfds[n].revents & POLLIN) {
		if (read(l->timerfd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
			return -errno;
		l->armed_ns = 0;
	}
	for (i = 0; i < n; i++) {
		struct loop_fd *e = &l->fds[i];

		if (e->dead || !e->revents)
			continue;
		e->fn(e->user, e->fd, e->revents);
	}
	for (i = 0; i < l->nhooks; i++)
		if (l->hooks[i].dispatch)
			l->hooks[i].dispatch(l->hooks[i].user);
	return 0;
}

int loop_run(struct loop *l)
{
	int r = 0;

	while (!l->quit && r >= 0)
		r = loop_iterate(l, 0);
	return r;
}

void loop_quit(struct loop *l)
{
	l->quit = 1;
}
