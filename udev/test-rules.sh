#!/bin/sh
# 70-apcmini.rules through the real udev rule engine: udevadm test, together
# with the system's own rules, on emulated sysfs devices (an APC mini mk1 and
# mk2, another Akai product, another vendor's device with the same product
# ID, an APC mini's interface) and real device nodes.
# All of it happens in a private mount namespace (own /sys/devices/virtual,
# /dev, /run and rules directories), so the host is left untouched; without
# root, in a user namespace too, where device nodes cannot be made: their
# group and mode are then not checked.
set -u

skip() {
    echo "SKIP: $*"
    exit 77
}

if [ "${1:-}" != --in-namespace ]; then
    command -v udevadm >/dev/null 2>&1 || skip "udevadm is not installed"
    command -v unshare >/dev/null 2>&1 || skip "unshare is not installed"
    userns=
    if [ "$(id -u)" != 0 ]; then
        unshare -r -m true 2>/dev/null || skip "no root and no user namespaces"
        userns=-r
    fi
    srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
    work=$(mktemp -d) || exit 99
    trap 'rm -rf "$work"' EXIT
    unshare $userns -m --propagation private sh "$0" --in-namespace \
        "$srcdir/udev/70-apcmini.rules" "$work"
    exit $?
fi

rules=$2
work=$3
fail=0

err() {
    echo "FAIL: $*"
    fail=1
}

audio_gid=$(getent group audio | cut -d: -f3)
[ -n "$audio_gid" ] || { echo "FAIL: no audio group on this system"; exit 1; }

# Private /run (udev's database), /dev (nodes and symlinks udev makes) and a
# tmpfs over /sys/devices/virtual to hold the emulated devices.
mount -t tmpfs tmpfs /run || exit 99
mkdir /run/dev && mount -t tmpfs tmpfs /run/dev || exit 99
touch /run/dev/null && mount --bind /dev/null /run/dev/null || exit 99
mount --move /run/dev /dev || exit 99
mount -t tmpfs tmpfs /sys/devices/virtual || exit 99
# Real device nodes need real root (not one of a user namespace).
nodes=1
mknod /dev/probe c 1 3 2>"$work/mknod.err" || nodes=0
rm -f /dev/probe
[ $nodes = 1 ] || echo "note: no device nodes here, their group and mode are not checked"
# Only the project's rule besides the distribution's: hide local ones.
[ -d /etc/udev/rules.d ] && mount -t tmpfs tmpfs /etc/udev/rules.d
mkdir -p /run/udev/rules.d
cp "$rules" /run/udev/rules.d/ || exit 99
# sd-device refuses a tmpfs as sysfs unless told this is a test.
SYSTEMD_DEVICE_VERIFY_SYSFS=0
export SYSTEMD_DEVICE_VERIFY_SYSFS

hub=/sys/devices/virtual/apcmini-test/usb9

# Emulate a USB device: usbdev NAME VID PID DEVNUM; prints its syspath.
usbdev() {
    d=$hub/$1
    mkdir -p "$d"
    ln -s ../../../../bus/usb "$d/subsystem"
    echo "$2" >"$d/idVendor"
    echo "$3" >"$d/idProduct"
    minor=$((8 * 128 + $4 - 1))
    echo "189:$minor" >"$d/dev"
    cat >"$d/uevent" <<EOF
MAJOR=189
MINOR=$minor
DEVNAME=bus/usb/009/$(printf %03d "$4")
DEVTYPE=usb_device
DRIVER=usb
PRODUCT=$(echo "$2" | sed 's/^0*//')/$(echo "$3" | sed 's/^0*//')/100
TYPE=0/0/0
BUSNUM=009
DEVNUM=$(printf %03d "$4")
EOF
    if [ $nodes = 1 ]; then
        mkdir -p /dev/bus/usb/009
        mknod -m 600 "/dev/bus/usb/009/$(printf %03d "$4")" c 189 "$minor"
    fi
    echo "$d"
}

# The MIDIStreaming interface of device NAME: no node, no idVendor.
usbintf() {
    d=$hub/$1/$1:1.1
    mkdir -p "$d"
    ln -s ../../../../../bus/usb "$d/subsystem"
    cat >"$d/uevent" <<EOF
DEVTYPE=usb_interface
PRODUCT=9e8/28/100
TYPE=0/0/0
INTERFACE=1/3/0
EOF
    echo "$d"
}

# Run udevadm test; the log and the resulting properties go to $out.
udevtest() {
    out=$work/$(basename "$2" | tr ':' _).$1
    udevadm test --action="$1" "$2" >"$out" 2>&1
    rc=$?
    if [ $rc != 0 ]; then
        err "udevadm test --action=$1 $2 exited $rc"
        cat "$out"
    fi
}

prop() {
    sed -n "s/^$1=//p" "$out" | tail -n1
}

# The device a rule matched: tags, the systemd want, access, and the uaccess
# builtin queued by 73-seat-late.rules (proof that 70 comes before it).
expect_apcmini() {
    what=$1 node=$2
    case $(prop CURRENT_TAGS) in
    *:uaccess:*) ;;
    *) err "$what: no uaccess tag: $(prop CURRENT_TAGS)" ;;
    esac
    case $(prop CURRENT_TAGS) in
    *:systemd:*) ;;
    *) err "$what: no systemd tag: $(prop CURRENT_TAGS)" ;;
    esac
    [ "$(prop SYSTEMD_WANTS)" = apcminid@.service ] ||
        err "$what: SYSTEMD_WANTS is '$(prop SYSTEMD_WANTS)'"
    grep -q "^run: 'uaccess'" "$out" ||
        err "$what: the uaccess builtin is not run (rule ordered after 73-seat-late?)"
    if [ -n "$node" ] && [ $nodes = 1 ]; then
        perm=$(stat -c '%g %a' "$node")
        [ "$perm" = "$audio_gid 664" ] ||
            err "$what: $node has gid and mode '$perm', want '$audio_gid 664'"
    fi
}

expect_other() {
    what=$1 node=$2
    [ -z "$(prop SYSTEMD_WANTS)" ] || err "$what: SYSTEMD_WANTS is '$(prop SYSTEMD_WANTS)'"
    case $(prop CURRENT_TAGS) in
    *:systemd:* | *:uaccess:*) err "$what: tagged: $(prop CURRENT_TAGS)" ;;
    esac
    if [ -n "$node" ] && [ $nodes = 1 ]; then
        [ "$(stat -c %g "$node")" != "$audio_gid" ] || err "$what: $node is in the audio group"
    fi
}

mk1=$(usbdev 9-1 09e8 0028 2)
mk2=$(usbdev 9-2 09e8 004f 3)
other=$(usbdev 9-3 09e8 0029 4)
vendor=$(usbdev 9-4 1235 0028 5)
intf=$(usbintf 9-1)

udevtest add "$mk1"
if ! grep -q "Reading rules file: /run/udev/rules.d/70-apcmini.rules" "$out"; then
    err "udev did not read the rule"
fi
# Anything udev says about the rule file while parsing is a mistake in it.
if grep '70-apcmini\.rules' "$out" | grep -v -E 'Reading rules file|:[0-9]+ (GROUP|MODE) ' |
    grep -i -E 'invalid|ignor|error|fail|unknown|warn'; then
    err "udev complains about the rule"
fi
expect_apcmini "mk1 add" /dev/bus/usb/009/002

udevtest add "$mk2"
expect_apcmini "mk2 add" /dev/bus/usb/009/003

# systemd follows CURRENT_TAGS: every later event must keep the tags, or the
# device unit (and the driver bound to it) would go away.
for action in change bind; do
    udevtest $action "$mk1"
    expect_apcmini "mk1 $action" ""
done

udevtest add "$other"
expect_other "09e8:0029" /dev/bus/usb/009/004
udevtest add "$vendor"
expect_other "1235:0028" /dev/bus/usb/009/005
udevtest add "$intf"
expect_other "mk1 interface" ""

what="tagged, wanted and accessible"
[ $nodes = 1 ] || what="tagged and wanted (node access not checked)"
[ $fail = 0 ] && echo "PASS: mk1 and mk2 $what; others left alone"
exit $fail
