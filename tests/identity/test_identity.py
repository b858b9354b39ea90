#!/usr/bin/env python3
"""Outputs stay byte-identical across restructuring (issue 10).

Every photo of the test corpus (testdata/, samples/, ../shared/corpus/) is scrubbed in every
mode (metadata-only, fast, default, thorough); the sha256 of each output file and of its JSON
report (status, report object, error) is compared with tests/identity/hashes.tsv, which was
made from the code before the restructure with --make. A changed byte anywhere fails the test
and names the file and mode. A deliberate behaviour change regenerates the list in the same
commit and says why.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

MODES = {
    "metadata": ["--metadata-only"],
    "fast": ["--detect", "fast"],
    "default": ["--detect", "default"],
    "thorough": ["--detect", "thorough"],
}
PHOTO_EXT = (".jpg", ".jpeg", ".png", ".heic", ".heif", ".avif")


def corpus_files(testdata, samples, corpus):
    """(stable name, path) of every photo, sorted; names are unique across folders."""
    out = []
    for label, root in (("testdata", testdata), ("samples", samples), ("corpus", corpus)):
        for dirpath, _, files in os.walk(root):
            for f in files:
                if f.lower().endswith(PHOTO_EXT):
                    p = os.path.join(dirpath, f)
                    out.append((label + "/" + os.path.relpath(p, root), p))
    return sorted(out)


def sha(data):
    return hashlib.sha256(data).hexdigest()


def run_mode(cli, mode, files, tmp):
    """Scrubs all files in one CLI run; returns {name: (output sha, report sha)}."""
    stage = os.path.join(tmp, "in-" + mode)
    outdir = os.path.join(tmp, "out-" + mode)
    os.makedirs(stage)
    names = {}
    for i, (name, path) in enumerate(files):
        ext = os.path.splitext(path)[1].lower()
        staged = os.path.join(stage, "f%04d%s" % (i, ext))
        shutil.copyfile(path, staged)
        names[staged] = name
    # A generous OCR budget: a loaded CI machine must not turn a slow photo into a failure.
    cmd = [cli, "--json", "-q", "-j", str(os.cpu_count() or 1), "-o", outdir,
           "--set", "max-ocr-seconds=3600"] + MODES[mode] + [stage]
    proc = subprocess.run(cmd, capture_output=True, timeout=3000)
    got = {}
    for line in proc.stdout.decode().splitlines():
        d = json.loads(line)
        if "file" not in d:
            continue
        name = names[d["file"]]
        out_sha = "-"
        if d.get("output") and os.path.exists(d["output"]):
            with open(d["output"], "rb") as f:
                out_sha = sha(f.read())
        rep = {k: d.get(k) for k in ("status", "report", "error")}
        got[name] = (out_sha, sha(json.dumps(rep, sort_keys=True).encode()))
    missing = set(names.values()) - set(got)
    if missing:
        sys.exit("identity: %s: no JSON line for %s (exit %d)\n%s" %
                 (mode, sorted(missing)[:5], proc.returncode, proc.stderr.decode()[-2000:]))
    return got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--testdata", required=True)
    ap.add_argument("--samples", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--hashes", required=True)
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--make", action="store_true", help="write the list instead of checking")
    a = ap.parse_args()
    files = corpus_files(a.testdata, a.samples, a.corpus)
    if len(files) < 100:
        sys.exit("identity: only %d photos found; is ../shared/corpus there?" % len(files))
    modes = a.modes.split(",")
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for mode in modes:
            for name, h in run_mode(a.cli, mode, files, tmp).items():
                rows[(mode, name)] = h
    if a.make:
        with open(a.hashes, "w") as f:
            f.write("# mode\tphoto\toutput sha256\treport sha256 (made by test_identity.py --make)\n")
            for (mode, name), (o, r) in sorted(rows.items()):
                f.write("%s\t%s\t%s\t%s\n" % (mode, name, o, r))
        print("identity: wrote %d rows" % len(rows))
        return 0
    want = {}
    with open(a.hashes) as f:
        for line in f:
            if line.startswith("#"):
                continue
            mode, name, o, r = line.rstrip("\n").split("\t")
            want[(mode, name)] = (o, r)
    bad = 0
    checked = 0
    for key in sorted(k for k in want if k[0] in modes):
        checked += 1
        if key not in rows:
            print("MISSING %s %s" % key)
            bad += 1
        elif rows[key] != want[key]:
            what = "output" if rows[key][0] != want[key][0] else "report"
            print("CHANGED %s %s (%s differs)" % (key[0], key[1], what))
            bad += 1
    for key in sorted(set(rows) - set(want)):
        print("NEW %s %s (not in the stored list)" % key)
        bad += 1
    print("identity: %d of %d (mode, photo) results identical" % (checked - bad, checked))
    return 1 if bad or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
