#!/bin/sh
# udev-hotplug: without systemd, one unprivileged apcminid (audio group) started before any controller serves each one plugged later, through 70-apcmini.rules' access and libusb hotplug
# timeout: 120
#
# The way udev/README.md describes for machines without systemd: the rule's
# GROUP="audio" gives a long-running apcminid, started at boot or login as an
# ordinary user, the controllers that arrive later (the node's group is set
# by udev a moment after the kernel creates it).
set -eu
. "$APCVM_LIB"

vm_need udevadm apcemu apcminid aconnect start-stop-daemon
[ -f /apc/udev/70-apcmini.rules ] || vm_skip "70-apcmini.rules is not in the guest (/apc/udev)"

work=$APCVM_WORK
cp /apc/udev/70-apcmini.rules /etc/udev/rules.d/
# Debian's 50-udev-default.rules gives the sound devices to the audio group;
# the guest has no distribution rules.
chgrp audio /dev/snd/seq
chmod 660 /dev/snd/seq
# An ordinary user whose only extra group is audio.
grep -q '^apcuser:' /etc/passwd || {
	echo 'apcuser:x:61234:61234:apcuser:/:/bin/false' >>/etc/passwd
	echo 'apcuser:x:61234:' >>/etc/group
	sed -i 's/^audio:x:29:$/audio:x:29:apcuser/' /etc/group
}
rm -rf /run/udev
/lib/systemd/systemd-udevd --daemon
udevadm settle -t 5

# Two UDCs, for two controllers at once.
restore_hcd() {
	start-stop-daemon -K -q -p "$work/apcminid.pid" -s TERM
	vm_gadget_remove_all
	vm_wait_no_usb 5 || true
	rmmod dummy_hcd || vm_log "cannot unload dummy_hcd (num=2)"
	modprobe dummy_hcd is_high_speed=0 || vm_log "cannot load dummy_hcd again"
}
vm_gadget_remove_all
vm_wait_no_usb 5 || vm_fail "a USB device is still there"
rmmod dummy_hcd || vm_fail "cannot unload dummy_hcd for a second UDC"
trap 'rc=$?; set +e; restore_hcd; exit $rc' EXIT
modprobe dummy_hcd is_high_speed=0 num=2 || vm_fail "dummy_hcd num=2 did not load"
[ "$(ls /sys/class/udc | wc -l)" = 2 ] || vm_fail "no second UDC: $(ls /sys/class/udc)"

log=$work/apcminid.log
: >"$log"
chown apcuser "$log"
APCMINID_LOG_LEVEL=info start-stop-daemon -S -b -m -p "$work/apcminid.pid" -c apcuser \
	-x /bin/sh -- -c 'exec "$0" >>"$1" 2>&1' "$(command -v apcminid)" "$log"
pid=$(cat "$work/apcminid.pid")

die() {
	vm_log "apcminid log:"
	sed 's/^/    /' "$log"
	aconnect -l | sed 's/^/    /'
	vm_fail "$*"
}
_waiting() {
	grep -q 'waiting for one to be plugged in' "$log"
}
vm_until 10 _waiting || die "apcminid did not start"
[ "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" = 61234 ] || die "apcminid is not running as apcuser"

mk1_name=$(apcemu info --model mk1 | sed -n "s/^apc_name='\(.*\)'$/\1/p")
mk2_name=$(apcemu info --model mk2 | sed -n "s/^apc_name='\(.*\)'$/\1/p")
# Their clients are named as the kernel names them: after the product string.
mk1_client=$(apcemu info --model mk1 | sed -n "s/^apc_usb_product='\(.*\)'$/\1/p")
mk2_client=$(apcemu info --model mk2 | sed -n "s/^apc_usb_product='\(.*\)'$/\1/p")

t0=$(vm_now)
vm_plug mk1
vm_until 20 vm_has_user_client "$mk1_client" || die "no '$mk1_name' client 20 s after plugging"
vm_log "plug -> client '$mk1_name': $(vm_ms_since "$t0") ms"
echo "hotplug plug_to_client_ms=$(vm_ms_since "$t0")" >>"$APCVM_OUT/times.txt"
c1=$(vm_user_client "$mk1_client")
[ "${c1#* }" = "$pid" ] || die "'$mk1_name' is not served by the running apcminid ($pid): $c1"

# A second controller on the other UDC: the same process serves it.
vm_plug_second
vm_until 20 vm_has_user_client "$mk2_client" || die "no '$mk2_name' client"
c2=$(vm_user_client "$mk2_client")
[ "${c2#* }" = "$pid" ] || die "'$mk2_name' is not served by the running apcminid ($pid): $c2"
[ "${c1% *}" != "${c2% *}" ] || die "both controllers share client ${c1% *}"

# Unplugged and plugged again, the controller comes back to its client.
vm_unplug
vm_until 10 grep -q "$mk1_name (.*) unplugged" "$log" || die "apcminid did not see the unplug"
vm_replug
_replugged() {
	grep -q "^apcminid: $mk1_name (port:[^)]*) is back on client ${c1% *} " "$log"
}
vm_until 20 _replugged || die "apcminid did not take the replugged $mk1_name"
kill -0 "$pid" || die "apcminid exited"
vm_log "apcminid log:"
sed 's/^/    /' "$log"
vm_pass "one unprivileged apcminid served both controllers as clients ${c1% *} and ${c2% *}, and the replug"
