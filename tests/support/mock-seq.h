/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A mock of the sequencer side of the bridge (bridge_seq_ops), shared by the
 * bridge unit tests and the umockdev transport tests. One instance, mseq:
 * the ops reach it from open() on, before the bridge has any state of ours.
 */
#ifndef APC_TEST_MOCK_SEQ_H
#define APC_TEST_MOCK_SEQ_H

#include <stddef.h>
#include <stdint.h>

#include "bridge.h"

/* Longest sysex kept per event; longer ones fail the test. */
#define MOCK_SEQ_MAX_SYSEX 256

struct mock_seq_event {
	snd_seq_event_t ev; /* a variable event's ext.ptr points at data */
	uint8_t data[MOCK_SEQ_MAX_SYSEX];
	unsigned int drain; /* which drain sent it, 0 = not yet */
};

struct mock_seq {
	unsigned int cap; /* of out and of in */
	unsigned int opens, closes, renames;
	char last_name[64];
	int next_client;
	/* What the bridge wrote, in order. */
	struct mock_seq_event *out;
	unsigned int n_out;
	unsigned int refused; /* writes refused with -ENOSPC: out was full */
	unsigned int drains;
	unsigned int n_tagged; /* out[0 .. n_tagged) know their drain */
	/* What the bridge will read, from in_pos on. */
	struct mock_seq_event *in;
	unsigned int n_in, in_pos;
	int overrun_once; /* the next input() reports an overrun */
};

extern struct mock_seq mseq;
extern const struct bridge_seq_ops *const mock_seq_ops;

/* Reset mseq with room for cap events each way; the test fails without it. */
void mock_seq_init(unsigned int cap);
void mock_seq_free(void);

/* Queue a note (status 0x8n or 0x9n) or a sysex for the bridge to read. */
void mock_seq_in_note(unsigned int port, unsigned int status, unsigned int note,
		      unsigned int vel);
void mock_seq_in_sysex(unsigned int port, const uint8_t *msg, size_t len);
/* Queue the notice the sequencer gives a port's owner when someone
 * subscribes to (or unsubscribes from) reading client:port. */
void mock_seq_in_subscription(int subscribed, int client, unsigned int port);

#endif
