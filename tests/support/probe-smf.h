/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one Standard MIDI File writer of the tree, for tests and benchmarks:
 * a growing byte buffer with the pieces a file is made of (big-endian
 * numbers, variable-length quantities, the MThd header, MTrk chunks).
 * Errors stick: after a failed allocation every call does nothing and
 * probe_smf_save() returns the error. One thread per buffer.
 */
#ifndef APC_PROBE_SMF_H
#define APC_PROBE_SMF_H

#include <stddef.h>
#include <stdint.h>

struct probe_smf {
	uint8_t *p;
	size_t len, cap;
	int err;		/* first error, -errno */
};

/* A zeroed struct is an empty buffer; probe_smf_free() releases it. */
void probe_smf_free(struct probe_smf *b);

void probe_smf_bytes(struct probe_smf *b, const void *src, size_t n);
/* `v` in `n` bytes, most significant first. */
void probe_smf_be(struct probe_smf *b, uint32_t v, int n);
/* A variable-length quantity (delta times, payload lengths). */
void probe_smf_vlq(struct probe_smf *b, uint32_t v);

/* The MThd chunk: format, track count, division. */
void probe_smf_header(struct probe_smf *b, unsigned int format, unsigned int ntracks,
		      unsigned int division);
/* An MTrk chunk holding `n` bytes of events. */
void probe_smf_track(struct probe_smf *b, const void *events, size_t n);

/* Write the buffer to `path`. 0 or -errno. */
int probe_smf_save(const struct probe_smf *b, const char *path);

#endif
