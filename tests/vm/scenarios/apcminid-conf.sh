#!/bin/sh
# apcminid-conf: two identical controllers (two mk2s) get the distinct client names apcmini.conf gives them by USB port, and keep them across a replug of each; SIGHUP applies a changed file at once, and a bad one is refused with its file and line while the running names stay.
# models: mk2
# timeout: 120
set -eu
. "$APCVM_LIB"
vm_need apcemu apcminid aconnect udevadm
vm_model

# Two UDCs for two controllers at once; udevd so that libusb sees replugs.
vm_gadget_remove_all
vm_wait_no_usb 5 || vm_fail "a USB device is still there"
rmmod dummy_hcd || vm_fail "cannot unload dummy_hcd for a second UDC"
modprobe dummy_hcd is_high_speed=0 num=2 || vm_fail "dummy_hcd num=2 did not load"
/lib/systemd/systemd-udevd --daemon 2>/dev/null || vm_fail "cannot start systemd-udevd"
pid=
restore() {
	set +e
	[ -z "$pid" ] || { kill "$pid"; wait "$pid"; }
	vm_gadget_remove_all
	vm_wait_no_usb 5
	rmmod dummy_hcd
	modprobe dummy_hcd is_high_speed=0
	udevadm control --exit
}
trap 'rc=$?; restore; exit $rc' EXIT

vm_plug
vm_plug_second
vm_until 10 sh -c '[ "$(ls -d /sys/bus/usb/devices/[0-9]-[0-9] 2>/dev/null | wc -l)" = 2 ]' ||
	vm_fail "two controllers did not enumerate"
ports=$(cd /sys/bus/usb/devices && ls -d [0-9]-[0-9] | sort)
p1=$(echo "$ports" | sed -n 1p)
p2=$(echo "$ports" | sed -n 2p)
vm_log "controllers at ports $p1 and $p2, both '$apc_name'"

cat >apcmini.conf <<EOT
# Two identical mk2s, told apart by the USB port they are plugged into.
[device "port:$p1"]
client-name = "Left deck"

[device "port:$p2"]
client-name = Right deck   # unquoted works too
keep-leds = yes
EOT
apcminid -v -c "$PWD/apcmini.conf" >apcminid.log 2>&1 &
pid=$!
VM_APCMINID=$pid
fail() { vm_apcminid_fail "$@"; }
vm_until 10 vm_has_user_client "Left deck" || fail "no client 'Left deck'"
vm_until 10 vm_has_user_client "Right deck" || fail "no client 'Right deck'"
left=$(vm_user_client "Left deck")
left=${left% *}

# Each replugged: the same client, the same name.
vm_unplug
vm_until 10 grep -q 'unplugged; client' apcminid.log || fail "apcminid missed the unplug"
vm_replug
vm_until 10 grep -q "is back on client $left " apcminid.log || fail "the first controller did not come back"
vm_has_user_client "Left deck" || fail "'Left deck' lost its name"
vm_has_user_client "Right deck" || fail "'Right deck' lost its name"

# A changed file, reloaded: renamed at once.
sed -i 's/Left deck/Drums/' apcmini.conf
kill -HUP "$pid"
vm_until 5 vm_has_user_client "Drums" || fail "SIGHUP did not rename 'Left deck' to 'Drums'"
[ "$(vm_user_client Drums | cut -d' ' -f1)" = "$left" ] || fail "the renamed client is another client"

# A bad file: refused with its line, the running names stay.
printf '[device "port:%s"]\nclient-name = Bass\nbrightness = 11\n' "$p1" >apcmini.conf
kill -HUP "$pid"
vm_until 5 grep -q "apcmini.conf:3: unknown key 'brightness'" apcminid.log ||
	fail "the bad reload was not reported with its line"
grep -q 'the running one stays' apcminid.log || fail "no word that the running configuration stays"
vm_has_user_client "Drums" || fail "a bad reload changed the names"
if vm_has_user_client "Bass"; then fail "a bad reload was half applied"; fi

# And a bad file at start: exit status 2, nothing served.
rc=0
apcminid -c "$PWD/apcmini.conf" >bad.log 2>&1 || rc=$?
[ "$rc" = 2 ] || { cat bad.log; fail "a bad configuration at start exited $rc, not 2"; }
grep -q "apcmini.conf:3: unknown key 'brightness'" bad.log || fail "the error does not name file and line"

kill -TERM "$pid"
wait "$pid" || fail "apcminid failed on exit"
pid=
vm_emu_stop 2>/dev/null || true
vm_pass "two mk2s named by port, kept across a replug; SIGHUP renamed; a bad file refused with its line"
