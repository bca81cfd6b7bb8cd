# synth/: apcsynth. libapcsynth is the synthesis core (event ring, scheduler,
# FluidSynth engine, WAV writer, SMF reader, real-time renderers) and has no
# ALSA in it, so the driver can link it for an in-process path; the sequencer
# front end and main() are separate.

noinst_LTLIBRARIES += synth/libapcsynth.la
synth_libapcsynth_la_SOURCES = \
	synth/synth-event.h synth/synth-event.c \
	synth/synth-ring.h synth/synth-ring.c \
	synth/synth-sched.h synth/synth-sched.c \
	synth/synth-fluid.h synth/synth-fluid.c \
	synth/synth-wav.h synth/synth-wav.c \
	synth/synth-smf.h synth/synth-smf.c \
	synth/synth-render.h synth/synth-render.c \
	synth/synth-rt.h synth/synth-rt.c \
	synth/synth-onset.h synth/synth-onset.c
synth_libapcsynth_la_CFLAGS = $(AM_CFLAGS) $(FLUIDSYNTH_CFLAGS) -pthread
synth_libapcsynth_la_LIBADD = $(FLUIDSYNTH_LIBS) -lm -lpthread

bin_PROGRAMS += synth/apcsynth
synth_apcsynth_SOURCES = \
	synth/apcsynth.c \
	synth/apcsynth-seq.h synth/apcsynth-seq.c
synth_apcsynth_CFLAGS = $(AM_CFLAGS) $(ALSA_CFLAGS) $(FLUIDSYNTH_CFLAGS) -pthread
synth_apcsynth_LDADD = synth/libapcsynth.la driver/libapclog.la $(ALSA_LIBS)

