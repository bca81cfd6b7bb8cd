#!/bin/sh
# udev-systemd: real systemd starts apcminid@.service from udev's SYSTEMD_WANTS, sandboxed as a dynamic user; unplug stops it, replug restarts; pair: two controllers, two units; twins: two identical mk2s get the distinct names apcmini.conf gives their ports, kept across a replug of each
# models: mk1 mk2 pair twins
# timeout: 180
#
# The guest boots busybox as its init. systemd runs here as the init of its
# own PID and mount namespace, on the guest's /sys, /dev and udevd: it makes
# device units from udev's database and events as on any systemd machine and
# runs the project's unit file unchanged, sandbox included (only the program
# path it names is a link to the guest's apcminid). Needs systemd in the
# guest, skips without it.
set -eu
. "$APCVM_LIB"

vm_need udevadm apcemu apcminid aconnect unshare nsenter
systemd=
for d in /lib/systemd /usr/lib/systemd; do
	[ -x $d/systemd ] && { systemd=$d/systemd; break; }
done
[ -n "$systemd" ] || vm_skip "systemd is not in the guest"
command -v systemctl >/dev/null || vm_skip "systemctl is not in the guest"
for t in sysinit.target basic.target shutdown.target; do
	[ -f "/lib/systemd/system/$t" ] || [ -f "/usr/lib/systemd/system/$t" ] ||
		vm_skip "the unit $t is not in the guest"
done
for f in 70-apcmini.rules apcminid@.service; do
	[ -f "/apc/udev/$f" ] || vm_skip "$f is not in the guest (/apc/udev)"
done

work=$APCVM_WORK
unit=/apc/udev/apcminid@.service
exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
mkdir -p "$(dirname "$exe")" /etc/systemd/system /var/tmp /home
[ -e "$exe" ] || ln -s "$(command -v apcminid)" "$exe"
cp "$unit" /etc/systemd/system/
cp /apc/udev/70-apcmini.rules /etc/udev/rules.d/
# Debian's 50-udev-default.rules gives the sound devices to the audio group;
# the guest has no distribution rules.
chgrp audio /dev/snd/seq
chmod 660 /dev/snd/seq
[ -s /etc/machine-id ] || tr -d - </proc/sys/kernel/random/uuid >/etc/machine-id

# A fresh udev database: an earlier scenario's udevd may have died with
# events unprocessed.
rm -rf /run/udev
/lib/systemd/systemd-udevd --daemon
udevadm settle -t 5

unshare --pid --fork --mount --mount-proc \
	$systemd --system --unit=basic.target --log-target=kmsg --show-status=no \
	</dev/null >"$work/systemd.log" 2>&1 &
UNSHARE_PID=$!
SD_PID=
_sd_pid() {
	SD_PID=$(cut -d' ' -f1 "/proc/$UNSHARE_PID/task/$UNSHARE_PID/children" 2>/dev/null)
	[ -n "$SD_PID" ]
}
vm_until 10 _sd_pid || vm_fail "systemd did not start"
# Killing the namespace's init ends everything in it (SIGTERM would make
# systemd re-execute itself).
restore() {
	kill -KILL "$SD_PID" 2>/dev/null
	case $APC_MODEL in pair | twins) ;; *) return 0 ;; esac
	[ -z "${twins_conf:-}" ] || rm -f "$twins_conf"
	vm_gadget_remove_all
	vm_wait_no_usb 5 || true
	rmmod dummy_hcd || vm_log "cannot unload dummy_hcd (num=2)"
	modprobe dummy_hcd is_high_speed=0 || vm_log "cannot load dummy_hcd again"
}
trap 'rc=$?; set +e; restore; exit $rc' EXIT

# systemctl reaches systemd over its private socket, which only accepts
# peers from its own PID namespace.
sdctl() {
	nsenter -t "$SD_PID" -p -m systemctl --no-pager "$@"
}
_sd_up() {
	case $(sdctl is-system-running 2>/dev/null) in
	running | degraded) return 0 ;;
	*) return 1 ;;
	esac
}
if ! vm_until 60 _sd_up; then
	dmesg | grep 'systemd\[1\]' | sed 's/^/    /'
	vm_fail "systemd did not come up: $(sdctl is-system-running 2>&1)"
fi
vm_log "systemd $(sdctl --version | head -n1 | cut -d' ' -f2) is up as PID 1 of its namespace"

# ---- helpers ----

_no_client() {
	[ -z "$(vm_user_client "$1")" ]
}
_inactive() {
	! sdctl -q is-active "$1"
}
show_state() {
	sdctl list-units --all 'apcminid@*' 'sys-devices-platform-dummy*' | sed 's/^/    /'
	sdctl status 'apcminid@*' 2>&1 | sed 's/^/    /'
	dmesg | grep 'systemd\[1\]' | tail -n 30 | sed 's/^/    /'
}
die() {
	show_state
	vm_fail "$*"
}
# The unit systemd makes of the device at sysfs path $1.
unit_of() {
	echo "apcminid@$(echo "${1#/}" | sed 's/-/\\x2d/g; s|/|-|g').service"
}
# Checks that client $1 comes from unit $2's main process, a dynamic user
# in the audio group, sandboxed; sets PID (as this namespace sees it).
PID=
check_unit() {
	local cp main st uid
	cp=$(vm_user_client "$1")
	PID=${cp#* }
	sdctl -q is-active "$2" || die "$2 is not active"
	st=/proc/$PID/status
	[ -f "$st" ] || die "no process $PID for client '$1'"
	# MainPID is systemd's view, from inside its PID namespace.
	main=$(sdctl show -P MainPID "$2")
	[ "$(awk '/^NSpid:/ { print $NF }' "$st")" = "$main" ] ||
		die "client '$1' is pid $PID ($(grep ^NSpid: "$st")), $2's main pid is $main"
	uid=$(awk '/^Uid:/ { print $2 }' "$st")
	[ "$uid" -ge 61184 ] && [ "$uid" -le 65519 ] || die "apcminid runs as uid $uid, not a dynamic user"
	awk '/^Groups:/' "$st" | grep -q -w 29 || die "apcminid is not in the audio group: $(grep ^Groups: "$st")"
	grep -q '^NoNewPrivs:[[:space:]]*1' "$st" || die "apcminid runs without NoNewPrivileges"
	grep -q '^Seccomp:[[:space:]]*2' "$st" || die "apcminid runs without a system call filter"
	grep -q '^CapBnd:[[:space:]]*0*$' "$st" || die "apcminid has capabilities: $(grep ^CapBnd: "$st")"
}
# When unit $1 entered state $2 (Active or InactiveExit), in uptime seconds:
# systemd's CLOCK_MONOTONIC, the clock of /proc/uptime too.
sd_time() {
	awk -v us="$(sdctl show -P "${2}TimestampMonotonic" "$1")" 'BEGIN { printf "%.3f", us / 1e6 }'
}
ms_between() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%d", (b - a) * 1000 }'
}
device_path() {
	local d
	d=$(vm_usb_devices | head -n1)
	[ -n "$d" ] && cd "$d" && pwd -P
}

# ---- one controller: plug, unplug, replug ----

if [ "$APC_MODEL" = mk1 ] || [ "$APC_MODEL" = mk2 ]; then
	vm_model
	t0=$(vm_now)
	vm_plug
	vm_until 30 vm_has_user_client "$apc_name" || die "no '$apc_name' client 30 s after plugging"
	plug_ms=$(vm_ms_since "$t0")
	path=$(device_path)
	u=$(unit_of "$path")
	check_unit "$apc_name" "$u"
	pid=$PID
	vm_log "plug -> client '$apc_name' from $u: ${plug_ms} ms (pid $pid)"
	# Where the time goes.
	t_client=$(awk -v a="$t0" -v p="$plug_ms" 'BEGIN { print a + p / 1000 }')
	t_dev=$(sd_time "$(echo "$u" | sed 's/^apcminid@//; s/\.service$/.device/')" ActiveEnter)
	t_start=$(sd_time "$u" InactiveExit)
	t_exec=$(sd_time "$u" ActiveEnter)
	vm_log "  plug -> device unit active: $(ms_between "$t0" "$t_dev") ms;" \
		"-> unit starting: $(ms_between "$t_dev" "$t_start") ms;" \
		"-> sandbox set up, apcminid running: $(ms_between "$t_start" "$t_exec") ms;" \
		"-> client: $(ms_between "$t_exec" "$t_client") ms"
	echo "$APC_MODEL plug_to_device_unit_ms=$(ms_between "$t0" "$t_dev")" \
		"unit_start_ms=$(ms_between "$t_dev" "$t_exec")" \
		"exec_to_client_ms=$(ms_between "$t_exec" "$t_client")" >>"$APCVM_OUT/times.txt"
	vm_log "command: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
	vm_log "process: $(grep -E '^(Uid|Groups)' "/proc/$pid/status" | tr -s '\t\n' '  ')"
	echo "$APC_MODEL plug_to_client_ms=$plug_ms" >>"$APCVM_OUT/times.txt"

	t0=$(vm_now)
	vm_unplug
	vm_until 10 _inactive "$u" || die "$u still active 10 s after the unplug"
	vm_until 5 _no_client "$apc_name" || die "client '$apc_name' still there after the unplug"
	vm_log "unplug -> unit inactive: $(vm_ms_since "$t0") ms ($(sdctl show -P Result "$u"))"
	[ "$(sdctl show -P Result "$u")" = success ] || die "$u did not stop cleanly"

	t0=$(vm_now)
	vm_replug
	vm_until 30 vm_has_user_client "$apc_name" || die "no '$apc_name' client 30 s after replugging"
	replug_ms=$(vm_ms_since "$t0")
	path2=$(device_path)
	check_unit "$apc_name" "$(unit_of "$path2")"
	pid2=$PID
	[ "$pid2" != "$pid" ] || die "the same process serves the replugged device"
	vm_log "replug -> client: ${replug_ms} ms (pid $pid2)"
	echo "$APC_MODEL replug_to_client_ms=$replug_ms" >>"$APCVM_OUT/times.txt"

	# The shipped drop-in for real-time priority: the same sandbox, the
	# event loop at SCHED_FIFO 70 (/proc/PID/stat: rt_priority, policy).
	u2=$(unit_of "$path2")
	policy() { awk '{ print $41 "/" $40 }' "/proc/$1/stat"; }
	[ "$(policy "$pid2")" = 0/0 ] || die "apcminid runs at $(policy "$pid2") without the drop-in"
	[ -f /apc/udev/apcminid-realtime.conf ] || vm_fail "apcminid-realtime.conf is not in the guest"
	mkdir -p /etc/systemd/system/apcminid@.service.d
	cp /apc/udev/apcminid-realtime.conf /etc/systemd/system/apcminid@.service.d/realtime.conf
	sdctl daemon-reload
	sdctl restart "$u2" || die "$u2 did not restart with the real-time drop-in"
	_new_client() {
		vm_has_user_client "$apc_name" && [ "$(vm_user_client "$apc_name" | cut -d' ' -f2)" != "$pid2" ]
	}
	vm_until 30 _new_client || die "no new '$apc_name' client 30 s after the restart"
	check_unit "$apc_name" "$u2"
	[ "$(policy "$PID")" = 1/70 ] ||
		die "with the drop-in apcminid runs at policy/priority $(policy "$PID"), not 1/70 (SCHED_FIFO 70)"
	vm_log "with apcminid-realtime.conf: pid $PID at SCHED_FIFO 70, sandbox in place"
	rm -r /etc/systemd/system/apcminid@.service.d
	show_state
	vm_pass "systemd started $u in ${plug_ms} ms, the unplug stopped it, the replug started it again; the real-time drop-in runs it at SCHED_FIFO 70"
fi

# ---- two controllers: two UDCs, two units ----

vm_gadget_remove_all
vm_wait_no_usb 5 || vm_fail "a USB device is still there"
rmmod dummy_hcd || vm_fail "cannot unload dummy_hcd for a second UDC"
modprobe dummy_hcd is_high_speed=0 num=2 || vm_fail "dummy_hcd num=2 did not load"
[ "$(ls /sys/class/udc | wc -l)" = 2 ] || vm_fail "no second UDC: $(ls /sys/class/udc)"

# Twins: the system's apcmini.conf (where this apcminid looks for it) names
# them by port: dummy_hcd.0's port 1 is 1-1, dummy_hcd.1's is 2-1.
if [ "$APC_MODEL" = twins ]; then
	twins_conf=$(apcminid --help | sed -n 's/^Configuration: \(.*\), then$/\1/p')
	[ -n "$twins_conf" ] || die "apcminid --help names no configuration file"
	mkdir -p "$(dirname "$twins_conf")"
	printf '[device "port:1-1"]\nclient-name = Left deck\n[device "port:2-1"]\nclient-name = Right deck\n' \
		>"$twins_conf"
	vm_plug mk2
	vm_plug_second
	vm_until 30 vm_has_user_client "Left deck" || die "no 'Left deck' client"
	vm_until 30 vm_has_user_client "Right deck" || die "no 'Right deck' client"
	[ "$(sdctl list-units --plain --no-legend --state=active 'apcminid@*' | wc -l)" = 2 ] ||
		die "not two active units"
	# Each replugged: its unit stops and starts again, with the same name.
	apcemu unplug >/dev/null
	vm_until 10 _no_client "Left deck" || die "'Left deck' stayed after its unplug"
	vm_has_user_client "Right deck" || die "'Right deck' went with the other"
	apcemu replug >/dev/null
	vm_until 30 vm_has_user_client "Left deck" || die "no 'Left deck' after its replug"
	apcemu unplug --gadget apcmini2 >/dev/null
	vm_until 10 _no_client "Right deck" || die "'Right deck' stayed after its unplug"
	vm_replug_second
	vm_until 30 vm_has_user_client "Right deck" || die "no 'Right deck' after its replug"
	show_state
	vm_pass "two identical mk2s, two units, named 'Left deck' and 'Right deck' by port, kept across a replug of each"
fi

mk1_name=$(apcemu info --model mk1 | sed -n "s/^apc_name='\(.*\)'$/\1/p")
mk2_name=$(apcemu info --model mk2 | sed -n "s/^apc_name='\(.*\)'$/\1/p")
# Their clients are named as the kernel names them: after the product string.
mk1_client=$(apcemu info --model mk1 | sed -n "s/^apc_usb_product='\(.*\)'$/\1/p")
mk2_client=$(apcemu info --model mk2 | sed -n "s/^apc_usb_product='\(.*\)'$/\1/p")
t0=$(vm_now)
vm_plug mk1
# apcemu binds to the first UDC; bind the mk2 gadget to the free one.
vm_plug_second
vm_until 30 vm_has_user_client "$mk1_client" || die "no '$mk1_name' client"
vm_until 30 vm_has_user_client "$mk2_client" || die "no '$mk2_name' client"
vm_log "both clients after $(vm_ms_since "$t0") ms"
units=$(sdctl list-units --plain --no-legend --state=active 'apcminid@*' | awk '{ print $1 }')
[ "$(echo "$units" | wc -l)" = 2 ] || die "not two active units: $units"
u1=$(echo "$units" | grep 'dummy_hcd\.0-') || die "no unit on the first UDC's bus: $units"
u2=$(echo "$units" | grep 'dummy_hcd\.1-') || die "no unit on the second UDC's bus: $units"
# Which controller went to which UDC is apcemu's choice.
c1=$mk1_client c2=$mk2_client
[ "$(sdctl show -P MainPID "$u1")" = "$(awk '/^NSpid:/ { print $NF }' \
	"/proc/$(vm_user_client "$mk1_client" | cut -d' ' -f2)/status")" ] || { c1=$mk2_client c2=$mk1_client; }
check_unit "$c1" "$u1"
pid1=$PID
check_unit "$c2" "$u2"
pid2=$PID
[ "$pid1" != "$pid2" ] || die "one process serves both controllers"
vm_log "'$c1' <- $u1 (pid $pid1); '$c2' <- $u2 (pid $pid2)"

# Unplugging one stops its unit only.
apcemu unplug --gadget apcmini2
vm_until 5 _no_client "$mk2_client" || die "client '$mk2_name' still there"
_one_unit() {
	[ "$(sdctl list-units --plain --no-legend --state=active 'apcminid@*' | wc -l)" = 1 ]
}
vm_until 10 _one_unit || die "the mk2's unit did not stop"
mk1_pid=$pid1
[ "$c1" = "$mk1_client" ] || mk1_pid=$pid2
kill -0 "$mk1_pid" 2>/dev/null || die "the mk1's driver stopped with the mk2's unplug"
vm_has_user_client "$mk1_client" || die "client '$mk1_name' went away with the mk2"
show_state
vm_pass "two controllers, two units; unplugging one stopped only its unit"
