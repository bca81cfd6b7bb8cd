# synth/: apcsynth. libapcsynth is the synthesis core (event ring, scheduler,
# FluidSynth engine, WAV writer, SMF reader, real-time renderers) and has no
# ALSA in it, so the driver can link it for an in-process path; the sequencer
# front end and main() are separate.

noinst_LTLIBRARIES += synth/engine/libapcsynth.la
synth_engine_libapcsynth_la_SOURCES = \
	synth/engine/synth-event.h synth/engine/synth-event.c \
	synth/engine/synth-ring.h synth/engine/synth-ring.c \
	synth/engine/synth-sched.h synth/engine/synth-sched.c \
	synth/engine/synth-fluid.h synth/engine/synth-fluid.c \
	synth/engine/synth-wav.h synth/engine/synth-wav.c \
	synth/engine/synth-smf.h synth/engine/synth-smf.c \
	synth/engine/synth-render.h synth/engine/synth-render.c \
	synth/engine/synth-rt.h synth/engine/synth-rt.c
synth_engine_libapcsynth_la_CFLAGS = $(AM_CFLAGS) $(FLUIDSYNTH_CFLAGS) -pthread
synth_engine_libapcsynth_la_LIBADD = $(FLUIDSYNTH_LIBS) -lm -lpthread

# The synth's sequencer side (client, ports, snd_seq_event_t -> synth_event),
# shared by apcsynth and apcminid --synth.
noinst_LTLIBRARIES += synth/seq/libsynthseq.la
synth_seq_libsynthseq_la_SOURCES = synth/seq/apcsynth-seq.h synth/seq/apcsynth-seq.c
synth_seq_libsynthseq_la_CFLAGS = $(AM_CFLAGS) $(ALSA_CFLAGS) $(FLUIDSYNTH_CFLAGS)
synth_seq_libsynthseq_la_LIBADD = $(ALSA_LIBS)

bin_PROGRAMS += synth/apcsynth
synth_apcsynth_SOURCES = synth/apcsynth.c
synth_apcsynth_CFLAGS = $(AM_CFLAGS) $(ALSA_CFLAGS) $(FLUIDSYNTH_CFLAGS) -pthread
synth_apcsynth_LDADD = synth/seq/libsynthseq.la synth/engine/libapcsynth.la \
	driver/util/libapcutil.la $(ALSA_LIBS)

