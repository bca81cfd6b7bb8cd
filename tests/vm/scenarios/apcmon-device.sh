#!/bin/sh
# apcmon-device: apcmon in tmux on the emulated controller, through snd-usb-audio's client and then apcminid's: LED messages an application sends through a subscription (and, to apcminid, straight to its port) show in the device's colours, pad presses and fader moves appear, the identity round trip is timed.
# models: mk1 mk2
# timeout: 120
set -eu
. "$APCVM_LIB"
vm_need apcemu apcminid apcmon amidi aconnect aplaymidi tmux
vm_model
modprobe snd-virmidi midi_devs=1 || vm_skip "no snd-virmidi"

# The application: a virmidi port (written through its rawmidi), connected
# to the device's port 0 like any sequencer application with aconnect.
vcard=$(sed -n 's/^ *\([0-9]*\) \[.*\]: VirMIDI .*/\1/p' /proc/asound/cards | head -n1)
[ -n "$vcard" ] || vm_fail "no VirMIDI card"
vclient=$(vm_card_client "$vcard")
app() { amidi -p "hw:$vcard,0" -S "$1"; }

if [ "$APC_MODEL" = mk1 ]; then
	on='90 00 01 90 3F 03' off='90 00 00 90 3F 00'
	c0='48;2;0;255;0' c63='48;2;255;0;0' grid0='^0 G ' grid7='^7 .* R$'
else
	on='96 00 05 96 3F 15' off='96 00 00 96 3F 00'
	c0='48;2;255;0;0' c63='48;2;0;255;0' grid0='^0 5 ' grid7='^7 .* 21$'
fi

# $1: what it is; apcmon runs on the client called $apc_name.
check() {
	aconnect "$vclient:0" "$VM_CLIENT:0" || fail "aconnect $vclient:0 $VM_CLIENT:0"
	vm_mon_start "$1" 'COLORTERM=truecolor TERM=tmux-256color' "$VM_CLIENT" ||
		fail "apcmon did not start on $1"
	vm_mon_shows "$1" ", $1)" "(client $VM_CLIENT," || fail "apcmon does not say it is on $1"
	app "$on"
	vm_until 3 vm_mon_shows "$1" "$c0" "$c63" || { cat "$APCVM_WORK/$1.cap"; fail "$1: no LED colours"; }
	vm_mon_line "$1" 17 | grep -qF "$c0" || fail "$1: pad 0 is not bottom left"
	vm_until 3 eval 'vm_emu grid | grep -q "$grid0"' || fail "$1: the LEDs did not reach the device"
	vm_emu grid | grep -q "$grid7" || fail "$1: pad 63 did not reach the device"
	vm_emu press pad 9 >/dev/null
	vm_emu fader 2 127 >/dev/null
	vm_until 3 vm_mon_shows "$1" '[##]' 'fader3 [####################] 127' ||
		{ cat "$APCVM_WORK/$1.cap"; fail "$1: the press or the fader does not show"; }
	vm_emu release pad 9 >/dev/null
	vm_tmux send-keys -t "$1" i
	vm_until 3 vm_mon_shows "$1" "identity $APC_MODEL, round trip" ||
		{ cat "$APCVM_WORK/$1.cap"; fail "$1: no identity round trip"; }
	vm_log "$1: $(grep -o 'round trip [0-9.]* ms' "$APCVM_WORK/$1.cap")"
	app "$off"
	vm_until 3 eval "! vm_mon_shows '$1' '$c0'" || fail "$1: the LEDs did not go off"
	vm_mon_stop "$1" || fail "apcmon on $1 did not quit cleanly"
	aconnect -d "$vclient:0" "$VM_CLIENT:0" 2>/dev/null || true
}

vm_plug_kernel
fail() { vm_fail "$@"; }
check snd-usb-audio

vm_apcminid_start -v
fail() { vm_apcminid_fail "$@"; }
check apcminid

# What aplaymidi -p sends shows too (it subscribes and sends at once,
# before a monitor could follow it; a client may also send without any
# subscription): apcmon reads apcminid's LED mirror. Pad 5 red on both.
if [ "$APC_MODEL" = mk1 ]; then echo "0 90 05 03"; else echo "0 96 05 05"; fi | vm_smf red.mid
vm_mon_start direct 'COLORTERM=truecolor TERM=tmux-256color' "$VM_CLIENT" ||
	fail "apcmon did not start again"
aplaymidi -p "$apc_name:0" red.mid || fail "aplaymidi -p $apc_name:0 failed"
vm_until 3 eval 'vm_mon_line direct 17 | grep -qF "48;2;255;0;0"' ||
	{ vm_mon_capture direct; fail "a message sent straight to apcminid does not show"; }
vm_mon_stop direct || fail "apcmon did not quit cleanly"
kill -TERM "$VM_APCMINID"
wait "$VM_APCMINID" || fail "apcminid failed on exit"
vm_emu_stop
vm_pass "colours, controls and identity through snd-usb-audio and apcminid"
