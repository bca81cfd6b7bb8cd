#!/bin/sh
# bench-smoke: apcbench --quick runs every path it can (small counts) and writes well-formed JSON with figures for each, and as on a real controller (nothing playing it) still gives every USB path's identity round trip; no timing is asserted.
# models: mk1
# timeout: 1500
#
# bench/run-compare runs this scenario for the full comparison: it shares a
# directory holding apcbench.args (options replacing --quick), for
# --baseline baseline.metrics, and apcbench.paths, apcbench.runs and
# apcbench.model when it asks for them; with apcbench.usbmon, usbmon's
# text of every URB (usbmon.txt), apcbench's --stage-log (stages.txt) and
# the kernel tracer's record of apcminid's wake-ups and system calls
# (ftrace.txt) beside each run's results, for bench/usb-stages.
set -eu
. "$APCVM_LIB"
vm_need apcbench apcemu
# run-compare --model: this instance plays the model the share names
[ -f /share/apcbench.model ] && APC_MODEL=$(cat /share/apcbench.model)

# apcbench plays the device itself (the core's device model, sending
# through the gadget card's sequencer client as the emulator does; it
# stamps what it sends and what it receives on one clock), so the emulator
# only plugs the gadget in and does not run.
vm_plug
vm_wait_kernel_client 10 || vm_fail "snd-usb-audio did not create a sequencer client"

paths=seq,kernel,direct
apcminid_opt=
if command -v apcminid >/dev/null 2>&1; then
	# the play port too: the default mapping's notes and CCs, its LED
	# feedback drawn meanwhile
	paths=$paths,apcminid,apcminid-play
	apcminid_opt="--apcminid=apcminid"
fi
# run-compare may narrow the paths or change how apcminid is started.
[ -f /share/apcbench.paths ] && paths=$(cat /share/apcbench.paths)
[ -f /share/apcbench.apcminid ] && apcminid_opt="--apcminid=$(cat /share/apcbench.apcminid)"
vm_log "paths $paths"
args=--quick
if [ -f /share/apcbench.args ]; then
	args=$(cat /share/apcbench.args)
	[ -f /share/baseline.metrics ] && args="$args --baseline /share/baseline.metrics"
fi
vm_log "apcbench $args"
# run-compare --runs N: N runs in this boot, the path order rotated by one
# each run (run-1 .. run-N under the output directory); the checks below
# look at the last one.
runs=1
[ -f /share/apcbench.runs ] && runs=$(cat /share/apcbench.runs)
usbmon=0
tr=/sys/kernel/tracing
if [ -f /share/apcbench.usbmon ]; then
	[ -d /sys/kernel/debug/usb ] || mount -t debugfs debugfs /sys/kernel/debug ||
		vm_fail "cannot mount debugfs"
	modprobe usbmon || vm_fail "no usbmon"
	usbmon=1
	# and apcminid's steps, from the kernel's tracer on the same clock:
	# woken, on a CPU, back from epoll_wait(); out, back from the
	# sequencer read(), USBDEVFS_SUBMITURB; in, USBDEVFS_REAPURBNDELAY
	# and the write() to the sequencer
	[ -e $tr/trace ] || mount -t tracefs nodev $tr || vm_fail "cannot mount tracefs"
	echo mono >$tr/trace_clock
	echo 16384 >$tr/buffer_size_kb
	echo 'comm == "apcminid"' >$tr/events/sched/sched_wakeup/filter
	echo 'next_comm == "apcminid"' >$tr/events/sched/sched_switch/filter
	for e in sched/sched_wakeup sched/sched_switch syscalls/sys_exit_epoll_wait \
		syscalls/sys_exit_read syscalls/sys_enter_ioctl syscalls/sys_enter_write; do
		case $e in
		# USBDEVFS_SUBMITURB, _IOR('U', 10, struct usbdevfs_urb), and
		# USBDEVFS_REAPURBNDELAY, _IOW('U', 13, void *), on 64 bits
		*ioctl) echo 'comm == "apcminid" && (cmd == 0x8038550a || cmd == 0x4008550d)' \
			>$tr/events/$e/filter ;;
		syscalls/*) echo 'comm == "apcminid"' >$tr/events/$e/filter ;;
		esac
		echo 1 >$tr/events/$e/enable || vm_fail "no trace event $e"
	done
fi
out=$APCVM_OUT
rc=0
k=1
order=$paths
while [ "$k" -le "$runs" ]; do
	if [ "$runs" -gt 1 ]; then
		out=$APCVM_OUT/run-$k
		mkdir -p "$out"
		vm_log "run $k of $runs: paths $order"
	fi
	r=0
	mon=
	stage_opt=
	if [ "$usbmon" = 1 ]; then
		cat /sys/kernel/debug/usb/usbmon/0u >"$out/usbmon.txt" &
		mon=$!
		stage_opt=--stage-log=$out/stages.txt
		echo >$tr/trace
		echo 1 >$tr/tracing_on
	fi
	# shellcheck disable=SC2086 # the options are words
	apcbench $args --paths "$order" ${apcminid_opt:+"$apcminid_opt"} -m "$APC_MODEL" \
		${stage_opt:+"$stage_opt"} --outdir "$out" >"$out/table.txt" 2>"$out/stderr.txt" || r=$?
	if [ -n "$mon" ]; then
		kill "$mon" 2>/dev/null || true
		echo 0 >$tr/tracing_on
		cat $tr/trace >"$out/ftrace.txt"
	fi
	cat "$out/table.txt"
	sed 's/^/stderr: /' "$out/stderr.txt"
	[ "$r" = 0 ] || rc=$r
	order=$(echo "$order" | awk -F , '{ for (i = 2; i <= NF; i++) printf "%s,", $i; print $1 }')
	k=$((k + 1))
done
echo "$rc" >"$APCVM_OUT/status"
[ "$rc" = 0 ] || [ -f /share/baseline.metrics ] || vm_fail "apcbench exited $rc"

json=$out/apcbench.json
[ -s "$json" ] || vm_fail "no $json"
# Well-formed: brackets balance outside strings and the file ends the object.
awk '
{ s = s $0 "\n" }
END {
	n = length(s); depth = 0; instr = 0
	for (i = 1; i <= n; i++) {
		c = substr(s, i, 1)
		if (instr) {
			if (c == "\\") i++
			else if (c == "\"") instr = 0
			continue
		}
		if (c == "\"") instr = 1
		else if (c == "{" || c == "[") depth++
		else if (c == "}" || c == "]") { depth--; if (depth < 0) exit 1 }
	}
	exit (depth == 0 && !instr) ? 0 : 1
}' "$json" || vm_fail "apcbench.json is not well-formed"

# Every path produced figures: a latency median and a batch repaint time;
# the play port (it only delivers) pads and faders, matched to the mapped
# events (a wrong key would lose them all; a rare loss is no failure).
for p in $(echo "$paths" | tr , ' '); do
	grep -q "\"$p.latency.note.p50_us\": [0-9]" "$json" ||
		vm_fail "path $p: no input latency figure"
	if [ "$p" = apcminid-play ]; then
		grep -q "\"$p.latency.cc.p50_us\": [0-9]" "$json" ||
			vm_fail "path $p: no fader latency figure"
		# shellcheck disable=SC2016 # awk program
		awk 'function num(k,  t) { t = $0; sub(".*\"" k "\": ", "", t); return t + 0 }
			/"name": "apcminid-play"/ { on = 1 }
			on && /"name": "(note|cc)"/ { n++
				if (num("sent") < 1 || 10 * num("lost") > num("sent") ||
				    10 * num("unexpected") > num("sent")) bad = 1 }
			on && /"throughput"/ { exit }
			END { exit (n == 2 && !bad) ? 0 : 1 }' "$json" ||
			vm_fail "path $p: pads or faders not matched to the mapped events"
		continue
	fi
	grep -q "\"$p.batch64_us\": [0-9]" "$json" ||
		vm_fail "path $p: no LED repaint figure"
	grep -q "\"$p.latency.roundtrip.p50_us\": [0-9]" "$json" ||
		vm_fail "path $p: no round trip figure"
done
[ -s "$out/apcbench.csv" ] || vm_fail "no CSV"
# The metrics file --baseline reads: NAME<TAB>VALUE<TAB>BETTER lines only,
# and the same metrics as the JSON's.
metrics=$out/apcbench.metrics
[ -s "$metrics" ] || vm_fail "no $metrics"
awk -F '\t' 'NF != 3 || ($3 != 1 && $3 != -1) { exit 1 }' "$metrics" ||
	vm_fail "apcbench.metrics has a malformed line"
for p in $(echo "$paths" | tr , ' '); do
	grep -q "^$p.latency.note.p50_us	[0-9]" "$metrics" ||
		vm_fail "path $p: no input latency in apcbench.metrics"
done
# As on a real controller (-g names no gadget, so apcbench plays nothing;
# the emulator answers as the firmware would): every USB path gives the
# identity round trip, and the rows nothing can measure say why.
if [ ! -f /share/apcbench.args ] && command -v apcminid >/dev/null 2>&1; then
	vm_emu_start || vm_fail "the emulator did not start"
	apcbench -P seq,kernel,direct,apcminid --apcminid=apcminid -g hw:99,0 --quick \
		-o real >real.txt 2>&1 || { cat real.txt; vm_fail "apcbench failed as on a real device"; }
	vm_emu_stop
	vm_save real.txt
	grep -q 'no gadget' real.txt || vm_fail "apcbench did not take it for a real device"
	for p in kernel direct apcminid; do
		grep -q "^$p.latency.identity.p50_us	[0-9]" real/apcbench.metrics ||
			vm_fail "real device, path $p: no identity round trip"
		grep -q "^$p.latency.note.p50_us" real/apcbench.metrics &&
			vm_fail "real device, path $p: an input figure with nothing playing"
	done
	grep -q 'n/m: input: nothing plays the device' real.txt ||
		vm_fail "real device: the table does not say why input is not measured"
	grep -q "^seq.latency.note.p50_us	[0-9]" real/apcbench.metrics ||
		vm_fail "real device: the sequencer-only path gave no figures"
	vm_log "as on a real device: $(grep '^identity round trip p50' real.txt)"
fi

# A run compared with its own metrics is not worse.
apcbench -P seq --quick -b "$metrics" -M 1000000 >"$APCVM_OUT/baseline.txt" 2>&1 ||
	vm_fail "--baseline against its own metrics failed: $(cat "$APCVM_OUT/baseline.txt")"
grep -q "metrics compared, 0 worse" "$APCVM_OUT/baseline.txt" ||
	vm_fail "--baseline compared nothing"
vm_pass "figures from every path ($paths)"
