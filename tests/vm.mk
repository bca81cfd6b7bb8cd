# tests/vm.mk
