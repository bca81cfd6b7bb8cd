#!/bin/sh
# The layering of doc/INTERNALS.md, checked on the sources: each folder may
# include only system headers it is allowed and headers of the layers below
# it. Fails naming the file and the include that breaks the rule.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 99
bad=0

headers_of() { # the project headers in the folders given
    for d in "$@"; do ls "$d"/*.h 2>/dev/null; done | sed 's#.*/##'
}

# check DIR "forbidden system header regex" "folders whose headers are above"
check() {
    dir=$1 sysre=$2
    shift 2
    above=$(headers_of "$@")
    for f in "$dir"/*.c "$dir"/*.h; do
        [ -e "$f" ] || continue
        grep -n '^#include' "$f" | while IFS= read -r line; do
            inc=$(printf '%s\n' "$line" | sed 's/^[0-9]*:#include *[<"]\([^>"]*\)[>"].*/\1/')
            if printf '%s\n' "$line" | grep -q '<' && printf '%s\n' "$inc" | grep -Eq "$sysre"; then
                echo "FAIL: $f includes <$inc>, which its layer must not"
                echo x >>"$tmp"
            fi
            for h in $above; do
                if [ "$inc" = "$h" ]; then
                    echo "FAIL: $f includes \"$inc\" from a layer above it"
                    echo x >>"$tmp"
                fi
            done
        done
    done
}

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
io='^(alsa/|libusb|fluidsynth|unistd\.h|fcntl\.h|poll\.h|pthread\.h|sys/|dirent\.h|signal\.h)'
check driver/core "$io" driver/util driver/usb seqbridge synth/engine synth/seq
check driver/util '^(alsa/|libusb|fluidsynth)' driver/usb seqbridge synth/engine synth/seq
check driver/usb '^(alsa/|fluidsynth)' seqbridge synth/engine synth/seq
check seqbridge '^(libusb|fluidsynth)' synth/engine synth/seq
check synth/engine '^(alsa/|libusb)' driver/usb seqbridge synth/seq
[ -s "$tmp" ] && bad=1
[ $bad -eq 0 ] && echo "layering: every include is allowed"
exit $bad
