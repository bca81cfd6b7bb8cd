# tools/: programs for users and application developers.
#   apcvirt  a virtual APC mini: a sequencer client on the tree's device
#            model (apcdev), played by the command language (apccmd).
# apcrun.c runs the command language over the device model; the rig's
# emulator (tests/vm/apcemu) compiles it too.

bin_PROGRAMS += tools/apcvirt
tools_apcvirt_SOURCES = tools/apcvirt.c tools/apcvirt-proto.h \
	tools/apcrun.c tools/apcrun.h
tools_apcvirt_CFLAGS = $(AM_CFLAGS) $(ALSA_CFLAGS)
tools_apcvirt_LDADD = driver/core/libapccore.la driver/util/libapcutil.la $(ALSA_LIBS)
