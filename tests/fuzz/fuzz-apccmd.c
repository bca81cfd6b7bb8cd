/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz harness: the command parser of the played device (apccmd_parse,
 * apcemu's and apcvirt's command language). The input is split into lines,
 * each parsed with an error buffer whose size the input chooses.
 * Properties: 0 or -EINVAL/-E2BIG with a message (when there is room for
 * one) and op NONE; what is accepted is in range: the control makes a
 * message on either model, a send has 1 to APCCMD_MSG_MAX bytes on a
 * cable the device has, texts are NUL-terminated; a command written back
 * in the language's own words parses to the same command.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "apccmd.h"
#include "fuzz.h"

static struct apccmd cmd, back;
static char line[APCCMD_LINE_MAX + 16];
static char text[3 * APCCMD_MSG_MAX + 64];

static const char *control_words(const struct apc_control *c, char *buf, size_t size)
{
	static const char *const kind[] = {
		[APC_CTL_PAD] = "pad", [APC_CTL_TRACK] = "track", [APC_CTL_SCENE] = "scene",
	};

	if (c->type == APC_CTL_SHIFT)
		snprintf(buf, size, "shift");
	else
		snprintf(buf, size, "%s %u", kind[c->type], c->index);
	return buf;
}

/* The command in canonical words, or 0 if this op is not rewritten. */
static int rewrite(const struct apccmd *c)
{
	char w[32];
	size_t n, i;

	switch (c->op) {
	case APCCMD_PRESS:
	case APCCMD_TAP:
		snprintf(text, sizeof(text), "%s %s %u", apccmd_name(c->op),
			 control_words(&c->ctl, w, sizeof(w)), c->ctl.value);
		return 1;
	case APCCMD_RELEASE:
		snprintf(text, sizeof(text), "release %s", control_words(&c->ctl, w, sizeof(w)));
		return 1;
	case APCCMD_FADER:
		snprintf(text, sizeof(text), "fader %u 0x%x", c->ctl.index, c->ctl.value);
		return 1;
	case APCCMD_SEND:
		/* One word: a line has at most 64 of them. */
		n = (size_t)snprintf(text, sizeof(text), "send -c %u ", c->cable);
		for (i = 0; i < c->len; i++)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%02X", c->msg[i]);
		return 1;
	case APCCMD_WAIT:
		snprintf(text, sizeof(text), "wait %s %lu %lu", apccmd_counter_name(c->counter),
			 c->n, c->ms);
		return 1;
	default:
		return 0;
	}
}

static void check(const struct apccmd *c, int r, const char *err, size_t errsz)
{
	uint8_t msg[3];

	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -E2BIG);
	if (errsz)
		FUZZ_CHECK(memchr(err, '\0', errsz) != NULL);
	if (r < 0) {
		FUZZ_CHECK(c->op == APCCMD_NONE);
		if (errsz > 1)
			FUZZ_CHECK(err[0] != '\0');
		return;
	}
	if (errsz)
		FUZZ_CHECK(err[0] == '\0');
	FUZZ_CHECK((unsigned int)c->op <= APCCMD_QUIT);
	FUZZ_CHECK(apccmd_name(c->op)[0] || c->op == APCCMD_NONE);
	FUZZ_CHECK(memchr(c->text, '\0', sizeof(c->text)) != NULL);
	switch (c->op) {
	case APCCMD_PRESS:
	case APCCMD_RELEASE:
	case APCCMD_TAP:
	case APCCMD_FADER:
		FUZZ_CHECK(apc_control_to_midi(&apc_model_mk1, &c->ctl, msg) == 3);
		FUZZ_CHECK(apc_control_to_midi(&apc_model_mk2, &c->ctl, msg) == 3);
		FUZZ_CHECK((c->op == APCCMD_RELEASE) == (c->ctl.value == 0) ||
			   c->op == APCCMD_FADER);
		break;
	case APCCMD_SEND:
		FUZZ_CHECK(c->len >= 1 && c->len <= APCCMD_MSG_MAX);
		FUZZ_CHECK(c->cable < APCDEV_MAX_CABLES);
		break;
	case APCCMD_WAIT:
		FUZZ_CHECK((unsigned int)c->counter <= APCCMD_WAIT_BYTES);
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128];
	size_t off = 0;

	while (off < size) {
		size_t end = off, n, errsz;
		int r;

		while (end < size && data[end] != '\n')
			end++;
		n = end - off;
		if (n > sizeof(line) - 1)
			n = sizeof(line) - 1;
		/* A line holds no NUL; what comes after one is not read. */
		memcpy(line, data + off, n);
		line[n] = '\0';
		errsz = n ? (unsigned char)line[0] % sizeof(err) : sizeof(err);
		off = end + 1;

		memset(err, 'x', sizeof(err));
		r = apccmd_parse(line, &cmd, err, errsz);
		check(&cmd, r, err, errsz);
		if (r == 0 && rewrite(&cmd)) {
			r = apccmd_parse(text, &back, err, sizeof(err));
			if (r < 0)
				fprintf(stderr, "'%s' -> '%s': %s\n", line, text, err);
			FUZZ_CHECK(r == 0);
			FUZZ_CHECK(back.op == cmd.op && back.ctl.type == cmd.ctl.type &&
				   back.ctl.index == cmd.ctl.index &&
				   back.ctl.value == cmd.ctl.value && back.cable == cmd.cable &&
				   back.len == cmd.len && !memcmp(back.msg, cmd.msg, cmd.len) &&
				   back.n == cmd.n && back.ms == cmd.ms &&
				   back.counter == cmd.counter);
		}
	}
	return 0;
}
