#!/bin/sh
# Offline rendering end to end through the apcsynth binary: note onsets of
# the timing probe where the scheduler promises them, byte-identical output
# on a second run, and the command line's answers (help, usage errors,
# corrupt files, no sequencer). SKIP (77) only when no SoundFont exists.
set -u

B=${top_builddir:-.}
SYNTH="$B/synth/apcsynth"
CHECK="$B/tests/test-synth-render-check"
failures=0

sf=$("$CHECK" soundfont)
rc=$?
if [ "$rc" -eq 77 ]; then
    echo "SKIP: no SoundFont installed"
    exit 77
fi
[ "$rc" -eq 0 ] || exit 1
echo "SoundFont: $sf"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-synth-render.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

"$CHECK" probe "$tmp/probe.mid" || exit 1

# Onsets and reproducibility, dry (no reverb/chorus) so silence is exact.
for rate in 48000 44100; do
    for run in a b; do
        "$SYNTH" -F "$tmp/$run.wav" -O float -R 0 -C 0 -r "$rate" -s "$sf" \
            "$tmp/probe.mid" || fail "render at $rate ($run)"
    done
    "$CHECK" onsets "$tmp/a.wav" || fail "onsets at $rate Hz"
    cmp "$tmp/a.wav" "$tmp/b.wav" || fail "two renders at $rate Hz differ"
done

# With effects and 16-bit output, still the same bytes twice.
"$SYNTH" -F "$tmp/c.wav" -s "$sf" "$tmp/probe.mid" "$tmp/probe.mid" || fail "render s16"
"$SYNTH" -F "$tmp/d.wav" -s "$sf" "$tmp/probe.mid" "$tmp/probe.mid" || fail "render s16"
cmp "$tmp/c.wav" "$tmp/d.wav" || fail "two s16 renders differ"

# The real-time render thread (what -o uses), driven without a sequencer.
"$CHECK" rt "$tmp/rt.wav" "$sf" || fail "real-time WAV path"

# Corrupt input: truncate the probe in the middle of its note track.
head -c 100 "$tmp/probe.mid" > "$tmp/trunc.mid"
"$CHECK" cut "$tmp/cut.mid" || exit 1
echo "not a MIDI file" > "$tmp/text.mid"

# exit status | stream | text expected | arguments. A run that fails must
# leave no output file behind (x.wav is every row's output).
while IFS='|' read -r want stream text args; do
    [ -n "$want" ] || continue
    rm -f "$tmp/x.wav"
    # shellcheck disable=SC2086
    eval "set -- $args"
    "$SYNTH" "$@" > "$tmp/out" 2> "$tmp/err"
    got=$?
    if [ "$want" -ne 0 ] && [ -e "$tmp/x.wav" ]; then
        fail "apcsynth $args: exit $got but left $tmp/x.wav ($(wc -c < "$tmp/x.wav") bytes)"
    fi
    if [ "$got" -ne "$want" ]; then
        fail "apcsynth $args: exit $got, want $want"
        cat "$tmp/err"
        continue
    fi
    if ! grep -q -e "$text" "$tmp/$stream"; then
        fail "apcsynth $args: no '$text' on std$stream"
        cat "$tmp/out" "$tmp/err"
    fi
done <<EOT
0|out|Usage: apcsynth|--help
0|out|--fast-render|-h
0|out|^apcsynth [0-9]|--version
2|err|--help' for more|--bogus
2|err|needs at least one MIDI file|-F "$tmp/x.wav"
2|err|invalid sample rate|-r 5 -F "$tmp/x.wav" "$tmp/probe.mid"
2|err|s16 or float|-O wav -F "$tmp/x.wav" "$tmp/probe.mid"
2|err|cannot be used together|-F "$tmp/x.wav" -o "$tmp/y.wav" "$tmp/probe.mid"
2|err|unexpected argument|"$tmp/probe.mid"
2|err|unknown audio driver|-a no-such-driver
1|err|Cannot open $tmp/missing.mid|-s "$sf" -F "$tmp/x.wav" "$tmp/missing.mid"
1|err|truncated|-s "$sf" -F "$tmp/x.wav" "$tmp/trunc.mid"
1|err|truncated channel message|-s "$sf" -F "$tmp/x.wav" "$tmp/cut.mid"
1|err|Cannot read SoundFont|-s "$tmp/none.sf2" -F "$tmp/x.wav" "$tmp/probe.mid"
1|err|Cannot read SoundFont|-s "$tmp/none.sf2" -o "$tmp/x.wav"
1|err|not a Standard MIDI File|-s "$sf" -F "$tmp/x.wav" "$tmp/probe.mid" "$tmp/text.mid"
1|err|Cannot create $tmp/no/dir.wav|-s "$sf" -F "$tmp/no/dir.wav" "$tmp/probe.mid"
EOT

# A write error (the file size limit, as a full disk would) fails the
# render and removes the partial file; the header alone fits the limit.
(
    trap '' XFSZ
    ulimit -f 16
    exec "$SYNTH" -F "$tmp/big.wav" -s "$sf" "$tmp/probe.mid"
) > "$tmp/out" 2> "$tmp/err"
got=$?
[ "$got" -eq 1 ] || fail "write error: exit $got, want 1"
grep -q "Cannot .*big.wav" "$tmp/err" || { fail "write error: no message"; cat "$tmp/err"; }
[ ! -e "$tmp/big.wav" ] || fail "write error: left a partial big.wav behind"

# Without a sequencer device the live modes must fail cleanly, without the
# WAV file they had started.
if [ ! -e /dev/snd/seq ]; then
    "$SYNTH" -s "$sf" -o "$tmp/live.wav" > "$tmp/out" 2> "$tmp/err"
    got=$?
    [ "$got" -eq 1 ] || fail "no sequencer: exit $got, want 1"
    grep -q "Cannot open sequencer: " "$tmp/err" || fail "no sequencer: message"
    [ ! -e "$tmp/live.wav" ] || fail "no sequencer: left live.wav behind"
fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "PASS"
exit 0
