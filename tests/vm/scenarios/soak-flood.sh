#!/bin/sh
# soak-flood: a flood of input events (the emulator's flat-out burst) and one of LED events (straight to apcminid's port 0) through one apcminid: RSS flat, and for each, sent = received + counted drops exactly; the device's final grid is the last value sent per LED.
# models: mk1
# timeout: 900
#
# On demand, 10,000,000 events each way: a file soak-long in the directory
# given to tests/vm/run --share (the limit above is for that).
#
# Input: "sent" is the emulator's count of controls sent, "received" what a
# subscriber (seqflood count) got; apcminid's own counters sit between:
# every message decoded is an event delivered or dropped (in), and every
# event delivered reaches the subscriber or is refused by its full FIFO
# (counted). A subscriber overrun would lose its FIFO uncounted: none may
# happen for the count to be exact.
# LEDs: "sent" is what seqflood handed the sequencer (it never overfills
# apcminid's input pool, so the kernel refuses none), "received" every
# event apcminid read: applied to the LED state (LED events) or counted as
# dropped. LED changes coalesce by design, so the device sees only what
# the OUT queue sent (LED packets, equal to the emulator's rx leds) and its
# final grid must be the last value sent for each pad.
set -eu
. "$APCVM_LIB"
vm_need apcemu apcminid seqflood
vm_model

events=1000000
[ -f /share/soak-long ] && events=10000000

vm_plug_kernel
vm_apcminid_start -v
pid=$VM_APCMINID
ours=$VM_CLIENT
fail() {
	[ -z "${sampler:-}" ] || kill "$sampler" 2>/dev/null || true
	vm_apcminid_fail "$@"
}
vm_until 5 grep -q 'confirmed by its identity reply' apcminid.log || fail "no identity reply"

stats() {
	vm_apcminid_stats "$1" || fail "no counters after SIGUSR1"
}

rss() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"
}
# RSS once a second for the whole run, in kB.
(while kill -0 "$pid" 2>/dev/null; do rss; sleep 1; done) >rss.txt &
sampler=$!

# ---- input ----
seqflood count "$apc_name:0" 4000 >count.txt 2>&1 &
counter=$!
vm_until 5 grep -q subscribed count.txt || fail "seqflood did not subscribe"
vm_emu stats reset >/dev/null
stats a
rss_in0=$(rss)
t0=$(vm_now)
# Bounded: at least 5,000 events/s (about 49,000 under TCG).
apcemu ctl -t $((events / 5 + 30000)) burst "$events" >burst.txt || fail "the burst failed or took too long"
wait "$counter" || { cat count.txt; fail "seqflood count failed"; }
stats b
rss_in1=$(rss)
sent=$(apcemu ctl stats | sed -n 's/^tx .* controls=\([0-9]*\).*/\1/p')
got=$(sed -n 's/^seqflood: received \([0-9]*\) .*/\1/p' count.txt)
overruns=$(sed -n 's/.*, \([0-9]*\) overruns$/\1/p' count.txt)
msgs=$((b_in_messages - a_in_messages))
ev=$((b_in_events - a_in_events))
dropped=$((b_in_dropped - a_in_dropped))
refused=$((b_refused - a_refused))
vm_log "input flood: $(cat burst.txt)"
vm_log "input flood: sent $sent, apcminid decoded $msgs: $ev delivered + $dropped dropped; subscriber received $got + $refused refused (counted), $overruns subscriber overruns; RSS $rss_in0 -> $rss_in1 kB"
echo "input sent=$sent decoded=$msgs delivered=$ev dropped=$dropped received=$got refused=$refused overruns=$overruns rss_kb=$rss_in0,$rss_in1 secs=$(vm_ms_since "$t0")ms" >>flood.txt
[ "$sent" = "$events" ] || fail "the emulator sent $sent of $events"
[ "$msgs" = "$sent" ] || fail "apcminid decoded $msgs of $sent messages"
[ $((ev + dropped)) = "$msgs" ] || fail "delivered + dropped ($ev + $dropped) != decoded $msgs"
[ "$overruns" = 0 ] || fail "the subscriber overran $overruns times: its lost FIFO is not counted"
grep -q ', 0 repeats' count.txt || fail "the subscriber got an event twice"
[ $((got + refused)) = "$ev" ] || fail "received + refused ($got + $refused) != delivered $ev"

# ---- LEDs ----
vm_emu stats reset >/dev/null
stats c
rss_led0=$(rss)
t0=$(vm_now)
seqflood send "$ours:0" "$events" >send.txt || { cat send.txt; fail "seqflood send failed"; }
_read_all() {
	stats d
	[ $((d_led_events + d_out_dropped - c_led_events - c_out_dropped)) -ge "$events" ]
}
vm_until 60 _read_all || fail "apcminid did not read all $events LED events"
# Then the device has what the OUT queue sent once nothing changes any more.
vm_grid_settle 10 || fail "the grid did not settle"
stats d
rss_led1=$(rss)
rxleds=$(apcemu ctl stats | sed -n 's/^rx .* leds=\([0-9]*\).*/\1/p')
seqev=$((d_seq_events - c_seq_events))
leds=$((d_led_events - c_led_events))
ldropped=$((d_out_dropped - c_out_dropped))
packets=$((d_led_packets - c_led_packets))
ovr=$((d_overruns - c_overruns))
vm_log "LED flood: $(cat send.txt)"
vm_log "LED flood: sent $events, apcminid read $seqev: $leds applied to the LED state + $ldropped dropped, $ovr overruns; $packets LED packets sent, device applied $rxleds; RSS $rss_led0 -> $rss_led1 kB"
echo "leds sent=$events read=$seqev applied=$leds dropped=$ldropped overruns=$ovr packets=$packets device=$rxleds rss_kb=$rss_led0,$rss_led1 secs=$(vm_ms_since "$t0")ms" >>flood.txt
[ "$ovr" = 0 ] || fail "apcminid's input overran: events lost uncounted"
[ "$seqev" = "$events" ] || fail "apcminid read $seqev sequencer events, not $events"
[ $((leds + ldropped)) = "$events" ] || fail "applied + dropped ($leds + $ldropped) != sent $events"
[ "$packets" = "$rxleds" ] || fail "apcminid sent $packets LED packets, the device applied $rxleds"

vm_flood_grid "$events" >expected.txt
vm_diff expected.txt grid.txt "the grid after the LED flood" || fail "the device does not show the last value per LED"

kill "$sampler" 2>/dev/null || true
sampler=
# RSS flat: the largest sample within 5 % of the one before the first flood.
max=$(sort -n rss.txt | tail -n1)
awk -v a="$rss_in0" -v m="$max" 'BEGIN { exit !(m <= a * 1.05) }' ||
	fail "RSS grew from $rss_in0 to $max kB during the floods"
vm_log "RSS: $rss_in0 kB before, at most $max kB over $(wc -l <rss.txt) samples"
echo "rss before=$rss_in0 max=$max samples=$(wc -l <rss.txt)" >>flood.txt
cat flood.txt
vm_save flood.txt rss.txt
kill -TERM "$pid"
wait "$pid" || fail "apcminid failed on exit"
vm_emu_stop
vm_pass "input: $sent sent = $got received + $refused refused; LEDs: $events sent = $leds applied + $ldropped dropped; grid = last values; RSS $rss_in0 -> max $max kB"
