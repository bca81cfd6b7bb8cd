# driver/: the pure core (libapccore: codec + model, no I/O) and the libusb
# transport. Programs, tests and bench link these.

noinst_LTLIBRARIES += driver/libapccore.la
driver_libapccore_la_SOURCES = \
	driver/usbmidi.c driver/usbmidi.h \
	driver/apcmini.c driver/apcmini.h \
	driver/apcmini-palette.c

# --- transport and apcminid (issue: apcminid) below this line ---

# libapcusb: the libusb transport (hotplug, claim, transfers), the OUT queue
# that coalesces LED changes, and the log used by apcminid's layers.
noinst_LTLIBRARIES += driver/libapcusb.la
driver_libapcusb_la_SOURCES = \
	driver/apcusb.c driver/apcusb.h \
	driver/usbdev.h \
	driver/usbout.c driver/usbout.h \
	driver/usblog.c driver/usblog.h
driver_libapcusb_la_CFLAGS = $(AM_CFLAGS) $(LIBUSB_CFLAGS)
driver_libapcusb_la_LIBADD = $(LIBUSB_LIBS)
