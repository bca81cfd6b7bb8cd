#!/bin/sh
# The built apcminid@.service through systemd's own checks, offline: the
# instance udev asks for (an escaped sysfs path) must pass systemd-analyze
# verify without a word, %i/%f must name the device unit and the path, and
# systemd-analyze security must find the sandbox in place.
set -u

skip() {
    echo "SKIP: $*"
    exit 77
}

err() {
    echo "FAIL: $*"
    fail=1
}

command -v systemd-analyze >/dev/null 2>&1 || skip "systemd-analyze is not installed"
command -v systemd-escape >/dev/null 2>&1 || skip "systemd-escape is not installed"

builddir=${top_builddir:-.}
unit=$builddir/udev/apcminid@.service
[ -f "$unit" ] || { echo "ERROR: $unit is not built"; exit 99; }

# systemd-analyze resolves the default dependencies (sysinit.target, ...)
# from the system's unit directory; the unit goes into a private root with a
# copy of it, and an executable where ExecStart expects apcminid (verify only
# checks that it is executable).
sysunits=
for d in "$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null)" \
    /usr/lib/systemd/system /lib/systemd/system; do
    if [ -n "$d" ] && [ -f "$d/sysinit.target" ]; then
        sysunits=$d
        break
    fi
done
[ -n "$sysunits" ] || skip "no systemd unit directory with sysinit.target"

fail=0
root=$(mktemp -d) || exit 99
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/lib/systemd" "$root/etc/systemd/system"
cp -R "$sysunits" "$root/usr/lib/systemd/system" || exit 99
cp "$unit" "$root/etc/systemd/system/" || exit 99

exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
case $exe in
/*/apcminid) ;;
*) err "ExecStart does not run an absolute .../apcminid: '$exe'" ;;
esac
mkdir -p "$root$(dirname "$exe")"
printf '#!/bin/sh\nexit 0\n' >"$root$exe"
chmod 755 "$root$exe"

# ExecStart must hand apcminid the device's sysfs path: %f, the instance
# unescaped with a leading slash (%I would give "sys/devices/..."). The
# device unit is %i.
grep -q '^ExecStart=[^ ]*apcminid .*--device %f\( \|$\)' "$unit" ||
    err "ExecStart does not pass --device %f"
grep -q '^BindsTo=%i\.device$' "$unit" || err "no BindsTo=%i.device"
grep -q '^After=%i\.device$' "$unit" || err "no After=%i.device"

# What systemd makes of SYSTEMD_WANTS=apcminid@.service for a controller
# behind a hub on a platform host controller and for one on the test guest's
# dummy_hcd. (PCI paths have colons, which verify would take for its
# FILE:NAME argument syntax.)
for path in /sys/devices/platform/soc/xhci-hcd.0.auto/usb1/1-1.4 \
    /sys/devices/platform/dummy_hcd.0/usb1/1-1; do
    inst=$(systemd-escape --template=apcminid@.service --path "$path")
    out=$(systemd-analyze verify --man=no --root="$root" "$inst" 2>&1)
    rc=$?
    [ $rc = 0 ] || err "systemd-analyze verify $inst exited $rc"
    # verify exits 0 after mere warnings (unknown keys, bad values): any
    # message about the unit is a failure.
    if echo "$out" | grep -q apcminid; then
        err "systemd-analyze verify $inst says:"
        echo "$out"
    fi
    [ -n "$out" ] && echo "$out"
    echo "verified $inst"
done

# The sandbox as systemd parses it (keys it did not understand count as
# unset here), and an overall exposure of at most 2.0 ("OK").
json=$(systemd-analyze security --offline=yes --root="$root" --json=short "$inst" |
    sed 's/},{/}\n{/g')
for field in UserOrDynamicUser NoNewPrivileges ProtectSystem ProtectHome \
    PrivateTmp PrivateNetwork ProtectProc ProcSubset \
    RestrictAddressFamilies_AF_INET_INET6 RestrictAddressFamilies_OTHER \
    CapabilityBoundingSet_CAP_SYS_ADMIN ProtectKernelModules SystemCallFilter_mount; do
    line=$(echo "$json" | grep "\"json_field\":\"$field\"")
    case $line in
    *'"set":true'*) ;;
    '') err "systemd-analyze security does not report $field" ;;
    *) err "not in effect: $line" ;;
    esac
done
case $(echo "$json" | grep '"json_field":"ProtectSystem"') in
*strict*) ;;
*) err "ProtectSystem is not strict" ;;
esac
devices=$(echo "$json" | grep '"json_field":"DeviceAllow"' |
    sed -n 's/.*special devices: \([^"]*\)".*/\1/p' | tr ' ' '\n' | grep -v '^char-rtc:r$' | sort | tr '\n' ' ')
[ "$devices" = "/dev/snd/seq:rw char-usb_device:rw " ] ||
    err "devices allowed: '$devices', want /dev/snd/seq and char-usb_device"
systemd-analyze security --offline=yes --root="$root" --threshold=20 "$inst" |
    grep 'Overall exposure'
[ "$(systemd-analyze security --offline=yes --root="$root" --threshold=20 "$inst" >/dev/null 2>&1; echo $?)" = 0 ] ||
    err "exposure above 2.0"

# The real-time drop-in: verified with the unit, the sandbox still in
# effect but for real-time scheduling.
dropin=$builddir/udev/apcminid-realtime.conf
[ -f "$dropin" ] || { echo "ERROR: $dropin is not built"; exit 99; }
mkdir -p "$root/etc/systemd/system/apcminid@.service.d"
cp "$dropin" "$root/etc/systemd/system/apcminid@.service.d/realtime.conf" || exit 99
grep -q "^ExecStart=$exe .*--realtime" "$dropin" || err "the drop-in does not run $exe --realtime"
out=$(systemd-analyze verify --man=no --root="$root" "$inst" 2>&1) ||
    err "systemd-analyze verify $inst with the drop-in failed"
if echo "$out" | grep -q apcminid; then
    err "systemd-analyze verify $inst with the drop-in says:"
    echo "$out"
fi
json=$(systemd-analyze security --offline=yes --root="$root" --json=short "$inst" |
    sed 's/},{/}\n{/g')
for field in UserOrDynamicUser NoNewPrivileges ProtectSystem PrivateNetwork \
    CapabilityBoundingSet_CAP_SYS_ADMIN SystemCallFilter_mount; do
    echo "$json" | grep "\"json_field\":\"$field\"" | grep -q '"set":true' ||
        err "with the drop-in, not in effect: $field"
done
echo "$json" | grep '"json_field":"RestrictRealtime"' | grep -q '"set":false' ||
    err "the drop-in does not allow real-time scheduling"

[ $fail = 0 ] && echo "PASS: unit verified for two device paths, sandbox in effect; the real-time drop-in too"
exit $fail
