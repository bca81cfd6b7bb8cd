# tests/fuzz/: make check replays every fuzz harness's corpus (its seeds
# and each input that once crashed it) with replay.c as the harness's main,
# in every build, the sanitizer build too. tests/fuzz/run builds the same
# harnesses with clang and libFuzzer and fuzzes them (scripts/test runs it).
# The sources each harness takes are listed in tests/fuzz/run as well.

FUZZ_REPLAY = tests/fuzz/replay-usbmidi-decode \
	tests/fuzz/replay-usbmidi-roundtrip \
	tests/fuzz/replay-apcmini \
	tests/fuzz/replay-apcdev \
	tests/fuzz/replay-smf \
	tests/fuzz/replay-apcconf \
	tests/fuzz/replay-apccmd \
	tests/fuzz/replay-apcmap
check_PROGRAMS += $(FUZZ_REPLAY)
TESTS += $(FUZZ_REPLAY)
EXTRA_DIST += tests/fuzz/run tests/fuzz/corpus

tests_fuzz_replay_usbmidi_decode_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-usbmidi-decode.c tests/fuzz/fuzz.h
tests_fuzz_replay_usbmidi_decode_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/fuzz \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/usbmidi-decode"'
tests_fuzz_replay_usbmidi_decode_LDADD = driver/core/libapccore.la

tests_fuzz_replay_usbmidi_roundtrip_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-usbmidi-roundtrip.c tests/fuzz/fuzz.h
tests_fuzz_replay_usbmidi_roundtrip_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/fuzz \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/usbmidi-roundtrip"'
tests_fuzz_replay_usbmidi_roundtrip_LDADD = driver/core/libapccore.la

tests_fuzz_replay_apcmini_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-apcmini.c tests/fuzz/fuzz.h
tests_fuzz_replay_apcmini_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/fuzz \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/apcmini"'
tests_fuzz_replay_apcmini_LDADD = driver/core/libapccore.la

tests_fuzz_replay_apcdev_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-apcdev.c tests/fuzz/fuzz.h
tests_fuzz_replay_apcdev_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/fuzz \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/apcdev"'
tests_fuzz_replay_apcdev_LDADD = driver/core/libapccore.la

tests_fuzz_replay_smf_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-smf.c tests/fuzz/fuzz.h synth/engine/synth-smf.c
tests_fuzz_replay_smf_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/fuzz \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/smf"'

tests_fuzz_replay_apcconf_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-apcconf.c tests/fuzz/fuzz.h
tests_fuzz_replay_apcconf_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/fuzz \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/apcconf"'
tests_fuzz_replay_apcconf_LDADD = driver/core/libapccore.la

tests_fuzz_replay_apccmd_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-apccmd.c tests/fuzz/fuzz.h
tests_fuzz_replay_apccmd_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/fuzz \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/apccmd"'
tests_fuzz_replay_apccmd_LDADD = driver/core/libapccore.la

tests_fuzz_replay_apcmap_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-apcmap.c tests/fuzz/fuzz.h
tests_fuzz_replay_apcmap_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/fuzz \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/apcmap"'
tests_fuzz_replay_apcmap_LDADD = driver/core/libapccore.la
