/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* epoll loop with a timerfd for deadlines; the thread that runs it runs
 * every callback (apcminid's only thread, apcsynth's sequencer thread, ...).
 * epoll, not poll(): the watched set stays registered in the kernel, so a
 * wake-up does not take down and set up every descriptor's wait queue
 * again (measured: doc/perf/usb-stages.md). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "loop.h"

/* Ready descriptors taken per wake-up; more wait for the next one (level
 * triggered, nothing is lost). */
#define LOOP_MAX_EVENTS 64

/* Allocated one by one: epoll hands back the pointer, which stays valid
 * until the entry is freed at the start of the next iteration. */
struct loop_fd {
	int fd;
	int dead;
	/* epoll refuses what cannot wait (a regular file): such an fd is
	 * ready at every wake-up for what it asked, as poll() says of it */
	short always;
	loop_fd_fn fn;
	void *user;
};

struct loop_hook {
	loop_prepare_fn prepare;
	loop_dispatch_fn dispatch;
	void *user;
};

struct loop {
	struct loop_fd **fds;
	unsigned int nfds, fds_cap;
	struct loop_hook *hooks;
	unsigned int nhooks, hooks_cap;
	int epfd;
	unsigned int nalways;	/* entries with `always` set */
	int timerfd;
	uint64_t armed_ns; /* what the timerfd is set to, 0 = disarmed */
	int quit;
};

/* The timerfd's epoll tag: no entry has this address. */
static char timer_tag;

int loop_new(struct loop **out)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &timer_tag };
	struct loop *l;
	int r;

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		r = -errno;
		goto err_free;
	}
	l->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (l->timerfd < 0) {
		r = -errno;
		goto err_epoll;
	}
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->timerfd, &ev) < 0) {
		r = -errno;
		goto err_timer;
	}
	*out = l;
	return 0;

err_timer:
	close(l->timerfd);
err_epoll:
	close(l->epfd);
err_free:
	free(l);
	return r;
}

void loop_free(struct loop *l)
{
	unsigned int i;

	if (!l)
		return;
	close(l->timerfd);
	close(l->epfd);
	for (i = 0; i < l->nfds; i++)
		free(l->fds[i]);
	free(l->fds);
	free(l->hooks);
	free(l);
}

static struct loop_fd *loop_find(struct loop *l, int fd)
{
	unsigned int i;

	for (i = 0; i < l->nfds; i++)
		if (l->fds[i]->fd == fd && !l->fds[i]->dead)
			return l->fds[i];
	return NULL;
}

int loop_add_fd(struct loop *l, int fd, short events, loop_fd_fn fn, void *user)
{
	struct epoll_event ev = { 0 };
	struct loop_fd *n;

	if (loop_find(l, fd))
		return -EEXIST;
	if (l->nfds == l->fds_cap) {
		unsigned int cap = l->fds_cap ? 2 * l->fds_cap : 16;
		struct loop_fd **a = realloc(l->fds, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		l->fds = a;
		l->fds_cap = cap;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->fd = fd;
	n->fn = fn;
	n->user = user;
	/* POLLIN, POLLOUT, POLLPRI, POLLERR, POLLHUP have the same values as
	 * their EPOLL counterparts on Linux */
	ev.events = (uint32_t)(unsigned short)events;
	ev.data.ptr = n;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int r = -errno;

		if (r == -EPERM) {
			n->always = events & (POLLIN | POLLOUT);
			l->nalways++;
		} else if (r != -EEXIST || epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0) {
			/* EEXIST: still registered (an fd removed earlier in
			 * this iteration and added again, or one closed
			 * without loop_del_fd whose file lives on in a
			 * duplicate); anything else is an error */
			r = -errno;
			free(n);
			return r;
		}
	}
	l->fds[l->nfds++] = n;
	return 0;
}

void loop_del_fd(struct loop *l, int fd)
{
	struct loop_fd *e = loop_find(l, fd);

	if (!e)
		return;
	e->dead = 1;
	if (e->always)
		l->nalways--;
	else /* it may be closed already: then the kernel dropped it */
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
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

/* Free the entries removed during the last dispatch. */
static void loop_compact(struct loop *l)
{
	unsigned int i, j;

	for (i = j = 0; i < l->nfds; i++) {
		if (l->fds[i]->dead)
			free(l->fds[i]);
		else
			l->fds[j++] = l->fds[i];
	}
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
	struct epoll_event evs[LOOP_MAX_EVENTS];
	uint64_t deadline = 0, expirations;
	unsigned int i;
	int r, n, timeout = -1;

	loop_compact(l);
	for (i = 0; i < l->nhooks; i++)
		if (l->hooks[i].prepare)
			l->hooks[i].prepare(l->hooks[i].user, &deadline);
	r = loop_arm(l, deadline);
	if (r < 0)
		return r;

	if (until_ns) {
		uint64_t now = apc_now_ns();

		timeout = until_ns > now ? (int)((until_ns - now + 999999) / 1000000) : 0;
	}
	if (l->nalways)
		timeout = 0;
	n = epoll_wait(l->epfd, evs, LOOP_MAX_EVENTS, timeout);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;

	/* Callbacks may add or remove entries: one removed meanwhile is
	 * marked dead and not called, and freed only at the next
	 * iteration, so every pointer here stays valid. */
	for (i = 0; i < (unsigned int)n; i++) {
		struct loop_fd *e = evs[i].data.ptr;

		if (evs[i].data.ptr == &timer_tag) {
			if (read(l->timerfd, &expirations, sizeof(expirations)) < 0 &&
			    errno != EAGAIN)
				return -errno;
			l->armed_ns = 0;
			continue;
		}
		if (e->dead)
			continue;
		e->fn(e->user, e->fd, (short)evs[i].events);
	}
	for (i = 0; l->nalways && i < l->nfds; i++) {
		struct loop_fd *e = l->fds[i];

		if (e->always && !e->dead)
			e->fn(e->user, e->fd, e->always);
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
