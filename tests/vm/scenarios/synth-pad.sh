#!/bin/sh
# synth-pad: pads pressed on the emulated APC mini sound through apcminid and apcsynth (aconnect 'APC mini:0' apcsynth:0): one onset per press in apcsynth's WAV, not silent.
# models: mk1 mk2
# timeout: 150
#
# Needs a SoundFont in the guest, as synth-aplaymidi does. The spacing of
# the onsets against the emulator's press stamps is reported, not judged:
# it includes USB polling and two user-space hops besides the synth.
set -eu
. "$APCVM_LIB"
vm_need apcemu apcminid apcsynth aconnect synth-wavcheck

vm_soundfont
sf=$VM_SOUNDFONT
vm_model

vm_plug_kernel
spid=
fail() {
	[ -z "$spid" ] || kill "$spid" 2>/dev/null || true
	if [ -f apcsynth.log ]; then
		sed 's/^/    apcsynth: /' apcsynth.log
		vm_save apcsynth.log
	fi
	vm_apcminid_fail "$@"
}
vm_apcminid_start -v
dpid=$VM_APCMINID
vm_until 5 grep -q 'confirmed by its identity reply' apcminid.log || fail "no identity reply"

# Dry float output: exact silence between the notes (see synth-aplaymidi).
apcsynth -v -o synth.wav -O float -R 0 -C 0 -L 2400 -s "$sf" >apcsynth.log 2>&1 &
spid=$!
up_or_gone() {
	kill -0 "$spid" 2>/dev/null || return 0
	aconnect -l 2>/dev/null | grep -q "^client [0-9]*: 'apcsynth' "
}
if ! vm_until 60 up_or_gone || ! vm_wait_client apcsynth 1; then
	fail "no sequencer client 'apcsynth'"
fi
aconnect "$apc_name:0" apcsynth:0 || fail "aconnect '$apc_name:0' apcsynth:0 failed"

# Pads in the piano's middle register (channel 0, program 0); each note
# held 0.3 s, then 1.2 s for its release to die away into exact silence.
pads="48 52 55 60 63"
vm_emu log "$APCVM_WORK/tx.log" >/dev/null
for p in $pads; do
	vm_emu press pad "$p" >/dev/null
	sleep 0.3
	vm_emu release pad "$p" >/dev/null
	sleep 1.2
done
vm_emu log off >/dev/null
kill -TERM "$spid"
wait "$spid" || fail "apcsynth exited with status $?"
spid=
sed 's/^/    apcsynth: /' apcsynth.log

# The presses as the emulator stamped them (CLOCK_MONOTONIC ns), in s.
awk '{
	s = tolower($3)
	if (substr(s, 1, 1) == "9" && $5 != "00") printf "%.9f\n", $2 / 1e9
}' tx.log >presses.txt
n=$(wc -l <presses.txt)
# shellcheck disable=SC2086 # the pads are words
set -- $pads
[ "$n" = $# ] || fail "the emulator logged $n presses, not $#"

rc=0
synth-wavcheck -e presses.txt -p 0.01 synth.wav >report.txt 2>&1 || rc=$?
echo "pads $pads on $APC_MODEL; err ms: onset spacing minus press spacing (not judged)" >>report.txt
sed 's/^/    /' report.txt
kill -TERM "$dpid"
wait "$dpid" || fail "apcminid failed on exit"
vm_emu_stop
vm_save synth.wav report.txt apcsynth.log apcminid.log tx.log
[ $rc = 0 ] || vm_fail "the WAV does not hold $n notes, or is silent"
peak=$(sed -n 's/.*peak \([0-9.]*\),.*/\1/p' report.txt)
vm_pass "$n presses, $n onsets in apcsynth's WAV, peak $peak"
