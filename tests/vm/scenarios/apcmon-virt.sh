#!/bin/sh
# apcmon-virt: apcmon on apcvirt in tmux: LED messages sent to the device show in the device's colours (truecolor, 256 and 8 colours, blink), presses and fader moves appear, a resize redraws, apcmon's keys drive apcvirt, --once prints the grid.
# models: mk1 mk2
# timeout: 90
set -eu
. "$APCVM_LIB"
vm_need apcvirt apcmon apcemu aplaymidi tmux
vm_model
VM_TARGET=apcvirt
vm_virt_start
fail() { vm_target_fail "$@"; }

# Three pads by their notes: 0 (bottom left), 63 (top right), 18 blinking.
if [ "$APC_MODEL" = mk1 ]; then
	printf '0 90 00 01\n0 90 3F 03\n0 90 12 06\n' | vm_smf leds.mid
	c0='48;2;0;255;0' c63='48;2;255;0;0' c18='48;2;255;255;0' c0_256='48;5;46' c0_8='[42m'
else
	# red at 100 %, green (21) at 10 % (channel 0), yellow (13) blinking
	printf '0 96 00 05\n0 90 3F 15\n0 9C 12 0D\n' | vm_smf leds.mid
	c0='48;2;255;0;0' c63='48;2;0;25;0' c18='48;2;255;255;0' c0_256='48;5;196' c0_8='[41m'
fi
aplaymidi -p "$apc_name:0" leds.mid || fail "aplaymidi failed"
vm_emu wait leds 3 2000 >/dev/null || fail "apcvirt did not get the LEDs"

# Truecolor (COLORTERM): apcmon opens tmux-direct.
vm_mon_start tc 'COLORTERM=truecolor TERM=tmux-256color' "'$apc_name'" || fail "apcmon did not start"
vm_until 3 vm_mon_shows tc "$c0" "$c63" "$c18" || {
	cat "$APCVM_WORK/tc.cap"
	fail "the pane lacks the LED colours"
}
# Where: pad 63 on the top row (line 3), pad 0 on the bottom one (line 17),
# the blinking pad 18 (row 2, line 13) blinks.
vm_mon_line tc 3 | grep -qF "$c63" || fail "pad 63 is not on the top row"
vm_mon_line tc 17 | grep -qF "$c0" || fail "pad 0 is not bottom left"
vm_mon_line tc 13 | grep -qF "[5m" || fail "pad 18 does not blink"
vm_log "truecolor: pads 0, 63, 18 in $c0, $c63, $c18 (blink)"

# Controls the device sends.
vm_emu press pad 9 >/dev/null
vm_emu fader 0 127 >/dev/null
vm_emu fader master 64 >/dev/null
vm_until 3 vm_mon_shows tc '[##]' 'fader1 [####################] 127' 'master [##########' ||
	{ cat "$APCVM_WORK/tc.cap"; fail "the press or the faders do not show"; }
vm_emu release pad 9 >/dev/null
vm_until 3 eval '! vm_mon_shows tc "[##]"' || fail "the release does not show"
vm_log "press, release and faders shown"

# A resize redraws: the title and the bottom-left pad are still in place.
vm_tmux resize-window -t tc -x 120 -y 45
sleep 0.5
vm_until 3 vm_mon_shows tc "apcmon: $apc_name" || fail "no title after the resize"
vm_mon_line tc 17 | grep -qF "$c0" || { vm_mon_capture tc; fail "the grid moved on resize"; }
vm_mon_capture tc | sed -n '45p' | grep -q 'q quit' || fail "the key line is not at the new bottom"
vm_log "resize to 120x45 redrawn"

# apcmon's keys drive apcvirt: 'o' turns everything off through it.
vm_tmux send-keys -t tc o
vm_until 3 eval "! vm_mon_shows tc '$c0'" || fail "'o' did not turn the LEDs off"
vm_emu grid | sed -n 9p | grep -q '^0 \. \. \.' || fail "apcvirt's grid is not off"
aplaymidi -p "$apc_name:0" leds.mid
vm_until 3 vm_mon_shows tc "$c0" || fail "the LEDs did not come back"
# ... and play it through its control port: space taps the pad under the
# cursor (bottom left), which apcvirt sends as the device.
vm_tmux send-keys -t tc Space
vm_until 3 eval 'vm_emu stats | grep -q "controls=6 "' || { vm_emu stats; fail "space did not tap pad 0"; }
vm_until 3 vm_mon_shows tc 'pad 0 release' || fail "the tap does not show"
vm_mon_stop tc || fail "apcmon did not quit cleanly on q"

# 256 and 8 colours.
vm_mon_start c256 'TERM=tmux-256color' || fail "apcmon (256) did not start"
vm_until 3 vm_mon_shows c256 "$c0_256" || { cat "$APCVM_WORK/c256.cap"; fail "no 256-colour $c0_256"; }
vm_mon_stop c256 || fail "apcmon (256) did not quit cleanly"
vm_mon_start c8 'TERM=screen' || fail "apcmon (8) did not start"
vm_until 3 vm_mon_shows c8 "$c0_8" || { cat "$APCVM_WORK/c8.cap"; fail "no 8-colour $c0_8"; }
vm_mon_stop c8 || fail "apcmon (8) did not quit cleanly"
vm_log "256 colours: $c0_256, 8 colours: $c0_8"

# --once: the grid as the device model prints it, and the identity.
apcmon --once --identity >once.txt || fail "apcmon --once failed"
cat once.txt
vm_emu grid >grid.txt
sed -n '/^grid /,/^S /p' once.txt >once-grid.txt
vm_diff grid.txt once-grid.txt "apcmon --once and apcvirt's grid" || fail "--once grid differs"
grep -q "^identity $APC_MODEL round-trip" once.txt || fail "no identity round trip"
vm_target_stop || fail "apcvirt failed on exit"
vm_pass "colours in three depths, controls, resize, keys and --once on apcvirt"
