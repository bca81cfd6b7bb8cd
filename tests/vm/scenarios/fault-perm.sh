#!/bin/sh
# fault-perm: an apcminid that may not open the controller's USB node (an unprivileged user, no udev rule applied) says so, naming 70-apcmini.rules, uaccess and the audio group, and leaves the device to snd-usb-audio.
# models: mk1
# timeout: 90
set -eu
. "$APCVM_LIB"
vm_need apcemu apcminid aconnect start-stop-daemon
vm_model

# An ordinary user who may use the sequencer but is not in the audio group,
# and a node as the kernel makes it without udev; all put back at the end
# (later scenarios make their own users).
cp /etc/passwd /etc/group "$APCVM_WORK/"
seqmode=$(stat -c %a /dev/snd/seq)
trap 'cp "$APCVM_WORK/passwd" "$APCVM_WORK/group" /etc/; chmod "$seqmode" /dev/snd/seq' EXIT
echo 'apcperm:x:61235:61235:apcperm:/:/bin/false' >>/etc/passwd
echo 'apcperm:x:61235:' >>/etc/group
chmod 666 /dev/snd/seq
vm_plug_kernel
node=$(ls /dev/bus/usb/001/* | sort | tail -n1)
chown root:root "$node"
chmod 0644 "$node"
vm_log "node $node: $(ls -l "$node" | cut -c1-10)"

log=$APCVM_WORK/apcminid.log
: >"$log"
chown apcperm "$log"
APCMINID_LOG_LEVEL=info start-stop-daemon -S -b -m -p "$APCVM_WORK/apcminid.pid" -c apcperm \
	-x /bin/sh -- -c 'exec "$0" >>"$1" 2>&1' "$(command -v apcminid)" "$log"
pid=$(cat "$APCVM_WORK/apcminid.pid")
die() {
	kill "$pid" 2>/dev/null || true
	sed 's/^/    apcminid: /' "$log"
	vm_fail "$*"
}
vm_until 15 grep -q '70-apcmini.rules' "$log" || die "no word of the udev rule"
grep -q 'Permission denied' "$log" || die "the error does not say permission denied"
grep -q 'audio group' "$log" || die "the message does not name the audio group"
grep -q 'uaccess' "$log" || die "the message does not name uaccess"
sed 's/^/    apcminid: /' "$log"
vm_wait_kernel_client 2 || die "snd-usb-audio lost the device"
state=running
kill -0 "$pid" 2>/dev/null || state=exited
kill "$pid" 2>/dev/null || true
vm_emu_stop
vm_pass "permission denied named 70-apcmini.rules, uaccess and the audio group; snd-usb-audio kept the device; apcminid $state"
