/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apcminid's configuration files (see apcminid-conf.h). Main thread. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apcminid-conf.h"
#include "apclog.h"


/* Configuration files are small: refuse anything unreasonable. */
#define CONF_MAX_BYTES (256 * 1024)

static struct apcconf conf_file, conf_all;
static char conf_user_path[4096];

/* The text of `path` in a malloc'd buffer; -ENOENT if it does not exist. */
static int conf_read(const char *path, char **out, size_t *len)
{
	FILE *f;
	char *buf;
	size_t n;
	int r = 0;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	buf = malloc(CONF_MAX_BYTES + 1);
	if (!buf) {
		r = -ENOMEM;
		goto err_close;
	}
	n = fread(buf, 1, CONF_MAX_BYTES + 1, f);
	if (ferror(f)) {
		r = -EIO;
		goto err_free;
	}
	if (n > CONF_MAX_BYTES) {
		r = -EFBIG;
		goto err_free;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	fclose(f);
	return 0;

err_free:
	free(buf);
err_close:
	fclose(f);
	return r;
}

/* Parse `path` into conf_file and merge it into conf_all. */
static int conf_add(const char *path, int must_exist, struct apcconf_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	memset(err, 0, sizeof(*err));
	err->filename = path;
	r = conf_read(path, &text, &len);
	if (r == -ENOENT && !must_exist)
		return 0;
	/* A daemon started with another user's HOME (su without -l) must not
	 * fail on that user's private folder: skip a file it may not read,
	 * unless it was named on the command line. */
	if (r == -EACCES && !must_exist) {
		log_warn("Cannot read %s: %s; going on without it", path, strerror(-r));
		return 0;
	}
	if (r < 0)
		return r;
	r = apcconf_parse(&conf_file, text, len, path, err);
	free(text);
	if (r < 0)
		return r;
	r = apcconf_merge(&conf_all, &conf_file);
	if (r < 0)
		snprintf(err->msg, sizeof(err->msg), "too many [device] sections in all");
	return r < 0 ? -EINVAL : 0;
}

int apcminid_conf_load(struct apcconf *c, const char *file, struct apcconf_error *err)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int r;

	apcconf_init(&conf_all);
	if (file) {
		r = conf_add(file, 1, err);
		goto out;
	}
	r = conf_add(SYSCONFDIR "/apcmini/apcmini.conf", 0, err);
	if (r < 0)
		goto out;
	if (xdg && *xdg == '/')
		snprintf(conf_user_path, sizeof(conf_user_path), "%s/apcmini/apcmini.conf", xdg);
	else if (home && *home == '/')
		snprintf(conf_user_path, sizeof(conf_user_path),
			 "%s/.config/apcmini/apcmini.conf", home);
	else
		conf_user_path[0] = '\0';
	if (conf_user_path[0])
		r = conf_add(conf_user_path, 0, err);
out:
	if (r == 0)
		*c = conf_all;
	return r;
}
