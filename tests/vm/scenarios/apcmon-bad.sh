#!/bin/sh
# apcmon-bad: apcmon with no APC mini, a client that is none, or no such client says so and exits 1 (usage errors 2); apcvirt reports malformed commands on stderr and keeps running.
# timeout: 60
set -eu
. "$APCVM_LIB"
vm_need apcmon apcvirt aseqdump
APC_MODEL=mk1
vm_model

expect() { # STATUS TEXT apcmon ARGS...
	st=$1 text=$2
	shift 2
	set +e
	"$@" >out.txt 2>err.txt
	got=$?
	set -e
	cat err.txt
	[ "$got" = "$st" ] || vm_fail "$*: exit $got, not $st"
	grep -q "$text" err.txt || vm_fail "$*: no '$text' on stderr"
}
expect 1 'no APC mini found' apcmon --once
expect 1 'no sequencer client' apcmon --once -p 'Nobody here'
aseqdump >/dev/null 2>&1 &
dump=$!
vm_wait_client aseqdump 5 || vm_fail "aseqdump did not start"
expect 1 'is not an APC mini' apcmon --once aseqdump
kill "$dump"
expect 2 'unrecognized option' apcmon --bogus
expect 2 'one client at most' apcmon a b
apcmon --help | grep -q '^Usage: apcmon' || vm_fail "--help"

# apcvirt: commands on stdin; bad ones get a message and change nothing.
mkfifo cmds
apcvirt <cmds >virt.out 2>virt.err &
virt=$!
exec 3>cmds
vm_wait_client "$apc_name" 5 || vm_fail "apcvirt did not start"
printf 'jump\npress pad 64\nfader 9 1\nsend zz\n' >&3
printf 'press pad 1\nmark still here\n' >&3
vm_until 3 grep -q 'still here' virt.out || { cat virt.out virt.err; vm_fail "apcvirt stopped reading"; }
cat virt.err
for m in "stdin:1: unknown command 'jump'" 'stdin:2: pad needs a number 0-63' \
	'stdin:3: fader is 0-8 or master' "stdin:4: not hex: 'zz'"; do
	grep -qF "apcvirt: $m" virt.err || vm_fail "no message '$m'"
done
kill -0 "$virt" || vm_fail "apcvirt died"
echo quit >&3
exec 3>&-
wait "$virt" || vm_fail "apcvirt failed on exit"
grep -q 'controls=1 ' virt.out || { cat virt.out; vm_fail "apcvirt's counters"; }
vm_pass "no device, not a device, no client, usage; apcvirt survives bad commands"
