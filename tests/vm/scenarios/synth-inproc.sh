#!/bin/sh
# synth-inproc: apcminid --synth plays every pad press on a real ALSA audio device (snd-aloop), while aseqdump on the controller's port still sees every press; the synth's own client plays too; an unplug and replug keep both working.
# models: mk1 mk2
# timeout: 240
set -eu
. "$APCVM_LIB"
vm_need apcemu apcminid aconnect aseqdump aplaymidi arecord synth-wavcheck udevadm
vm_soundfont
sf=$VM_SOUNDFONT
vm_model
vm_loopback

# libusb learns about hotplug from udev: run the daemon (no rules needed),
# stopped at the end and on a failure.
/lib/systemd/systemd-udevd --daemon 2>/dev/null || vm_fail "cannot start systemd-udevd"
stop_udevd() {
	udevadm control --exit 2>/dev/null || true
}

vm_plug_kernel
# Effects off, as in synth-pad: a reverb tail would join the notes into one.
vm_apcminid_start -v --synth="$sf" --audio-device=hw:Loopback,0,0 --period-size=64 --periods=2 \
	--reverb=0 --chorus=0
ours=$VM_CLIENT
fail() {
	stop_udevd
	vm_loopback_stop
	vm_apcminid_fail "$@"
}
vm_until 5 grep -q 'confirmed by its identity reply' apcminid.log || fail "no identity reply"
grep -q "synth: client [0-9]* 'apcminid synth', alsa" apcminid.log || fail "no synth line in the log"
aconnect -l | grep -q "^client [0-9]*: 'apcminid synth'" || fail "no client 'apcminid synth'"

aseqdump -p "$apc_name:0" >dump.txt 2>&1 &
dump=$!
vm_wait_connected "$ours" || fail "aseqdump did not subscribe to $apc_name:0"

# record SECONDS FILE: what apcminid plays, from the loopback's capture side
# (the format FluidSynth's alsa driver opened the playback side with).
record() {
	arecord -q -D hw:Loopback,1,0 -f S16_LE -r 48000 -c 2 -d "$1" -t wav "$2" &
	rec=$!
	# Capturing before the first press (arecord takes a while to start
	# under TCG).
	vm_until 5 grep -q RUNNING /proc/asound/Loopback/pcm1c/sub0/status ||
		fail "arecord did not start capturing"
	sleep 0.2
}

# play PADS...: press and release each, spaced so the notes stand apart;
# the emulator logs the time of each press.
play() {
	vm_emu log "$APCVM_WORK/tx.log" >/dev/null
	for p in "$@"; do
		vm_emu press pad "$p" >/dev/null
		sleep 0.3
		vm_emu release pad "$p" >/dev/null
		sleep 1.0
	done
	vm_emu log off >/dev/null
	awk '{ s = tolower($3); if (substr(s, 1, 1) == "9" && $5 != "00") printf "%.9f\n", $2 / 1e9 }' \
		tx.log >presses.txt
}

# check WAV N: one onset per press (the level is above the 16-bit output's
# dither), their spacing against the presses' reported. Not judged: under
# TCG the hrtimer that clocks the loopback loses ticks, so sample positions
# run up to 5 % slow against CLOCK_MONOTONIC (seen here); bench-sound times
# each captured frame with the PCM's own stamps and matches onsets to
# presses.
check() {
	wait "$rec" || fail "arecord failed"
	[ "$(wc -l <presses.txt)" = "$2" ] || fail "the emulator logged $(wc -l <presses.txt) presses, not $2"
	synth-wavcheck -l 0.001 -n "$2" -e presses.txt -p 0.01 "$1" >report.txt 2>&1 ||
		{ cat report.txt; vm_save "$1" report.txt tx.log; fail "the sound of $1 is not as pressed"; }
	sed 's/^/    /' report.txt
}

record 9 before.wav
play 48 52 55 60 63
check before.wav 5
got=$(grep -c 'Note on .*velocity 127' dump.txt || true)
[ "$got" = 5 ] || { cat dump.txt; fail "aseqdump saw $got presses, not 5"; }

# Others play the in-process synth through its own client.
printf '0 90 48 64\n96 80 48 00\n' | vm_smf one.mid
record 3 client.wav
aplaymidi -p 'apcminid synth:0' one.mid || fail "aplaymidi to 'apcminid synth:0' failed"
wait "$rec" || fail "arecord failed"
synth-wavcheck -l 0.001 -n 1 -p 0.01 client.wav >report.txt 2>&1 || { cat report.txt; fail "the synth client did not sound"; }

# Unplug and replug: the client and its subscriber stay, the synth plays on.
vm_emu unplug
vm_until 10 grep -q 'unplugged; client' apcminid.log || fail "apcminid missed the unplug"
vm_emu replug
vm_until 10 sh -c "grep -c 'is back on client $ours' apcminid.log | grep -q 1" ||
	fail "apcminid did not take the device back on client $ours"
record 6 after.wav
play 55 60 63
check after.wav 3
got=$(grep -c 'Note on .*velocity 127' dump.txt || true)
[ "$got" = 8 ] || { cat dump.txt; fail "aseqdump saw $got presses in all, not 8"; }
kill "$dump" 2>/dev/null || true

kill -TERM "$VM_APCMINID"
wait "$VM_APCMINID" || fail "apcminid failed on exit"
grep 'synth:' apcminid.log | tail -n1 | sed 's/^/    /'
vm_wait_kernel_client 10 || fail "the kernel client did not come back"
vm_emu_stop
vm_loopback_stop
stop_udevd
vm_pass "8 presses, 8 onsets from the in-process synth on the loopback card, all 8 seen by aseqdump; its client played; replug kept both"
