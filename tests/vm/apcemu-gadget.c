/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* USB gadget plumbing for apcemu: a configfs gadget with one f_midi function
 * that looks like the model, bound to the first UDC (dummy_udc in the guest). */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apcemu.h"

#define CONFIGFS_GADGETS "/sys/kernel/config/usb_gadget"
#define UDC_CLASS "/sys/class/udc"
#define FUNC "midi.usb0"
#define CONFIG "c.1"

static int gadget_path(char *out, size_t sz, const char *gadget, const char *rel)
{
	int n = snprintf(out, sz, "%s/%s%s%s", CONFIGFS_GADGETS, gadget, rel ? "/" : "",
			 rel ? rel : "");

	return n < 0 || (size_t)n >= sz ? -ENAMETOOLONG : 0;
}

static int write_attr(const char *gadget, const char *rel, const char *value)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, err;

	err = gadget_path(path, sizeof(path), gadget, rel);
	if (err)
		return err;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "Cannot open %s: %s\n", path, strerror(errno));
		return err;
	}
	n = write(fd, value, strlen(value));
	err = n < 0 ? -errno : 0;
	if (err)
		fprintf(stderr, "Cannot write '%s' to %s: %s\n", value, path, strerror(-err));
	close(fd);
	return err;
}

static int read_attr(const char *gadget, const char *rel, char *out, size_t sz)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, err;

	err = gadget_path(path, sizeof(path), gadget, rel);
	if (err)
		return err;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, out, sz - 1);
	err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

static int make_dir(const char *gadget, const char *rel)
{
	char path[PATH_MAX];
	int err = gadget_path(path, sizeof(path), gadget, rel);

	if (err)
		return err;
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		err = -errno;
		fprintf(stderr, "Cannot create %s: %s\n", path, strerror(errno));
		return err;
	}
	return 0;
}

static void remove_dir(const char *gadget, const char *rel)
{
	char path[PATH_MAX];

	if (gadget_path(path, sizeof(path), gadget, rel) == 0)
		rmdir(path);
}

/* The first UDC: in the guest it is dummy_hcd's "dummy_udc.0". */
static int first_udc(char *out, size_t sz)
{
	struct dirent *de;
	DIR *dir = opendir(UDC_CLASS);
	int err = -ENODEV;

	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(out, sz, "%s", de->d_name);
		err = 0;
		break;
	}
	closedir(dir);
	return err;
}

int emu_gadget_bound(const char *gadget)
{
	char udc[NAME_MAX + 1];
	int err = read_attr(gadget, "UDC", udc, sizeof(udc));

	if (err)
		return err == -ENOENT ? -ENOENT : err;
	return udc[0] != '\0';
}

int emu_gadget_create(const char *gadget, const struct apc_model *m, const char *card_id)
{
	char path[PATH_MAX], target[PATH_MAX], num[32];
	struct stat st;
	int err;

	if (stat(CONFIGFS_GADGETS, &st) < 0) {
		err = -errno;
		fprintf(stderr, "Cannot find %s (configfs mounted, libcomposite loaded?): %s\n",
			CONFIGFS_GADGETS, strerror(errno));
		return err;
	}
	err = gadget_path(path, sizeof(path), gadget, NULL);
	if (err)
		return err;
	if (stat(path, &st) == 0) {
		fprintf(stderr, "Cannot create gadget %s: it exists (apcemu remove first)\n", gadget);
		return -EEXIST;
	}
	if (mkdir(path, 0755) < 0) {
		err = -errno;
		fprintf(stderr, "Cannot create %s: %s\n", path, strerror(errno));
		return err;
	}

	snprintf(num, sizeof(num), "0x%04x", m->vid);
	err = write_attr(gadget, "idVendor", num);
	if (err)
		goto err_remove;
	snprintf(num, sizeof(num), "0x%04x", m->pid);
	err = write_attr(gadget, "idProduct", num);
	if (err)
		goto err_remove;
	/* The real device has no serial number string. */
	err = make_dir(gadget, "strings/0x409");
	if (!err)
		err = write_attr(gadget, "strings/0x409/manufacturer", m->usb_manufacturer);
	if (!err)
		err = write_attr(gadget, "strings/0x409/product", m->usb_product);
	if (!err)
		err = make_dir(gadget, "configs/" CONFIG);
	if (!err)
		err = make_dir(gadget, "configs/" CONFIG "/strings/0x409");
	if (!err)
		err = write_attr(gadget, "configs/" CONFIG "/strings/0x409/configuration", m->name);
	if (!err)
		err = make_dir(gadget, "functions/" FUNC);
	if (err)
		goto err_remove;

	snprintf(num, sizeof(num), "%u", m->n_cables);
	err = write_attr(gadget, "functions/" FUNC "/in_ports", num);
	if (!err)
		err = write_attr(gadget, "functions/" FUNC "/out_ports", num);
	/* 64-byte requests: what one full-speed bulk packet carries. */
	if (!err)
		err = write_attr(gadget, "functions/" FUNC "/buflen", "64");
	if (!err)
		err = write_attr(gadget, "functions/" FUNC "/qlen", "32");
	if (!err)
		err = write_attr(gadget, "functions/" FUNC "/id", card_id);
	if (err)
		goto err_remove;

	err = gadget_path(target, sizeof(target), gadget, "functions/" FUNC);
	if (!err)
		err = gadget_path(path, sizeof(path), gadget, "configs/" CONFIG "/" FUNC);
	if (err)
		goto err_remove;
	if (symlink(target, path) < 0) {
		err = -errno;
		fprintf(stderr, "Cannot link %s: %s\n", path, strerror(errno));
		goto err_remove;
	}
	return 0;

err_remove:
	emu_gadget_remove(gadget);
	return err;
}

int emu_gadget_bind(const char *gadget)
{
	char udc[NAME_MAX + 1];
	int err = emu_gadget_bound(gadget);

	if (err < 0) {
		fprintf(stderr, "Cannot find gadget %s: %s\n", gadget, strerror(-err));
		return err;
	}
	if (err == 1)
		return 0;
	err = first_udc(udc, sizeof(udc));
	if (err) {
		fprintf(stderr, "Cannot find a UDC in %s (dummy_hcd loaded?): %s\n", UDC_CLASS,
			strerror(-err));
		return err;
	}
	return write_attr(gadget, "UDC", udc);
}

int emu_gadget_unbind(const char *gadget)
{
	int err = emu_gadget_bound(gadget);

	if (err < 0) {
		fprintf(stderr, "Cannot find gadget %s: %s\n", gadget, strerror(-err));
		return err;
	}
	if (err == 0)
		return 0;
	return write_attr(gadget, "UDC", "\n");
}

int emu_gadget_remove(const char *gadget)
{
	char path[PATH_MAX];
	struct stat st;
	int err;

	err = gadget_path(path, sizeof(path), gadget, NULL);
	if (err)
		return err;
	if (stat(path, &st) < 0)
		return -ENOENT;
	if (emu_gadget_bound(gadget) == 1)
		write_attr(gadget, "UDC", "\n");
	if (gadget_path(path, sizeof(path), gadget, "configs/" CONFIG "/" FUNC) == 0)
		unlink(path);
	remove_dir(gadget, "configs/" CONFIG "/strings/0x409");
	remove_dir(gadget, "configs/" CONFIG);
	remove_dir(gadget, "functions/" FUNC);
	remove_dir(gadget, "strings/0x409");
	gadget_path(path, sizeof(path), gadget, NULL);
	if (rmdir(path) < 0) {
		err = -errno;
		fprintf(stderr, "Cannot remove %s: %s\n", path, strerror(errno));
		return err;
	}
	return 0;
}

const struct apc_model *emu_gadget_model(const char *gadget)
{
	char vid[32], pid[32];

	if (read_attr(gadget, "idVendor", vid, sizeof(vid)) ||
	    read_attr(gadget, "idProduct", pid, sizeof(pid)))
		return NULL;
	return apc_model_by_usb_id(strtoul(vid, NULL, 0), strtoul(pid, NULL, 0));
}
