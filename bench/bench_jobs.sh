#!/usr/bin/env bash
# bench/bench_jobs.sh - batch throughput with detection on: files/s for 1 and 2 workers.
#
# Usage: bench/bench_jobs.sh [-n N] [-m MODE]   (default N=100 phone JPEGs, MODE=default)
# Copies the real phone JPEGs of $CORPUS/phones (cycled) into a temp folder, then times
# `photoscrub -j 1` and `photoscrub -j 2` on the same folder, one after the other, and prints
# files/s and the speed-up. Outputs of the two runs must be byte-identical (checked).
set -euo pipefail
cd "$(dirname "$0")/.."
N=100 MODE=default
while getopts "n:m:" opt; do
    case $opt in
    n) N=$OPTARG ;;
    m) MODE=$OPTARG ;;
    *) echo "usage: $0 [-n N] [-m fast|default|thorough]" >&2; exit 2 ;;
    esac
done
PHOTOSCRUB=${PHOTOSCRUB:-build/cli/photoscrub}
CORPUS=${CORPUS:-../shared/corpus}
if [ ! -d "$CORPUS/phones" ]; then echo "bench_jobs: skipped, no corpus at $CORPUS"; exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/in"
mapfile -t src < <(ls "$CORPUS"/phones/*.jpg)
for i in $(seq 1 "$N"); do
    cp "${src[$(((i - 1) % ${#src[@]}))]}" "$work/in/img-$(printf %04d "$i").jpg"
done
declare -A secs
for j in 1 2; do
    start=$(date +%s.%N)
    "$PHOTOSCRUB" -q -j "$j" --detect "$MODE" -o "$work/out$j" "$work/in" >/dev/null
    end=$(date +%s.%N)
    secs[$j]=$(python3 -c "print(f'{$end - $start:.1f}')")
done
same=$(diff -rq "$work/out1" "$work/out2" >/dev/null && echo yes || echo NO)
python3 - "$N" "${secs[1]}" "${secs[2]}" "$same" "$MODE" <<'PY'
import sys
n, s1, s2, same, mode = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
print(f"| workers | seconds | files/s |\n|---|---:|---:|")
print(f"| 1 | {s1:.1f} | {n/s1:.2f} |")
print(f"| 2 | {s2:.1f} | {n/s2:.2f} |")
print(f"\nspeed-up 1 -> 2 workers: {s1/s2:.2f}x ({n} phone JPEGs, --detect {mode}); outputs identical: {same}")
PY
