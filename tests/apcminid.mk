# tests/apcminid.mk: apcminid's tests. test-bridge: the bridge with the real
# core and OUT queue, a mock transport and a mock sequencer (cmocka, TAP).
# test-usb-umockdev: the libusb transport against emulated APC minis
# (umockdev); it re-runs itself under umockdev-wrapper and reports SKIP when
# umockdev is missing. Both share one mock sequencer (tests/support/mock-seq.[ch]).

check_PROGRAMS += tests/test-bridge tests/test-usb-umockdev
TESTS += tests/test-bridge
# umockdev emulates usbdevfs through an LD_PRELOAD library, which the
# AddressSanitizer runtime will not run under: a sanitizer build leaves this
# test out of the suite (the plain build runs it) rather than report a skip.
if !ENABLE_SANITIZERS
TESTS += tests/test-usb-umockdev
endif

tests_test_bridge_SOURCES = tests/test-bridge.c tests/support/mock-seq.c tests/support/mock-seq.h
tests_test_bridge_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(ALSA_CFLAGS)
# No libusb here: the bridge sees the transport only through usbdev.h.
tests_test_bridge_LDADD = seqbridge/libseqbridge.la driver/core/libapccore.la \
	driver/util/libapcutil.la $(CMOCKA_LIBS) $(ALSA_LIBS)

tests_test_usb_umockdev_SOURCES = tests/test-usb-umockdev.c tests/support/mock-seq.c \
	tests/support/mock-seq.h
tests_test_usb_umockdev_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(ALSA_CFLAGS) \
	$(LIBUSB_CFLAGS)
tests_test_usb_umockdev_LDADD = seqbridge/libseqbridge.la driver/usb/libapcusb.la \
	driver/core/libapccore.la driver/util/libapcutil.la $(CMOCKA_LIBS) $(ALSA_LIBS) $(LIBUSB_LIBS)
if HAVE_UMOCKDEV
tests_test_usb_umockdev_CFLAGS += $(UMOCKDEV_CFLAGS)
tests_test_usb_umockdev_LDADD += $(UMOCKDEV_LIBS)
endif

# --device parsing: no USB touched, but it lives in the transport library.
check_PROGRAMS += tests/test-usbselect
TESTS += tests/test-usbselect
tests_test_usbselect_SOURCES = tests/test-usbselect.c
tests_test_usbselect_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_usbselect_LDADD = driver/usb/libapcusb.la driver/core/libapccore.la \
	driver/util/libapcutil.la $(CMOCKA_LIBS) $(LIBUSB_LIBS)
