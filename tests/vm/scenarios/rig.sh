#!/bin/sh
# rig: the guest has what every scenario needs (sequencer, gadget stack, UDC, output share).
set -eu
. "$APCVM_LIB"

[ -e /proc/asound/seq/clients ] || vm_fail "no ALSA sequencer (/proc/asound/seq/clients)"
[ -d /sys/kernel/config/usb_gadget ] || vm_fail "no configfs usb_gadget (libcomposite)"
udc=$(ls /sys/class/udc 2>/dev/null | head -n1)
[ -n "$udc" ] || vm_fail "no UDC in /sys/class/udc (dummy_hcd)"
speed=$(cat /sys/module/dummy_hcd/parameters/is_high_speed 2>/dev/null || echo '?')
[ "$speed" = N ] || vm_fail "dummy_hcd is_high_speed=$speed, want N (full speed)"
grep -q ' /out 9p ' /proc/mounts || vm_fail "the output share is not mounted on /out"
for t in aseqdump aconnect aplaymidi amidi arecordmidi modprobe; do
	command -v "$t" >/dev/null || vm_fail "$t missing"
done
echo "rig check" >"$APCVM_OUT/rig.txt"
vm_log "UDC $udc, programs: $(ls /apc/bin | tr '\n' ' ')"
vm_pass "sequencer, configfs, $udc (full speed), /out"
