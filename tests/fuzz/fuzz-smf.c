/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz harness: the streaming SMF reader of the synth (synth/engine/
 * synth-smf.c) on any file. The reader takes a path and reads with
 * pread(), so the input is put in a memfd and opened through /proc.
 * Properties: open and next either succeed or fail with a message; events
 * come in tick order with times that never go back; channel messages have
 * their length and data bytes; payloads are within the file and
 * SYNTH_SMF_PAYLOAD_MAX; an error is sticky; the reader ends.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "midimsg.h"
#include "synth-smf.h"

static int memfd = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct synth_smf *smf = NULL;
	struct synth_smf_event ev;
	char path[64], err[256];
	uint64_t tick = 0, events = 0;
	double time = 0.0;
	int r;

	if (memfd < 0) {
		memfd = memfd_create("fuzz-smf", MFD_CLOEXEC);
		FUZZ_CHECK(memfd >= 0);
	}
	FUZZ_CHECK(ftruncate(memfd, 0) == 0);
	FUZZ_CHECK(pwrite(memfd, data, size, 0) == (ssize_t)size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);

	err[0] = '\0';
	r = synth_smf_open(path, &smf, err, sizeof(err));
	if (r < 0) {
		FUZZ_CHECK(err[0] != '\0');
		FUZZ_CHECK(r == -EBADMSG || r == -ENOMEM);
		return 0;
	}
	for (;;) {
		r = synth_smf_next(smf, &ev);
		if (r <= 0)
			break;
		/* Each event takes at least one byte of the file. */
		FUZZ_CHECK(++events <= size);
		FUZZ_CHECK(ev.tick >= tick);
		FUZZ_CHECK(ev.time >= time && ev.time == ev.time);
		tick = ev.tick;
		time = ev.time;
		if (ev.status < 0xf0) {
			FUZZ_CHECK(ev.status >= 0x80);
			FUZZ_CHECK(ev.size == midi_msg_length(ev.status));
			FUZZ_CHECK(ev.data[0] < 0x80 && ev.data[1] < 0x80);
		} else {
			FUZZ_CHECK(ev.status == 0xf0 || ev.status == 0xf7 || ev.status == 0xff);
			FUZZ_CHECK(ev.len <= size);
			FUZZ_CHECK(ev.truncated == (ev.len > SYNTH_SMF_PAYLOAD_MAX));
			FUZZ_CHECK(ev.payload != NULL);
			if (ev.len) {
				/* Read every payload byte: ASan sees an overread. */
				volatile uint8_t sum = 0;
				uint32_t i;

				for (i = 0; i < ev.len && i < SYNTH_SMF_PAYLOAD_MAX; i++)
					sum = (uint8_t)(sum + ev.payload[i]);
				(void)sum;
			}
		}
	}
	if (r < 0) {
		FUZZ_CHECK(synth_smf_strerror(smf)[0] != '\0');
		FUZZ_CHECK(synth_smf_next(smf, &ev) < 0);
	} else {
		FUZZ_CHECK(synth_smf_next(smf, &ev) == 0);
	}
	synth_smf_free(smf);
	return 0;
}
