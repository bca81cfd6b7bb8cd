#!/bin/sh
# udev-rule: real udevd applies 70-apcmini.rules to the plugged controller (tags, SYSTEMD_WANTS, node access)
# models: mk1 mk2
# timeout: 60
set -eu
. "$APCVM_LIB"

# The project's rule: put in the guest by the rig (/apc/udev) or with --add.
find_udev_file() {
	local f
	for f in "/apc/udev/$1" $(find / -xdev -path /proc -prune -o -path /sys -prune -o \
		-path /out -prune -o -path /share -prune -o -type f -name "$1" -print 2>/dev/null); do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

vm_need udevadm apcemu
rules=$(find_udev_file 70-apcmini.rules) || vm_skip "70-apcmini.rules is not in the guest"
vm_model

mkdir -p /etc/udev/rules.d
cp "$rules" /etc/udev/rules.d/70-apcmini.rules
/lib/systemd/systemd-udevd --daemon
udevadm settle -t 5

vm_plug
dev=
_find_dev() {
	dev=$(vm_usb_devices | head -n1)
	[ -n "$dev" ] && [ -e "$dev/idVendor" ]
}
vm_until 10 _find_dev || vm_fail "the emulated $APC_MODEL did not enumerate"
udevadm settle -t 10 || vm_fail "udev did not settle"
syspath=$(cd "$dev" && pwd -P)
id="$(cat "$dev/idVendor"):$(cat "$dev/idProduct")"
[ "$id" = "$apc_usb_id" ] || vm_fail "plugged $id, expected $apc_usb_id"
vm_log "device $syspath ($id)"

info=$APCVM_WORK/udevadm-info.txt
udevadm info "$syspath" >"$info"
vm_save "$info"
sed 's/^/    /' "$info"

fail=0
prop() {
	sed -n "s/^E: $1=//p" "$info"
}
case $(prop CURRENT_TAGS) in
*:uaccess:*) ;;
*) vm_log "no uaccess tag"; fail=1 ;;
esac
case $(prop CURRENT_TAGS) in
*:systemd:*) ;;
*) vm_log "no systemd tag"; fail=1 ;;
esac
wants=$(prop SYSTEMD_WANTS)
[ "$wants" = apcminid@.service ] || { vm_log "SYSTEMD_WANTS is '$wants'"; fail=1; }

node=/dev/$(prop DEVNAME | sed 's|^/dev/||')
[ -c "$node" ] || vm_fail "no device node $node"
perm=$(stat -c '%G %a' "$node")
[ "$perm" = "audio 664" ] || { vm_log "$node is '$perm', want 'audio 664'"; fail=1; }

# Interfaces are not the device: no driver is wanted for them.
for i in "$syspath"/*:*; do
	[ -d "$i" ] || continue
	if udevadm info "$i" | grep -q 'SYSTEMD_WANTS'; then
		vm_log "interface $i wants a unit"
		fail=1
	fi
done

# Unplugged, the device's udev record goes with it.
vm_unplug
vm_wait_no_usb 5 || vm_fail "the device did not go away"
udevadm settle -t 10
if udevadm info "$syspath" >/dev/null 2>&1; then
	vm_log "udev still knows $syspath after the unplug"
	fail=1
fi

[ $fail = 0 ] || vm_fail "the rule did not do its part"
vm_pass "$apc_usb_id: tags uaccess+systemd, SYSTEMD_WANTS=$wants, $node audio 664"
