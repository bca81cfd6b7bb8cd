# tools/: programs for users and application developers.
#   apcvirt  a virtual APC mini: a sequencer client on the tree's device
#            model (apcdev), played by the command language (apccmd).
#   apcmon   a terminal monitor and LED tester for any APC mini client.
# apcrun.c runs the command language over the device model; the rig's
# emulator (tests/vm/apcemu) compiles it too.

bin_PROGRAMS += tools/apcvirt
tools_apcvirt_SOURCES = tools/apcvirt.c tools/apcvirt-proto.h \
	tools/apcrun.c tools/apcrun.h
tools_apcvirt_CFLAGS = $(AM_CFLAGS) $(ALSA_CFLAGS)
tools_apcvirt_LDADD = driver/core/libapccore.la driver/util/libapcutil.la $(ALSA_LIBS)

bin_PROGRAMS += tools/apcmon
tools_apcmon_SOURCES = tools/apcmon.c tools/apcvirt-proto.h
tools_apcmon_CFLAGS = $(AM_CFLAGS) $(ALSA_CFLAGS) $(NCURSES_CFLAGS)
tools_apcmon_LDADD = driver/core/libapccore.la driver/util/libapcutil.la \
	$(ALSA_LIBS) $(NCURSES_LIBS) -lm
