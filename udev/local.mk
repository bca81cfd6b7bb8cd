# udev/: the rule that gives access to APC minis and asks systemd for one
# apcminid per controller, and that per-controller unit. Installed under the
# directories configure found (--with-udevdir, --with-systemdsystemunitdir).

udevrulesdir = $(udevdir)/rules.d
dist_udevrules_DATA = udev/70-apcmini.rules

systemdsystemunit_DATA = udev/apcminid@.service
CLEANFILES += udev/apcminid@.service
EXTRA_DIST += udev/apcminid@.service.in udev/README.md

# A drop-in for the unit that runs apcminid at real-time priority: an
# example, not installed where systemd reads it.
udevexampledir = $(docdir)/examples
udevexample_DATA = udev/apcminid-realtime.conf
CLEANFILES += udev/apcminid-realtime.conf
EXTRA_DIST += udev/apcminid-realtime.conf.in

# Filled in at make time, so that make sbindir=... install stays consistent.
udev/apcminid@.service: $(srcdir)/udev/apcminid@.service.in
udev/apcminid-realtime.conf: $(srcdir)/udev/apcminid-realtime.conf.in
udev/apcminid@.service udev/apcminid-realtime.conf: Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && \
	$(SED) -e 's|@sbindir[@]|$(sbindir)|g' $(srcdir)/$@.in >$@.tmp && \
	mv $@.tmp $@

# The rule through the real udevadm against emulated sysfs devices, and the
# unit through systemd-analyze; both skip when the tool is missing.
TESTS += udev/test-rules.sh udev/test-unit.sh
EXTRA_DIST += udev/test-rules.sh udev/test-unit.sh
