#!/bin/sh
# kernel-leds: aplaymidi paints the whole LED state through snd-usb-audio; the emulator's grid matches exactly.
# models: mk1 mk2
# timeout: 60
set -eu
. "$APCVM_LIB"
vm_need apcemu aplaymidi aconnect
vm_model

# One SMF event per LED (all at tick 0, so snd-usb-audio batches them), and
# for mk2 a custom RGB sysex on two pads; the expected grid is computed here
# from the documented grid format (tests/vm/README.md), not by apcemu.
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
		# pads 60-61 to #ff8001: each component as (v >> 7, v & 0x7f)
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
vm_log "kernel client $VM_CLIENT '$VM_CLIENT_NAME'; playing $nleds LED events, $nsysex sysex"

aplaymidi -p "$VM_CLIENT:0" paint.mid || vm_fail "aplaymidi failed"
vm_emu wait leds "$nleds" 5000 || vm_fail "the emulator did not receive $nleds LED messages"
vm_emu wait sysex "$nsysex" 5000 || vm_fail "the emulator did not receive the sysex"
vm_emu grid >got.txt
vm_emu stats
vm_emu_stop
vm_save paint.mid got.txt
vm_diff expected.txt got.txt "LED grid" || vm_fail "the grid differs"
vm_pass "grid painted exactly ($nleds LEDs)"
