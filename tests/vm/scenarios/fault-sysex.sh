#!/bin/sh
# fault-sysex: a 64 KiB sysex sent to apcminid's LED port, from a MIDI file (aplaymidi: pieces of up to a second's wire bytes) and from a raw MIDI port (amidi through snd-virmidi: 256-byte pieces): apcminid neither crashes nor hangs, every event it read is passed to the device or counted as dropped, and LEDs and presses work afterwards.
# models: mk1
# timeout: 120
set -eu
. "$APCVM_LIB"
vm_need apcemu apcminid aplaymidi amidi aconnect aseqdump
vm_model
vm_plug_kernel
vm_apcminid_start -v
pid=$VM_APCMINID
ours=$VM_CLIENT
fail() { vm_apcminid_fail "$@"; }
vm_until 5 grep -q 'confirmed by its identity reply' apcminid.log || fail "no identity reply"

counters() {
	vm_apcminid_stats "$1" || fail "no counters after SIGUSR1"
}

# 65,536 bytes: F0, 65,534 data bytes (00 to 7F over and over), F7; and
# the same as a MIDI file's one event (length 65,535 = VLQ 83 FF 7F).
awk 'BEGIN { for (i = 0; i < 128; i++) printf "%02x", i; print "" }' | xxd -r -p >data.bin
for i in 1 2 3 4 5 6 7 8 9; do cat data.bin data.bin >data2.bin && mv data2.bin data.bin; done
{ printf '\360'; head -c 65534 data.bin; printf '\367'; } >big.syx
{
	printf 'MThd\0\0\0\6\0\0\0\1\0\140MTrk\0\1\0\10\0\360\203\377\177'
	tail -c +2 big.syx
	printf '\0\377\57\0'
} >big.mid
[ "$(wc -c <big.syx)" = 65536 ] || vm_fail "the sysex file is not 64 KiB"

# still_works PAD VELOCITY TOKEN: a press of PAD reaches a subscriber and
# an LED message shows (TOKEN in the grid, the only one of its kind).
still_works() {
	kill -0 "$pid" || fail "apcminid died"
	aseqdump -p "$ours:0" >dump.txt 2>&1 &
	d=$!
	vm_wait_connected "$ours" || fail "aseqdump did not subscribe"
	vm_emu tap pad "$1" >/dev/null
	vm_until 5 grep -q "note $1, velocity 127" dump.txt || fail "a press after the sysex did not arrive"
	kill "$d"
	wait "$d" 2>/dev/null || true
	printf '0 90 %02x %02x\n' "$1" "$2" | vm_smf one.mid
	aplaymidi -p "$ours:0" one.mid || fail "aplaymidi of one LED failed"
	vm_until 5 sh -c "apcemu ctl grid | grep -q ' $3'" || fail "an LED after the sysex did not show"
}

# Through aplaymidi (one SMF event of 64 KiB).
vm_emu stats reset >/dev/null
counters a
rc=0
timeout 60 aplaymidi -p "$ours:0" big.mid >aplay.txt 2>&1 || rc=$?
sleep 1
counters b
vm_log "64 KiB through aplaymidi: status $rc $(head -c 200 aplay.txt); apcminid read $((b_seq_events - a_seq_events - 2)) pieces: $((b_ordered - a_ordered)) passed on, $((b_out_dropped - a_out_dropped)) dropped, $((b_overruns - a_overruns)) input overruns; device: $(apcemu ctl stats | sed -n 1p)"
[ "$rc" -lt 124 ] || fail "aplaymidi hung or crashed ($rc)"
# aplaymidi hands a long sysex over in pieces of a second's worth of MIDI
# wire bytes; besides them apcminid reads the notices of aplaymidi's
# subscription coming and going (no MIDI, not counted): exactly two.
[ $((b_seq_events - a_seq_events - (b_led_events - a_led_events))) = $((b_ordered - a_ordered + b_out_dropped - a_out_dropped + b_joined - a_joined + 2)) ] ||
	fail "events read that were neither passed on, joined nor counted as dropped"
still_works 20 1 G

# The same bytes as a raw MIDI port sends them: in pieces.
modprobe snd-virmidi midi_devs=1 || vm_skip "no snd-virmidi"
trap 'rmmod snd_virmidi snd_seq_virmidi 2>/dev/null || true' EXIT
vcard=
vm_until 5 sh -c 'grep -q VirMIDI /proc/asound/cards' || fail "snd-virmidi made no card"
vcard=$(sed -n 's/^ *\([0-9]*\) \[VirMIDI.*/\1/p' /proc/asound/cards | head -n1)
vclient=
vm_until 5 sh -c "aconnect -l | grep -q 'card=$vcard\]'" || fail "no sequencer client for VirMIDI"
vclient=$(vm_card_client "$vcard")
aconnect "$vclient:0" "$ours:0" || fail "cannot connect VirMIDI to apcminid"
vm_emu stats reset >/dev/null
counters c
timeout 30 amidi -p "hw:$vcard,0" -s big.syx || fail "amidi failed or hung"
sleep 2
counters d
dev=$(apcemu ctl stats | sed -n 1p)
pieces=$((d_seq_events - c_seq_events - (d_led_events - c_led_events)))
vm_log "64 KiB in pieces: apcminid read $pieces events: $((d_ordered - c_ordered)) passed on, $((d_out_dropped - c_out_dropped)) dropped, $((d_overruns - c_overruns)) input overruns; device: $dev"
[ "$pieces" = $((d_ordered - c_ordered + d_out_dropped - c_out_dropped + d_joined - c_joined)) ] ||
	fail "pieces read that were neither passed on, joined nor counted as dropped"
aconnect -d "$vclient:0" "$ours:0" || true
still_works 21 3 R
echo "aplaymidi: pieces=$((b_seq_events - a_seq_events - 2)) passed=$((b_ordered - a_ordered)) dropped=$((b_out_dropped - a_out_dropped)) overruns=$((b_overruns - a_overruns))" >sysex.txt
echo "pieces: read=$pieces passed=$((d_ordered - c_ordered)) dropped=$((d_out_dropped - c_out_dropped)) overruns=$((d_overruns - c_overruns)) device: $dev" >>sysex.txt
vm_save sysex.txt
kill -TERM "$pid"
wait "$pid" || fail "apcminid failed on exit"
vm_emu_stop
vm_pass "64 KiB sysex: $(tr '\n' ';' <sysex.txt) apcminid alive, LEDs and presses work"
