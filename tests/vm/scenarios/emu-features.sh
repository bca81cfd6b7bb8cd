#!/bin/sh
# emu-features: the emulator's own features over the kernel path: bursts (flat out and paced) with the send log, echo on every cable, rx log, scripts, SIGTERM.
# models: mk1 mk2
# timeout: 120
set -eu
. "$APCVM_LIB"
vm_need apcemu aseqdump amidi
vm_model

vm_plug
vm_emu_start --log "$APCVM_WORK/tx.log" --rx-log "$APCVM_WORK/rx.log"
vm_wait_kernel_client 10 || vm_fail "no kernel client"
card=$(vm_usb_card)

# 1. A flat-out burst, read raw on the host side (snd-usb-audio's rawmidi,
# whose 4 KiB buffer holds it all): the bytes arrive exactly as logged, one
# log line per event with rising stamps.
n=1000
midi=/proc/asound/card$card/midi0
amidi -p "hw:$card,0,0" -r raw.bin -t 3 &
rd=$!
vm_until 5 grep -q 'Owner PID' "$midi" || vm_fail "amidi did not open hw:$card,0,0"
vm_emu burst $n
wait $rd || true
vm_emu log off
awk -v n=$n 'NF != 5 || $2 < last { bad = 1 } { last = $2; c++ }
	END { exit bad || c != n }' tx.log || vm_fail "the send log is not $n rising stamps"
head -n2 tx.log | sed 's/^/    tx.log: /'
awk '{ print $3, $4, $5 }' tx.log >sent.txt
od -An -v -tx1 raw.bin | tr -s ' \n' '\n\n' | grep . | paste -d' ' - - - >received.txt
vm_diff sent.txt received.txt "burst bytes" || vm_fail "burst: $(wc -l <received.txt) of $n events arrived intact"

# 2. Paced: 200 events at 1000/s take at least 199 ms, and all of them reach
# a sequencer client through snd-usb-audio.
aseqdump -p "$VM_CLIENT:0" >dump.txt 2>&1 &
dump=$!
vm_wait_connected "$VM_CLIENT" || vm_fail "aseqdump did not subscribe"
out=$(vm_emu burst 200 1000)
vm_log "$out"
secs=$(echo "$out" | sed -n 's/.* in \([0-9.]*\) s.*/\1/p')
awk -v s="$secs" 'BEGIN { exit !(s >= 0.199 && s < 5) }' || vm_fail "paced burst took $secs s"
got_all() {
	[ "$(grep -c 'Note o' dump.txt)" -ge 200 ]
}
vm_until 10 got_all || true
kill $dump
wait $dump 2>/dev/null || true
got=$(grep -c 'Note o' dump.txt || true)
[ "$got" = 200 ] || vm_fail "paced burst: $got of 200 events reached aseqdump"

# 3. Echo, on every cable of the model: what the host sends comes back.
vm_emu echo on
c=0
while [ $c -lt "$apc_cables" ]; do
	back=$(amidi -p "hw:$card,0,$c" -S "B0 10 $c" -d -t 1 2>/dev/null | tr -d ' \n\r' | tr a-f A-F)
	[ "$back" = "B0100$c" ] || vm_fail "cable $c echoed '$back'"
	c=$((c + 1))
done
vm_emu echo off
vm_emu rxlog off
grep -q ' b0 10 00$' rx.log || vm_fail "the rx log missed the message"
vm_emu stats

# 4. SIGTERM: a clean exit with the counters.
kill -TERM "$VM_EMU_PID"
wait "$VM_EMU_PID" || vm_fail "apcemu exited $? on SIGTERM"
VM_EMU_PID=
grep -q '^apcemu: exit' "$VM_EMU_OUT" || vm_fail "no exit report"

# 5. A script file, then quit: the pad reaches the sequencer.
printf 'press pad 42\nrelease pad 42\nmark script done\nquit\n' >script.txt
aseqdump -p "$VM_CLIENT:0" >dump2.txt 2>&1 &
dump=$!
vm_wait_connected "$VM_CLIENT" || vm_fail "aseqdump did not subscribe"
apcemu run --script script.txt >script.out 2>&1 </dev/null || vm_fail "script run failed"
grep -q '^script done' script.out || vm_fail "script output: $(cat script.out)"
vm_until 5 grep -q 'note 42, velocity 127' dump2.txt || vm_fail "the scripted press did not arrive"
kill $dump
vm_save tx.log rx.log dump.txt
vm_pass "burst $n exact, paced ${secs}s, echo on $apc_cables cable(s), script, SIGTERM"
