#!/bin/sh
# soak-replug: 100 unplug/replug cycles under one apcminid: its open descriptors and RSS stay flat (within 5 % of cycle 10's after it), the LED grid is repainted as painted after every replug, and the client number and an old subscription survive (a press reaches it after the last cycle).
# models: mk2
# timeout: 1500
#
# On demand, 1000 cycles: a file soak-long in the directory given to
# tests/vm/run --share (the limit above is for that; every wait inside is
# bounded on its own, so a hang still fails within seconds).
set -eu
. "$APCVM_LIB"
vm_need apcemu apcminid aseqdump aplaymidi aconnect udevadm
vm_model

cycles=100
[ -f /share/soak-long ] && cycles=1000

# libusb learns about hotplug from udev.
vm_udevd

vm_plug_kernel
vm_apcminid_start -v
pid=$VM_APCMINID
ours=$VM_CLIENT
fail() { vm_apcminid_fail "$@"; }

aseqdump -p "$apc_name:0" >dump.txt 2>&1 &
dump=$!
vm_wait_connected "$ours" || fail "aseqdump did not subscribe"

vm_paint_all
aplaymidi -p "$apc_name:0" paint.mid || fail "aplaymidi failed"
vm_emu wait leds "$VM_PAINT_LEDS" 5000 >/dev/null || fail "the LEDs did not arrive"
sleep 0.3
vm_emu grid >painted.txt
vm_diff expected.txt painted.txt "LEDs painted" || fail "the paint did not show"

# Per cycle: descriptors, RSS (kB), seconds for the cycle.
: >cycles.txt
echo "soak: before the cycles: fds $(ls "/proc/$pid/fd" | wc -l), RSS $(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status") kB" >ranges.txt
i=1
while [ "$i" -le "$cycles" ]; do
	t0=$(vm_now)
	vm_emu unplug >/dev/null
	vm_until 10 sh -c "[ \$(grep -c 'unplugged; client' apcminid.log) -ge $i ]" ||
		fail "cycle $i: apcminid missed the unplug"
	vm_emu replug >/dev/null
	vm_until 10 sh -c "[ \$(grep -c 'is back on client $ours ' apcminid.log) -ge $i ]" ||
		fail "cycle $i: apcminid did not take the device back on client $ours"
	# The emulator's counters start again at each (re)connection: the
	# repaint is all LEDs again.
	vm_emu wait leds "$VM_PAINT_LEDS" 5000 >/dev/null || fail "cycle $i: no repaint"
	vm_until 2 sh -c 'apcemu ctl grid >grid.txt && cmp -s expected.txt grid.txt' ||
		{ vm_diff expected.txt grid.txt "cycle $i: LEDs after the replug"; fail "cycle $i: LEDs not repainted as painted"; }
	fds=$(ls "/proc/$pid/fd" | wc -l)
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
	echo "$i $fds $rss $(awk -v a="$t0" -v b="$(vm_now)" 'BEGIN { printf "%.2f", b - a }')" >>cycles.txt
	i=$((i + 1))
done
vm_save cycles.txt

# Figures per range of ten cycles, then the check against cycle 10 (or the
# last, for fewer): the first cycles may still grow caches.
awk '
	{ r = int(($1 - 1) / 10); n[r]++; s[r] += $4
	  if (!(r in fmin) || $2 < fmin[r]) fmin[r] = $2; if ($2 > fmax[r]) fmax[r] = $2
	  if (!(r in rmin) || $3 < rmin[r]) rmin[r] = $3; if ($3 > rmax[r]) rmax[r] = $3
	  last = r }
	END { for (r = 0; r <= last; r++)
		printf "soak: cycles %3d-%3d: fds %d-%d, RSS %d-%d kB, %.2f s per cycle\n",
			r * 10 + 1, r * 10 + n[r], fmin[r], fmax[r], rmin[r], rmax[r], s[r] / n[r] }
' cycles.txt >>ranges.txt
cat ranges.txt
vm_save ranges.txt
ref=$(awk -v c=10 '$1 <= c { f = $2; m = $3 } END { print f, m }' cycles.txt)
awk -v ref="$ref" '
	BEGIN { split(ref, r, " ") }
	$1 > 10 && ($2 > r[1] * 1.05 || $3 > r[2] * 1.05) {
		printf "cycle %d: fds %d, RSS %d kB against %d and %d kB at cycle 10\n", $1, $2, $3, r[1], r[2]
		bad = 1 }
	END { exit bad }' cycles.txt || fail "descriptors or RSS grew by more than 5 % after cycle 10"

# The same client, the same subscription.
now=$(vm_user_client "$apc_name")
[ "${now% *}" = "$ours" ] || fail "the client is now '${now% *}', not $ours"
vm_emu press pad 9 >/dev/null
vm_until 5 grep -q "note 9, velocity 127" dump.txt || fail "the press did not reach the old subscriber"
kill "$dump" 2>/dev/null || true
wait "$dump" 2>/dev/null || true

kill -USR1 "$pid"
vm_until 5 grep -q "plugged $((cycles + 1)) times" apcminid.log ||
	fail "apcminid does not count $((cycles + 1)) plugs"
grep -A3 'plugged .* times' apcminid.log | sed 's/^/    /'
kill -TERM "$pid"
wait "$pid" || fail "apcminid failed on exit"
vm_wait_kernel_client 10 || fail "the kernel client did not come back"
vm_emu_stop
first=$(sed -n 1p cycles.txt)
lastc=$(tail -n1 cycles.txt)
vm_pass "$cycles cycles on client $ours: grid right after every replug; fds ${first#* }->${lastc#* } (cycle fds RSS s, first and last); subscription kept"
