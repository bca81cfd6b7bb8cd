# Shared helpers for the system-test guest's scenarios (busybox sh), also
# loaded by the guest's interactive shell. Scenarios: set -eu; . "$APCVM_LIB"
#
# Environment from /init: APC_MODEL (mk1/mk2, empty for model-less
# scenarios), APCVM_SCENARIO (name[:model]), APCVM_OUT (files here come back
# to the host's --outdir), APCVM_WORK (scratch dir, removed afterwards).

: "${APC_MODEL:=mk1}"
: "${APCVM_WORK:=/tmp}"
: "${APCVM_OUT:=/tmp}"
: "${APCVM_SCENARIO:=shell}"
APCEMU_SOCKET=$APCVM_WORK/apcemu.sock
export APCEMU_SOCKET
VM_EMU_PID=
VM_EMU_OUT=$APCVM_WORK/apcemu.out

# ---- results ----

vm_log() {
	echo "[$APCVM_SCENARIO] $*"
}

vm_pass() {
	vm_log "ok: $*"
	exit 0
}

vm_fail() {
	vm_log "FAILED: $*"
	exit 1
}

vm_skip() {
	vm_log "skipped: $*"
	exit 77
}

# vm_need PROGRAM...: skip unless every program is in the guest.
vm_need() {
	local p
	for p in "$@"; do
		command -v "$p" >/dev/null 2>&1 || vm_skip "$p is not in the guest (not built?)"
	done
}

# Fractional seconds since boot.
vm_now() {
	cut -d' ' -f1 /proc/uptime
}

# vm_until SECONDS COMMAND...: retry COMMAND every 50 ms until it succeeds;
# fails after SECONDS.
vm_until() {
	local limit=$1 end
	shift
	end=$(awk -v n="$(vm_now)" -v l="$limit" 'BEGIN { print n + l }')
	while ! "$@"; do
		if awk -v n="$(vm_now)" -v e="$end" 'BEGIN { exit !(n >= e) }'; then
			return 1
		fi
		sleep 0.05
	done
}

# vm_diff EXPECTED_FILE GOT_FILE [WHAT]: 0 if equal, else show a diff.
vm_diff() {
	if cmp -s "$1" "$2"; then
		return 0
	fi
	vm_log "${3:-output} differs (- expected, + got):"
	diff -u "$1" "$2" | sed 's/^/    /'
	return 1
}

# vm_save FILE...: copy files to the host (--outdir/<scenario>/).
vm_save() {
	cp "$@" "$APCVM_OUT/"
}

# ---- the model ----

# Load the model's facts (from driver/apcmini.h through apcemu) as apc_*
# shell variables: apc_usb_id, apc_usb_product, apc_cables, ...
vm_model() {
	vm_need apcemu
	eval "$(apcemu info --model "${1:-$APC_MODEL}")"
	# What the scenarios call the device by: its sequencer client's name,
	# which snd-usb-audio and apcminid alike take from the USB product
	# string ("APC MINI", "APC mini mk2").
	apc_name=$apc_usb_product
}

# ---- the gadget ----

VM_GADGETS=/sys/kernel/config/usb_gadget

# vm_plug [MODEL]: create the gadget as MODEL and plug it in.
vm_plug() {
	vm_need apcemu
	apcemu plug --model "${1:-$APC_MODEL}"
}

# vm_plug_second: a second controller, an mk2 (gadget apcmini2, card
# apcemu2), bound to whichever UDC vm_plug left free (dummy_hcd num=2);
# fails the scenario if none takes it.
vm_plug_second() {
	local udc
	apcemu plug --model mk2 --gadget apcmini2 --card apcemu2 >/dev/null 2>&1 || true
	for udc in $(ls /sys/class/udc); do
		echo "$udc" >"$VM_GADGETS/apcmini2/UDC" 2>/dev/null && return 0
	done
	vm_fail "cannot bind the second gadget to a UDC"
}

# vm_replug_second: bind the second gadget again, to whichever UDC is free
# (apcemu replug would take the first).
vm_replug_second() {
	local udc
	for udc in $(ls /sys/class/udc); do
		echo "$udc" >"$VM_GADGETS/apcmini2/UDC" 2>/dev/null && return 0
	done
	vm_fail "cannot bind the second gadget to a UDC again"
}

vm_unplug() {
	apcemu unplug
}

vm_replug() {
	apcemu replug
}

# Tear every gadget down, whoever made it (used between scenarios).
vm_gadget_remove_all() {
	local g f
	for g in "$VM_GADGETS"/*; do
		[ -d "$g" ] || continue
		echo >"$g/UDC" 2>/dev/null
		for f in "$g"/configs/*/*; do
			[ -L "$f" ] && rm -f "$f"
		done
		rmdir "$g"/configs/*/strings/* "$g"/configs/* "$g"/functions/* \
			"$g"/strings/* "$g" 2>/dev/null
	done
	return 0
}

# USB devices on dummy_hcd's bus other than its root hub.
vm_usb_devices() {
	ls -d /sys/bus/usb/devices/[0-9]*-[0-9]* 2>/dev/null | grep -v ':' || true
}

vm_no_usb() {
	[ -z "$(vm_usb_devices)" ]
}

vm_wait_no_usb() {
	vm_until "${1:-5}" vm_no_usb
}

# ---- the kernel path: snd-usb-audio's card and sequencer client ----

# Card number snd-usb-audio gave the device with the model's USB id.
vm_usb_card() {
	local f
	vm_model
	for f in /proc/asound/card*/usbid; do
		[ -e "$f" ] || continue
		if [ "$(cat "$f")" = "$apc_usb_id" ]; then
			f=${f%/usbid}
			echo "${f#/proc/asound/card}"
			return 0
		fi
	done
	return 1
}

# Sequencer client of card $1 (from aconnect -l: "client 24: 'X' [type=kernel,card=1]").
vm_card_client() {
	aconnect -l 2>/dev/null | sed -n "s/^client \([0-9]*\): '.*' \[type=kernel,card=$1\].*/\1/p" |
		head -n1
}

vm_client_name() {
	aconnect -l 2>/dev/null | sed -n "s/^client $1: '\(.*\)' \[.*/\1/p" | head -n1
}

_vm_kernel_client_ready() {
	local card
	card=$(vm_usb_card) || return 1
	VM_CLIENT=$(vm_card_client "$card")
	[ -n "$VM_CLIENT" ]
}

# vm_wait_kernel_client [SECONDS]: wait for snd-usb-audio's sequencer client
# of the plugged model; sets VM_CLIENT (number) and VM_CLIENT_NAME.
vm_wait_kernel_client() {
	VM_CLIENT=
	if ! vm_until "${1:-10}" _vm_kernel_client_ready; then
		vm_log "no kernel sequencer client for $APC_MODEL; aconnect -l:"
		aconnect -l 2>&1 | sed 's/^/    /'
		return 1
	fi
	VM_CLIENT_NAME=$(vm_client_name "$VM_CLIENT")
}

# vm_user_client NAME: the user-space (not snd-usb-audio's) sequencer client
# called NAME as "NUMBER PID"; nothing if there is none.
vm_user_client() {
	aconnect -l 2>/dev/null |
		sed -n "s/^client \([0-9]*\): '$1' \[type=user,pid=\([0-9]*\)\].*/\1 \2/p" | head -n1
}

# vm_has_user_client NAME: 0 if there is one (for vm_until).
vm_has_user_client() {
	[ -n "$(vm_user_client "$1")" ]
}

_vm_client_named() {
	VM_CLIENT=$(aconnect -l 2>/dev/null | sed -n "s/^client \([0-9]*\): '$1' .*/\1/p" | head -n1)
	[ -n "$VM_CLIENT" ]
}

# vm_wait_client NAME [SECONDS]: wait for a sequencer client called NAME
# (exactly); sets VM_CLIENT.
vm_wait_client() {
	vm_until "${2:-10}" _vm_client_named "$1"
}

_vm_client_gone() {
	! aconnect -l 2>/dev/null | grep -q "^client $1: "
}

# vm_wait_client_gone NUMBER [SECONDS]
vm_wait_client_gone() {
	vm_until "${2:-10}" _vm_client_gone "$1"
}

# vm_plug_kernel: plug the model in, start the emulator and wait for
# snd-usb-audio's client (VM_CLIENT, VM_CLIENT_NAME); the scenario fails
# without it. VM_KERNEL_CLIENT keeps its number.
vm_plug_kernel() {
	vm_plug
	vm_emu_start
	vm_wait_kernel_client 10 || vm_fail "snd-usb-audio did not create a sequencer client"
	VM_KERNEL_CLIENT=$VM_CLIENT
}

# ---- apcminid ----

VM_APCMINID=

# vm_apcminid_start [OPTION...]: after vm_plug_kernel, start apcminid with
# OPTIONs (log in ./apcminid.log, its pid in VM_APCMINID) and wait until it
# has taken the device from snd-usb-audio: the kernel's client is gone and
# ours ($apc_name, number in VM_CLIENT) is there. The mk2's kernel client
# has our name, hence the wait for it to go first.
vm_apcminid_start() {
	apcminid "$@" >apcminid.log 2>&1 &
	VM_APCMINID=$!
	vm_wait_client_gone "$VM_KERNEL_CLIENT" 10 ||
		vm_apcminid_fail "the kernel's client $VM_KERNEL_CLIENT stayed"
	vm_wait_client "$apc_name" 10 || vm_apcminid_fail "no sequencer client '$apc_name'"
}

# vm_client_ports CLIENT: the port lines /proc/asound/seq/clients gives for
# client number CLIENT (number, name, capabilities), one a line.
vm_client_ports() {
	awk -v c="$1" '
		/^Client / { inside = ($2 == c); next }
		inside && /^  Port / { sub(/ *$/, ""); print }' /proc/asound/seq/clients
}

# vm_apcminid_fail MESSAGE: stop apcminid, show its log and the clients,
# keep the log and fail the scenario.
vm_apcminid_fail() {
	[ -z "$VM_APCMINID" ] || kill "$VM_APCMINID" 2>/dev/null || true
	sed 's/^/    apcminid: /' apcminid.log
	aconnect -l 2>&1 | sed 's/^/    /'
	vm_save apcminid.log 2>/dev/null || true
	vm_fail "$@"
}

# ---- the emulator ----

# vm_emu_start [apcemu run options]: start the emulator in the background
# (socket $APCEMU_SOCKET, output in $VM_EMU_OUT) and wait until it answers.
vm_emu_start() {
	vm_need apcemu
	rm -f "$APCEMU_SOCKET"
	apcemu run "$@" </dev/null >"$VM_EMU_OUT" 2>&1 &
	VM_EMU_PID=$!
	if ! vm_until 5 apcemu ctl -t 1000 ping >/dev/null 2>&1; then
		vm_log "apcemu did not start:"
		sed 's/^/    /' "$VM_EMU_OUT"
		return 1
	fi
	if ! vm_until 5 grep -q '^apcemu: connected' "$VM_EMU_OUT"; then
		vm_log "apcemu did not find the gadget's card:"
		sed 's/^/    /' "$VM_EMU_OUT"
		return 1
	fi
}

# vm_emu COMMAND...: one command to the running emulator; its output on stdout.
vm_emu() {
	apcemu ctl "$@"
}

vm_emu_stop() {
	[ -n "$VM_EMU_PID" ] || return 0
	apcemu ctl quit >/dev/null 2>&1 || kill "$VM_EMU_PID" 2>/dev/null
	wait "$VM_EMU_PID" 2>/dev/null || true
	VM_EMU_PID=
}

# ---- MIDI files ----

# vm_smf FILE: write a format 0 Standard MIDI File (96 ticks per quarter,
# 120 bpm) from stdin lines "DELTA HEX..." (DELTA in ticks; HEX the event's
# bytes; a sysex is written as "F0 <data...> F7" and gets its length here).
vm_smf() {
	awk '
	function vlq(v,   s) {
		s = sprintf("%02x", v % 128)
		v = int(v / 128)
		while (v > 0) { s = sprintf("%02x", v % 128 + 128) s; v = int(v / 128) }
		return s
	}
	/^[ \t]*(#|$)/ { next }
	{
		ev = vlq($1)
		if (toupper($2) == "F0") {
			ev = ev "f0" vlq(NF - 2)
			for (i = 3; i <= NF; i++) ev = ev $i
		} else {
			for (i = 2; i <= NF; i++) ev = ev $i
		}
		trk = trk ev
	}
	END {
		trk = trk "00ff2f00"
		n = length(trk) / 2
		printf "4d546864000000060000000100604d54726b%08x%s\n", n, trk
	}' | xxd -r -p >"$1"
}

_vm_client_connected() {
	aconnect -l 2>/dev/null | awk -v c="client $1:" '
		/^client / { inside = index($0, c) == 1 }
		inside && /Connect(ing To|ed From):/ { found = 1 }
		END { exit !found }'
}

# vm_wait_connected CLIENT [SECONDS]: wait until some port of CLIENT has a
# subscription (aseqdump -p or aplaymidi -p got connected).
vm_wait_connected() {
	vm_until "${2:-5}" _vm_client_connected "$1"
}

# Normalize aseqdump output to "Event ch, data" lines without the source
# column and the padding: "Note on 0, note 5, velocity 127".
vm_aseqdump_events() {
	sed -n 's/^ *[0-9][0-9]*:[0-9][0-9]*  *//p' "$1" | sed 's/   */ /g'
}

# ---- what the scenarios play ----

# vm_paint_all [raw]: the whole LED state as one SMF event per LED at tick 0
# (so every path gets them as one batch) and, for the mk2, a custom RGB
# sysex on two blinking pads: events.txt (vm_smf lines), paint.mid, and
# expected.txt, the grid apcemu must then show, computed from its
# documented format (tests/vm/README.md), not by apcemu. apcminid shows the
# colour (the latest wish); with "raw", for a path that passes the bytes on
# as they came, the pads go on blinking (the device ignores RGB on them).
# Sets VM_PAINT_LEDS and VM_PAINT_SYSEX, the number of each. Needs vm_model.
vm_paint_all() {
	awk -v model="$APC_MODEL" -v tf="$apc_track_first" -v sf="$apc_scene_first" \
	    -v raw="${1:-}" '
	function hex(v) { return sprintf("%02x", v) }
	BEGIN {
		split(".GgRrYy", mk1, "")
		for (p = 0; p < 64; p++) {
			if (model == "mk1") {
				v = p % 7; ch = 0
				tok[p] = v < 7 ? mk1[v + 1] : v
			} else {
				v = (p * 5 + 3) % 128; ch = p % 16
				if (p % 9 == 0) v = 0
				tok[p] = v == 0 ? "." : (ch == 6 ? v : v "/" ch)
			}
			print "0 " hex(144 + ch) " " hex(p) " " hex(v) >"events.txt"
		}
		split(".OB", btn, "")
		for (i = 0; i < 8; i++) {
			tv = i % 3; sv = (i + 1) % 3
			print "0 90 " hex(tf + i) " " hex(tv) >"events.txt"
			print "0 90 " hex(sf + i) " " hex(sv) >"events.txt"
			trk = trk " " btn[tv + 1]; scn = scn " " btn[sv + 1]
		}
		if (model == "mk2") {
			# pads 60-61 to #ff8001: each component as (v >> 7, v & 0x7f)
			print "0 F0 47 7F 4F 24 00 08 3C 3D 01 7F 01 00 00 01 F7" >"events.txt"
			if (raw != "raw") tok[60] = tok[61] = "#ff8001"
		}
		print "grid " model >"expected.txt"
		for (y = 7; y >= 0; y--) {
			line = y
			for (x = 0; x < 8; x++) line = line " " tok[x + 8 * y]
			print line >"expected.txt"
		}
		print "T" trk >"expected.txt"
		print "S" scn >"expected.txt"
	}'
	vm_smf paint.mid <events.txt
	VM_PAINT_LEDS=$(grep -vc ' F0 ' events.txt)
	VM_PAINT_SYSEX=$(grep -c ' F0 ' events.txt || true)
}

# vm_play_controls EXPECTED: press, release and move one of each kind of
# control on the emulator and write to EXPECTED what the protocol says they
# send (doc/apcmini-protocol.md), as vm_aseqdump_events prints it. Needs
# vm_model and a running emulator.
vm_play_controls() {
	cat >"$1" <<EOT
Note on 0, note 5, velocity 127
Note off 0, note 5, velocity 0
Note on 0, note 63, velocity 100
Note off 0, note 63, velocity 0
Note on 0, note $((apc_scene_first + 2)), velocity 127
Note off 0, note $((apc_scene_first + 2)), velocity 0
Note on 0, note $((apc_track_first + 7)), velocity 127
Note on 0, note $apc_shift_note, velocity 127
Control change 0, controller $apc_fader_cc_first, value 100
Control change 0, controller $((apc_fader_cc_first + 8)), value 0
EOT
	vm_emu press pad 5
	vm_emu release pad 5
	vm_emu tap pad 63 100
	vm_emu tap scene 2
	vm_emu press track 7
	vm_emu press shift
	vm_emu fader 0 100
	vm_emu fader master 0
}

# vm_soundfont: the SoundFont to play (the first .sf2 or .sf3 shared into
# the guest, else the one synth-wavcheck -S finds) in VM_SOUNDFONT; the
# scenario skips without one.
vm_soundfont() {
	local f
	VM_SOUNDFONT=
	for f in /share/*.sf2 /share/*.sf3; do
		if [ -f "$f" ]; then
			VM_SOUNDFONT=$f
			break
		fi
	done
	[ -n "$VM_SOUNDFONT" ] || VM_SOUNDFONT=$(synth-wavcheck -S) ||
		vm_skip "no SoundFont in the guest (tests/vm/run --add FILE.sf2 or --share DIR)"
}

# vm_ms_since T0: milliseconds since T0 (a vm_now reading).
vm_ms_since() {
	awk -v a="$1" -v b="$(vm_now)" 'BEGIN { printf "%d", (b - a) * 1000 }'
}

# ---- audio ----

VM_LOOPBACK_CLOCK=

# vm_loopback: load snd-aloop (card Loopback: what is played on
# hw:Loopback,0,0 is captured on hw:Loopback,1,0) timed by a high-resolution
# timer. Its default jiffies timer moves 192 frames every 4 ms at this
# kernel's HZ=250, so a 64 x 2 playback buffer underruns on every tick (the
# capture holds repeated, chopped blocks). snd-aloop takes its timer from a
# snd-dummy capture stream running with 64-frame periods on snd-dummy's
# hrtimer instead: one 64-frame period every 1.33 ms. Fails the scenario
# when any of it is missing.
vm_loopback() {
	modprobe snd-dummy || vm_fail "cannot load snd-dummy"
	vm_until 5 grep -q Dummy /proc/asound/cards || vm_fail "snd-dummy made no card"
	# A long buffer: an overrun would stop the stream, and the loopback
	# with it. The PCM timer of hw:Dummy,0,0's capture is subdevice 1.
	arecord -q -D hw:Dummy,0,0 -f S16_LE -r 48000 -c 2 --period-size=64 \
		--buffer-size=16384 -t raw /dev/null &
	VM_LOOPBACK_CLOCK=$!
	modprobe snd-aloop pcm_substreams=1 timer_source=Dummy.0.1 ||
		vm_fail "snd-aloop refused timer_source"
	vm_until 5 grep -q Loopback /proc/asound/cards || vm_fail "snd-aloop made no Loopback card"
}

vm_loopback_stop() {
	[ -z "$VM_LOOPBACK_CLOCK" ] || kill "$VM_LOOPBACK_CLOCK" 2>/dev/null || true
	VM_LOOPBACK_CLOCK=
}


# ---- the device an application talks to: apcminid or apcvirt ----

# Scenarios written for apcminid's client run against the virtual APC mini
# when VM_TARGET=apcvirt (apcvirt-* scenarios set it and source them): the
# client and ports have the same names, and vm_emu reaches apcvirt through
# the same socket protocol as the emulator.
: "${VM_TARGET:=apcminid}"
VM_TARGET_PID=

# vm_virt_start [apcvirt options]: the model's virtual APC mini in the
# background (output in ./apcvirt.log, commands through $APCEMU_SOCKET);
# sets VM_CLIENT and VM_TARGET_PID.
vm_virt_start() {
	vm_need apcvirt apcemu
	rm -f "$APCEMU_SOCKET"
	apcvirt -m "$APC_MODEL" -S "$APCEMU_SOCKET" "$@" </dev/null >apcvirt.log 2>&1 &
	VM_TARGET_PID=$!
	vm_until 5 apcemu ctl -t 1000 ping >/dev/null 2>&1 || vm_target_fail "apcvirt did not start"
	vm_wait_client "$apc_name" 5 || vm_target_fail "no sequencer client '$apc_name'"
}

# vm_target_need PROGRAM...: vm_need, with the target's programs.
vm_target_need() {
	if [ "$VM_TARGET" = apcvirt ]; then vm_need apcvirt "$@"; else vm_need apcminid "$@"; fi
}

# vm_target_start [apcminid options]: apcminid on the plugged emulated
# controller (vm_plug_kernel, vm_apcminid_start), or apcvirt; VM_CLIENT is
# then the client an application uses, VM_TARGET_PID its process.
vm_target_start() {
	if [ "$VM_TARGET" = apcvirt ]; then
		vm_virt_start
		return
	fi
	vm_plug_kernel
	vm_apcminid_start "$@"
	VM_TARGET_PID=$VM_APCMINID
}

vm_target_fail() {
	if [ "$VM_TARGET" = apcvirt ]; then
		[ -z "$VM_TARGET_PID" ] || kill "$VM_TARGET_PID" 2>/dev/null || true
		sed 's/^/    apcvirt: /' apcvirt.log 2>/dev/null || true
		aconnect -l 2>&1 | sed 's/^/    /'
		vm_save apcvirt.log 2>/dev/null || true
		vm_fail "$@"
	fi
	vm_apcminid_fail "$@"
}

# vm_target_counters: apcminid prints its counters into its log (SIGUSR1).
vm_target_counters() {
	[ "$VM_TARGET" = apcvirt ] && return 0
	kill -USR1 "$VM_TARGET_PID"
	sleep 0.5
}

# vm_target_stop: end it cleanly; fails if it did not exit with 0.
vm_target_stop() {
	if [ "$VM_TARGET" = apcvirt ]; then
		apcemu ctl quit >/dev/null 2>&1 || kill "$VM_TARGET_PID" 2>/dev/null
	else
		kill -TERM "$VM_TARGET_PID"
	fi
	wait "$VM_TARGET_PID"
}

# ---- apcmon in tmux ----

VM_TMUX_SOCKET=apcvm

vm_tmux() {
	tmux -u -f /dev/null -L "$VM_TMUX_SOCKET" "$@"
}

# vm_mon_start NAME 'ENV...' [apcmon args]: apcmon in a detached 100x40
# tmux session NAME, with the environment ENV (TERM=..., COLORTERM=...);
# waits until it has drawn its title line.
vm_mon_start() {
	local name=$1 env=$2
	shift 2
	vm_need tmux apcmon
	# shellcheck disable=SC2086
	vm_tmux new-session -d -s "$name" -x 100 -y 40 \
		"env $env apcmon $* 2>$APCVM_WORK/$name.err; echo apcmon-exit=\$? >$APCVM_WORK/$name.status; sleep 600"
	vm_until 5 vm_mon_shows "$name" 'apcmon: ' ||
		{ vm_mon_capture "$name"; cat "$APCVM_WORK/$name.err"; return 1; }
}

# vm_mon_capture NAME: the pane with its escape sequences (capture-pane -e).
vm_mon_capture() {
	vm_tmux capture-pane -e -p -t "$1"
}

# vm_mon_shows NAME TEXT...: every TEXT (fixed strings) is in the pane.
vm_mon_shows() {
	local name=$1 t
	shift
	vm_mon_capture "$name" >"$APCVM_WORK/$name.cap" 2>/dev/null || return 1
	for t in "$@"; do
		grep -qF -- "$t" "$APCVM_WORK/$name.cap" || return 1
	done
}

# vm_mon_line NAME N: line N (1-based) of the pane, escapes and all.
vm_mon_line() {
	vm_mon_capture "$1" | sed -n "$2p"
}

# vm_mon_stop NAME: q, then apcmon's exit status (0 expected).
vm_mon_stop() {
	vm_tmux send-keys -t "$1" q
	vm_until 5 test -s "$APCVM_WORK/$1.status" || return 1
	vm_tmux kill-session -t "$1" 2>/dev/null || true
	grep -q 'apcmon-exit=0' "$APCVM_WORK/$1.status"
}

# ---- soak and faults ----

# vm_udevd: systemd-udevd for libusb's hotplug (no rules needed), stopped
# when the scenario exits (this sets the EXIT trap); skips without it.
vm_udevd() {
	/lib/systemd/systemd-udevd --daemon 2>/dev/null || vm_skip "cannot start systemd-udevd"
	trap 'udevadm control --exit 2>/dev/null || true' EXIT
}

# vm_apcminid_stats PREFIX: apcminid's counters (SIGUSR1 to $VM_APCMINID,
# printed into ./apcminid.log; the first device's) as shell variables
# PREFIX_in_messages, _in_events, _in_dropped (from the device: decoded,
# delivered, dropped), _seq_events, _led_events, _led_packets, _ordered,
# _out_dropped (from clients: read, applied to the LED state, LED packets
# sent, other messages queued, dropped), _overruns (sequencer input
# overruns), _refused (events a full subscriber refused), _malformed.
vm_apcminid_stats() {
	local n
	n=$(grep -c '): plugged ' apcminid.log || true)
	kill -USR1 "$VM_APCMINID"
	vm_until 5 sh -c "[ \$(grep -c '): plugged ' apcminid.log) -gt $n ]" || return 1
	sleep 0.2
	eval "$(awk -v p="$1" '
		/\): plugged / { blk = "" }
		{ blk = blk "\n" $0 }
		function put(name, v) { printf "%s_%s=%s\n", p, name, v }
		END {
			n = split(blk, l, "\n")
			for (i = 1; i <= n; i++) {
				nw = split(l[i], w, /[ ,;]+/)
				if (l[i] ~ /^  in: /) {
					for (j = 2; j <= nw; j++) {
						if (w[j] == "messages") put("in_messages", w[j - 1])
						if (w[j] == "events") put("in_events", w[j - 1])
						if (w[j] == "dropped") put("in_dropped", w[j - 1])
					}
				} else if (l[i] ~ /^  out: /) {
					for (j = 2; j <= nw; j++) {
						if (w[j] == "sequencer") put("seq_events", w[j - 1])
						if (w[j] == "LED" && w[j + 1] == "events") put("led_events", w[j - 1])
						if (w[j] == "LED" && w[j + 1] == "packets") put("led_packets", w[j - 1])
						if (w[j] == "ordered") put("ordered", w[j - 1])
						if (w[j] == "dropped") put("out_dropped", w[j - 1])
						if (w[j] == "joined") put("joined", w[j - 3])
					}
				} else if (l[i] ~ /^  errors: /) {
					for (j = 3; j <= nw; j++) {
						if (w[j] == "overruns") put("overruns", w[j - 2])
						if (w[j] == "refused") put("refused", w[j - 2])
					}
				} else if (l[i] ~ /^  from the device: /) {
					for (j = 2; j <= nw; j++)
						if (w[j] == "malformed") put("malformed", w[j - 1])
				}
			}
		}' apcminid.log)"
}

# vm_flood_grid N: the mk1 grid (tests/vm/README.md's format) after
# `seqflood send` of N events: each pad shows the last value sent to it
# (event i: pad i % 64, velocity (i / 64 + i) % 7); buttons off.
vm_flood_grid() {
	awk -v n="$1" 'BEGIN {
		split(".GgRrYy", tok, "")
		for (p = 0; p < 64; p++) {
			t[p] = "."
			if (n > p) { i = p + 64 * int((n - 1 - p) / 64); t[p] = tok[(int(i / 64) + i) % 7 + 1] }
		}
		print "grid mk1"
		for (y = 7; y >= 0; y--) {
			line = y
			for (x = 0; x < 8; x++) line = line " " t[x + 8 * y]
			print line
		}
		print "T . . . . . . . ."
		print "S . . . . . . . ."
	}'
}

_vm_grid_same() {
	apcemu ctl grid >grid.txt 2>/dev/null || return 1
	cmp -s grid.txt grid.prev && return 0
	cp grid.txt grid.prev
	return 1
}

# vm_grid_settle [SECONDS]: wait until the emulator's grid is the same on
# two looks 50 ms apart (the OUT queue has sent what it had); the grid is
# then in ./grid.txt.
vm_grid_settle() {
	: >grid.prev
	sleep 0.3
	vm_until "${1:-10}" _vm_grid_same
}
