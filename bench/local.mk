# bench: see the top-level Makefile.am

# Codec microbenchmark: decode/encode rates of the pure core, no device.
noinst_PROGRAMS += bench/apc-codec-bench
bench_apc_codec_bench_SOURCES = bench/codec-bench.c
bench_apc_codec_bench_LDADD = driver/core/libapccore.la

# apcbench: kernel vs raw-USB vs direct vs sequencer-only paths, side by side,
# and pad to sound through each synth chain (recorded from an ALSA capture
# device). The device side sends through the test rig's gadget-seq, the
# direct path runs the shipped transport (libapcusb).
bin_PROGRAMS += apcbench
apcbench_SOURCES = bench/apcbench.c bench/bench-opts.h bench/bench-result.h \
	bench/bench-target.h \
	bench/bench-baseline.c bench/bench-baseline.h \
	bench/bench-device.c bench/bench-device.h \
	bench/bench-direct.c bench/bench-direct.h \
	bench/bench-log.c bench/bench-log.h \
	bench/bench-measure.c bench/bench-measure.h \
	bench/bench-onset.c bench/bench-onset.h \
	bench/bench-paths.c bench/bench-paths.h \
	bench/bench-peer.c bench/bench-peer.h \
	bench/bench-play.c bench/bench-play.h \
	bench/bench-plan.c bench/bench-plan.h \
	bench/bench-proc.c bench/bench-proc.h \
	bench/bench-report.c bench/bench-report.h \
	bench/bench-seq.c bench/bench-seq.h \
	bench/bench-sinks.c bench/bench-sinks.h \
	bench/bench-sound.c bench/bench-sound.h \
	bench/bench-stats.c bench/bench-stats.h \
	bench/bench-thread.c bench/bench-thread.h \
	tests/vm/gadget-seq.c tests/vm/gadget-seq.h
apcbench_CFLAGS = $(AM_CFLAGS) $(ALSA_CFLAGS) $(LIBUSB_CFLAGS) -I$(top_srcdir)/tests/vm -pthread
apcbench_LDADD = driver/usb/libapcusb.la driver/core/libapccore.la driver/util/libapcutil.la \
	$(ALSA_LIBS) $(LIBUSB_LIBS) -lm -lpthread
EXTRA_DIST += bench/apcbench.gp bench/scale.gp bench/run-compare bench/usb-stages

check_PROGRAMS += tests/test-bench-stats
TESTS += tests/test-bench-stats
tests_test_bench_stats_SOURCES = tests/test-bench-stats.c bench/bench-stats.c \
	bench/bench-report.c bench/bench-baseline.c bench/bench-onset.c
tests_test_bench_stats_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) -I$(top_srcdir)/bench
tests_test_bench_stats_LDADD = driver/core/libapccore.la $(CMOCKA_LIBS) -lm

# bench/usb-stages' joining of stamps, URBs and trace records, on a fixture
TESTS += tests/test-usb-stages.sh
EXTRA_DIST += tests/test-usb-stages.sh

# synth-bench: apcsynth vs fluidsynth, render speed and onset timing.
noinst_PROGRAMS += bench/synth-bench
bench_synth_bench_SOURCES = bench/synth-bench.c
bench_synth_bench_CFLAGS = $(AM_CFLAGS) $(FLUIDSYNTH_CFLAGS)
bench_synth_bench_LDADD = tests/support/libapcprobe.la synth/engine/libapcsynth.la \
	driver/util/libapcutil.la -lm
