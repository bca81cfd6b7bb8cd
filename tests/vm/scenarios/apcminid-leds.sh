#!/bin/sh
# apcminid-leds: aplaymidi -p 'NAME:1' paints the whole LED state through apcminid; the emulator's grid matches exactly and far fewer USB OUT transfers than LED events carry it.
# models: mk1 mk2
# timeout: 90
set -eu
. "$APCVM_LIB"
vm_need apcemu apcminid aplaymidi aconnect
vm_model

vm_paint_all
nleds=$VM_PAINT_LEDS
nsysex=$VM_PAINT_SYSEX

vm_plug_kernel
vm_apcminid_start -v
pid=$VM_APCMINID
fail() { vm_apcminid_fail "$@"; }
# The first paint (all 80 off) and the inquiry.
vm_emu wait leds 80 5000 || fail "no first paint"
vm_emu stats reset >/dev/null

aplaymidi -p "$apc_name:0" paint.mid || fail "aplaymidi failed"
vm_emu wait sysex "$nsysex" 5000 || fail "the emulator did not receive the sysex"
sleep 1
vm_emu grid >got.txt
vm_emu stats
kill -USR1 "$pid"
sleep 0.5
vm_diff expected.txt got.txt "LED grid" || fail "the grid differs"

# Counters: LED events in, USB OUT transfers out (the first paint was one).
stats=$(grep -A2 "^$apc_name " apcminid.log | grep 'out:' | tail -n1)
vm_log "apcminid: $stats"
led_events=$(echo "$stats" | sed -n 's/.* \([0-9]*\) LED events.*/\1/p')
transfers=$(echo "$stats" | sed -n 's/.*; \([0-9]*\) USB transfers.*/\1/p')
[ "$led_events" -ge "$nleds" ] || fail "apcminid saw $led_events LED events, not $nleds"
[ $((transfers * 8)) -le "$led_events" ] ||
	fail "$transfers USB OUT transfers for $led_events LED events: not batched"
kill -TERM "$pid"
wait "$pid" || fail "apcminid failed on exit"
vm_emu_stop
vm_pass "grid painted exactly: $led_events LED events in $transfers USB OUT transfers"
