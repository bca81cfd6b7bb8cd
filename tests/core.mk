# tests/core.mk: unit tests of the pure core (codec, model, LED state).
# cmocka speaks TAP here, so every table row is reported by name.

check_PROGRAMS += tests/test-usbmidi tests/test-apcmini
TESTS += tests/test-usbmidi tests/test-apcmini

tests_test_usbmidi_SOURCES = tests/test-usbmidi.c tests/support/test-hex.h tests/support/test-table.h
tests_test_usbmidi_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_usbmidi_LDADD = driver/core/libapccore.la $(CMOCKA_LIBS)

tests_test_apcmini_SOURCES = tests/test-apcmini.c tests/support/test-hex.h tests/support/test-table.h
tests_test_apcmini_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_apcmini_LDADD = driver/core/libapccore.la $(CMOCKA_LIBS)

check_PROGRAMS += tests/test-usbout
TESTS += tests/test-usbout
tests_test_usbout_SOURCES = tests/test-usbout.c
tests_test_usbout_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_usbout_LDADD = driver/core/libapccore.la $(CMOCKA_LIBS)

# The shared utilities: the event loop and the log.
check_PROGRAMS += tests/test-util
TESTS += tests/test-util
tests_test_util_SOURCES = tests/test-util.c
tests_test_util_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_util_LDADD = driver/util/libapcutil.la $(CMOCKA_LIBS)

# The layering rules of doc/INTERNALS.md, on the sources.
TESTS += tests/layering.sh
EXTRA_DIST += tests/layering.sh

check_PROGRAMS += tests/test-held
TESTS += tests/test-held
tests_test_held_SOURCES = tests/test-held.c
tests_test_held_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_held_LDADD = driver/core/libapccore.la $(CMOCKA_LIBS)

# apcmini.conf: good files, every kind of bad line, merge and lookup.
check_PROGRAMS += tests/test-apcconf
TESTS += tests/test-apcconf
tests_test_apcconf_SOURCES = tests/test-apcconf.c tests/support/test-table.h
tests_test_apcconf_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_apcconf_LDADD = driver/core/libapccore.la $(CMOCKA_LIBS)

# The command language of apcemu and apcvirt (driver/core/apccmd).
check_PROGRAMS += tests/test-apccmd
TESTS += tests/test-apccmd
tests_test_apccmd_SOURCES = tests/test-apccmd.c tests/support/test-table.h
tests_test_apccmd_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_apccmd_LDADD = driver/core/libapccore.la $(CMOCKA_LIBS)

# The play mapping: layouts, scales, transposition, faders, the shift page
# and the LED picture on both models.
check_PROGRAMS += tests/test-apcmap
TESTS += tests/test-apcmap
tests_test_apcmap_SOURCES = tests/test-apcmap.c tests/support/test-table.h
tests_test_apcmap_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_apcmap_LDADD = driver/core/libapccore.la $(CMOCKA_LIBS)
