#!/bin/sh
# synth-aplaymidi: aplaymidi -p apcsynth plays the timing probe into apcsynth -o; on SIGTERM the WAV is finalised and holds every note, spaced as the file says (median error at most 3 ms).
# timeout: 120
#
# Needs a SoundFont in the guest: tests/vm/run --add /usr/share/sounds/sf2/TimGM6mb.sf2
# (or any file where apcsynth looks), or --share a directory holding one.
#
# Tolerance. aplaymidi only guarantees the spacing of the notes (the start
# is whenever it runs), so the reference is the median of every note's
# offset from its time in the file, not the first note: aplaymidi hands
# that one over inside the write that starts its queue, and on a loaded host
# the guest stalls there now and then (the kernel delivered it 2-9 ms late
# in such runs, apcsynth stamping it as delivered), which would move every
# other note's error by as much. Each onset sits
# on libfluidsynth's 64-frame grid, at most 32 frames from its stamp: the
# spacing of two notes is off by at most 63 frames, 1.3 ms at 48 kHz. The
# kernel's queue timer delivers every note but the first at its next tick
# (about 1 ms); aplaymidi sends the first due at once. So the median error
# must be within 3 ms: what apcsynth promises, with a little room. Single
# notes are not held to that: apcsynth stamps each note when the kernel
# delivers it, and a TCG guest on a loaded host now and then stalls long
# enough for its timer to fire late (8 ms and 157 ms seen, once per run at
# most). Each note must only be nearer its own time than its neighbours'
# (250 ms, half the probe's spacing). -L 2400 (50 ms) keeps apcsynth's own
# thread wake-ups out of the picture. A lost note, a clock off by 1 %
# (60 ms over the 6 s probe) or notes taken before the synth plays all fail.
set -eu
. "$APCVM_LIB"
vm_need apcsynth aplaymidi synth-wavcheck

tolerance_ms=250
median_ms=3
latency=2400

vm_soundfont
sf=$VM_SOUNDFONT
vm_log "SoundFont $sf"

synth-wavcheck -P probe.mid >times.txt
n=$(wc -l <times.txt)

# Float output of a dry synth: silence between notes is exact zeros, so the
# onset is the very first sample of each note.
apcsynth -v -o x.wav -O float -R 0 -C 0 -L $latency -s "$sf" >apcsynth.log 2>&1 &
pid=$!
fail() {
	kill "$pid" 2>/dev/null || true
	sed 's/^/    apcsynth: /' apcsynth.log
	vm_save apcsynth.log times.txt
	vm_fail "$@"
}
# Loading the SoundFont takes a few seconds under TCG; stop waiting if
# apcsynth gives up.
up_or_gone() {
	kill -0 "$pid" 2>/dev/null || return 0
	aconnect -l 2>/dev/null | grep -q "^client [0-9]*: 'apcsynth' "
}
if ! vm_until 60 up_or_gone || ! vm_wait_client apcsynth 1; then
	fail "no sequencer client 'apcsynth'"
fi
vm_log "apcsynth is client $VM_CLIENT"

t0=$(vm_now)
aplaymidi -p apcsynth probe.mid || fail "aplaymidi failed"
vm_log "aplaymidi played $n notes in $(awk -v a="$t0" -v b="$(vm_now)" 'BEGIN { printf "%.2f", b - a }') s"
sleep 0.5
kill -TERM "$pid"
wait "$pid" || fail "apcsynth exited with status $?"
sed 's/^/    apcsynth: /' apcsynth.log

rc=0
synth-wavcheck -e times.txt -t $tolerance_ms -m $median_ms x.wav >report.txt 2>&1 || rc=$?
{
	echo "apcsynth -o x.wav -O float -R 0 -C 0 -L $latency -s $sf; aplaymidi -p apcsynth probe.mid"
	echo "tolerance on the spacing (against the median offset): median $median_ms ms, each $tolerance_ms ms"
} >>report.txt
sed 's/^/    /' report.txt
vm_save x.wav report.txt apcsynth.log times.txt probe.mid
[ $rc = 0 ] || vm_fail "the WAV does not hold the probe's $n notes in time (see report.txt)"
vm_pass "$n notes, finalised WAV, $(sed -n 's/^spacing error |e|: //p' report.txt)"
