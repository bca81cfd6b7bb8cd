#!/bin/sh
# apcminid-rgb: mk2 RGB colours are LED state under apcminid: a pad set blinking then coloured shows the colour (the device model, like the firmware users describe, ignores RGB on a blinking pad, and does so on the kernel path), each colour reaches the device at least 1 ms after the pad's last note-on, a replug repaints the colours, and exit turns them off.
# models: mk2
# timeout: 90
set -eu
. "$APCVM_LIB"
vm_need apcemu apcminid aplaymidi aconnect amidi udevadm xxd
vm_model

# libusb learns about hotplug from udev (the replug).
/lib/systemd/systemd-udevd --daemon 2>/dev/null || vm_fail "cannot start systemd-udevd"
stop_udevd() {
	udevadm control --exit 2>/dev/null || true
}

# Pad 60 blinking (channel 11, 0-based), pad 61 lit green, then both coloured
# #ff8001 by one sysex, all at tick 0: one batch on every path.
cat >events.txt <<'EOF'
0 9B 3C 2F
0 96 3D 15
0 F0 47 7F 4F 24 00 08 3C 3D 01 7F 01 00 00 01 F7
EOF
vm_smf rgb.mid <events.txt
echo "0 9B 3C 2F" | vm_smf blink.mid

# The grid's top row (pads 56-63) is all that the file touches.
top_row() {
	vm_emu grid | awk '$1 == "7"'
}
expect_row() {
	top_row >row.txt
	echo "$1" >want.txt
	vm_diff want.txt row.txt "$2"
}

# The kernel path passes the bytes on as they came: the blinking pad keeps
# blinking.
vm_plug_kernel
aplaymidi -p "$VM_CLIENT:0" rgb.mid || vm_fail "aplaymidi to the kernel client failed"
vm_emu wait sysex 1 5000 || vm_fail "the emulator did not receive the sysex"
expect_row "7 . . . . 47/11 #ff8001 . ." "top row, kernel path" ||
	vm_fail "the device model did not ignore RGB on the blinking pad"

vm_emu stats reset >/dev/null
vm_apcminid_start -v
fail() {
	stop_udevd
	vm_apcminid_fail "$@"
}
vm_emu wait leds 80 5000 || fail "no first paint"
# Blinking first, so that apcminid has to set the pad solid.
aplaymidi -p "$apc_name:0" blink.mid || fail "aplaymidi failed"
vm_until 5 sh -c 'apcemu ctl grid | grep -q "^7 .* 47/11 "' || fail "pad 60 does not blink"
vm_emu rxlog "$APCVM_WORK/rx1.log" >/dev/null
aplaymidi -p "$apc_name:0" rgb.mid || fail "aplaymidi failed"
coloured="7 . . . . #ff8001 #ff8001 . ."
vm_until 5 sh -c "apcemu ctl grid | grep -qx '$coloured'" || true
expect_row "$coloured" "top row, apcminid" || fail "the colours are not shown"
vm_emu rxlog off >/dev/null

# A colour reaches a pad at least 1 ms after the pad's last note-on.
# gap_check LOG: "pad microseconds" for every pad that had a note-on in LOG
# (seq ns hex-bytes lines) before the RGB sysex that coloured it.
gap_check() {
	awk '
	function hex(s) { return (index("0123456789abcdef", substr(s, 1, 1)) - 1) * 16 +
				 index("0123456789abcdef", substr(s, 2, 1)) - 1 }
	$3 ~ /^9/ { note[hex($4)] = $2 }
	$3 == "f0" && $7 == "24" {
		for (i = 10; i + 1 <= NF; i += 8)
			for (p = hex($i); p <= hex($(i + 1)); p++)
				if (p in note) printf "%d %d\n", p, ($2 - note[p]) / 1000
	}' "$1"
}
gap_check "$APCVM_WORK/rx1.log" >gaps1.txt
vm_log "note-on to RGB (pad, us): $(tr '\n' ' ' <gaps1.txt)"
grep -q '^60 ' gaps1.txt || fail "the blinking pad 60 was not set solid before its colour"
awk '$2 < 1000 { exit 1 }' gaps1.txt || fail "a colour came less than 1 ms after its pad's note-on"

# Replugged: the device comes back dark; apcminid paints the colours again,
# after setting the pads solid.
vm_emu rxlog "$APCVM_WORK/rx2.log" >/dev/null
vm_emu unplug >/dev/null
vm_until 10 grep -q 'unplugged; client' apcminid.log || fail "apcminid missed the unplug"
vm_emu replug >/dev/null
vm_until 10 grep -q 'is back on client' apcminid.log || fail "apcminid did not take the device back"
vm_until 5 sh -c "apcemu ctl grid | grep -qx '$coloured'" || true
expect_row "$coloured" "top row after the replug" || fail "the replug lost the colours"
vm_emu rxlog off >/dev/null
gap_check "$APCVM_WORK/rx2.log" >gaps2.txt
vm_log "after the replug (pad, us): $(tr '\n' ' ' <gaps2.txt)"
# In order only: the emulator opens the gadget's card after the bind, and
# what the host sent before that it reads in one go, under one time stamp.
[ "$(grep -c '^6[01] ' gaps2.txt)" = 2 ] || fail "the replugged pads were not set solid before their colour"

# A colour sysex longer than a raw MIDI port's 256-byte pieces (40 pads
# one range each, 328 bytes, through snd-virmidi): apcminid joins the
# pieces and the pads take the colour.
modprobe snd-virmidi midi_devs=1 || fail "no snd-virmidi"
vm_until 5 sh -c 'grep -q VirMIDI /proc/asound/cards' || fail "snd-virmidi made no card"
vcard=$(sed -n 's/^ *\([0-9]*\) \[VirMIDI.*/\1/p' /proc/asound/cards | head -n1)
vm_until 5 sh -c "aconnect -l | grep -q 'card=$vcard\]'" || fail "no sequencer client for VirMIDI"
vclient=$(vm_card_client "$vcard")
aconnect "$vclient:0" "$apc_name:0" || fail "cannot connect VirMIDI to apcminid"
awk 'BEGIN {
	printf "F0 47 7F 4F 24 02 40"
	for (p = 0; p < 40; p++) printf " %02X %02X 00 0A 00 14 00 1E", p, p
	print " F7"
}' | xxd -r -p >long.syx
[ "$(wc -c <long.syx)" = 328 ] || fail "the long sysex is not 328 bytes"
amidi -p "hw:$vcard,0" -s long.syx || fail "amidi failed"
long_ok() {
	apcemu ctl grid | awk '$1 >= 0 && $1 <= 4 { for (i = 2; i <= 9; i++) if ($i != "#0a141e") bad = 1 }
		$1 == "0" { seen = 1 } END { exit bad || !seen }'
}
vm_until 5 long_ok || { apcemu ctl grid; fail "the colour sent in pieces did not reach pads 0-39"; }
aconnect -d "$vclient:0" "$apc_name:0" || true
kill -USR1 "$VM_APCMINID"
vm_until 5 grep -q 'sysex pieces joined' apcminid.log || fail "no counters"
joined=$(sed -n 's/.* \([0-9]*\) sysex pieces joined.*/\1/p' apcminid.log | tail -n1)
[ "$joined" -ge 1 ] || fail "no pieces were joined ($joined)"

# Exit: the colours are turned off with the rest.
kill -TERM "$VM_APCMINID"
wait "$VM_APCMINID" || fail "apcminid failed on exit"
expect_row "7 . . . . . . . ." "top row after exit" || fail "the colours stayed on after exit"
vm_emu grid | awk '$1 == "0"' | grep -q '#' && fail "the long sysex's colours stayed on after exit"
vm_emu_stop
stop_udevd
vm_save rx1.log rx2.log 2>/dev/null || true
vm_pass "colour shown over a blinking pad (the kernel path leaves it blinking), note-on to colour $(awk '$1 == 60 { print $2 }' gaps1.txt) us, repainted after a replug, a 328-byte colour sysex joined from $joined+ pieces, off at exit"
