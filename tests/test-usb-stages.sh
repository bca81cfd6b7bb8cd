#!/bin/sh
# bench/usb-stages on a run written by hand: an LED repaint and input notes
# on both paths, the URBs usbmon saw and the tracer's record of apcminid.
# Checks that each stage is the difference of the right two stamps, that a
# note whose apcminid was awake already is counted apart, and that the
# submission and the reap ioctl are told apart.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
bad=0

# ns stamps for stages.txt; usbmon in us, the tracer in s (both mod 4096)
cat >"$tmp/stages.txt" <<EOF
kernel 1 0 123456000000 123458000000
apcminid 1 0 123480000000 123481000000
in kernel 123456600000 123456900000
in apcminid 123460600000 123460990000
in apcminid 123470600000 123470990000
in apcminid 123490000000 123490500000
EOF
cat >"$tmp/usbmon.txt" <<EOF
ffff8880 123456100 S Bo:1:002:2 -115 4 = 09903c7f
ffff8880 123456500 C Bo:1:002:2 0 4 >
ffff8880 123456700 C Bi:1:002:1 0 4 = 09903c7f
ffff8880 123460650 C Bi:1:002:1 0 4 = 09903c7f
ffff8880 123470650 C Bi:1:002:1 0 4 = 09903c7f
ffff8880 123480400 S Bo:1:002:2 -115 4 = 09903c7f
ffff8880 123480600 C Bo:1:002:2 0 4 >
ffff8880 123490000 C Bi:1:002:1 0 0
EOF
cat >"$tmp/ftrace.txt" <<EOF
        apcminid-412     [001] d..2.   123.460700: sched_wakeup: comm=apcminid pid=412 prio=120 target_cpu=001
          <idle>-0       [001] d..2.   123.460710: sched_switch: prev_comm=swapper/1 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=apcminid next_pid=412 next_prio=120
        apcminid-412     [001] .....   123.460720: sys_epoll_wait -> 0x1
        apcminid-412     [001] .....   123.460740: sys_ioctl(fd: 9, cmd: 8038550a, arg: 7ffd0000)
        apcminid-412     [001] .....   123.460750: sys_ioctl(fd: 9, cmd: 4008550d, arg: 7ffd0000)
        apcminid-412     [001] .....   123.460870: sys_write(fd: 5, buf: 55d0, count: 1c)
        apcminid-412     [000] d..2.   123.480100: sched_wakeup: comm=apcminid pid=412 prio=120 target_cpu=000
          <idle>-0       [000] d..2.   123.480120: sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=apcminid next_pid=412 next_prio=120
        apcminid-412     [000] .....   123.480150: sys_epoll_wait -> 0x1
        apcminid-412     [000] .....   123.480200: sys_read -> 0x1c
        apcminid-412     [000] .....   123.480250: sys_ioctl(fd: 9, cmd: 4008550d, arg: 7ffd0000)
        apcminid-412     [000] .....   123.480350: sys_ioctl(fd: 9, cmd: 8038550a, arg: 7ffd0000)
EOF

out=$("$top/bench/usb-stages" "$tmp") || { echo "FAIL: usb-stages exited $?"; exit 1; }
echo "$out"

# expect LABEL REGEX: the line after LABEL's heading that starts with the
# row matches REGEX (spaces squeezed)
row() { # section-heading row-start
	echo "$out" | awk -v h="$1" -v r="$2" '
		index($0, h) == 1 { on = 1; next }
		on && index($0, r) == 1 { gsub(/ +/, " "); print; exit }'
}
expect() { # heading row-start regex what
	got=$(row "$1" "$2")
	if ! printf '%s\n' "$got" | grep -Eq "$3"; then
		echo "FAIL: $4: got '$got'"
		bad=1
	fi
}

# LEDs: to submit, on the bus, to device, total (us)
expect "path events mode" "kernel 1 batch" \
	"^kernel 1 batch 1 100\.0 \[ *100- *100\] 400\.0 .* 1500\.0 .* 2000\.0 " "kernel repaint stages"
expect "path events mode" "apcminid 1 batch" \
	"^apcminid 1 batch 1 400\.0 .* 200\.0 .* 400\.0 .* 1000\.0 " "apcminid repaint stages"
# the submission is the URB ioctl, not the reap before it: in apcminid 150
expect "apcminid before the submission" "apcminid 1 batch" \
	"^apcminid 1 batch 1 100\.0 .* 20\.0 .* 30\.0 .* 50\.0 .* 150\.0 .* 50\.0 " \
	"apcminid steps before the submission"
# input: the zero-length IN completion is no note's; the third note has none
expect "input: a note" "kernel" "^kernel 1 100\.0 .* 200\.0 .* 300\.0 " "kernel input stages"
expect "input: a note" "apcminid" \
	"^apcminid 2 50\.0 .* 340\.0 .* 390\.0 .*\(1 without an IN URB\)" "apcminid input stages"
# wake-up 50, CPU 10, wait 10, reap 30 (past the submission), in apcminid
# 120, sequencer 120; the second note had no wake-up of its own
expect "apcminid after the IN completion" "apcminid" \
	"^apcminid 1 50\.0 .* 10\.0 .* 10\.0 .* 30\.0 .* 120\.0 .* 120\.0 .*\(1 with apcminid awake already\)" \
	"apcminid steps after the IN completion"

[ "$bad" = 0 ] && echo "PASS: usb-stages"
exit "$bad"
