# tests/vm.mk: the system-test guest (tests/vm/run boots it; not part of
# make check: scripts/test runs `tests/vm/run all` after it) and apcemu, the
# gadget-side APC mini emulator that runs inside the guest.

noinst_PROGRAMS += tests/vm/apcemu
tests_vm_apcemu_SOURCES = \
	tests/vm/apcemu.c tests/vm/apcemu.h \
	tests/vm/apcemu-gadget.c \
	tests/vm/gadget-seq.c tests/vm/gadget-seq.h
tests_vm_apcemu_CFLAGS = $(AM_CFLAGS) $(ALSA_CFLAGS)
tests_vm_apcemu_LDADD = driver/core/libapccore.la driver/util/libapcutil.la $(ALSA_LIBS)

EXTRA_DIST += \
	tests/vm/README.md \
	tests/vm/run \
	tests/vm/guest-init \
	tests/vm/lib.sh \
	tests/vm/scenarios

# apcemu runs the command language through the same runner as apcvirt.
tests_vm_apcemu_SOURCES += tools/apcrun.c tools/apcrun.h

# seqflood: the soak scenarios' sequencer client (a lossless LED flood, a
# counting subscriber).
noinst_PROGRAMS += tests/vm/seqflood
tests_vm_seqflood_SOURCES = tests/vm/seqflood.c
tests_vm_seqflood_CFLAGS = $(AM_CFLAGS) $(ALSA_CFLAGS)
tests_vm_seqflood_LDADD = $(ALSA_LIBS)
