/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * RIFF/WAVE writer (16-bit PCM or 32-bit float, little endian, any channel
 * count) whose header is finalised on close. It converts without dither,
 * so the same input always gives the same bytes. (The tests' reader is
 * tests/support/probe-wav.)
 */
#ifndef APC_SYNTH_WAV_H
#define APC_SYNTH_WAV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum synth_wav_format {
	SYNTH_WAV_S16 = 0,
	SYNTH_WAV_FLOAT,
};

struct synth_wav {
	FILE *fp;
	char *path;
	int regular;		/* a regular file: removed if it cannot be finished */
	enum synth_wav_format format;
	unsigned int channels;
	unsigned int rate;
	uint64_t frames;
	int err;		/* first write error, -errno */
};

/* Parse "s16" or "float". -EINVAL otherwise. */
int synth_wav_parse_format(const char *s, enum synth_wav_format *fmt);

/* Creates (or truncates) `path` and writes a header for 0 frames. A file
 * that fails here, or later fails to be finished, is removed: a WAV file
 * is either complete or not there. */
int synth_wav_open(struct synth_wav *w, const char *path, unsigned int rate,
		   unsigned int channels, enum synth_wav_format fmt);
/* Write n stereo frames from planar l, r (channels must be 2). */
int synth_wav_write_planar(struct synth_wav *w, const float *l, const float *r, unsigned int n);
/* Patch the sizes into the header and close. Returns the first error of
 * the file's life; on error the file is removed. */
int synth_wav_close(struct synth_wav *w);
/* Close and remove the file: the render failed, so what it holds is not
 * the output. Only a regular file is removed (never a device such as
 * /dev/null the user named); a closed or never opened writer is fine. */
void synth_wav_discard(struct synth_wav *w);

#endif
