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
}

# ---- the gadget ----

VM_GADGETS=/sys/kernel/config/usb_gadget

# vm_plug [MODEL]: create the gadget as MODEL and plug it in.
vm_plug() {
	vm_need apcemu
	apcemu plug --model "${1:-$APC_MODEL}"
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
