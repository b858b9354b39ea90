#!/usr/bin/env bash
# Installs photoscrub into a temporary prefix, builds examples/embed.c against it twice (CMake
# package and pkg-config), runs it, and checks the result with exiftool. Also checks that the
# shared library exports only psc_* symbols and that the man page is installed.
set -euo pipefail
src=$1 build=$2 photo=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
P=$tmp/prefix
test -f "$P/include/photoscrub/photoscrub.h" || fail "header not installed"
test -f "$P/share/man/man1/photoscrub.1" || fail "man page not installed"
test -x "$P/bin/photoscrub" || fail "CLI not installed"
lib=$(ls "$P"/lib*/libphotoscrub.so.0 2>/dev/null | head -1)
test -n "$lib" || fail "libphotoscrub.so.0 (SOVERSION 0) not installed"
bad=$(nm -D --defined-only "$lib" | awk '$2 ~ /[TDBR]/ {print $3}' | grep -v '^psc_' || true)
test -z "$bad" || fail "symbols exported besides psc_*: $bad"

# 1. CMake package
cmake -S "$src/examples" -B "$tmp/ex-cmake" -DCMAKE_PREFIX_PATH="$P" >/dev/null
cmake --build "$tmp/ex-cmake" >/dev/null
LD_LIBRARY_PATH=$(dirname "$lib") "$tmp/ex-cmake/embed" "$photo" "$tmp/out1.jpg" > "$tmp/report.json"
grep -q '"gps_present":true' "$tmp/report.json" || fail "report does not say GPS was present"

# 2. pkg-config
pcdir=$(dirname "$(find "$P" -name photoscrub.pc | head -1)")
cc -o "$tmp/embed-pc" "$src/examples/embed.c" $(PKG_CONFIG_PATH=$pcdir pkg-config --cflags --libs photoscrub)
LD_LIBRARY_PATH=$(dirname "$lib") "$tmp/embed-pc" "$photo" "$tmp/out2.jpg" >/dev/null
cmp -s "$tmp/out1.jpg" "$tmp/out2.jpg" || fail "the two builds disagree"

# The oracle: exiftool finds no GPS and no camera model in the output.
left=$(exiftool -q -q -gps:all -make -model -s "$tmp/out1.jpg")
test -z "$left" || fail "metadata left in output: $left"
echo "install_and_embed: 1 passed, 0 failed"
