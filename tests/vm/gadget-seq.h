/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sending as the device on the gadget side of the test guest: the one way
 * the emulator and the bench hand bytes to the host. Not a rawmidi write
 * (racy in the guest's kernel, see gadget-seq.c) but sequencer events to
 * the gadget card's own client (f_midi, made by snd-seq-midi), one private
 * port per cable, sent only when the card's output buffer has room for the
 * whole event. Not thread-safe: one thread (or one lock) per instance.
 */
#ifndef GADGET_SEQ_H
#define GADGET_SEQ_H

#include <stddef.h>
#include <stdint.h>

#define GADGET_SEQ_MAX_CABLES 2
/* Nothing signals room in the card's output buffer (the sequencer owns
 * it): a caller with queued bytes retries after this long. */
#define GADGET_SEQ_RETRY_NS 1000000ull

struct gadget_seq;

/* A sequencer client `name` with a port per cable (named NAME-N) and a MIDI
 * byte encoder per cable. 0 or -errno. */
int gadget_seq_new(struct gadget_seq **out, const char *name, unsigned int n_cables);
void gadget_seq_free(struct gadget_seq *g);

/* Subscribe cable N to port N of ALSA card `card`'s sequencer client.
 * -ENOENT when the card has no client (yet). */
int gadget_seq_link(struct gadget_seq *g, int card);
/* Undo the subscriptions and forget what was queued. */
void gadget_seq_unlink(struct gadget_seq *g);

/* Queue `len` bytes for `cable` (whole messages; an unterminated sysex
 * waits for its F7) and send what the buffer takes now. -ENODEV when not
 * linked, -EINVAL for a cable the device lacks, -ENOBUFS when the queue is
 * full; any other -errno means the card went away. */
int gadget_seq_write(struct gadget_seq *g, unsigned int cable, const uint8_t *msg, size_t len);
/* Send what is queued and fits now. 0 or -errno (card gone). */
int gadget_seq_flush(struct gadget_seq *g);
/* Bytes or an event still queued on `cable` (any cable when cable < 0). */
int gadget_seq_busy(const struct gadget_seq *g, int cable);
/* 1 when a `len`-byte message on `cable` would leave at once (nothing
 * queued, room in the buffer), 0 when it would wait, -errno (card gone). */
int gadget_seq_room(struct gadget_seq *g, unsigned int cable, size_t len);

#endif
