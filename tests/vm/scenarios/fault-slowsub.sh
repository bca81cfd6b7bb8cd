#!/bin/sh
# fault-slowsub: a subscriber that never reads (aseqdump stopped) does not hold apcminid up: a reading subscriber gets every one of a 20,000-event burst, the sleeper's refusals are counted, and the sleeper, woken, still gets new events.
# models: mk1
# timeout: 120
set -eu
. "$APCVM_LIB"
vm_need apcemu apcminid aseqdump seqflood
vm_model
vm_plug_kernel
vm_apcminid_start -v
pid=$VM_APCMINID
ours=$VM_CLIENT
fail() { vm_apcminid_fail "$@"; }
n=20000

aseqdump -p "$ours:0" >sleeper.txt 2>&1 &
sleeper=$!
vm_wait_connected "$ours" || fail "aseqdump did not subscribe"
kill -STOP "$sleeper"
seqflood count "$ours:0" 4000 >count.txt 2>&1 &
counter=$!
vm_until 5 grep -q subscribed count.txt || fail "seqflood did not subscribe"

vm_apcminid_stats a || fail "no counters"
r0=$a_refused
vm_emu stats reset >/dev/null
apcemu ctl -t 30000 burst "$n" >burst.txt || fail "the burst failed"
wait "$counter" || fail "seqflood count failed"
vm_apcminid_stats b || fail "no counters"
r1=$b_refused
got=$(sed -n 's/^seqflood: received \([0-9]*\) .*/\1/p' count.txt)
vm_log "$(cat burst.txt); apcminid decoded $((b_in_messages - a_in_messages)), delivered $((b_in_events - a_in_events)); reader: $(tail -n1 count.txt); refused by the sleeper: $((r1 - r0))"
grep -q ', 0 repeats' count.txt || fail "the reading subscriber got an event twice"
[ "$got" = "$n" ] || fail "the reading subscriber got $got of $n"
grep -q ', 0 overruns' count.txt || fail "the reading subscriber overran"
[ $((r1 - r0)) -gt 0 ] || fail "no refusal counted: the sleeper did not fill up"
kill -0 "$pid" || fail "apcminid exited"

# Woken, the sleeper reads again (its FIFO was thrown away by the kernel
# at the overrun) and gets what comes next.
kill -CONT "$sleeper"
sleep 1
vm_emu tap pad 42 >/dev/null
vm_until 5 grep -q 'note 42, velocity 127' sleeper.txt || fail "the woken subscriber got no new event"
kill "$sleeper" 2>/dev/null || true
kill -TERM "$pid"
wait "$pid" || fail "apcminid failed on exit"
vm_emu_stop
vm_pass "reader got $got/$n while a stopped subscriber refused $((r1 - r0)) (counted); the sleeper, woken, got the next press"
