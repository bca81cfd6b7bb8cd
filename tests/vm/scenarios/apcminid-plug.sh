#!/bin/sh
# apcminid-plug: apcminid takes the device from snd-usb-audio (its client and ports appear, the kernel's goes), confirms the model, and gives it back on exit with the LEDs off.
# models: mk1 mk2
# timeout: 90
set -eu
. "$APCVM_LIB"
vm_need apcemu apcminid aconnect
vm_model

vm_plug_kernel
vm_log "kernel client $VM_CLIENT '$VM_CLIENT_NAME'"

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

# The ports, numbered so that NAME:0 and NAME:1 are controls and LEDs.
aconnect -l | awk -v c="client $ours:" '
	/^client / { inside = index($0, c) == 1; next }
	inside && /^ +[0-9]+ / { print }' | sed 's/ *$//; s/^ *//' >ports.txt
{
	echo "0 'Controls        '"
	echo "1 'LEDs            '"
	[ "$apc_cables" -gt 1 ] && echo "2 'Notes           '"
	true
} | sed 's/ *'"'"'$/'"'"'/' >expected.txt
sed -i 's/ *'"'"'$/'"'"'/' ports.txt
vm_diff expected.txt ports.txt "ports of '$apc_name'" || fail "ports differ"
aconnect -l | grep -q "^client $ours: '$apc_name' \[type=user" || fail "client type/name"

# Light a few LEDs so that "off on exit" means something.
printf '0 90 00 01\n0 90 3F 03\n' | vm_smf two.mid
aplaymidi -p "$apc_name:1" two.mid || fail "aplaymidi to $apc_name:1 failed"
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
