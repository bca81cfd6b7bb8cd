#!/bin/sh
# bench-scale: apcbench on the kernel and apcminid paths with 1, 2, 4 and 8 emulated controllers played at once (one apcminid serving them all) and with 1, 4 and 16 subscribers on the port the bench reads; every count gives figures and apcminid a client per controller; no timing is asserted.
# models: mk1
# timeout: 1500
#
# bench/run-compare --scale runs this scenario for the measurement: it
# shares a directory holding apcbench.args (options replacing --quick),
# apcbench.runs (rounds, each over every count, the path order rotated) and
# apcbench.apcminid (how to start apcminid) when it asks for them.
# Results: scale/run-R/controllers-N/ and scale/run-R/subscribers-K/, each
# an apcbench --outdir (table.txt, apcbench.metrics, ...). With one
# controller and one subscriber both are the same run: controllers-1 is
# also subscribers-1.
set -eu
. "$APCVM_LIB"
vm_need apcbench apcemu apcminid aconnect

controllers="1 2 4 8"
subscribers="4 16"
max=8

# One UDC (and one USB bus) per controller.
vm_gadget_remove_all
vm_wait_no_usb 5 || vm_fail "a USB device is still there"
rmmod dummy_hcd || vm_fail "cannot unload dummy_hcd for more UDCs"
modprobe dummy_hcd is_high_speed=0 num=$max || vm_fail "dummy_hcd num=$max did not load"
restore() {
	set +e
	vm_gadget_remove_all
	vm_wait_no_usb 10
	rmmod dummy_hcd
	modprobe dummy_hcd is_high_speed=0
}
trap 'rc=$?; restore; exit $rc' EXIT

# The gadgets apcmini1..8 (cards apcemu1..8), made once; scale_plug binds
# the first N of them, each to a UDC of its own, and unbinds the rest.
k=1
while [ $k -le $max ]; do
	apcemu plug --model "$APC_MODEL" --gadget apcmini$k --card apcemu$k >/dev/null 2>&1 || true
	[ -d "$VM_GADGETS/apcmini$k" ] || vm_fail "cannot make gadget apcmini$k"
	echo >"$VM_GADGETS/apcmini$k/UDC" 2>/dev/null || true
	k=$((k + 1))
done

kernel_clients() {
	aconnect -l 2>/dev/null | grep -c "^client [0-9]*: 'APC MINI.*type=kernel" || true
}

scale_plug() {
	local n=$1 k=1 udc
	while [ $k -le $max ]; do
		if [ $k -le "$n" ]; then
			if [ -z "$(cat "$VM_GADGETS/apcmini$k/UDC")" ]; then
				for udc in $(ls /sys/class/udc); do
					echo "$udc" >"$VM_GADGETS/apcmini$k/UDC" 2>/dev/null && break
				done
				[ -n "$(cat "$VM_GADGETS/apcmini$k/UDC")" ] ||
					vm_fail "cannot bind gadget apcmini$k to a UDC"
			fi
		else
			echo >"$VM_GADGETS/apcmini$k/UDC" 2>/dev/null || true
		fi
		k=$((k + 1))
	done
	vm_until 20 sh -c "[ \"\$(aconnect -l 2>/dev/null | grep -c \"^client [0-9]*: 'APC MINI.*type=kernel\")\" = $n ]" ||
		vm_fail "$n controllers: snd-usb-audio has $(kernel_clients) clients"
}

args="--quick"
[ -f /share/apcbench.args ] && args=$(cat /share/apcbench.args)
# run-compare --apcminid: how apcminid is started
apcminid_cmd=apcminid
[ -f /share/apcbench.apcminid ] && apcminid_cmd=$(cat /share/apcbench.apcminid)
runs=1
[ -f /share/apcbench.runs ] && runs=$(cat /share/apcbench.runs)
vm_log "apcbench $args, $runs round(s)"

order=kernel,apcminid
rc=0
# bench DIR OPTIONS...: one apcbench run into DIR.
bench() {
	local dir=$1 r=0
	shift
	mkdir -p "$dir"
	# shellcheck disable=SC2086 # the options are words
	apcbench $args --paths "$order" --apcminid="$apcminid_cmd" -m "$APC_MODEL" "$@" \
		--outdir "$dir" >"$dir/table.txt" 2>"$dir/stderr.txt" || r=$?
	sed 's/^/    /' "$dir/table.txt"
	sed 's/^/    stderr: /' "$dir/stderr.txt"
	[ "$r" = 0 ] || { vm_log "apcbench $* exited $r"; rc=1; }
	# every path gave input figures; apcminid served every controller
	for p in $(echo "$order" | tr , ' '); do
		grep -q "^$p.latency.note.p50_us	[0-9]" "$dir/apcbench.metrics" ||
			{ vm_log "$dir: path $p: no input latency"; rc=1; }
		grep -q "^$p.throughput.max_lossless_per_s	[0-9]" "$dir/apcbench.metrics" ||
			{ vm_log "$dir: path $p: no lossless throughput"; rc=1; }
	done
}

round=1
while [ $round -le "$runs" ]; do
	out=$APCVM_OUT/scale/run-$round
	for n in $controllers; do
		scale_plug "$n"
		vm_log "round $round: $n controllers, paths $order"
		bench "$out/controllers-$n" --controllers "$n"
		grep -q "apcminid.*\[$n controllers" "$out/controllers-$n/table.txt" || [ "$n" = 1 ] ||
			{ vm_log "$n controllers: apcminid did not serve them all"; rc=1; }
	done
	scale_plug 1
	for k in $subscribers; do
		vm_log "round $round: $k subscribers, paths $order"
		bench "$out/subscribers-$k" --subscribers "$k"
	done
	order=$(echo "$order" | awk -F , '{ for (i = 2; i <= NF; i++) printf "%s,", $i; print $1 }')
	round=$((round + 1))
done
[ "$rc" = 0 ] || vm_fail "a scale run gave no figures (see above)"
vm_pass "figures for 1-8 controllers and 1-16 subscribers on the kernel and apcminid paths"
