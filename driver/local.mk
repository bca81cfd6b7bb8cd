# driver/: everything below the sequencer, one library per layer, and the
# apcminid program on top of them (with seqbridge/, the sequencer side).
#   core/  libapccore: pure (USB-MIDI codec, APC mini model and device side,
#          LED state, OUT queue, apcmini.conf parser); no I/O, no
#          allocation, no libusb or ALSA.
#   util/  libapcutil: what every program shares (logging, the poll loop,
#          the clock); no libusb, no ALSA.
#   usb/   libapcusb: the libusb transport and device selection.

noinst_LTLIBRARIES += driver/core/libapccore.la
driver_core_libapccore_la_SOURCES = \
	driver/core/midimsg.h \
	driver/core/usbmidi.c driver/core/usbmidi.h \
	driver/core/apcmini.c driver/core/apcmini.h \
	driver/core/apcmini-palette.c \
	driver/core/apcdev.c driver/core/apcdev.h \
	driver/core/usbout.c driver/core/usbout.h \
	driver/core/held.c driver/core/held.h \
	driver/core/apcconf.c driver/core/apcconf.h
driver_core_libapccore_la_SOURCES += driver/core/apcmap.c driver/core/apcmap.h

noinst_LTLIBRARIES += driver/util/libapcutil.la
driver_util_libapcutil_la_SOURCES = \
	driver/util/apclog.c driver/util/apclog.h \
	driver/util/loop.c driver/util/loop.h \
	driver/util/clock.h

noinst_LTLIBRARIES += driver/usb/libapcusb.la
driver_usb_libapcusb_la_SOURCES = \
	driver/usb/apcusb.c driver/usb/apcusb.h \
	driver/usb/usbdev.h \
	driver/usb/usbdesc.c driver/usb/usbdesc.h \
	driver/usb/usbselect.c driver/usb/usbselect.h
driver_usb_libapcusb_la_CFLAGS = $(AM_CFLAGS) $(LIBUSB_CFLAGS)
driver_usb_libapcusb_la_LIBADD = $(LIBUSB_LIBS)

# apcminid is a daemon started by udev/systemd: it goes to sbin, section 8.
# --synth links the synth's engine and sequencer side: the in-process path.
sbin_PROGRAMS += driver/apcminid
driver_apcminid_SOURCES = driver/apcminid.c \
	driver/apcminid-conf.c driver/apcminid-conf.h \
	driver/apcminid-guard.c driver/apcminid-guard.h \
	driver/apcminid-synth.c driver/apcminid-synth.h
driver_apcminid_CFLAGS = $(AM_CFLAGS) $(LIBUSB_CFLAGS) $(ALSA_CFLAGS) $(FLUIDSYNTH_CFLAGS)
driver_apcminid_CPPFLAGS = $(AM_CPPFLAGS) -DSYSCONFDIR='"$(sysconfdir)"'
driver_apcminid_LDADD = seqbridge/libseqbridge.la synth/seq/libsynthseq.la \
	synth/engine/libapcsynth.la driver/usb/libapcusb.la driver/core/libapccore.la \
	driver/util/libapcutil.la $(LIBUSB_LIBS) $(ALSA_LIBS) $(FLUIDSYNTH_LIBS) -lpthread

# The command language of a played APC mini (apcemu, apcvirt).
driver_core_libapccore_la_SOURCES += driver/core/apccmd.c driver/core/apccmd.h
