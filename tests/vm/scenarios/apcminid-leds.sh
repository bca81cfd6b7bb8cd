#!/bin/sh
# apcminid-leds: aplaymidi -p 'NAME:1' paints the whole LED state through apcminid; the emulator's grid matches exactly and far fewer USB OUT transfers than LED events carry it.
# models: mk1 mk2
# timeout: 90
set -eu
. "$APCVM_LIB"
vm_need apcemu apcminid aplaymidi aconnect
vm_model

# The same paint as kernel-leds: one event per LED at tick 0, and for mk2 an
# RGB sysex on two pads, the expected grid computed from the grid format.
awk -v model="$APC_MODEL" -v tf="$apc_track_first" -v sf="$apc_scene_first" '
function hex(v) { return sprintf("%02x", v) }
BEGIN {
	split(".GgRrYy", mk1, "")
	for (p = 0; p < 64; p++) {
		if (model == "mk1") {
			v = p % 7; ch = 0
			tok[p] = v < 7 ? mk1[v + 1] : v
		} else {
			v = (p * 5 + 3) % 128; ch = p % 16
			if (p % 9 == 0) v = 0
			tok[p] = v == 0 ? "." : (ch == 6 ? v : v "/" ch)
		}
		print "0 " hex(144 + ch) " " hex(p) " " hex(v) >"events.txt"
	}
	split(".OB", btn, "")
	for (i = 0; i < 8; i++) {
		tv = i % 3; sv = (i + 1) % 3
		print "0 90 " hex(tf + i) " " hex(tv) >"events.txt"
		print "0 90 " hex(sf + i) " " hex(sv) >"events.txt"
		trk = trk " " btn[tv + 1]; scn = scn " " btn[sv + 1]
	}
	if (model == "mk2") {
		print "0 F0 47 7F 4F 24 00 08 3C 3D 01 7F 01 00 00 01 F7" >"events.txt"
		tok[60] = tok[61] = "#ff8001"
	}
	print "grid " model >"expected.txt"
	for (y = 7; y >= 0; y--) {
		line = y
		for (x = 0; x < 8; x++) line = line " " tok[x + 8 * y]
		print line >"expected.txt"
	}
	print "T" trk >"expected.txt"
	print "S" scn >"expected.txt"
}'
vm_smf paint.mid <events.txt
nleds=$(grep -vc ' F0 ' events.txt)
nsysex=$(grep -c ' F0 ' events.txt || true)

vm_plug
vm_emu_start
vm_wait_kernel_client 10 || vm_fail "snd-usb-audio did not create a sequencer client"
kernel=$VM_CLIENT
apcminid -v >apcminid.log 2>&1 &
pid=$!
fail() {
	kill "$pid" 2>/dev/null || true
	sed 's/^/    apcminid: /' apcminid.log
	vm_fail "$@"
}
# The mk2's kernel client has the same name: wait until it is gone first.
vm_wait_client_gone "$kernel" 10 || fail "the kernel's client $kernel stayed"
vm_wait_client "$apc_name" 10 || fail "no sequencer client '$apc_name'"
# The first paint (all 80 off) and the inquiry.
vm_emu wait leds 80 5000 || fail "no first paint"
vm_emu stats reset >/dev/null

aplaymidi -p "$apc_name:1" paint.mid || fail "aplaymidi failed"
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
