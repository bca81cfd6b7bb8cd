#!/bin/sh
# apcminid-crash: when apcminid is killed (SIGKILL, as a crash), its guardian gives the controller back to snd-usb-audio within 2 s, without a replug; without the guardian, apcminid --give-back does it by hand.
# models: mk1 mk2
# timeout: 90
set -eu
. "$APCVM_LIB"
vm_need apcemu apcminid aconnect
vm_model
vm_plug_kernel

# Killed: the guardian notices and gives the device back.
vm_apcminid_start -v
ours=$VM_CLIENT
fail() { vm_apcminid_fail "$@"; }
pgrep -f apcminid-guard >/dev/null 2>&1 || grep -q apcminid-guard /proc/*/comm 2>/dev/null ||
	fail "no guardian process"
t0=$(vm_now)
kill -KILL "$VM_APCMINID"
wait "$VM_APCMINID" 2>/dev/null || true
vm_wait_client_gone "$ours" 5 || fail "the killed apcminid's client stayed"
vm_wait_kernel_client 2 || { cat apcminid.log; vm_fail "the kernel did not get the device back within 2 s of the kill"; }
vm_log "kernel client back $(vm_ms_since "$t0") ms after the kill"
grep -q 'ended without giving its devices back' apcminid.log || vm_fail "the guardian did not say what it did"
VM_KERNEL_CLIENT=$VM_CLIENT

# No guardian: the device stays detached until apcminid --give-back.
vm_apcminid_start -v --no-guardian
ours=$VM_CLIENT
kill -KILL "$VM_APCMINID"
wait "$VM_APCMINID" 2>/dev/null || true
vm_wait_client_gone "$ours" 5 || fail "the killed apcminid's client stayed"
sleep 1
if vm_wait_kernel_client 1; then vm_fail "the device came back without the guardian: the test shows nothing"; fi
apcminid -v --give-back >giveback.log 2>&1 || { cat giveback.log; vm_fail "apcminid --give-back failed"; }
grep -q '1 device(s) given back' giveback.log || { cat giveback.log; vm_fail "--give-back gave nothing back"; }
vm_wait_kernel_client 5 || vm_fail "the kernel did not get the device back after --give-back"
# Nothing left to give back: it says so and succeeds.
apcminid -v --give-back >again.log 2>&1 || vm_fail "a second --give-back failed"
grep -q '0 device(s) given back' again.log || { cat again.log; vm_fail "the second --give-back did something"; }
vm_emu_stop
vm_pass "killed: the guardian gave the device back; without it, --give-back did"
