#!/bin/sh
# synth-bench: synth-bench with its sequencer part for real: the timing probe played by aplaymidi into apcsynth -o and into fluidsynth's file driver (-m alsa_seq), onset errors against the file's schedule; figures only.
# timeout: 400
#
# Needs synth-bench, fluidsynth and a SoundFont in the guest. synth-bench
# is taken from PATH or from the shared directory (--share DIR holding a
# copy of BUILDDIR/bench/synth-bench; its libraries are apcsynth's);
# tests/vm/run --add /usr/bin/fluidsynth --add /usr/share/sounds/sf2/TimGM6mb.sf2
# brings the others. Offline figures are taken under TCG and only compare
# the two synths with each other; the table's sequencer rows are the point.
set -eu
. "$APCVM_LIB"
if ! command -v synth-bench >/dev/null 2>&1 && [ -x /share/synth-bench ]; then
	PATH=$PATH:/share
fi
vm_need synth-bench apcsynth fluidsynth aplaymidi synth-wavcheck

vm_soundfont
sf=$VM_SOUNDFONT
[ -e /dev/snd/seq ] || vm_fail "no /dev/snd/seq in the guest"

# Short offline part (2 s, one run): the sequencer part is what needs the
# guest. -L 2400: one more apcsynth run with 50 ms latency besides its
# default one period.
rc=0
TMPDIR=$APCVM_WORK synth-bench -A "$(command -v apcsynth)" -f "$(command -v fluidsynth)" \
	-s "$sf" -d 2 -n 1 -L 2400 >table.txt 2>stderr.txt || rc=$?
cat table.txt
sed 's/^/stderr: /' stderr.txt
vm_save table.txt stderr.txt
for f in "$APCVM_WORK"/synth-bench.*/seq-*; do
	if [ -f "$f" ]; then vm_save "$f"; fi
done
[ $rc = 0 ] || vm_fail "synth-bench exited with status $rc"
grep -q '^skipped: no sequencer' table.txt && vm_fail "synth-bench found no sequencer"
# Every sequencer row must have figures: '-' means that run failed.
rows=$(sed -n '/^Sequencer/,$p' table.txt | grep -c '^| \(apcsynth\|fluidsynth\)' || true)
bad=$(sed -n '/^Sequencer/,$p' table.txt | grep -c '^| \(apcsynth\|fluidsynth\).*|        - |' || true)
[ "$rows" -ge 3 ] || vm_fail "synth-bench printed $rows sequencer rows, want 3"
[ "$bad" = 0 ] || vm_fail "$bad sequencer run(s) gave no figures (see stderr.txt)"
vm_pass "sequencer timing table for apcsynth and fluidsynth in table.txt"
