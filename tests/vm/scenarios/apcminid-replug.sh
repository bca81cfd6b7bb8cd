#!/bin/sh
# apcminid-replug: unplug and replug while apcminid runs: its client, ports and subscriptions stay, the LEDs come back as they were, presses reach the same subscriber; on exit the LEDs go off and the kernel client returns.
# models: mk1 mk2
# timeout: 120
set -eu
. "$APCVM_LIB"
vm_need apcemu apcminid aseqdump aplaymidi aconnect udevadm
vm_model

# libusb learns about hotplug from udev: run the daemon (no rules needed).
/lib/systemd/systemd-udevd --daemon 2>/dev/null || vm_skip "cannot start systemd-udevd"
stop_udevd() {
	udevadm control --exit 2>/dev/null || true
}
trap stop_udevd EXIT

vm_plug_kernel
vm_apcminid_start -v
pid=$VM_APCMINID
ours=$VM_CLIENT
fail() { vm_apcminid_fail "$@"; }

aseqdump -p "$apc_name:0" >dump.txt 2>&1 &
dump=$!
vm_wait_connected "$ours" || fail "aseqdump did not subscribe"

printf '0 90 00 01\n0 90 09 03\n0 90 3F 05\n' | vm_smf three.mid
aplaymidi -p "$apc_name:0" three.mid || fail "aplaymidi failed"
vm_emu wait leds 83 5000 || fail "the LEDs did not arrive"
vm_emu grid >before.txt

vm_emu unplug
vm_until 10 grep -q 'unplugged; client' apcminid.log || fail "apcminid missed the unplug"
aconnect -l | grep -q "^client $ours: '$apc_name'" || fail "the client went with the device"
vm_emu replug
vm_until 10 sh -c "grep -c 'is back on client $ours' apcminid.log | grep -q 1" ||
	fail "apcminid did not take the device back on client $ours"
vm_emu wait leds 80 5000 || fail "no repaint after the replug"
sleep 0.5
vm_emu grid >after.txt
vm_diff before.txt after.txt "LEDs after the replug" || fail "LEDs not repainted as they were"

vm_emu press pad 9
vm_until 5 grep -q "note 9, velocity 127" dump.txt || fail "the press did not reach the old subscriber"
kill "$dump" 2>/dev/null || true
wait "$dump" 2>/dev/null || true

kill -TERM "$pid"
wait "$pid" || fail "apcminid failed on exit"
vm_emu grid >exit.txt
awk 'NR > 1 { for (i = 2; i <= NF; i++) if ($i != "." && $i != "0") bad = 1 } END { exit bad }' \
	exit.txt || { cat exit.txt; fail "LEDs not off after exit"; }
vm_wait_kernel_client 10 || fail "the kernel client did not come back"
vm_emu_stop
vm_pass "client $ours survived the replug; LEDs repainted; kernel client back as $VM_CLIENT"
