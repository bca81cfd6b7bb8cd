#!/bin/sh
# kernel-pad: pads, buttons and faders of the emulated device reach aseqdump through snd-usb-audio.
# models: mk1 mk2
# timeout: 60
set -eu
. "$APCVM_LIB"
vm_need apcemu aseqdump aconnect
vm_model

vm_plug_kernel
vm_log "kernel client $VM_CLIENT '$VM_CLIENT_NAME' (usb $apc_usb_id)"

aseqdump -p "$VM_CLIENT:0" >dump.txt 2>&1 &
dump=$!
vm_wait_connected "$VM_CLIENT" || vm_fail "aseqdump did not subscribe to $VM_CLIENT:0"

vm_play_controls expected.txt

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
