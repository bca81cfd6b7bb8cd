# Sourced by scripts/test and scripts/demo: install what is missing, build.
# shellcheck shell=bash

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=${APCMINI_BUILDDIR:-$top/build}

# Build and test dependencies, Debian 12 package names.
build_deps=(
    build-essential autoconf automake libtool pkg-config
    libasound2-dev libusb-1.0-0-dev libfluidsynth-dev libcmocka-dev
    libncurses-dev ncurses-term tmux    # apcmon; its tmux tests (tmux-direct)
    umockdev libumockdev-dev
    fluidsynth timgm6mb-soundfont mandoc valgrind gnuplot-nox
    clang libclang-rt-14-dev    # tests/fuzz/run: libFuzzer, ASan, UBSan
    udev systemd    # udevadm and systemd-analyze for the rule and unit tests
)

say() { printf '==> %s\n' "$*"; }

install_missing() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "Missing packages: ${missing[*]} (run as root, or install them)" >&2
        return 1
    fi
    say "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

# Configure (once) and build the tree in $builddir; extra args go to configure.
build_tree() {
    if [ ! -x "$top/configure" ] || [ "$top/configure.ac" -nt "$top/configure" ]; then
        say "autoreconf"
        (cd "$top" && autoreconf -fi >/dev/null 2>&1) ||
            (cd "$top" && autoreconf -fi)
    fi
    mkdir -p "$builddir"
    if [ ! -f "$builddir/Makefile" ]; then
        say "configure $*"
        (cd "$builddir" && "$top/configure" --quiet "$@")
    fi
    say "make"
    make -C "$builddir" -j"$(nproc)" >/dev/null
}
