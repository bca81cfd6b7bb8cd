#!/bin/sh
# fault-unplug-busy: the cable pulled in the middle of a flood both ways (300,000 LED events into apcminid, a 50,000-event burst out of the device): apcminid keeps its client, every LED event is applied or counted, and after the replug the device shows the last value sent per LED.
# models: mk1
# timeout: 150
set -eu
. "$APCVM_LIB"
vm_need apcemu apcminid seqflood aconnect udevadm
vm_model
n=300000

vm_udevd
vm_plug_kernel
vm_apcminid_start -v
pid=$VM_APCMINID
ours=$VM_CLIENT
fail() { vm_apcminid_fail "$@"; }
vm_until 5 grep -q 'confirmed by its identity reply' apcminid.log || fail "no identity reply"

seqflood send "$ours:0" "$n" >send.txt 2>&1 &
sender=$!
apcemu ctl -t 30000 burst 50000 >burst.txt 2>&1 &
burst=$!
sleep 0.5
# The cable, from outside the emulator (its socket is busy with the burst).
apcemu unplug
vm_until 10 grep -q 'unplugged; client' apcminid.log || fail "apcminid missed the unplug"
wait "$sender" || { cat send.txt; fail "the LED flood failed"; }
kill -0 "$pid" || fail "apcminid died"
apcemu replug
vm_until 10 grep -q "is back on client $ours " apcminid.log || fail "apcminid did not take the device back on client $ours"
# The burst's command ends one way or the other within its 30 s bound.
wait "$burst" || true
vm_log "LED flood: $(cat send.txt); burst: $(head -c 200 burst.txt)"

vm_grid_settle 10 || fail "the grid did not settle"
vm_flood_grid "$n" >expected.txt
vm_diff expected.txt grid.txt "the grid after the replug" || fail "the device does not show the last value per LED"
vm_apcminid_stats s || fail "no counters after SIGUSR1"
grep -A5 '): plugged 2 times' apcminid.log | sed 's/^/    /'
leds=$s_led_events
dropped=$s_out_dropped
[ $((leds + dropped)) = "$n" ] || fail "LED events $leds + dropped $dropped != $n sent"
kill -TERM "$pid"
wait "$pid" || fail "apcminid failed on exit"
vm_emu_stop
vm_pass "pulled mid-flood: client $ours kept, $leds LED events applied + $dropped dropped ($n sent), the last values shown after the replug"
