/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcminid's guardian: a small child process that outlives a crash. It
 * waits for the end of a pipe whose other end only apcminid holds; when
 * apcminid ends without saying it gave its devices back (SIGKILL, a
 * crash), the guardian gives every APC mini it served that nobody holds
 * back to the kernel driver, and exits. Works with or without systemd.
 */
#ifndef APC_APCMINID_GUARD_H
#define APC_APCMINID_GUARD_H

/* Fork the guardian for the devices `device` selects (as --device; NULL:
 * all). Call it before opening anything but stdio: the child keeps only
 * the pipe. Returns the pipe's write end (close-on-exec), or -errno. */
int apcminid_guard_start(const char *device);
/* apcminid gave its devices back: tell the guardian to go quietly. */
void apcminid_guard_done(int fd);

#endif
