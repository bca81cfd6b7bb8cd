#!/bin/sh
# kernel-leds: aplaymidi paints the whole LED state through snd-usb-audio; the emulator's grid matches exactly (the mk2's blinking pads ignore the RGB colour sent to them).
# models: mk1 mk2
# timeout: 60
set -eu
. "$APCVM_LIB"
vm_need apcemu aplaymidi aconnect
vm_model

vm_paint_all raw
nleds=$VM_PAINT_LEDS
nsysex=$VM_PAINT_SYSEX

vm_plug_kernel
vm_log "kernel client $VM_CLIENT '$VM_CLIENT_NAME'; playing $nleds LED events, $nsysex sysex"

aplaymidi -p "$VM_CLIENT:0" paint.mid || vm_fail "aplaymidi failed"
vm_emu wait leds "$nleds" 5000 || vm_fail "the emulator did not receive $nleds LED messages"
vm_emu wait sysex "$nsysex" 5000 || vm_fail "the emulator did not receive the sysex"
vm_emu grid >got.txt
vm_emu stats
vm_emu_stop
vm_save paint.mid got.txt
vm_diff expected.txt got.txt "LED grid" || vm_fail "the grid differs"
vm_pass "grid painted exactly ($nleds LEDs)"
