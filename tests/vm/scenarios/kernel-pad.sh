#!/bin/sh
# kernel-pad: pads, buttons and faders of the emulated device reach aseqdump through snd-usb-audio.
# models: mk1 mk2
# timeout: 60
set -eu
. "$APCVM_LIB"
vm_need apcemu aseqdump aconnect
vm_model

vm_plug
vm_emu_start
vm_wait_kernel_client 10 || vm_fail "snd-usb-audio did not create a sequencer client"
vm_log "kernel client $VM_CLIENT '$VM_CLIENT_NAME' (usb $apc_usb_id)"

aseqdump -p "$VM_CLIENT:0" >dump.txt 2>&1 &
dump=$!
vm_wait_connected "$VM_CLIENT" || vm_fail "aseqdump did not subscribe to $VM_CLIENT:0"

# What the protocol says these controls send (doc/apcmini-protocol.md).
scene2=$((apc_scene_first + 2))
track7=$((apc_track_first + 7))
cat >expected.txt <<EOT
Note on 0, note 5, velocity 127
Note off 0, note 5, velocity 0
Note on 0, note 63, velocity 100
Note off 0, note 63, velocity 0
Note on 0, note $scene2, velocity 127
Note off 0, note $scene2, velocity 0
Note on 0, note $track7, velocity 127
Note on 0, note $apc_shift_note, velocity 127
Control change 0, controller $apc_fader_cc_first, value 100
Control change 0, controller $((apc_fader_cc_first + 8)), value 0
EOT
vm_emu press pad 5
vm_emu release pad 5
vm_emu tap pad 63 100
vm_emu tap scene 2
vm_emu press track 7
vm_emu press shift
vm_emu fader 0 100
vm_emu fader master 0

n=$(wc -l <expected.txt)
got_all() {
	[ "$(vm_aseqdump_events dump.txt | wc -l)" -ge "$n" ]
}
vm_until 5 got_all || true
kill "$dump" 2>/dev/null || true
wait "$dump" 2>/dev/null || true
vm_aseqdump_events dump.txt >got.txt
vm_save dump.txt
vm_emu stats
vm_emu_stop
vm_diff expected.txt got.txt "aseqdump events" || vm_fail "events differ"
vm_pass "$n events arrived exactly as sent"
