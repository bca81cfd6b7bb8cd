# bench: see the top-level Makefile.am

# Codec microbenchmark: decode/encode rates of the pure core, no device.
noinst_PROGRAMS += bench/apc-codec-bench
bench_apc_codec_bench_SOURCES = bench/codec-bench.c
bench_apc_codec_bench_LDADD = driver/core/libapccore.la

# apcbench: kernel vs raw-USB vs direct vs sequencer-only paths, side by side.
bin_PROGRAMS += apcbench
apcbench_SOURCES = bench/apcbench.c bench/apcbench.h \
	bench/apcbench-io.c bench/apcbench-io.h \
	bench/apcbench-stats.c bench/apcbench-stats.h \
	bench/apcbench-report.c
apcbench_CFLAGS = $(AM_CFLAGS) $(ALSA_CFLAGS) $(LIBUSB_CFLAGS) -pthread
# The direct path finds the interface and translates libusb's errors with
# the transport's own code.
apcbench_LDADD = driver/usb/libapcusb.la driver/core/libapccore.la driver/util/libapcutil.la \
	$(ALSA_LIBS) $(LIBUSB_LIBS) -lm -lpthread
EXTRA_DIST += bench/apcbench.gp bench/run-compare

check_PROGRAMS += tests/test-bench-stats
TESTS += tests/test-bench-stats
tests_test_bench_stats_SOURCES = tests/test-bench-stats.c bench/apcbench-stats.c \
	bench/apcbench-report.c
tests_test_bench_stats_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) -I$(top_srcdir)/bench
tests_test_bench_stats_LDADD = $(CMOCKA_LIBS) -lm

# synth-bench: apcsynth vs fluidsynth, render speed and onset timing.
noinst_PROGRAMS += bench/synth-bench
bench_synth_bench_SOURCES = bench/synth-bench.c
bench_synth_bench_CFLAGS = $(AM_CFLAGS) $(FLUIDSYNTH_CFLAGS)
bench_synth_bench_LDADD = tests/support/libapcprobe.la synth/engine/libapcsynth.la \
	driver/util/libapcutil.la -lm
