#!/bin/sh
# apcminid-pad: pads, buttons and faders reach aseqdump -p 'NAME:0' through apcminid exactly, and nothing is lost in a 10,000-event burst at 2,000 events/s.
# (With VM_TARGET=apcvirt, as apcvirt-pad runs it, against the virtual APC mini.)
# models: mk1 mk2
# timeout: 240
set -eu
. "$APCVM_LIB"
vm_target_need apcemu aseqdump aconnect
vm_model

inlog=; [ -f /share/inlog ] && inlog=--in-log=$APCVM_OUT/in.log
# shellcheck disable=SC2086
vm_target_start -v $inlog
ours=$VM_CLIENT
fail() { vm_target_fail "$@"; }
[ "$VM_TARGET" = apcvirt ] ||
	vm_until 5 grep -q 'confirmed by its identity reply' apcminid.log || fail "no identity reply"

# Release events: note-off or note-on with velocity 0 both read as a release.
norm() {
	vm_aseqdump_events "$1" | sed 's/^Note on \(.*\), velocity 0$/Note off \1, velocity 0/'
}

aseqdump -p "$apc_name:0" >dump.txt 2>&1 &
dump=$!
vm_wait_connected "$ours" || { cat dump.txt; aconnect -l; fail "aseqdump did not subscribe to $apc_name:0"; }

vm_play_controls expected.txt
n=$(wc -l <expected.txt)
got() {
	[ "$(norm "$cur" | wc -l)" -ge "$1" ]
}
cur=dump.txt
vm_until 10 got "$n" || true
norm dump.txt >got.txt
vm_diff expected.txt got.txt "aseqdump events" || fail "events differ"
vm_log "$n events exactly as sent"

# The burst: every event the emulator sent, in order, nothing more. The
# rate is bounded because the sequencer itself drops a subscriber's whole
# FIFO when it overflows (aseqdump keeps the default 200-event pool), which
# a TCG guest's aseqdump would hit at full USB speed, with any driver.
burst=10000
rate=2000
# A fresh aseqdump and file for the burst: emptying dump.txt under the
# running one would leave a hole of NUL bytes before its next line (it
# writes at its own offset), and that line would not parse.
kill "$dump" 2>/dev/null || true
wait "$dump" 2>/dev/null || true
aseqdump -p "$apc_name:0" >burst.txt 2>&1 &
dump=$!
cur=burst.txt
vm_wait_connected "$ours" || { cat burst.txt; fail "aseqdump did not subscribe again"; }
vm_emu log "$APCVM_WORK/tx.log"
vm_emu burst $burst $rate
vm_emu log off
total=$burst
vm_until 60 got "$total" || true
sleep 1
kill "$dump" 2>/dev/null || true
wait "$dump" 2>/dev/null || true
awk '
function h2d(x,   i, v) {
	x = tolower(x); v = 0
	for (i = 1; i <= length(x); i++) v = v * 16 + index("0123456789abcdef", substr(x, i, 1)) - 1
	return v
}
{
	s = h2d($3); ch = s % 16; t = int(s / 16)
	d1 = h2d($4); d2 = h2d($5)
	if (t == 9 && d2 > 0) printf "Note on %d, note %d, velocity %d\n", ch, d1, d2
	else if (t == 9 || t == 8) printf "Note off %d, note %d, velocity 0\n", ch, d1
	else if (t == 11) printf "Control change %d, controller %d, value %d\n", ch, d1, d2
	else printf "? %s\n", $0
}' "$APCVM_WORK/tx.log" >expected-burst.txt
norm burst.txt >got-burst.txt
sent=$(wc -l <expected-burst.txt)
seen=$(wc -l <got-burst.txt)
vm_log "burst: emulator sent $sent, aseqdump saw $seen"
vm_target_counters
cp "$APCVM_WORK/tx.log" dump.txt apcminid.log "$APCVM_OUT/" 2>/dev/null || true
[ "$sent" = "$burst" ] || fail "the emulator sent $sent events, not $burst"
vm_diff expected-burst.txt got-burst.txt "burst events" >diff.txt 2>&1 || {
	head -20 diff.txt
	fail "burst events differ"
}
vm_emu stats
vm_target_stop || fail "$VM_TARGET failed on exit"
[ "$VM_TARGET" = apcvirt ] || grep -A3 "^$apc_name " apcminid.log | tail -4
vm_emu_stop
vm_pass "$n events and a $burst-event burst arrived exactly as sent"
