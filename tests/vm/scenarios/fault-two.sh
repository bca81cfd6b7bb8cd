#!/bin/sh
# fault-two: a second apcminid started for a controller that one already serves says the device is in use and leaves it alone, whether it ends with SIGTERM or is killed (its guardian gives back nothing): the first keeps its client, LEDs and presses.
# models: mk1
# timeout: 120
set -eu
. "$APCVM_LIB"
vm_need apcemu apcminid aseqdump aplaymidi aconnect
vm_model
vm_plug_kernel
vm_apcminid_start -v
first=$VM_APCMINID
ours=$VM_CLIENT
second=
fail() {
	[ -z "$second" ] || kill "$second" 2>/dev/null || true
	sed 's/^/    second: /' second.log 2>/dev/null || true
	vm_apcminid_fail "$@"
}
aseqdump -p "$ours:0" >dump.txt 2>&1 &
vm_wait_connected "$ours" || fail "aseqdump did not subscribe"
printf '0 90 00 01\n0 90 3F 05\n' | vm_smf two.mid
aplaymidi -p "$ours:0" two.mid || fail "aplaymidi failed"
vm_emu wait leds 82 5000 >/dev/null || fail "the LEDs did not arrive"
sleep 0.3
vm_emu grid >before.txt

# still_served N: the first apcminid still has the device: one client of
# that name, its own; a press reaches its subscriber; the LEDs as before.
still_served() {
	[ "$(aconnect -l | grep -c "^client [0-9]*: '$apc_name'")" = 1 ] ||
		fail "$1: not one client '$apc_name'"
	[ "$(vm_user_client "$apc_name")" = "$ours $first" ] || fail "$1: '$apc_name' is not the first apcminid's"
	vm_emu tap pad "$2" >/dev/null
	vm_until 5 grep -q "note $2, velocity 127" dump.txt || fail "$1: the press did not arrive"
	vm_emu grid >now.txt
	vm_diff before.txt now.txt "$1: LEDs" || fail "$1: the LEDs changed"
	kill -0 "$first" || fail "$1: the first apcminid exited"
}

for how in TERM KILL; do
	: >second.log
	apcminid -v >second.log 2>&1 &
	second=$!
	vm_until 15 grep -q 'in use by another program' second.log ||
		fail "the second apcminid ($how) did not say the device is in use"
	sleep 1
	still_served "with a second apcminid running" $((10 + ${#how}))
	kill -"$how" "$second"
	rc=0
	wait "$second" || rc=$?
	second=
	vm_log "second apcminid: $(grep -m1 'in use by another' second.log | sed 's/^apcminid: //'); ended by SIG$how, status $rc"
	sleep 2
	still_served "after the second got SIG$how" $((20 + ${#how}))
	if vm_usb_card >/dev/null && [ -n "$(vm_card_client "$(vm_usb_card)")" ]; then
		fail "the kernel's client came back while the first apcminid serves the device"
	fi
done
kill -TERM "$first"
wait "$first" || fail "the first apcminid failed on exit"
vm_wait_kernel_client 10 || fail "the kernel client did not come back"
vm_emu_stop
vm_pass "the second apcminid said the device is in use and left it alone (SIGTERM and SIGKILL); the first kept client $ours, its LEDs and presses"
