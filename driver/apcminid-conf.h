/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apcminid's configuration files: reading the system file and the user's
 * (apcmini.conf(5)) into the core's apcconf, the user's settings winning.
 * Main thread (at start and on SIGHUP).
 */
#ifndef APC_APCMINID_CONF_H
#define APC_APCMINID_CONF_H

#include "apcconf.h"

/* Where the system's file is: the configuration directory the package was
 * built for (configure's --sysconfdir). */
#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

/* Read `file` alone, or when it is NULL the system file
 * (SYSCONFDIR/apcmini/apcmini.conf) and then the user's
 * ($XDG_CONFIG_HOME/apcmini/apcmini.conf, else ~/.config/...). A missing
 * file, or one this user may not read, is skipped (with a warning for the
 * latter) unless named by `file`. 0, or -EINVAL with `err`
 * (file, line, message) filled, or another -errno with err->filename set
 * to the file that could not be read; `c` is changed only on success. */
int apcminid_conf_load(struct apcconf *c, const char *file, struct apcconf_error *err);

#endif
