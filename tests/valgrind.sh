#!/usr/bin/env bash
# Runs every test program of make check (the cmocka ones and the fuzz
# corpus replays; not the shell tests, which run programs of their own)
# under valgrind memcheck, in a plain (not sanitizer) build directory that
# make check has built: any invalid access, use of uninitialised memory or
# definite leak fails it. Suppressions (tests/valgrind.supp) are for
# third-party libraries only, each with its reason.
#
# Usage: tests/valgrind.sh BUILDDIR [PROGRAM...]
#   PROGRAM: run only these (as TESTS names them, tests/test-usbmidi)
# Prints "PASS|FAIL|SKIP: valgrind PROGRAM (N s)" per program; exit 0 if
# all passed, 1 if not, 77 if valgrind is missing.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
b=${1:?usage: tests/valgrind.sh BUILDDIR [PROGRAM...]}
b=$(cd "$b" && pwd)
shift

if ! command -v valgrind >/dev/null 2>&1; then
    echo "SKIP: valgrind: not installed (Debian: valgrind)"
    exit 77
fi
if grep -q -- '-fsanitize' "$b/Makefile" && grep -q '^SAN_CFLAGS = -f' "$b/Makefile"; then
    echo "valgrind: $b is a sanitizer build; valgrind needs a plain one" >&2
    exit 2
fi

# Programs left out under valgrind, as an extended regular expression, and
# why (none at present).
skip_re='^$'

if [ $# -gt 0 ]; then
    progs=("$@")
else
    # TESTS as make check has them, without the shell tests.
    mapfile -t progs < <(make -s -C "$b" -f Makefile -f - valgrind-print-tests <<'EOF' |
valgrind-print-tests: ; @for t in $(TESTS); do echo $$t; done
EOF
        grep -v '\.sh$' | sed 's/\$(EXEEXT)$//')
fi

out="$b/valgrind"
mkdir -p "$out"
export CMOCKA_MESSAGE_OUTPUT=TAP top_builddir="$b" top_srcdir="$top"
vg=(valgrind -q --tool=memcheck --error-exitcode=99 --leak-check=full
    --errors-for-leak-kinds=definite --show-leak-kinds=definite
    --track-origins=yes --num-callers=30
    --suppressions="$top/tests/valgrind.supp")

failed=0
total_start=$(date +%s)
for p in "${progs[@]}"; do
    name=${p//\//_}
    if grep -qE "$skip_re" <<<"$p"; then
        echo "SKIP: valgrind $p (left out: see tests/valgrind.sh)"
        continue
    fi
    if [ ! -x "$b/$p" ]; then
        echo "FAIL: valgrind $p (not built: run make check first)"
        failed=$((failed + 1))
        continue
    fi
    start=$(date +%s%N)
    set +e
    # test-usb-umockdev re-executes itself under umockdev-wrapper, where
    # valgrind would not follow it: give it umockdev's preload library
    # here, so valgrind checks the run that tests.
    preload=
    case $p in *umockdev*) preload=libumockdev-preload.so.0 ;; esac
    (cd "$b" && env ${preload:+LD_PRELOAD=$preload} "${vg[@]}" --log-file="$out/$name.vg" \
        "./$p") >"$out/$name.out" 2>&1
    rc=$?
    set -e
    ms=$((($(date +%s%N) - start) / 1000000))
    secs=$((ms / 1000)).$((ms % 1000 / 100))
    if [ "$rc" -eq 0 ] && ! grep -q '^not ok' "$out/$name.out" && [ ! -s "$out/$name.vg" ]; then
        echo "PASS: valgrind $p ($secs s)"
    else
        echo "FAIL: valgrind $p (exit $rc, $secs s)"
        grep '^not ok' "$out/$name.out" | head -n 20 || true
        head -n 80 "$out/$name.vg" 2>/dev/null || true
        failed=$((failed + 1))
    fi
done
echo "valgrind: ${#progs[@]} programs in $(($(date +%s) - total_start)) s, $failed failed"
[ "$failed" -eq 0 ]
