#!/bin/sh
# apcminid-plug: apcminid takes the device from snd-usb-audio (its client and the kernel's ports appear, then its play port and LED mirror; the kernel's goes), confirms the model, and gives it back on exit with the LEDs off.
# models: mk1 mk2
# timeout: 90
set -eu
. "$APCVM_LIB"
vm_need apcemu apcminid aconnect
vm_model

vm_plug_kernel
vm_log "kernel client $VM_CLIENT '$VM_CLIENT_NAME'"
[ "$VM_CLIENT_NAME" = "$apc_name" ] || vm_fail "the kernel names it '$VM_CLIENT_NAME', not '$apc_name'"
vm_client_ports "$VM_CLIENT" >kernel-ports.txt
sed 's/^/    kernel: /' kernel-ports.txt
[ -s kernel-ports.txt ] || vm_fail "no ports in the kernel's client"

# The kernel's client goes, ours comes.
vm_apcminid_start -vv
pid=$VM_APCMINID
ours=$VM_CLIENT
fail() { vm_apcminid_fail "$@"; }
vm_until 5 grep -q 'confirmed by its identity reply' apcminid.log ||
	fail "apcminid did not confirm the model"

# Nothing happens, so nothing wakes apcminid up.
ctxt() {
	sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' "/proc/$pid/status"
}
sleep 0.5
before=$(ctxt)
sleep 2
after=$(ctxt)
vm_log "idle: $((after - before)) wake-ups in 2 s"
[ $((after - before)) -le 2 ] || fail "apcminid woke up $((after - before)) times in 2 idle seconds"

# The names and layout applications know: apcminid's client is named and
# laid out as snd-usb-audio's was (port numbers, names, capabilities), so
# the kernel's listing, taken before, is ours; then come our play port and
# LED mirror, to read (writable only for the sequencer's notices to us).
vm_client_ports "$ours" >ports.txt
nk=$(wc -l <kernel-ports.txt)
head -n "$nk" ports.txt >ports-kernel-part.txt
vm_diff kernel-ports.txt ports-kernel-part.txt "ports of '$apc_name' under apcminid and the kernel" ||
	fail "the ports differ from the kernel's"
tail -n +$((nk + 1)) ports.txt >ports-ours.txt
sed 's/^/    ours: /' ports-ours.txt
grep -qx "  Port *$nk : \"$apc_usb_product Play\" (Rwe-)" ports-ours.txt &&
	grep -qx "  Port *$((nk + 1)) : \"$apc_usb_product LEDs\" (Rwe-)" ports-ours.txt &&
	[ "$(wc -l <ports-ours.txt)" = 2 ] || fail "not the play port $nk and the LED mirror after the kernel's"
aconnect -l | grep -q "^client $ours: '$apc_name' \[type=user" || fail "client type/name"

# Light a few LEDs so that "off on exit" means something, through the
# address a command written for the kernel's client uses.
printf '0 90 00 01\n0 90 3F 03\n' | vm_smf two.mid
aplaymidi -p "$apc_name:0" two.mid || fail "aplaymidi to $apc_name:0 failed"
vm_emu wait leds 82 5000 || fail "the LEDs did not arrive"

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
cat apcminid.log
[ "$status" = 0 ] || fail "apcminid exited with $status on SIGTERM"
vm_wait_client_gone "$ours" 5 || fail "apcminid's client stayed"
vm_emu grid >grid.txt
awk 'NR > 1 { for (i = 2; i <= NF; i++) if ($i != "." && $i != "0") bad = 1 } END { exit bad }' \
	grid.txt || { cat grid.txt; fail "LEDs not off after exit"; }
vm_wait_kernel_client 10 || fail "the kernel client did not come back after apcminid exited"
vm_log "kernel client back as $VM_CLIENT '$VM_CLIENT_NAME'"
vm_emu stats
vm_emu_stop
vm_pass "claimed as client $ours, given back as $VM_CLIENT"
