#!/usr/bin/env bash
# bench/bench_metadata.sh - metadata-scrub throughput: photoscrub vs cp / exiftool / mat2 / jpegtran
#
# Builds a batch of N phone-sized JPEGs (cycled copies of the real phone photos in
# $CORPUS/phones, renamed img-0001.jpg ...) in a temp dir under /tmp, then times each
# tool processing the whole batch into a fresh output folder with hyperfine, checks
# the outputs (GPS left? primary image untouched? ICC kept?) and prints a markdown
# report on stdout (progress and hyperfine's own output go to stderr).
#
# Run with -h for usage.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)

usage() {
    cat <<EOF
Usage: bench/bench_metadata.sh [options]

Times metadata scrubbing of a batch of phone JPEGs: cp (floor), photoscrub,
exiftool (one process for the batch, plus one-process-per-file on a subset),
mat2 (default = re-encode, and -L = exiftool-based, on a subset), jpegtran -copy none.

Options:
  -n N             batch size (default 200)
  -r R             hyperfine measured runs per tool (default 3)
  -w W             warmup runs per tool (default 1, min 1; the first warmup run
                   is timed to size the run count against --budget)
  -k K             subset size for the one-process-per-file exiftool and mat2 -L
                   rows (default 20; results are extrapolated per file)
  --budget S       max seconds of measured runs per tool (default 75); a tool whose
                   single run is slower gets fewer runs (reported in the output)
  --skip LIST      comma-separated tools to skip:
                   cp,photoscrub,exiftool,exiftool-1,jpegtran,mat2,mat2-L
  --markdown FILE  also write the markdown report to FILE
  --keep           keep the temp dir (printed on stderr) for inspection
  -h, --help       this help

Environment:
  PHOTOSCRUB  photoscrub binary (default: build/cli/photoscrub, relative to the repo
              root). If it is missing, the photoscrub row is skipped with a warning.
  CORPUS      corpus root containing phones/*.jpg (default: ../shared/corpus
              relative to the repo root). If missing, the bench is skipped (exit 0).
EOF
}

# ---------------------------------------------------------------- options
N=200 RUNS=3 WARMUP=1 SUBSET=20 BUDGET=75 SKIP="" MDFILE="" KEEP=0
ORIG_ARGS=("$@")
while [[ $# -gt 0 ]]; do
    case "$1" in
        -n) N=${2:?}; shift 2 ;;
        -r) RUNS=${2:?}; shift 2 ;;
        -w) WARMUP=${2:?}; shift 2 ;;
        -k) SUBSET=${2:?}; shift 2 ;;
        --budget) BUDGET=${2:?}; shift 2 ;;
        --skip) SKIP=${2:?}; shift 2 ;;
        --markdown) MDFILE=${2:?}; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench_metadata: unknown argument: $1 (try -h)" >&2; exit 2 ;;
    esac
done
for v in N RUNS WARMUP SUBSET BUDGET; do
    [[ ${!v} =~ ^[0-9]+$ ]] || { echo "bench_metadata: $v must be a non-negative integer" >&2; exit 2; }
done
(( N >= 1 && RUNS >= 1 && SUBSET >= 1 && BUDGET >= 1 )) || { echo "bench_metadata: -n/-r/-k/--budget must be >= 1" >&2; exit 2; }
(( WARMUP >= 1 )) || WARMUP=1
(( SUBSET <= N )) || SUBSET=$N

log() { printf '[bench] %s\n' "$*" >&2; }
skipped() { [[ ",$SKIP," == *",$1,"* ]]; }

# remember what the caller set (for the printed command line) before resolving paths
CMDLINE=""
shq() { if [[ $1 =~ ^[A-Za-z0-9_./,=:+-]+$ ]]; then printf '%s' "$1"; else printf '%q' "$1"; fi; }
[[ -n ${PHOTOSCRUB+x} ]] && CMDLINE+="PHOTOSCRUB=$(shq "$PHOTOSCRUB") "
[[ -n ${CORPUS+x} ]] && CMDLINE+="CORPUS=$(shq "$CORPUS") "
CMDLINE+="bench/bench_metadata.sh"
for a in "${ORIG_ARGS[@]+"${ORIG_ARGS[@]}"}"; do CMDLINE+=" $(shq "$a")"; done

PHOTOSCRUB=${PHOTOSCRUB:-build/cli/photoscrub}
CORPUS=${CORPUS:-../shared/corpus}
case "$PHOTOSCRUB" in /*) ;; */*) PHOTOSCRUB="$REPO_ROOT/$PHOTOSCRUB" ;; *) PHOTOSCRUB=$(command -v "$PHOTOSCRUB" || echo "$PHOTOSCRUB") ;; esac
case "$CORPUS" in /*) ;; *) CORPUS="$REPO_ROOT/$CORPUS" ;; esac

# ---------------------------------------------------------------- prerequisites
PHONES="$CORPUS/phones"
# the phone photos, in a fixed order (img-0001 = first, ...) so runs are comparable
DEFAULT_SOURCES=("Apple iPhone 4S.jpg" "Apple iPhone 6.jpg" "Samsung SM-G935L (Galaxy S7 Edge).jpg"
                 "Samsung SM-J327T1.jpg" "Motorola XT1068 (Moto G).jpg" "apple_gainmap_new.jpg")
SOURCES=()
if [[ -d $PHONES ]]; then
    for s in "${DEFAULT_SOURCES[@]}"; do [[ -f $PHONES/$s ]] && SOURCES+=("$PHONES/$s"); done
    if (( ${#SOURCES[@]} == 0 )); then   # corpus changed: take whatever phone JPEGs are there
        while IFS= read -r -d '' f; do SOURCES+=("$f"); done < <(find "$PHONES" -maxdepth 1 -iname '*.jpg' -print0 | sort -z)
    fi
fi
if (( ${#SOURCES[@]} == 0 )); then
    echo "bench_metadata: SKIPPED - no phone JPEGs in '$PHONES' (set CORPUS=/path/to/corpus)" >&2
    echo "_metadata benchmark skipped: corpus not found at \`$PHONES\`_"
    exit 0
fi

for t in hyperfine python3 exiftool jpegtran mat2; do
    if ! command -v "$t" >/dev/null 2>&1; then
        case "$t" in
            hyperfine|python3|exiftool) echo "bench_metadata: '$t' is required (apt-get install -y ${t/exiftool/libimage-exiftool-perl})" >&2; exit 1 ;;
            jpegtran) log "jpegtran not found - skipping it"; SKIP+=",jpegtran" ;;
            mat2) log "mat2 not found - skipping it"; SKIP+=",mat2,mat2-L" ;;
        esac
    fi
done

HAVE_PS=1
if skipped photoscrub; then HAVE_PS=0
elif [[ ! -x $PHOTOSCRUB || -d $PHOTOSCRUB ]]; then
    log "WARNING: photoscrub binary not found at '$PHOTOSCRUB' - its row is skipped (build it, or set PHOTOSCRUB=...)"
    HAVE_PS=0
fi

# ---------------------------------------------------------------- work dir + batch
W=$(mktemp -d /tmp/photoscrub-bench.XXXXXX)
cleanup() { if (( KEEP )); then log "kept work dir: $W"; else rm -rf "$W"; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$W/in" "$W/sub" "$W/out" "$W/json" "$W/log"

log "building batch: $N files from ${#SOURCES[@]} phone JPEGs into $W/in"
for (( i = 1; i <= N; i++ )); do
    name=$(printf 'img-%04d.jpg' "$i")
    cp -- "${SOURCES[$(( (i - 1) % ${#SOURCES[@]} ))]}" "$W/in/$name"
    if (( i <= SUBSET )); then cp -- "$W/in/$name" "$W/sub/$name"; fi
done
chmod 644 "$W"/in/*.jpg "$W"/sub/*.jpg
IN_BYTES=$(du -sb "$W/in" | cut -f1)
SUB_BYTES=$(du -sb "$W/sub" | cut -f1)
IN_GPS=$(exiftool -q -q -r -if '$gpslatitude' -p '$filename' "$W/in" 2>/dev/null | wc -l || true)
SAMPLE=$(( ${#SOURCES[@]} < N ? ${#SOURCES[@]} : N ))   # img-0001..img-SAMPLE = one of each source
sync

# ---------------------------------------------------------------- machine + versions
CPU_MODEL=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)
MEM_GB=$(awk '/MemTotal/ {printf "%.0f", $2/1048576}' /proc/meminfo)
TMPFS=$(df -PT /tmp | awk 'NR==2 {print $2}')
OS=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-?}" || echo "?")
GIT_REV=$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo "no commit")
if [[ $GIT_REV != "no commit" ]] && [[ -n $(git -C "$REPO_ROOT" status --porcelain 2>/dev/null | head -1) ]]; then GIT_REV+="-dirty"; fi
V_HF=$(hyperfine --version | awk '{print $2}')
V_EX=$(exiftool -ver)
V_JT=$(jpegtran -version 2>&1 | head -1 | sed 's/ *(build.*//' || true)
V_MAT2=$(mat2 --version 2>/dev/null | awk '{print $2}' || echo "n/a")
V_PS="n/a"
if (( HAVE_PS )); then
    if V_PS=$(timeout 5 "$PHOTOSCRUB" --version 2>/dev/null </dev/null); then V_PS=$(printf '%s\n' "$V_PS" | head -1); else V_PS=""; fi
    [[ -n $V_PS ]] || V_PS="unknown (no --version output)"
fi

# ---------------------------------------------------------------- measuring
MANIFEST="$W/manifest.tsv"   # id  label  procs  files  json  outdir  reduced-note
: > "$MANIFEST"
Q() { printf '%q' "$1"; }

# bench ID LABEL PROCS FILES OUTDIR PREPARE CMD
bench() {
    local id=$1 label=$2 procs=$3 files=$4 out=$5 prep=$6 cmd=$7
    local json="$W/json/$id.json" note="" runs=$RUNS t0 t1 ms
    log "---- $label ($files files)"
    # first warmup run, timed by hand: sizes the run count against the budget
    sh -c "$prep"
    t0=$(date +%s%N); sh -c "$cmd" >/dev/null 2>&1 || true; t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
    if (( ms * RUNS > BUDGET * 1000 )); then
        runs=$(( BUDGET * 1000 / (ms > 0 ? ms : 1) )); (( runs >= 1 )) || runs=1
        note="runs reduced ${RUNS}->${runs}: one run took $(awk -v m="$ms" 'BEGIN{printf "%.1f", m/1000}') s, budget ${BUDGET} s/tool"
        log "$note"
    fi
    # -i: a tool failing on some file must not abort the bench; exit codes are reported
    hyperfine -i --style basic --warmup $(( WARMUP - 1 )) --runs "$runs" \
        --command-name "$label" --prepare "$prep" --export-json "$json" "$cmd" >&2
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$label" "$procs" "$files" "$json" "$out" "$note" >> "$MANIFEST"
}

# sanity: GPS left in outputs (the exact check from the brief), recorded per tool
check_gps() {
    local id=$1 out=$2 n
    n=$(exiftool -q -q -r -if '$gpslatitude' -p '$filename' "$out" 2>/dev/null | wc -l || true)
    echo "$n" > "$W/log/$id.gps"
    find "$out" -type f -name '*.jpg' | wc -l > "$W/log/$id.count"
    (( n == 0 )) || log "WARNING: $n output file(s) of $id still contain GPS"
}

# lossless/ICC checks need outputs; record sizes then remove outputs to save disk
finish() {
    local id=$1 out=$2
    check_gps "$id" "$out"
    du -sb "$out" | cut -f1 > "$W/log/$id.bytes"
    mkdir -p "$W/sample/$id"
    for (( i = 1; i <= SAMPLE; i++ )); do
        local f; f=$(printf 'img-%04d.jpg' "$i")
        if [[ -f $out/$f ]]; then cp -- "$out/$f" "$W/sample/$id/$f"; fi
    done
    rm -rf "$out"
}

IN=$W/in SUB=$W/sub O=$W/out

if ! skipped cp; then
    bench cp "cp (floor)" "1" "$N" "$O/cp" \
        "rm -rf $O/cp && sync" \
        "cp -r $IN $O/cp"
    rm -rf "$O/cp"; echo "$(du -sb "$IN" | cut -f1)" > "$W/log/cp.bytes"
fi

if (( HAVE_PS )); then
    bench photoscrub "photoscrub --metadata-only" "1" "$N" "$O/ps" \
        "rm -rf $O/ps && mkdir -p $O/ps && sync" \
        "$(Q "$PHOTOSCRUB") --metadata-only -q -o $O/ps $IN"
    finish photoscrub "$O/ps"
fi

if ! skipped exiftool; then
    bench exiftool "exiftool -all= (1 process)" "1" "$N" "$O/ex" \
        "rm -rf $O/ex && mkdir -p $O/ex && sync" \
        "exiftool -q -q -all= -o $O/ex/ $IN/*.jpg"
    finish exiftool "$O/ex"
fi

if ! skipped exiftool-1; then
    bench exiftool-1 "exiftool -all= (1 process/file)" "1 per file" "$SUBSET" "$O/ex1" \
        "rm -rf $O/ex1 && mkdir -p $O/ex1 && sync" \
        "for f in $SUB/*.jpg; do exiftool -q -q -all= -o $O/ex1/ \"\$f\"; done"
    finish exiftool-1 "$O/ex1"
fi

if ! skipped jpegtran; then
    bench jpegtran "jpegtran -copy none (1 process/file)" "1 per file" "$N" "$O/jt" \
        "rm -rf $O/jt && mkdir -p $O/jt && sync" \
        "for f in $IN/*.jpg; do jpegtran -copy none -outfile \"$O/jt/\${f##*/}\" \"\$f\"; done"
    finish jpegtran "$O/jt"
fi

if ! skipped mat2; then
    # mat2 works in place: each run gets a fresh copy (copy time is in --prepare, not measured)
    bench mat2 "mat2 --inplace (default: re-encode)" "1 + pool of $(nproc)" "$N" "$O/m2" \
        "rm -rf $O/m2 && cp -r $IN $O/m2 && sync" \
        "mat2 --inplace $O/m2/*.jpg > $W/log/mat2.out 2>&1"
    grep -c "can't be cleaned" "$W/log/mat2.out" > "$W/log/mat2.fail" || true
    finish mat2 "$O/m2"
fi

if ! skipped mat2-L; then
    bench mat2-L "mat2 -L --inplace (lightweight: exiftool)" "1 + pool of $(nproc), exiftool per file" "$SUBSET" "$O/m2L" \
        "rm -rf $O/m2L && cp -r $SUB $O/m2L && sync" \
        "mat2 -L --inplace $O/m2L/*.jpg > $W/log/mat2-L.out 2>&1"
    grep -c "can't be cleaned" "$W/log/mat2-L.out" > "$W/log/mat2-L.fail" || true
    finish mat2-L "$O/m2L"
fi

# ---------------------------------------------------------------- report
export W N SUBSET SAMPLE IN_BYTES SUB_BYTES IN_GPS CMDLINE CPU_MODEL MEM_GB TMPFS OS GIT_REV \
       V_HF V_EX V_JT V_MAT2 V_PS RUNS WARMUP BUDGET HAVE_PS
export SOURCE_LIST=$(for s in "${SOURCES[@]}"; do printf '%s (%s KB)\n' "${s##*/}" $(( $(stat -c %s "$s") / 1024 )); done)
export NPROC=$(nproc)

REPORT=$(python3 - <<'PY'
import hashlib, json, os, subprocess, sys

E = os.environ
W = E["W"]; N = int(E["N"]); SAMPLE = int(E["SAMPLE"])

def segments_before_sos(data):
    """yield (marker, payload, offset) for the segments between SOI and SOS (SOS included)."""
    if data[:2] != b"\xff\xd8":
        return
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return
        m = data[i + 1]
        if m == 0xFF:            # fill byte
            i += 1; continue
        if m == 0xD8 or 0xD0 <= m <= 0xD7:
            i += 2; continue
        ln = int.from_bytes(data[i + 2:i + 4], "big")
        yield m, data[i + 4:i + 2 + ln], i
        if m == 0xDA:
            return
        i += 2 + ln

def coeff_digest(path):
    """hash of jpegtran -copy none output minus APPn/COM: equal iff the primary image's
    quant tables + DCT coefficients (+ frame/scan layout) are identical."""
    r = subprocess.run(["jpegtran", "-copy", "none", path], capture_output=True)
    if r.returncode != 0 or not r.stdout:
        return None
    d = r.stdout; keep = bytearray()
    for m, payload, off in segments_before_sos(d):
        if 0xE0 <= m <= 0xEF or m == 0xFE:
            continue
        if m == 0xDA:
            keep += d[off:]; break
        keep += d[off:off + 4 + len(payload)]
    return hashlib.sha256(bytes(keep)).hexdigest()

def has_icc(path):
    try:
        d = open(path, "rb").read()
    except OSError:
        return False
    return any(m == 0xE2 and p.startswith(b"ICC_PROFILE\0") for m, p, _ in segments_before_sos(d))

def rd(name, default=None):
    try:
        return open(os.path.join(W, "log", name)).read().strip()
    except OSError:
        return default

inputs = [os.path.join(W, "in", "img-%04d.jpg" % i) for i in range(1, SAMPLE + 1)]
in_digest = [coeff_digest(p) for p in inputs]
in_icc = [has_icc(p) for p in inputs]

rows = []
for line in open(os.path.join(W, "manifest.tsv")):
    tid, label, procs, files, jpath, out, note = line.rstrip("\n").split("\t")
    res = json.load(open(jpath))["results"][0]
    files = int(files)
    r = dict(id=tid, label=label, procs=procs, files=files, note=note,
             median=res["median"], stddev=res["stddev"] or 0.0, runs=len(res["times"]),
             cpu=(res["user"] or 0) + (res["system"] or 0),
             bad_exit=sum(1 for c in (res.get("exit_codes") or []) if c))
    r["ms_file"] = 1000.0 * r["median"] / files
    r["total_N"] = r["ms_file"] * N / 1000.0          # extrapolated for subset rows
    r["cpu_ms_file"] = 1000.0 * r["cpu"] / files
    b = rd(tid + ".bytes"); r["out_mb"] = int(b) / 1e6 if b else None
    r["out_ratio"] = int(b) / int(E["IN_BYTES"] if files == N else E["SUB_BYTES"]) if b else None
    r["gps"] = rd(tid + ".gps"); r["count"] = rd(tid + ".count"); r["fail"] = rd(tid + ".fail")
    if tid != "cp":
        nsample = min(SAMPLE, files)
        same = present = icc_kept = icc_had = 0
        for i in range(nsample):
            p = os.path.join(W, "sample", tid, "img-%04d.jpg" % (i + 1))
            if not os.path.exists(p):
                continue
            present += 1
            if in_digest[i] is not None and coeff_digest(p) == in_digest[i]:
                same += 1
            if in_icc[i]:
                icc_had += 1
                icc_kept += has_icc(p)
        r["lossless"] = ("n/a (no output)" if present == 0 else
                         "yes" if same == present else "**no** (%d/%d differ)" % (present - same, present))
        if present < nsample and present:
            r["lossless"] += ", %d/%d missing" % (nsample - present, nsample)
        r["icc"] = "-" if icc_had == 0 else ("kept" if icc_kept == icc_had else "stripped" if icc_kept == 0 else "%d/%d" % (icc_kept, icc_had))
    rows.append(r)

ps = next((r for r in rows if r["id"] == "photoscrub"), None)
cp = next((r for r in rows if r["id"] == "cp"), None)

def f(x, fmt="%.2f"):
    return "n/a" if x is None else fmt % x

out = []
P = out.append
P("### Metadata scrub benchmark (%d phone JPEGs, %.0f MB)" % (N, int(E["IN_BYTES"]) / 1e6))
P("")
P("- command: `%s`" % E["CMDLINE"])
P("- machine: %s cores, %s, %s GB RAM, /tmp on %s, %s" % (E["NPROC"], E["CPU_MODEL"], E["MEM_GB"], E["TMPFS"], E["OS"]))
P("- versions: photoscrub %s (repo %s); exiftool %s; mat2 %s; %s; hyperfine %s"
  % (E["V_PS"], E["GIT_REV"], E["V_EX"], E["V_MAT2"], E["V_JT"], E["V_HF"]))
P("- batch: %d copies (img-0001.jpg ...) cycling %s; %s/%d inputs carry GPS"
  % (N, "; ".join(E["SOURCE_LIST"].strip().splitlines()), E["IN_GPS"], N))
method = ("- method: hyperfine, %d warmup + up to %d measured runs per tool (median ± stddev), "
          "fresh output dir per run (`--prepare`: rm/copy + sync, not timed)" % (int(E["WARMUP"]), int(E["RUNS"])))
if any(r["files"] != N for r in rows):
    method += "; rows marked * were measured on the first %s files and extrapolated to %d" % (E["SUBSET"], N)
P(method)
P("")
P("| tool | processes | runs | total s (median) | ms/file | CPU ms/file | × photoscrub | output size | GPS left | primary image lossless | ICC |")
P("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
for r in rows:
    star = "*" if r["files"] != N else ""
    total = ("~%.2f*" % r["total_N"]) if star else ("%.2f ± %.2f" % (r["median"], r["stddev"]))
    ratio = "n/a"
    if ps and ps["ms_file"] > 0:
        x = r["ms_file"] / ps["ms_file"]
        ratio = ("%.1f×" if x >= 1 else "%.2f×") % x
    if r["id"] == "cp":
        gps = "(copy)"; ll = "(copy)"; icc = "(copy)"
    else:
        cnt = int(r["count"] or 0)
        gps = ("%s/%d" % (r["gps"], cnt)) if cnt else "no output"
        if cnt and cnt != r["files"]:
            gps += " (%d/%d written)" % (cnt, r["files"])
        ll = r["lossless"]; icc = r["icc"]
    size = "%.0f%% of input" % (100 * r["out_ratio"]) if r["out_ratio"] and int(r["count"] or 1) else "n/a"
    P("| %s | %s | %d | %s | %.1f | %.1f | %s | %s | %s | %s | %s |"
      % (r["label"], r["procs"], r["runs"], total, r["ms_file"], r["cpu_ms_file"], ratio, size, gps, ll, icc))
P("")
notes = []
if ps and cp:
    notes.append("photoscrub / cp = **%.2f×** (%.1f ms/file vs %.1f ms/file for a plain copy)"
                 % (ps["median"] / cp["median"], ps["ms_file"], cp["ms_file"]))
if not ps:
    notes.append("photoscrub was not measured (binary missing or skipped): ratios are n/a")
ex = next((r for r in rows if r["id"] == "exiftool"), None)
ex1 = next((r for r in rows if r["id"] == "exiftool-1"), None)
if ex and ex1:
    notes.append("exiftool startup: one process per file costs %.0f ms/file vs %.1f ms/file in one batch process "
                 "(≈ %.0f ms of Perl start-up per invocation)" % (ex1["ms_file"], ex["ms_file"], ex1["ms_file"] - ex["ms_file"]))
for r in rows:
    if r["note"]:
        notes.append("%s: %s" % (r["label"], r["note"]))
    if r["bad_exit"]:
        notes.append("%s: non-zero exit status in %d/%d measured runs" % (r["label"], r["bad_exit"], r["runs"]))
    if r.get("fail") not in (None, "", "0"):
        notes.append("%s: %s file(s) reported \"can't be cleaned\" in the last run" % (r["label"], r["fail"]))
    if r["id"] != "cp" and r.get("gps") not in (None, "", "0"):
        notes.append("**WARNING** %s: %s output file(s) still carry GPS" % (r["label"], r["gps"]))
    if r["id"] != "cp" and int(r.get("count") or 0) != r["files"]:
        notes.append("**WARNING** %s: wrote %s of %d expected outputs" % (r["label"], r["count"] or 0, r["files"]))
if any(r["id"] == "mat2" for r in rows):
    notes.append("mat2 (default) decodes and re-encodes every JPEG through GdkPixbuf: lossy, output much smaller, "
                 "and it spreads files over a pool of %s worker processes (CPU ms/file > wall ms/file)" % E["NPROC"])
if any(r["id"] == "mat2-L" for r in rows):
    notes.append("mat2 -L still decodes each image (GdkPixbuf validity check) and then runs exiftool once per file")
notes.append("lossless = the primary image's quant tables and DCT coefficients are identical to the input's "
             "(checked with jpegtran -copy none on one copy of each source photo); "
             "ICC = whether the ICC colour profile of the inputs that have one survived")
notes.append("single-process tools (photoscrub, exiftool, jpegtran loop) use one core; CPU ms/file is user+sys from hyperfine")
for n in notes:
    P("- " + n)
print("\n".join(out))
PY
)

printf '%s\n' "$REPORT"
if [[ -n $MDFILE ]]; then
    printf '%s\n' "$REPORT" > "$MDFILE"
    log "markdown written to $MDFILE"
fi
