#!/bin/sh
# apcminid-play: pads pressed on the emulated APC mini play through apcminid's play port into apcsynth (aconnect 'NAME:<play port>' apcsynth:0): the pitches detected in apcsynth's WAV are C major's degrees from C3 (the default layout); the grid shows the mapping's picture (roots and in-key notes) while the port has subscribers; after a SIGHUP with "layout = chromatic" the same presses play the chromatic notes through the same subscription.
# (With VM_TARGET=apcvirt, as apcvirt-play runs it, against the virtual APC mini's play port, in key only: it reads no configuration.)
# models: mk1 mk2
# timeout: 180
#
# The expected notes and picture come from the layouts as apcmini.conf(5)
# documents them, computed here, not by the product: in-key, pad (x, y)
# plays scale degree x + 3y (rows a fourth apart) of C major from C3 = 48;
# chromatic, 48 + x + 5y.
set -eu
. "$APCVM_LIB"
vm_target_need apcemu apcsynth aconnect synth-wavcheck

vm_soundfont
sf=$VM_SOUNDFONT
vm_model
play=$apc_cables # the play port: right after the kernel's ports

# in_key X Y, chromatic X Y: the MIDI note of pad (X, Y).
in_key() {
	awk -v d=$(($1 + 3 * $2)) 'BEGIN { split("0 2 4 5 7 9 11", s, " ")
		print 48 + 12 * int(d / 7) + s[d % 7 + 1] }'
}
chromatic() {
	echo $((48 + $1 + 5 * $2))
}
# The pads pressed, as "x,y".
pads="0,0 1,0 2,0 1,1 2,2 7,3"

echo "# play.conf: the defaults" >play.conf
spid=
fail() {
	[ -z "$spid" ] || kill "$spid" 2>/dev/null || true
	if [ -f apcsynth.log ]; then
		sed 's/^/    apcsynth: /' apcsynth.log
		vm_save apcsynth.log
	fi
	vm_target_fail "$@"
}
vm_target_start -v -c "$APCVM_WORK/play.conf"
dpid=$VM_TARGET_PID
[ "$VM_TARGET" = apcvirt ] ||
	vm_until 5 grep -q 'confirmed by its identity reply' apcminid.log || fail "no identity reply"

# Before anyone subscribes, the LEDs are the clients' (all off).
vm_emu grid >grid0.txt
awk 'NR > 1 { for (i = 2; i <= NF; i++) if ($i != ".") bad = 1 } END { exit bad }' grid0.txt ||
	{ cat grid0.txt; fail "LEDs lit before the play port had a subscriber"; }

apcsynth -v -o synth.wav -O float -R 0 -C 0 -L 2400 -s "$sf" >apcsynth.log 2>&1 &
spid=$!
up_or_gone() {
	kill -0 "$spid" 2>/dev/null || return 0
	aconnect -l 2>/dev/null | grep -q "^client [0-9]*: 'apcsynth' "
}
if ! vm_until 60 up_or_gone || ! vm_wait_client apcsynth 1; then
	fail "no sequencer client 'apcsynth'"
fi
aconnect "$apc_name:$play" apcsynth:0 || fail "aconnect '$apc_name:$play' apcsynth:0 failed"

# The picture: roots (degree 0 of the scale) red on the mk1, blue 45 on
# the mk2; every other pad is in key: yellow, white 3.
if [ "$APC_MODEL" = mk1 ]; then root=R inkey=Y; else root=45 inkey=3; fi
{
	echo "grid $APC_MODEL"
	y=7
	while [ $y -ge 0 ]; do
		line=$y
		x=0
		while [ $x -lt 8 ]; do
			if [ $(((x + 3 * y) % 7)) = 0 ]; then line="$line $root"; else line="$line $inkey"; fi
			x=$((x + 1))
		done
		echo "$line"
		y=$((y - 1))
	done
} >picture.txt
vm_until 5 sh -c 'apcemu ctl grid | head -n 9 | cmp -s - picture.txt' || true
vm_emu grid | head -n 9 >grid1.txt
vm_diff picture.txt grid1.txt "the play mapping's picture" || fail "the grid does not show the mapping"

# press_all: each pad held 0.3 s, then 1.2 s for the note to die away.
press_all() {
	for xy in $pads; do
		vm_emu press pad "$(( ${xy#*,} * 8 + ${xy%,*} ))" >/dev/null
		sleep 0.3
		vm_emu release pad "$(( ${xy#*,} * 8 + ${xy%,*} ))" >/dev/null
		sleep 1.2
	done
}
want=
for xy in $pads; do want="$want${want:+,}$(in_key "${xy%,*}" "${xy#*,}")"; done
press_all

# Another layout, the same subscription.
if [ "$VM_TARGET" = apcminid ]; then
	echo "layout = chromatic" >play.conf
	kill -HUP "$dpid"
	vm_until 5 grep -q 'Configuration reloaded' apcminid.log || fail "SIGHUP did not reload"
	for xy in $pads; do want="$want,$(chromatic "${xy%,*}" "${xy#*,}")"; done
	press_all
fi

kill -TERM "$spid"
wait "$spid" || fail "apcsynth exited with status $?"
spid=
rc=0
synth-wavcheck -N "$want" -l 0.0005 -g 50 -p 0.01 synth.wav >report.txt 2>&1 || rc=$?
sed 's/^/    /' report.txt
vm_target_stop || fail "$VM_TARGET failed on exit"
[ "$VM_TARGET" = apcvirt ] || vm_emu_stop
vm_save synth.wav report.txt apcsynth.log
[ $rc = 0 ] || vm_fail "the notes heard are not the layouts' ($want)"
if [ "$VM_TARGET" = apcvirt ]; then
	vm_pass "apcvirt's play port: in-key notes $want heard; the mapping's picture shown"
fi
vm_pass "in-key then (SIGHUP) chromatic through one subscription: notes $want heard; the mapping's picture shown"
