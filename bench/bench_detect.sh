#!/usr/bin/env bash
# bench/bench_detect.sh - detection benchmark: codes and text left readable after photoscrub,
# damage to photos without codes/text, time and memory per photo, per --detect mode.
#
# Generates staged hospital-like 12 MP scenes with ground truth (bench/gen_scenes.py), adds the
# real photos of $CORPUS/codes and $CORPUS/text, runs photoscrub on each photo once per mode (one
# process per photo, pinned to one core, under /usr/bin/time) and measures with ZXingReader,
# zbarimg, tesseract and ImageMagick compare (bench/detect_eval.py). Prints a markdown report on
# stdout; progress goes to stderr. Run with -h for usage.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)

usage() {
    cat <<EOF
Usage: bench/bench_detect.sh --three-sets [options]     (issue 11: tuning, held-out, real photos)
       bench/bench_detect.sh [options]                  (the earlier single-set report, unchanged)

Three-set mode (--three-sets): generates, on demand and outside git, two sets with the same wide
distribution (bench/gen_scenes.py --wide): TUNE (seed 101) and HELDOUT (seed 202), into
\$SETS_DIR/<set>-<size>-n<N>-m<M>/ (default build-bench/sets; reused when present), and
reads the real photos of \$REAL (default ../shared/corpus/real, all of them). One markdown table per
mode with the three sets side by side. The held-out set's per-photo findings are never printed
(only its aggregate row) unless --show-heldout: do not look at them while tuning. Readings of the
inputs are cached in \$SETS_DIR/inputs-cache.json (keyed by set content and oracle version), so
reruns only scrub and read the outputs.
  --three-sets       this mode (-n, --negatives, --size, --modes, -j, --timeout, --markdown, --json,
                     --keep, --no-build apply; default -n 10 --negatives 4 --modes default)
  --sets LIST        which of tune,heldout,real (default all three)
  --show-heldout     also list the held-out set's per-photo findings (not while tuning)
  --no-cache         do not reuse or write the input readings

Options:
  -n N               positive scenes to generate (default 16; the generator alone defaults to 24)
  --negatives M      negative scenes, without codes or text (default 6)
  --size WxH         scene size (default 4000x3000 = 12 MP; objects scale with W/4000)
  --seed S           generator seed (default 1)
  --scenes DIR       reuse scenes made by bench/gen_scenes.py (DIR/truth.json) instead of generating
  --modes LIST       photoscrub --detect modes, comma-separated (default fast,default;
                     thorough roughly doubles the run time: --modes fast,default,thorough)
  --corpus-per-dir K corpus images per codes/ folder (default 3; 0 = all 223, slow)
  --no-corpus        skip the corpus part
  --baseline B       positive scenes also timed with the tesseract / zbarimg / ZXingReader
                     CLIs (default 3; tesseract --psm 11 takes minutes on 12 MP)
  --timeout S        per-photo photoscrub time limit, killed after (default 240; photoscrub's own OCR budget is 120 s)
  -j, --jobs J       photos processed at once, each pinned to its own core (default: cores)
  --markdown FILE    also write the markdown report to FILE
  --json FILE        write every per-file figure as JSON to FILE
  --keep             keep the work dir (scenes, outputs) and print its path
  --no-build         do not (re)build photoscrub; needs PHOTOSCRUB or build-bench/cli/photoscrub
  -h, --help         this help

Environment:
  PHOTOSCRUB  photoscrub binary (default: build-bench/cli/photoscrub under the repo root, built
              with CMake in Release mode if missing or out of date)
  CORPUS      corpus root with codes/*/ and text/ (default: ../shared/corpus relative to the repo
              root); missing: that part is skipped with a message

Run time on the 2-core dev machine (shared with other jobs, load average 4-7): the default run
(16 + 6 scenes of 12 MP, 30 corpus images + 6 text images, fast and default) about 25 minutes,
roughly half of that on an idle machine; -n 24 --negatives 8 --modes fast,default,thorough took 52
minutes (generation 2 min, reading the inputs 4 min, then about 12 / 15 / 20 min per mode).
-n 6 --negatives 2 --no-corpus --modes fast: about 3 minutes.
Prerequisites (Debian): apt-get install imagemagick qrencode zint fonts-dejavu-core tesseract-ocr
  tesseract-ocr-eng zbar-tools zxing-cpp-tools time util-linux python3 cmake
(Python standard library only: python3-pil / python3-numpy are not needed.)
EOF
}

N=16 NEG=6 SIZE=4000x3000 SEED=1 SCENES="" MODES=fast,default PERDIR=3 NOCORPUS=0 BASELINE=3
TIMEOUT=240 JOBS=$(nproc) MDFILE="" JSONFILE="" KEEP=0 NOBUILD=0
THREE=0 SETS=tune,heldout,real SHOWHELD=0 NOCACHE=0 N_SET=0 NEG_SET=0 MODES_SET=0
ORIG_ARGS=("$@")
while [[ $# -gt 0 ]]; do
    case "$1" in
        -n) N=${2:?}; N_SET=1; shift 2 ;;
        --negatives) NEG=${2:?}; NEG_SET=1; shift 2 ;;
        --three-sets) THREE=1; shift ;;
        --sets) SETS=${2:?}; shift 2 ;;
        --show-heldout) SHOWHELD=1; shift ;;
        --no-cache) NOCACHE=1; shift ;;
        --size) SIZE=${2:?}; shift 2 ;;
        --seed) SEED=${2:?}; shift 2 ;;
        --scenes) SCENES=${2:?}; shift 2 ;;
        --modes) MODES=${2:?}; MODES_SET=1; shift 2 ;;
        --corpus-per-dir) PERDIR=${2:?}; shift 2 ;;
        --no-corpus) NOCORPUS=1; shift ;;
        --baseline) BASELINE=${2:?}; shift 2 ;;
        --timeout) TIMEOUT=${2:?}; shift 2 ;;
        -j|--jobs) JOBS=${2:?}; shift 2 ;;
        --markdown) MDFILE=${2:?}; shift 2 ;;
        --json) JSONFILE=${2:?}; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --no-build) NOBUILD=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench_detect.sh: unknown option $1 (see -h)" >&2; exit 2 ;;
    esac
done
if (( THREE )); then
    (( N_SET )) || N=10
    (( NEG_SET )) || NEG=4
    (( MODES_SET )) || MODES=default
fi
IFS=, read -r -a MODE_LIST <<<"$MODES"
for m in "${MODE_LIST[@]}"; do
    case "$m" in fast|default|thorough) ;; *) echo "bench_detect.sh: unknown mode '$m'" >&2; exit 2 ;; esac
done
[[ "$SIZE" =~ ^[0-9]+x[0-9]+$ ]] || { echo "bench_detect.sh: --size must be WxH" >&2; exit 2; }

# ---------------------------------------------------------------- prerequisites
CONVERT=/usr/bin/convert; [[ -x $CONVERT ]] || CONVERT=$(command -v convert || true)
missing=()
[[ -n "$CONVERT" ]] || missing+=(imagemagick)
for t in qrencode:qrencode zint:zint tesseract:tesseract-ocr zbarimg:zbar-tools ZXingReader:zxing-cpp-tools \
         taskset:util-linux python3:python3; do
    command -v "${t%%:*}" >/dev/null 2>&1 || missing+=("${t#*:}")
done
[[ -x /usr/bin/time ]] || missing+=(time)
if ! fc-list 2>/dev/null | grep -qi 'DejaVuSans.ttf'; then missing+=(fonts-dejavu-core); fi
if command -v tesseract >/dev/null 2>&1 && ! tesseract --list-langs 2>/dev/null | grep -qx eng; then
    missing+=(tesseract-ocr-eng)
fi
if (( ${#missing[@]} )); then
    echo "bench_detect.sh: missing: ${missing[*]}" >&2
    echo "  install: apt-get install ${missing[*]}" >&2
    exit 1
fi

# ---------------------------------------------------------------- photoscrub
PHOTOSCRUB=${PHOTOSCRUB:-}
if [[ -z "$PHOTOSCRUB" ]]; then
    PHOTOSCRUB=$REPO_ROOT/build-bench/cli/photoscrub
    if (( ! NOBUILD )); then
        command -v cmake >/dev/null || { echo "bench_detect.sh: cmake missing (apt-get install cmake)" >&2; exit 1; }
        echo "bench_detect.sh: building photoscrub (Release) in build-bench/" >&2
        cmake -S "$REPO_ROOT" -B "$REPO_ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
        cmake --build "$REPO_ROOT/build-bench" -j"$(nproc)" --target photoscrub >/dev/null 2>&1 ||
            cmake --build "$REPO_ROOT/build-bench" -j"$(nproc)" >/dev/null
    fi
fi
[[ -x "$PHOTOSCRUB" ]] || { echo "bench_detect.sh: no photoscrub binary at $PHOTOSCRUB" >&2; exit 1; }

# ---------------------------------------------------------------- three sets (issue 11)
if (( THREE )); then
    SETS_DIR=${SETS_DIR:-$REPO_ROOT/build-bench/sets}
    REAL=${REAL:-$REPO_ROOT/../shared/corpus/real}
    mkdir -p "$SETS_DIR"
    WORK=$(mktemp -d /tmp/bench_detect.XXXXXX)
    cleanup() { if (( KEEP )); then echo "bench_detect.sh: work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi; }
    trap cleanup EXIT
    T0=$(date +%s)
    ARGS=()
    IFS=, read -r -a SET_LIST <<<"$SETS"
    for s in "${SET_LIST[@]}"; do
        case "$s" in
            tune|heldout)
                seed=101; [[ $s == heldout ]] && seed=202
                dir=$SETS_DIR/$s-$SIZE-n$N-m$NEG
                if [[ ! -f $dir/truth.json ]]; then
                    echo "bench_detect.sh: generating the $s set ($N + $NEG scenes of $SIZE, seed $seed, --wide)" >&2
                    rm -rf "$dir.tmp"
                    python3 "$SCRIPT_DIR/gen_scenes.py" "$dir.tmp" --wide --seed "$seed" --count "$N" \
                        --negatives "$NEG" --size "$SIZE" --jobs "$JOBS" 2>/dev/null
                    mv "$dir.tmp" "$dir"
                fi
                ARGS+=(--set "$s=$dir") ;;
            real)
                [[ -d $REAL ]] || { echo "bench_detect.sh: no real photos at $REAL (set REAL=...)" >&2; exit 1; }
                ARGS+=(--real "$(cd "$REAL" && pwd)") ;;
            *) echo "bench_detect.sh: unknown set '$s'" >&2; exit 2 ;;
        esac
    done
    (( NOCACHE )) || ARGS+=(--inputs-cache "$SETS_DIR/inputs-cache.json")
    (( SHOWHELD )) && ARGS+=(--show-heldout)
    [[ -n "$MDFILE" ]] && ARGS+=(--markdown "$MDFILE")
    [[ -n "$JSONFILE" ]] && ARGS+=(--json "$JSONFILE")
    (( KEEP )) && ARGS+=(--keep-outputs)
    CMDLINE="bench/bench_detect.sh${ORIG_ARGS[*]:+ ${ORIG_ARGS[*]}}"
    python3 "$SCRIPT_DIR/detect_eval.py" --bin "$PHOTOSCRUB" "${ARGS[@]}" --modes "$MODES" --work "$WORK/eval" \
        --jobs "$JOBS" --timeout "$TIMEOUT" --command "$CMDLINE"
    echo "bench_detect.sh: total $(( $(date +%s) - T0 )) s" >&2
    exit 0
fi

# ---------------------------------------------------------------- corpus
CORPUS=${CORPUS:-$REPO_ROOT/../shared/corpus}
CORPUS_ARG=()
if (( NOCORPUS )); then
    echo "bench_detect.sh: corpus part skipped (--no-corpus)" >&2
elif [[ -d "$CORPUS/codes" || -d "$CORPUS/text" ]]; then
    CORPUS_ARG=(--corpus "$(cd "$CORPUS" && pwd)" --corpus-per-dir "$PERDIR")
else
    echo "bench_detect.sh: no corpus at $CORPUS (set CORPUS=...): corpus part skipped" >&2
fi

# ---------------------------------------------------------------- work dir, scenes
WORK=$(mktemp -d /tmp/bench_detect.XXXXXX)
cleanup() { if (( KEEP )); then echo "bench_detect.sh: work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
T0=$(date +%s)
NOTE=""
if [[ -z "$SCENES" ]]; then
    SCENES=$WORK/scenes
    echo "bench_detect.sh: generating $N + $NEG scenes of $SIZE (seed $SEED)" >&2
    g0=$(date +%s)
    python3 "$SCRIPT_DIR/gen_scenes.py" "$SCENES" --seed "$SEED" --count "$N" --negatives "$NEG" --size "$SIZE" \
        --jobs "$JOBS"
    NOTE="scenes generated in $(( $(date +%s) - g0 )) s"
else
    [[ -f "$SCENES/truth.json" ]] || { echo "bench_detect.sh: $SCENES/truth.json missing" >&2; exit 1; }
    NOTE="scenes reused from $SCENES"
fi

EXTRA=()
[[ -n "$MDFILE" ]] && EXTRA+=(--markdown "$MDFILE")
[[ -n "$JSONFILE" ]] && EXTRA+=(--json "$JSONFILE")
(( KEEP )) && EXTRA+=(--keep-outputs)
CMDLINE="bench/bench_detect.sh${ORIG_ARGS[*]:+ ${ORIG_ARGS[*]}}"
python3 "$SCRIPT_DIR/detect_eval.py" --bin "$PHOTOSCRUB" --scenes "$SCENES" "${CORPUS_ARG[@]}" \
    --modes "$MODES" --work "$WORK/eval" --jobs "$JOBS" --timeout "$TIMEOUT" --baseline "$BASELINE" \
    --command "$CMDLINE" --note "$NOTE" "${EXTRA[@]}"
echo "bench_detect.sh: total $(( $(date +%s) - T0 )) s" >&2
