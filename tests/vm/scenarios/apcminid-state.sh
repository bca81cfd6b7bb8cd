#!/bin/sh
# apcminid-state: the controller's state reaches applications: pads held when the cable is pulled get their note-offs; on replug an mk2's nine fader positions reach the subscribers as the control changes its faders send (an mk1 is not asked).
# models: mk1 mk2
# timeout: 120
set -eu
. "$APCVM_LIB"
vm_need apcemu apcminid aseqdump aconnect udevadm
vm_model

# libusb learns about hotplug from udev: run the daemon (no rules needed),
# stopped at the end and on a failure.
/lib/systemd/systemd-udevd --daemon 2>/dev/null || vm_fail "cannot start systemd-udevd"
stop_udevd() {
	udevadm control --exit 2>/dev/null || true
}

vm_plug_kernel
vm_apcminid_start -v
ours=$VM_CLIENT
fail() {
	stop_udevd
	vm_apcminid_fail "$@"
}
vm_until 5 grep -q 'confirmed by its identity reply' apcminid.log || fail "no identity reply"

aseqdump -p "$apc_name:0" >dump.txt 2>&1 &
dump=$!
vm_wait_connected "$ours" || fail "aseqdump did not subscribe to $apc_name:0"

# Faders where a player left them; two pads held, one pressed and let go.
vm_emu fader 0 100 >/dev/null
vm_emu fader 3 33 >/dev/null
vm_emu fader master 90 >/dev/null
vm_emu press pad 5 >/dev/null
vm_emu press pad 9 >/dev/null
vm_emu release pad 9 >/dev/null
vm_emu press pad 63 >/dev/null
vm_until 5 grep -q 'note 63, velocity 127' dump.txt || fail "the presses did not arrive"
offs() { vm_aseqdump_events dump.txt | grep -c "^Note off 0, note $1, " || true; }
[ "$(offs 5)" = 0 ] || fail "note 5 released before the unplug"

# Pulled: the held pads' note-offs, once each; the released one not again.
vm_emu unplug >/dev/null
vm_until 10 grep -q 'unplugged; client' apcminid.log || fail "apcminid missed the unplug"
vm_until 5 sh -c "[ \"\$(grep -c 'Note off *0, note 63, ' dump.txt)\" = 1 ]" ||
	{ cat dump.txt; fail "no note-off for the held pad 63"; }
[ "$(offs 5)" = 1 ] || { cat dump.txt; fail "no single note-off for the held pad 5"; }
[ "$(offs 9)" = 1 ] || { cat dump.txt; fail "pad 9 was released twice"; }
grep -q '2 held note(s) released' apcminid.log || fail "the release was not logged"

# Back: an mk2 says where its faders are, and subscribers hear it.
before=$(vm_aseqdump_events dump.txt | wc -l)
vm_emu replug >/dev/null
vm_until 10 sh -c "grep -c 'is back on client $ours' apcminid.log | grep -q 1" ||
	fail "apcminid did not take the device back on client $ours"
if [ "$APC_MODEL" = mk2 ]; then
	vm_until 5 grep -q 'fader positions read' apcminid.log || fail "the faders were not read"
	vm_until 5 sh -c "[ \$(grep -c 'Control change' dump.txt) -ge $((3 + 9)) ]" ||
		{ cat dump.txt; fail "the nine fader positions did not reach the subscriber"; }
	vm_aseqdump_events dump.txt | tail -n +$((before + 1)) | grep '^Control change' >faders.txt
	{
		echo "Control change 0, controller $apc_fader_cc_first, value 100"
		for i in 1 2; do echo "Control change 0, controller $((apc_fader_cc_first + i)), value 0"; done
		echo "Control change 0, controller $((apc_fader_cc_first + 3)), value 33"
		for i in 4 5 6 7; do echo "Control change 0, controller $((apc_fader_cc_first + i)), value 0"; done
		echo "Control change 0, controller $((apc_fader_cc_first + 8)), value 90"
	} >expected.txt
	vm_diff expected.txt faders.txt "fader positions after the replug" || fail "fader positions differ"
else
	sleep 0.5
	if grep -q 'fader positions read' apcminid.log; then fail "an mk1 was asked for faders"; fi
fi
kill "$dump" 2>/dev/null || true

kill -TERM "$VM_APCMINID"
wait "$VM_APCMINID" || fail "apcminid failed on exit"
vm_wait_kernel_client 10 || fail "the kernel client did not come back"
vm_emu_stop
stop_udevd
vm_pass "held pads released on unplug; $( [ "$APC_MODEL" = mk2 ] && echo 'nine fader positions passed on after the replug' || echo 'no fader query to an mk1')"
