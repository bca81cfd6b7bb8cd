# bench: see the top-level Makefile.am

# Codec microbenchmark: decode/encode rates of the pure core, no device.
noinst_PROGRAMS += bench/apc-codec-bench
bench_apc_codec_bench_SOURCES = bench/codec-bench.c
bench_apc_codec_bench_LDADD = driver/libapccore.la
