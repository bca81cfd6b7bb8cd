# driver/: the pure core (libapccore: codec + model, no I/O) and the libusb
# transport. Programs, tests and bench link these.

noinst_LTLIBRARIES += driver/libapccore.la
driver_libapccore_la_SOURCES = \
	driver/usbmidi.c driver/usbmidi.h \
	driver/apcmini.c driver/apcmini.h \
	driver/apcmini-palette.c

# --- transport and apcminid (issue: apcminid) below this line ---
