# tests/: one fragment per area, each owned by the code it tests.
include tests/core.mk
include tests/apcminid.mk
include tests/apcsynth.mk
include tests/vm.mk
