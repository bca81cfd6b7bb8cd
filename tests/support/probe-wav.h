/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one WAV reader of the tree, for the tests and the benchmark (the
 * synth only writes WAV): a whole RIFF/WAVE file of 16-bit PCM or 32-bit
 * float samples, converted to float and interleaved, with what the header
 * says about the file's completeness.
 */
#ifndef APC_PROBE_WAV_H
#define APC_PROBE_WAV_H

#include <stdint.h>

struct probe_wav_info {
	unsigned int rate;
	unsigned int channels;
	unsigned int bits;
	int is_float;
	uint64_t frames;	/* frames read */
	/* The RIFF size and the data chunk's size reach the end of the file:
	 * the writer finalised it (one killed before its close leaves the
	 * sizes it wrote at open). */
	int finalised;
};

/* 0 and the samples in *data (the caller frees them); -errno, -EBADMSG for
 * a file that is not RIFF/WAVE or has no data chunk, -ENOTSUP for a sample
 * format other than the two above. */
int probe_wav_read(const char *path, struct probe_wav_info *info, float **data);

#endif
