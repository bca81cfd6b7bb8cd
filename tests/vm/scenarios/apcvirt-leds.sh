#!/bin/sh
# apcvirt-leds: apcminid-leds against the virtual APC mini: aplaymidi -p 'NAME:0' paints the whole LED state and apcvirt's grid matches exactly.
# models: mk1 mk2
# timeout: 90
VM_TARGET=apcvirt
. "${0%/*}/apcminid-leds.sh"
