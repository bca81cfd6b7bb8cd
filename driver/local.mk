# driver/: the pure core (libapccore: codec + model, no I/O), the log and the libusb
# transport. Programs, tests and bench link these.

noinst_LTLIBRARIES += driver/libapccore.la
driver_libapccore_la_SOURCES = \
	driver/usbmidi.c driver/usbmidi.h \
	driver/apcmini.c driver/apcmini.h \
	driver/apcmini-palette.c

# libapclog: the one logging module (level from the environment and -v, to
# stderr). It does I/O, so it stays out of the core; whatever links a library
# that logs (libapcusb, libseqbridge, libapcsynth) links this after it.
noinst_LTLIBRARIES += driver/libapclog.la
driver_libapclog_la_SOURCES = driver/apclog.c driver/apclog.h

# --- transport and apcminid (issue: apcminid) below this line ---

# libapcusb: the libusb transport (hotplug, claim, transfers, the error
# translation and interface lookup the bench shares) and the OUT queue that
# coalesces LED changes.
noinst_LTLIBRARIES += driver/libapcusb.la
driver_libapcusb_la_SOURCES = \
	driver/apcusb.c driver/apcusb.h \
	driver/usbdev.h \
	driver/usbout.c driver/usbout.h \
	driver/usbdesc.c driver/usbdesc.h
driver_libapcusb_la_CFLAGS = $(AM_CFLAGS) $(LIBUSB_CFLAGS)
driver_libapcusb_la_LIBADD = $(LIBUSB_LIBS)
