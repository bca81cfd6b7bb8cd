# seqbridge/: the ALSA sequencer side of apcminid (one client per device,
# event conversion, LED batching), its poll loop, and the program itself.
# apcminid is a daemon started by udev/systemd: it goes to sbin, section 8.

noinst_LTLIBRARIES += seqbridge/libseqbridge.la
seqbridge_libseqbridge_la_SOURCES = \
	seqbridge/bridge.c seqbridge/bridge.h \
	seqbridge/loop.c seqbridge/loop.h \
	seqbridge/seqclient.c seqbridge/seqclient.h
seqbridge_libseqbridge_la_CFLAGS = $(AM_CFLAGS) $(ALSA_CFLAGS)
seqbridge_libseqbridge_la_LIBADD = $(ALSA_LIBS)

sbin_PROGRAMS += seqbridge/apcminid
seqbridge_apcminid_SOURCES = seqbridge/apcminid.c
seqbridge_apcminid_CFLAGS = $(AM_CFLAGS) $(LIBUSB_CFLAGS) $(ALSA_CFLAGS)
seqbridge_apcminid_LDADD = seqbridge/libseqbridge.la driver/libapcusb.la \
	driver/libapccore.la driver/libapclog.la $(LIBUSB_LIBS) $(ALSA_LIBS)
