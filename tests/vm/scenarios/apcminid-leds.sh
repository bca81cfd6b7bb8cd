#!/bin/sh
# apcminid-leds: aplaymidi -p 'NAME:1' paints the whole LED state through apcminid; the emulator's grid matches exactly and far fewer USB OUT transfers than LED events carry it.
# (With VM_TARGET=apcvirt, as apcvirt-leds runs it, against the virtual APC mini: the grid part.)
# models: mk1 mk2
# timeout: 90
set -eu
. "$APCVM_LIB"
vm_target_need apcemu aplaymidi aconnect
vm_model

vm_paint_all
nleds=$VM_PAINT_LEDS
nsysex=$VM_PAINT_SYSEX
# The paint's RGB pads (60, 61) blink (channels 12, 13): apcminid sets them
# solid first, the device itself (and so apcvirt) ignores RGB on them.
[ "$VM_TARGET" != apcvirt ] || sed -i 's/#ff8001 #ff8001/47\/12 52\/13/' expected.txt

vm_target_start -v
fail() { vm_target_fail "$@"; }
# apcminid's first paint (all 80 off) and the inquiry.
[ "$VM_TARGET" = apcvirt ] || vm_emu wait leds 80 5000 || fail "no first paint"
vm_emu stats reset >/dev/null

aplaymidi -p "$apc_name:0" paint.mid || fail "aplaymidi failed"
vm_emu wait sysex "$nsysex" 5000 || fail "the emulator did not receive the sysex"
sleep 1
vm_emu grid >got.txt
vm_emu stats
vm_target_counters
vm_diff expected.txt got.txt "LED grid" || fail "the grid differs"
if [ "$VM_TARGET" = apcvirt ]; then
	vm_target_stop || fail "apcvirt failed on exit"
	vm_pass "grid painted exactly through apcvirt"
fi

# Counters: LED events in, USB OUT transfers out (the first paint was one).
stats=$(grep -A2 "^$apc_name " apcminid.log | grep 'out:' | tail -n1)
vm_log "apcminid: $stats"
led_events=$(echo "$stats" | sed -n 's/.* \([0-9]*\) LED events.*/\1/p')
transfers=$(echo "$stats" | sed -n 's/.*; \([0-9]*\) USB transfers.*/\1/p')
[ "$led_events" -ge "$nleds" ] || fail "apcminid saw $led_events LED events, not $nleds"
[ $((transfers * 8)) -le "$led_events" ] ||
	fail "$transfers USB OUT transfers for $led_events LED events: not batched"
vm_target_stop || fail "apcminid failed on exit"
vm_emu_stop
vm_pass "grid painted exactly: $led_events LED events in $transfers USB OUT transfers"
