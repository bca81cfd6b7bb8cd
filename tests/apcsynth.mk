# tests/apcsynth.mk: apcsynth's core (ring, scheduler, SMF reader, event and
# sequencer mapping, WAV) as cmocka programs speaking TAP, and the offline
# render test (onsets, reproducibility, command line) as a shell test.

# libapcprobe: what the synth's tests, its guest checker and its benchmark
# share and the product does not ship: the one SMF writer, the one WAV
# reader, onset detection and the timing probe file.
noinst_LTLIBRARIES += tests/support/libapcprobe.la
tests_support_libapcprobe_la_SOURCES = \
	tests/support/probe-smf.h tests/support/probe-smf.c \
	tests/support/probe-wav.h tests/support/probe-wav.c \
	tests/support/probe-onset.h tests/support/probe-onset.c \
	tests/support/probe-pitch.h tests/support/probe-pitch.c
tests_support_libapcprobe_la_LIBADD = -lm

SYNTH_TEST_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(FLUIDSYNTH_CFLAGS) -pthread
SYNTH_TEST_LIBS = tests/support/libapcprobe.la synth/engine/libapcsynth.la \
	driver/util/libapcutil.la $(CMOCKA_LIBS)

check_PROGRAMS += tests/test-synth-ring tests/test-synth-sched tests/test-synth-smf \
	tests/test-synth-event tests/test-synth-render-check
TESTS += tests/test-synth-ring tests/test-synth-sched tests/test-synth-smf \
	tests/test-synth-event tests/test-synth-render.sh

tests_test_synth_ring_SOURCES = tests/test-synth-ring.c
tests_test_synth_ring_CFLAGS = $(SYNTH_TEST_CFLAGS)
tests_test_synth_ring_LDADD = $(SYNTH_TEST_LIBS)

tests_test_synth_sched_SOURCES = tests/test-synth-sched.c
tests_test_synth_sched_CFLAGS = $(SYNTH_TEST_CFLAGS)
tests_test_synth_sched_LDADD = $(SYNTH_TEST_LIBS)

tests_test_synth_smf_SOURCES = tests/test-synth-smf.c
tests_test_synth_smf_CFLAGS = $(SYNTH_TEST_CFLAGS)
tests_test_synth_smf_LDADD = $(SYNTH_TEST_LIBS)

# The sequencer mapping is tested here too, so this one links ALSA.
tests_test_synth_event_SOURCES = tests/test-synth-event.c
tests_test_synth_event_CFLAGS = $(SYNTH_TEST_CFLAGS) $(ALSA_CFLAGS)
tests_test_synth_event_LDADD = synth/seq/libsynthseq.la $(SYNTH_TEST_LIBS) $(ALSA_LIBS)

tests_test_synth_render_check_SOURCES = tests/test-synth-render-check.c
tests_test_synth_render_check_CFLAGS = $(SYNTH_TEST_CFLAGS)
tests_test_synth_render_check_LDADD = $(SYNTH_TEST_LIBS)

EXTRA_DIST += tests/test-synth-render.sh

# The synth scenarios' checker runs inside the system-test guest: built with
# `make` under tests/vm/, where tests/vm/run takes its helper programs from.
noinst_PROGRAMS += tests/vm/synth-wavcheck
tests_vm_synth_wavcheck_SOURCES = tests/synth-wavcheck.c
tests_vm_synth_wavcheck_CFLAGS = $(AM_CFLAGS) $(FLUIDSYNTH_CFLAGS)
tests_vm_synth_wavcheck_LDADD = tests/support/libapcprobe.la synth/engine/libapcsynth.la \
	driver/util/libapcutil.la -lm

# The guest checker's pitch detection.
check_PROGRAMS += tests/test-probe-pitch
TESTS += tests/test-probe-pitch
tests_test_probe_pitch_SOURCES = tests/test-probe-pitch.c
tests_test_probe_pitch_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_probe_pitch_LDADD = tests/support/libapcprobe.la $(CMOCKA_LIBS) -lm

# The in-process hand-off (apcminid --synth): stamp to frame, full ring.
check_PROGRAMS += tests/test-synth-rt
TESTS += tests/test-synth-rt
tests_test_synth_rt_SOURCES = tests/test-synth-rt.c
tests_test_synth_rt_CFLAGS = $(SYNTH_TEST_CFLAGS)
tests_test_synth_rt_LDADD = $(SYNTH_TEST_LIBS)
