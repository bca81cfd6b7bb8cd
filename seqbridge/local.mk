# seqbridge/: the ALSA sequencer side of apcminid (layer 3): one client per
# device, MIDI bytes <-> snd_seq_event_t, LED batching, the bridge that joins
# a device to its client. The program is driver/apcminid.c.

noinst_LTLIBRARIES += seqbridge/libseqbridge.la
seqbridge_libseqbridge_la_SOURCES = \
	seqbridge/bridge.c seqbridge/bridge.h \
	seqbridge/seqclient.c seqbridge/seqclient.h
seqbridge_libseqbridge_la_CFLAGS = $(AM_CFLAGS) $(ALSA_CFLAGS)
seqbridge_libseqbridge_la_LIBADD = $(ALSA_LIBS)
