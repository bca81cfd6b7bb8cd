/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * make check's main for a fuzz harness: runs LLVMFuzzerTestOneInput once on
 * every file of its corpus (the seeds and every input that once crashed),
 * so the regression inputs run in every build, the sanitizer build too.
 * Arguments are files or directories; with none, the corpus directory the
 * build names (FUZZ_CORPUS). Speaks TAP, one case per file.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static unsigned int cases;

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		fprintf(stderr, "Cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (cap - len < 4096) {
			uint8_t *nb = realloc(buf, cap + 65536);

			if (!nb) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
			cap += 65536;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	fclose(f);
	/* libFuzzer never passes NULL; an exact-size copy lets ASan see an
	 * overread by one byte as libFuzzer's own buffer would. */
	{
		uint8_t *exact = malloc(len ? len : 1);

		if (!exact) {
			free(buf);
			return -1;
		}
		memcpy(exact, buf, len);
		free(buf);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	/* Named as in the tree: "apcconf/layouts". */
	{
		const char *name = strstr(path, "corpus/");

		printf("ok %u - %s\n", ++cases, name ? name + 7 : path);
	}
	fflush(stdout);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path)
{
	struct stat st;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i;
	DIR *d;
	int ret = 0;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "Cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	d = opendir(path);
	if (!d) {
		fprintf(stderr, "Cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		char **nn;

		if (de->d_name[0] == '.')
			continue;
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn)
			break;
		names = nn;
		names[n] = malloc(strlen(path) + strlen(de->d_name) + 2);
		if (!names[n])
			break;
		sprintf(names[n], "%s/%s", path, de->d_name);
		n++;
	}
	closedir(d);
	/* In name order, so a run lists its cases the same way every time. */
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		if (ret == 0 && run_file(names[i]) < 0)
			ret = -1;
		free(names[i]);
	}
	free(names);
	return ret;
}

int main(int argc, char **argv)
{
	int i, ret = 0;

	if (argc < 2) {
		ret = run_path(FUZZ_CORPUS);
	} else {
		for (i = 1; i < argc && ret == 0; i++)
			ret = run_path(argv[i]);
	}
	if (ret < 0) {
		printf("not ok %u - reading the corpus\n", ++cases);
		printf("1..%u\n", cases);
		return 1;
	}
	if (cases == 0) {
		printf("not ok 1 - an empty corpus\n1..1\n");
		return 1;
	}
	printf("1..%u\n", cases);
	return 0;
}
