#!/bin/sh
# demo: what scripts/demo shows: plug in an APC mini, apcminid takes it over, its pads play apcsynth and show in aseqdump, aplaymidi paints a picture on the grid, and on exit the kernel gets the device back.
# models: mk1 mk2
# timeout: 150
set -eu
. "$APCVM_LIB"
vm_need apcemu apcminid apcsynth aplaymidi aconnect aseqdump synth-wavcheck
sf=$(synth-wavcheck -S) || vm_skip "no SoundFont in the guest"
vm_model

step() { printf '\n==> %s\n' "$*"; }
show() { sed 's/^/    /' "$@"; }

# The picture, top row first: Y yellow, G green, R red, . off. The same
# picture for both models; the colour values are each model's own.
cat >picture.txt <<'EOF'
..YYYY..
.Y....Y.
Y.G..G.Y
Y......Y
Y.R..R.Y
Y..RR..Y
.Y....Y.
..YYYY..
EOF
awk -v model="$APC_MODEL" '
function hex(v) { return sprintf("%02x", v) }
BEGIN {
	# mk1: velocity 1 green, 3 red, 5 yellow on channel 1. mk2: palette
	# 21 green, 5 red, 13 yellow on channel 7 (solid, full brightness).
	if (model == "mk1") { c["G"] = 1; c["R"] = 3; c["Y"] = 5; st = 144 }
	else { c["G"] = 21; c["R"] = 5; c["Y"] = 13; st = 150 }
}
{
	y = 8 - NR
	for (x = 0; x < 8; x++) {
		t = substr($0, x + 1, 1)
		if (t != ".") print "0 " hex(st) " " hex(x + 8 * y) " " hex(c[t])
	}
}' picture.txt >paint.txt
vm_smf paint.mid <paint.txt

step "plug in an emulated $apc_name ($APC_MODEL); the kernel's snd-usb-audio takes it"
vm_plug_kernel
aconnect -l | grep -A2 "^client $VM_CLIENT:" | show

step "start apcminid: it detaches snd-usb-audio and becomes the controller's client"
spid=
qpid=
fail() {
	for p in $qpid $spid; do kill "$p" 2>/dev/null || true; done
	vm_apcminid_fail "$@"
}
vm_apcminid_start -v
dpid=$VM_APCMINID
apc=$VM_CLIENT
vm_emu wait leds 80 5000 >/dev/null || fail "apcminid did not paint the LEDs on open"
aconnect -l | grep -A4 "'$apc_name'" | show

step "route: aseqdump -p '$apc_name:0', and apcsynth (writing demo.wav) by aconnect '$apc_name:0' apcsynth:0"
# aseqdump first: the wait below must see its subscription, not apcsynth's.
aseqdump -p "$apc_name:0" >aseqdump.txt 2>&1 &
qpid=$!
vm_wait_connected "$apc" 5 || fail "aseqdump did not connect"
apcsynth -o demo.wav -s "$sf" >apcsynth.log 2>&1 &
spid=$!
vm_wait_client apcsynth 60 || fail "no sequencer client 'apcsynth'"
aconnect "$apc_name:0" apcsynth:0 || fail "aconnect failed"

step "play: pads (a C major arpeggio), fader 1, track button 1"
for p in 24 28 31 36 31 28 24; do
	vm_emu press pad "$p" >/dev/null
	sleep 0.25
	vm_emu release pad "$p" >/dev/null
done
vm_emu fader 0 100 >/dev/null
vm_emu tap track 0 >/dev/null
sleep 1
kill "$qpid"
wait "$qpid" 2>/dev/null || true
qpid=
echo "    aseqdump -p '$apc_name:0' saw:"
vm_aseqdump_events aseqdump.txt | show
nev=$(vm_aseqdump_events aseqdump.txt | wc -l)
[ "$nev" = 17 ] || fail "aseqdump saw $nev events, not 17"

step "paint: aplaymidi -p '$apc_name:0' paint.mid ($(wc -l <paint.txt) LED events)"
vm_emu stats reset >/dev/null
aplaymidi -p "$apc_name:0" paint.mid || fail "aplaymidi failed"
vm_emu wait leds "$(wc -l <paint.txt)" 5000 >/dev/null || fail "the LEDs did not arrive"
echo "    the emulated device's LEDs now show:"
vm_emu grid | show
# The grid printed by the emulator must be the picture (colour letters
# aside): compare which pads are lit.
vm_emu grid | sed -n '2,9p' | awk '{ s = ""; for (i = 2; i <= 9; i++) s = s ($i == "." ? "." : "x"); print s }' >lit.txt
tr 'GRY' 'xxx' <picture.txt | vm_diff - lit.txt "lit pads" || fail "the grid is not the picture"
kill -USR1 "$dpid"
sleep 0.5
grep -A2 "^$apc_name " apcminid.log | tail -n3 | show

step "stop apcsynth; what it rendered"
kill -TERM "$spid"
wait "$spid" || fail "apcsynth exited with status $?"
spid=
synth-wavcheck -p 0.01 demo.wav >wav.txt 2>&1 || fail "demo.wav is silent or broken: $(cat wav.txt)"
show wav.txt

step "stop apcminid: LEDs off, snd-usb-audio gets the device back"
kill -TERM "$dpid"
wait "$dpid" || fail "apcminid failed on exit"
vm_wait_kernel_client 10 || vm_fail "the kernel's client did not come back"
aconnect -l | grep "^client $VM_CLIENT:" | show
vm_emu grid | show
vm_emu_stop
vm_save demo.wav aseqdump.txt apcminid.log
vm_pass "pads played and dumped, grid painted, demo.wav rendered, device handed back"
