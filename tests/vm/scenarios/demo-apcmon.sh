#!/bin/sh
# demo-apcmon: what scripts/demo shows of apcmon: apcminid on the emulated controller, apcmon in a terminal (tmux) running its colour test, pads pressed and faders moved on the device; the screen is printed with its colours.
# models: mk1 mk2
# timeout: 90
set -eu
. "$APCVM_LIB"
vm_need apcemu apcminid apcmon tmux
vm_model

vm_plug_kernel
vm_apcminid_start
fail() { vm_apcminid_fail "$@"; }
vm_mon_start demo 'COLORTERM=truecolor TERM=tmux-256color' || fail "apcmon did not start"
vm_tmux send-keys -t demo c
vm_emu press pad 27 >/dev/null
vm_emu fader 0 90 >/dev/null
vm_emu fader 4 40 >/dev/null
vm_emu fader master 127 >/dev/null
vm_tmux send-keys -t demo i
vm_until 3 vm_mon_shows demo 'round trip' || true
printf '\n==> apcmon on apcminid, the emulated %s, after its colour test (c)\n' "$APC_MODEL"
vm_mon_capture demo | sed '/^ *$/d'
printf '\033[0m\n'
vm_emu grid
vm_emu release pad 27 >/dev/null
vm_mon_stop demo || fail "apcmon did not quit cleanly"
kill -TERM "$VM_APCMINID"
wait "$VM_APCMINID" || fail "apcminid failed on exit"
vm_pass "apcmon showed the colour test, a held pad and the faders"
