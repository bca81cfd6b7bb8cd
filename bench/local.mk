# bench: see the top-level Makefile.am

# Codec microbenchmark: decode/encode rates of the pure core, no device.
noinst_PROGRAMS += bench/apc-codec-bench
bench_apc_codec_bench_SOURCES = bench/codec-bench.c
bench_apc_codec_bench_LDADD = driver/libapccore.la

# synth-bench: apcsynth vs fluidsynth, render speed and onset timing.
noinst_PROGRAMS += bench/synth-bench
bench_synth_bench_SOURCES = bench/synth-bench.c
bench_synth_bench_CFLAGS = $(AM_CFLAGS) $(FLUIDSYNTH_CFLAGS)
bench_synth_bench_LDADD = synth/libapcsynth.la -lm
