#!/bin/sh
# fault-synth: apcsynth given an empty, a truncated or a 16 MiB MIDI file and a missing, empty, corrupt or cut SoundFont: each bad input is refused with a message naming the file and why, exit status 1, no WAV left behind and no crash; the huge file renders (streamed).
# timeout: 120
set -eu
. "$APCVM_LIB"
vm_need apcsynth xxd
vm_soundfont
sf=$VM_SOUNDFONT

printf '0 90 3c 64\n96 80 3c 00\n' | vm_smf ok.mid
: >empty.mid
head -c 30 ok.mid >cut-chunk.mid
head -c 10 ok.mid >cut-header.mid
# A track whose last event is cut short (its chunk length agrees).
printf 'MThd\0\0\0\6\0\0\0\1\0\140MTrk\0\0\0\3\0\220\074' >cut-event.mid
# 16 MiB: one text meta event of 2^24 bytes, then a note.
{
	printf 'MThd\0\0\0\6\0\0\0\1\0\140MTrk\001\000\000\023\000\377\001\210\200\200\000'
	head -c 16777216 /dev/zero | tr '\0' a
	printf '\000\220\074\144\140\200\074\000\000\377\057\000'
} >huge.mid
: >empty.sf2
head -c 5000 /dev/urandom >noise.sf2
head -c 100000 "$sf" >cut.sf2

# expect STATUS WHAT TEXT ARGS...: apcsynth ARGS exits with STATUS, says
# TEXT, and leaves no out.wav when it fails.
results=
expect() {
	local want=$1 what=$2 text=$3 rc=0
	shift 3
	rm -f out.wav
	timeout 60 apcsynth "$@" >run.log 2>&1 || rc=$?
	[ "$rc" = "$want" ] || { cat run.log; vm_fail "$what: exit status $rc, not $want"; }
	[ -z "$text" ] || grep -q -- "$text" run.log ||
		{ cat run.log; vm_fail "$what: no '$text' in the message"; }
	if [ "$want" != 0 ] && [ -e out.wav ]; then vm_fail "$what: a WAV was left behind"; fi
	vm_log "$what: status $rc${text:+: $(grep -m1 -- "$text" run.log)}"
	results="$results $what=$rc"
}
expect 0 good-file '' -s "$sf" -F out.wav ok.mid
[ -s out.wav ] || vm_fail "no WAV from the good file"
expect 1 empty-file 'empty.mid: not a Standard MIDI File' -s "$sf" -F out.wav empty.mid
expect 1 cut-header 'cut-header.mid: not a Standard MIDI File' -s "$sf" -F out.wav cut-header.mid
expect 1 cut-chunk 'cut-chunk.mid: truncated' -s "$sf" -F out.wav cut-chunk.mid
expect 1 cut-event 'cut-event.mid' -s "$sf" -F out.wav cut-event.mid
t0=$(vm_now)
expect 0 huge-file '' -s "$sf" -F out.wav huge.mid
[ -s out.wav ] || vm_fail "no WAV from the huge file"
vm_log "16 MiB file rendered in $(vm_ms_since "$t0") ms"
expect 1 missing-sf 'Cannot read SoundFont /nonexistent.sf2: No such file' -s /nonexistent.sf2 -F out.wav ok.mid
expect 1 empty-sf 'Cannot load SoundFont empty.sf2' -s empty.sf2 -F out.wav ok.mid
expect 1 noise-sf 'Cannot load SoundFont noise.sf2' -s noise.sf2 -F out.wav ok.mid
expect 1 cut-sf 'Cannot load SoundFont cut.sf2' -s cut.sf2 -F out.wav ok.mid
# As a sequencer client: the same refusal before any client is made.
expect 1 client-missing-sf 'Cannot read SoundFont /nonexistent.sf2' -s /nonexistent.sf2 -o out.wav
vm_pass "statuses:$results"
