/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Streaming Standard MIDI File reader. Each track is read through its own
 * small window with pread(), and the tracks are merged in time order by a
 * binary heap keyed on (tick, track), so memory depends on the number of
 * tracks, never on the length of the file. Tempo changes are applied as
 * they are merged, giving every event its time in seconds.
 */
#ifndef APC_SYNTH_SMF_H
#define APC_SYNTH_SMF_H

#include <stddef.h>
#include <stdint.h>

/* Longest sysex or meta payload kept; longer ones are delivered cut to
 * this with `truncated` set (the rest is skipped, still streaming). */
#define SYNTH_SMF_PAYLOAD_MAX 4096

struct synth_smf;

struct synth_smf_event {
	uint64_t tick;
	double time;		/* seconds from the start of the file */
	uint16_t track;
	uint8_t status;		/* 0x80-0xEF, 0xF0/0xF7 sysex, 0xFF meta */
	uint8_t meta;		/* meta type when status is 0xFF */
	uint8_t data[2];	/* channel message data bytes */
	uint8_t size;		/* 1-3: bytes of a channel message, status included */
	int truncated;
	uint32_t len;		/* sysex/meta payload length as in the file */
	const uint8_t *payload;	/* valid until the next call */
};

/* Opens and checks the header and the track chunk table. On error returns
 * -errno (-EBADMSG for a malformed file) with a message in err. */
int synth_smf_open(const char *path, struct synth_smf **out, char *err, size_t errlen);
void synth_smf_free(struct synth_smf *smf);

/* 1: an event in *ev; 0: end of all tracks; < 0: error, see
 * synth_smf_strerror(). Tempo and end-of-track metas are returned as
 * well (the reader has already acted on them). */
int synth_smf_next(struct synth_smf *smf, struct synth_smf_event *ev);
const char *synth_smf_strerror(const struct synth_smf *smf);

#endif
