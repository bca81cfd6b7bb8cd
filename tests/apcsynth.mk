# tests/apcsynth.mk
