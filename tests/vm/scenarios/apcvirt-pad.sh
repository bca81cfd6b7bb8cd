#!/bin/sh
# apcvirt-pad: apcminid-pad against the virtual APC mini: its pads, buttons, faders and a 10,000-event burst reach aseqdump -p 'NAME:0' exactly as from the device under apcminid.
# models: mk1 mk2
# timeout: 240
VM_TARGET=apcvirt
. "${0%/*}/apcminid-pad.sh"
