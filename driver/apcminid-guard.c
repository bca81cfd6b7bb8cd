/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcminid's guardian process (see apcminid-guard.h). The main thread
 * forks it; the child is single-threaded and blocks in read(). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "apcminid-guard.h"
#include "apclog.h"
#include "apcusb.h"

#define GUARD_DONE 'q'

static void guard_run(int rfd, const char *device)
{
	char c;
	ssize_t n;
	int done = 0;

	prctl(PR_SET_NAME, "apcminid-guard", 0, 0, 0);
	/* SIGINT and SIGTERM stay blocked (inherited): a Ctrl-C or systemd's
	 * stop reaches apcminid, which gives back and says so; the guardian
	 * only waits for its pipe to end. */
	for (;;) {
		n = read(rfd, &c, 1);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (c == GUARD_DONE)
			done = 1;
	}
	if (!done) {
		log_warn("apcminid ended without giving its devices back: doing it now");
		n = apcusb_give_back_orphans(device);
		if (n < 0)
			log_err("Cannot give the devices back: %s", strerror((int)-n));
	}
	_exit(0);
}

int apcminid_guard_start(const char *device)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int r = -errno;

		close(fds[0]);
		close(fds[1]);
		return r;
	}
	if (pid == 0) {
		close(fds[1]);
		guard_run(fds[0], device);
	}
	close(fds[0]);
	return fds[1];
}

void apcminid_guard_done(int fd)
{
	const char c = GUARD_DONE;

	if (fd < 0)
		return;
	if (write(fd, &c, 1) != 1)
		log_dbg("Cannot tell the guardian: %s", strerror(errno));
	close(fd);
}
