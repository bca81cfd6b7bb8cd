# tests/: one fragment per area, each owned by the code it tests.
include tests/core.mk
include tests/apcminid.mk
include tests/apcsynth.mk
include tests/vm.mk
include tests/fuzz/local.mk
# valgrind memcheck over the test programs (scripts/test runs it).
EXTRA_DIST += tests/valgrind.sh tests/valgrind.supp
