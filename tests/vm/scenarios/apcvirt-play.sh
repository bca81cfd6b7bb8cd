#!/bin/sh
# apcvirt-play: apcminid-play against the virtual APC mini: its play port plays C major from C3 into apcsynth and its grid shows the mapping's picture, as apcminid's does.
# models: mk1 mk2
# timeout: 180
VM_TARGET=apcvirt
. "${0%/*}/apcminid-play.sh"
