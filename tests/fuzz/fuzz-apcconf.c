/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz harness: apcmini.conf's parser (apcconf_parse), with the play
 * mapping's keys, and what apcminid does with what it accepts. Properties:
 * a refused text leaves the struct exactly as it was and names a line and
 * a reason; an accepted one has NUL-terminated strings within their
 * buffers and device keys as apcminid writes them; every device's resolved
 * settings give a mapping configuration apcmap accepts
 * (apcconf_map_config: "whatever apcconf_parse accepted is valid here");
 * merging a file into itself changes nothing; each section is found by
 * its key.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "apcconf.h"
#include "apcmap.h"
#include "fuzz.h"

static struct apcconf conf, copy, merged;

static void check_string(const char *s, size_t size)
{
	FUZZ_CHECK(memchr(s, '\0', size) != NULL);
}

static void check_settings(const struct apcconf_settings *s)
{
	struct apcmap_config mc;
	struct apcmap map;

	check_string(s->client_name, sizeof(s->client_name));
	check_string(s->soundfont, sizeof(s->soundfont));
	check_string(s->audio_driver, sizeof(s->audio_driver));
	check_string(s->audio_device, sizeof(s->audio_device));
	FUZZ_CHECK(s->set < APCCONF_BIT(APCCONF_N_KEYS));
	if (s->set & APCCONF_BIT(APCCONF_SOUNDFONT))
		FUZZ_CHECK(s->soundfont[0] == '/');
	if (s->set & APCCONF_BIT(APCCONF_DRUM_NOTES))
		FUZZ_CHECK(s->drum_notes.n <= APC_NUM_PADS);
	apcconf_map_config(s, &mc);
	FUZZ_CHECK(apcmap_config_check(&mc) == 0);
	FUZZ_CHECK(apcmap_init(&map, &apc_model_mk2, &mc) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct apcconf_error err;
	struct apcconf_settings res;
	char msg[64];
	unsigned int i, lines = 1;
	int r;

	/* Something in the struct beforehand, to see that a refusal keeps it. */
	memset(&conf, 0x5a, sizeof(conf));
	copy = conf;
	r = apcconf_parse(&conf, (const char *)data, size, "fuzz.conf", &err);
	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (r < 0) {
		FUZZ_CHECK(r == -EINVAL);
		FUZZ_CHECK(!memcmp(&conf, &copy, sizeof(conf)));
		FUZZ_CHECK(err.line >= 1 && err.line <= lines);
		check_string(err.msg, sizeof(err.msg));
		FUZZ_CHECK(err.msg[0] != '\0');
		FUZZ_CHECK(apcconf_error_format(&err, msg, sizeof(msg)) > 0);
		check_string(msg, sizeof(msg));
		return 0;
	}
	FUZZ_CHECK(r == 0);
	FUZZ_CHECK(conf.n_dev <= APCCONF_MAX_DEVICES);
	FUZZ_CHECK(!(conf.global.set & APCCONF_BIT(APCCONF_CLIENT_NAME)));
	check_settings(&conf.global);
	apcconf_resolve(&conf, NULL, &res);
	check_settings(&res);
	for (i = 0; i < conf.n_dev; i++) {
		const struct apcconf_dev *d = &conf.dev[i];

		check_string(d->key, sizeof(d->key));
		FUZZ_CHECK(!strncmp(d->key, "serial:", 7) || !strncmp(d->key, "port:", 5));
		FUZZ_CHECK(apcconf_find(&conf, d->key) == d);
		if (!strncmp(d->key, "serial:", 7))
			FUZZ_CHECK(apcconf_find_device(&conf, d->key + 7, NULL) == d);
		else
			FUZZ_CHECK(apcconf_find_device(&conf, NULL, d->key + 5) == d);
		check_settings(&d->s);
		apcconf_resolve(&conf, d, &res);
		check_settings(&res);
	}

	/* A file over itself: nothing new. */
	merged = conf;
	FUZZ_CHECK(apcconf_merge(&merged, &conf) == 0);
	FUZZ_CHECK(!memcmp(&merged, &conf, sizeof(conf)));
	/* Parsing is a function of the text alone. */
	FUZZ_CHECK(apcconf_parse(&copy, (const char *)data, size, NULL, NULL) == 0);
	FUZZ_CHECK(!memcmp(&copy, &conf, sizeof(conf)));
	return 0;
}
