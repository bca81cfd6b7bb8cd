#!/bin/sh
# demo-hw: scripts/demo's real-controller branch (scripts/demo-hw), run as a hardware owner would, against the emulated controller: it finds the device, runs apcminid on it, pads reach a subscriber, Ctrl-C gives the device back.
# models: mk1 mk2
# timeout: 90
set -eu
. "$APCVM_LIB"
vm_need apcemu apcminid aconnect aseqdump
vm_model
demo=/apc/scripts/demo-hw

# No controller yet: the check says so, and running it fails clearly.
if "$demo" --check; then vm_fail "--check found an APC mini before one was plugged in"; fi
if "$demo" /apc/bin/apcminid >nodev.txt 2>&1; then vm_fail "ran without a controller"; fi
grep -q 'no APC mini attached' nodev.txt || vm_fail "no-controller message: $(cat nodev.txt)"

vm_plug_kernel
"$demo" --check || vm_fail "--check did not find the emulated $apc_name"

# What the demo runs, exactly as scripts/demo runs it, in the background
# here so that the scenario can play the pads.
"$demo" "$(command -v apcminid)" >apcminid.log 2>&1 &
VM_APCMINID=$!
fail() { vm_apcminid_fail "$@"; }
vm_wait_client_gone "$VM_KERNEL_CLIENT" 10 || fail "the kernel's client stayed"
vm_wait_client "$apc_name" 10 || fail "no sequencer client '$apc_name'"
ours=$VM_CLIENT
grep -q "real APC mini ($APC_MODEL) found" apcminid.log || fail "the demo did not say what it found"
vm_until 5 grep -q 'confirmed by its identity reply' apcminid.log || fail "no identity reply"

aseqdump -p "$apc_name:0" >dump.txt 2>&1 &
dump=$!
vm_wait_connected "$ours" || fail "aseqdump did not subscribe to $apc_name:0"
vm_play_controls expected.txt
n=$(wc -l <expected.txt)
got() { [ "$(vm_aseqdump_events dump.txt | wc -l)" -ge "$n" ]; }
vm_until 10 got || true
vm_aseqdump_events dump.txt | sed 's/^Note on \(.*\), velocity 0$/Note off \1, velocity 0/' >got.txt
vm_diff expected.txt got.txt "aseqdump events" || fail "events differ"
kill "$dump" 2>/dev/null || true

# Ctrl-C: the driver exits cleanly and the kernel gets the device back.
kill -INT "$VM_APCMINID"
status=0
wait "$VM_APCMINID" || status=$?
[ "$status" = 0 ] || fail "the demo exited with $status on Ctrl-C"
vm_wait_kernel_client 10 || fail "the kernel client did not come back"
vm_emu_stop
vm_pass "found the $APC_MODEL, $n events through apcminid, device given back"
