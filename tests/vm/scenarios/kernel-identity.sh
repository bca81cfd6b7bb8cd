#!/bin/sh
# kernel-identity: the device inquiry (and mk2's introduction) answered through snd-usb-audio's rawmidi.
# models: mk1 mk2
# timeout: 60
set -eu
. "$APCVM_LIB"
vm_need apcemu amidi
vm_model

vm_plug
vm_emu_start
vm_wait_kernel_client 10 || vm_fail "snd-usb-audio did not create a sequencer client"
card=$(vm_usb_card)

# amidi prints what arrives in one read without separators: compare hex
# strings without spaces.
ask() {
	amidi -p "hw:$card,0,0" -S "$1" -d -t 1 2>/dev/null | tr -d ' \n\r' | tr a-f A-F
}

# F0 7E <id> 06 02 47 <model> 00 19 <4 version bytes> ... F7 (doc/apcmini-protocol.md)
got=$(ask 'F0 7E 7F 06 01 F7')
vm_log "identity reply: $got"
model=$(echo "$apc_inquiry_model" | tr a-f A-F)
case $got in
F07E??060247${model}0019*F7) ;;
*) vm_fail "identity reply is not an APC mini $APC_MODEL reply" ;;
esac

if [ "$APC_MODEL" = mk2 ]; then
	vm_emu fader 0 10
	vm_emu fader 3 64
	vm_emu fader master 127
	got=$(ask 'F0 47 7F 4F 60 00 04 00 01 00 00 F7')
	vm_log "introduction reply: $got"
	# Answer: F0 47 7F 4F 61 <len> <len> fader1..fader9 F7; amidi also shows
	# the three fader CCs sent above if they were still in flight: take the
	# sysex only.
	sysex=${got#*F0477F4F61}
	faders=${sysex#????}
	[ "$faders" = 0A000040000000007FF7 ] || vm_fail "fader positions in the reply: $faders"
fi
vm_emu stats
vm_pass "identity answered as $APC_MODEL"
