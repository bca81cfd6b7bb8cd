# synth: see the top-level Makefile.am
