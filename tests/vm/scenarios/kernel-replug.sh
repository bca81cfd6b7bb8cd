#!/bin/sh
# kernel-replug: unplug and replug (from the emulator and from outside) bring the kernel client back, in power-up state.
# models: mk1 mk2
# timeout: 90
set -eu
. "$APCVM_LIB"
vm_need apcemu aseqdump aconnect amidi
vm_model

vm_plug
vm_emu_start
vm_wait_kernel_client 10 || vm_fail "no kernel client after plugging in"
first=$VM_CLIENT
vm_log "plugged: client $first '$VM_CLIENT_NAME'"
card=$(vm_usb_card)
amidi -p "hw:$card,0,0" -S '90 00 01 90 3F 03'
vm_emu wait leds 2 5000 || vm_fail "LEDs did not arrive before unplugging"

blank_grid() {
	vm_emu grid | awk 'NR > 1 { for (i = 2; i <= NF; i++) if ($i != ".") exit 1 }'
}

press_reaches() {
	aseqdump -p "$VM_CLIENT:0" >"dump.$1" 2>&1 &
	dump=$!
	vm_wait_connected "$VM_CLIENT" || vm_fail "aseqdump did not subscribe to $VM_CLIENT:0"
	vm_emu press pad "$1"
	vm_until 5 grep -q "note $1, velocity 127" "dump.$1" || {
		kill $dump
		cat "dump.$1"
		vm_fail "pad $1 did not reach client $VM_CLIENT"
	}
	kill $dump
	wait $dump 2>/dev/null || true
}

# 1. From inside the emulator (UDC unbind / bind; it reopens its card).
vm_emu unplug
vm_wait_client_gone "$first" 10 || vm_fail "client $first stayed after unplug"
vm_wait_no_usb 10 || vm_fail "the USB device stayed after unplug"
vm_emu replug
vm_wait_kernel_client 10 || vm_fail "no kernel client after the emulator's replug"
vm_log "replugged: client $VM_CLIENT"
blank_grid || vm_fail "LED state survived the power cycle"
press_reaches 9

# 2. From outside (apcemu unplug / replug while the emulator runs): the
# emulator must notice the card going and find it again by itself.
second=$VM_CLIENT
vm_unplug
vm_wait_client_gone "$second" 10 || vm_fail "client $second stayed after unplug"
vm_replug
vm_wait_kernel_client 10 || vm_fail "no kernel client after an outside replug"
vm_until 5 grep -q 'disconnected' "$VM_EMU_OUT" || vm_fail "the emulator missed the unplug"
vm_until 5 sh -c "[ \$(grep -c '^apcemu: connected' '$VM_EMU_OUT') -ge 3 ]" ||
	vm_fail "the emulator did not reconnect"
press_reaches 17
cat "$VM_EMU_OUT"
vm_emu_stop
vm_pass "client came back twice ($first, $second, $VM_CLIENT)"
