#!/bin/sh
# bench-sound: apcbench's pad-to-sound measurement runs every synth chain (kernel->fluidsynth, kernel->apcsynth, apcminid->apcsynth, apcminid --synth) through snd-aloop: most presses give an onset on every chain and the figures are in the JSON; no timing is asserted.
# models: mk1
# timeout: 600
# bench/run-compare --sound runs this scenario for the full measurement: it
# shares a directory holding apcbench-sound.args (options replacing the
# small counts below).
set -eu
. "$APCVM_LIB"
vm_need apcbench apcemu apcminid apcsynth fluidsynth

vm_soundfont
sf=$VM_SOUNDFONT
# snd-aloop timed by an hrtimer (see vm_loopback in lib.sh).
vm_loopback

# apcbench plays the device itself (as bench-smoke), so the emulator only
# plugs the gadget in.
vm_plug
vm_wait_kernel_client 10 || vm_fail "snd-usb-audio did not create a sequencer client"

args="--sound-presses 12 --sound-rounds 1 -vv"
if [ -f /share/apcbench-sound.args ]; then
	args=$(cat /share/apcbench-sound.args)
	[ -f /share/baseline.metrics ] && args="$args --baseline /share/baseline.metrics"
fi
vm_log "apcbench -P sound $args --soundfont $sf"
rc=0
# shellcheck disable=SC2086 # the options are words
apcbench -P sound $args --soundfont "$sf" --apcminid apcminid -m "$APC_MODEL" \
	--outdir "$APCVM_OUT" >"$APCVM_OUT/table.txt" 2>"$APCVM_OUT/stderr.txt" || rc=$?
cat "$APCVM_OUT/table.txt"
sed 's/^/stderr: /' "$APCVM_OUT/stderr.txt"
echo "$rc" >"$APCVM_OUT/status"
vm_loopback_stop
[ "$rc" = 0 ] || [ -f /share/baseline.metrics ] || vm_fail "apcbench exited $rc"

json=$APCVM_OUT/apcbench.json
[ -s "$json" ] || vm_fail "no $json"
grep -q '"pad_to_sound": {"measured": true' "$json" ||
	vm_fail "no pad-to-sound section in the JSON: $(grep -o '"not_measured": "[^"]*"' "$json" | tail -1)"
# Every chain: figures present, and an onset for at least 3 presses in 4.
for ch in kernel-fluidsynth kernel-apcsynth apcminid-apcsynth apcminid-synth; do
	line=$(grep "\"name\": \"$ch\"" -A1 "$json" | tr '\n' ' ')
	[ -n "$line" ] || vm_fail "chain $ch: not in the JSON"
	presses=$(echo "$line" | sed -n 's/.*"presses": \([0-9]*\).*/\1/p')
	onsets=$(echo "$line" | sed -n 's/.*"onsets": \([0-9]*\).*/\1/p')
	[ -n "$presses" ] && [ "$presses" -gt 0 ] || vm_fail "chain $ch: no presses"
	[ $((onsets * 4)) -ge $((presses * 3)) ] ||
		vm_fail "chain $ch: only $onsets onsets for $presses presses"
	grep -q "\"sound.$ch.p50_us\": [0-9]" "$json" || vm_fail "chain $ch: no p50 metric"
	grep -q "^$ch,sound,pad-to-sound,p99_minus_p1," "$APCVM_OUT/apcbench.csv" ||
		vm_fail "chain $ch: no jitter in the CSV"
	[ -s "$APCVM_OUT/sound-$ch.dat" ] || vm_fail "chain $ch: no plot data"
	vm_log "$ch: $onsets onsets of $presses presses"
done
grep -q "^sound.apcminid-synth.p50_us	[0-9]" "$APCVM_OUT/apcbench.metrics" ||
	vm_fail "no pad-to-sound metric in apcbench.metrics"
vm_pass "pad to sound on every chain"
