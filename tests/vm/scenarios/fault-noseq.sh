#!/bin/sh
# fault-noseq: without the ALSA sequencer (snd-seq unloaded) apcminid exits at once with status 1 and a message naming the sequencer, and leaves the plugged controller bound to snd-usb-audio.
# models: mk1
# timeout: 60
set -eu
. "$APCVM_LIB"
vm_need apcemu apcminid
vm_model

# Nothing may hold the sequencer: no gadget yet (its card's client is
# snd-seq-midi's), no emulator (it sends through the sequencer).
vm_gadget_remove_all
vm_wait_no_usb 5 || vm_fail "a USB device is still there"
restore() {
	set +e
	vm_gadget_remove_all
	vm_wait_no_usb 5
	modprobe snd-seq
	modprobe snd-seq-midi
}
trap 'rc=$?; restore; exit $rc' EXIT
for m in snd_virmidi snd_seq_virmidi snd_seq_midi snd_seq_midi_event snd_seq_dummy snd_seq; do
	if grep -q "^$m " /proc/modules; then
		rmmod "$m" || vm_skip "cannot unload $m: $(grep "^$m " /proc/modules)"
	fi
done
[ ! -e /proc/asound/seq/clients ] && [ ! -e /dev/snd/seq ] || vm_skip "the sequencer is still there"
vm_plug
card=
vm_until 10 sh -c 'for f in /proc/asound/card*/usbid; do grep -qx "$0" "$f" 2>/dev/null && exit 0; done; exit 1' "$apc_usb_id" ||
	vm_fail "snd-usb-audio did not bind the controller"
dev=$(vm_usb_devices | head -n1)
intf=$dev:1.1
[ -e "$intf/driver" ] || vm_fail "interface 1 is not bound before apcminid"

t0=$(vm_now)
rc=0
timeout 20 apcminid -v >apcminid.log 2>&1 || rc=$?
sed 's/^/    apcminid: /' apcminid.log
vm_save apcminid.log
[ "$rc" = 1 ] || vm_fail "apcminid exited with $rc, not 1"
grep -qi 'sequencer' apcminid.log || vm_fail "the message does not name the sequencer"
[ -e "$intf/driver" ] || vm_fail "interface 1 was left without its driver"
[ "$(basename "$(readlink "$intf/driver")")" = snd-usb-audio ] || vm_fail "interface 1 is bound to $(readlink "$intf/driver")"
vm_pass "no sequencer: exit status 1 after $(vm_ms_since "$t0") ms ('$(grep -m1 -i sequencer apcminid.log)'); snd-usb-audio kept the controller"
