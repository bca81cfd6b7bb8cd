# udev: see the top-level Makefile.am
