/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The real sequencer behind bridge_seq_ops: one non-blocking client per
 * device on the "default" sequencer, watched by the event loop (the bridge's
 * seq_user is the struct loop).
 */
#ifndef APC_SEQCLIENT_H
#define APC_SEQCLIENT_H

#include "bridge.h"

extern const struct bridge_seq_ops seqclient_ops;

/* Open and close a client to see whether there is a sequencer at all, so
 * that a missing snd-seq is reported at start rather than when a device
 * arrives. 0 or -errno. */
int seqclient_check(void);

#endif
