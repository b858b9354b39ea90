#!/usr/bin/env python3
"""Runs the photoscrub CLI over >= 1000 damaged and hostile files (gen_hostile.py) and checks,
for every file: the process never dies from a signal, stays under a memory bound (RLIMIT_AS,
and its own peak RSS) and a time bound; a scrubbed output re-checks clean (our own JPEG/PNG
walker and exiftool find nothing outside the keep-list); a failure names the file on stderr;
no '.psc-tmp-' file is left. Also: symlinks, a symlink loop, a FIFO, /dev/zero, a symlink
planted at an output name, and the max-file-mb / max-megapixels limits.

    python3 test_hostile.py --cli PATH --testdata DIR [--keep DIR] [--mem-gb 2] [unittest args]

Bulk runs use --metadata-only; about 100 files (every category, all bombs) also run with
detection (--detect fast). Target runtime: under 3 minutes.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "oracle"))
import hostile_common as hc  # noqa: E402

ARGS = None
GEN = None          # folder made by gen_hostile.py
MANIFEST = None
STATS = {}          # figures printed at the end
BATCH = 300         # files per CLI run
PEAK_RSS_MAX_KB = 1536 * 1024


def setUpModule():
    global GEN, MANIFEST
    base = ARGS.keep or tempfile.mkdtemp(prefix="psc-hostile-")
    GEN = os.path.join(base, "gen")
    t0 = time.monotonic()
    subprocess.run([sys.executable, os.path.join(HERE, "gen_hostile.py"), GEN, "--testdata", ARGS.testdata],
                   check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(GEN, "manifest.json")) as f:
        MANIFEST = json.load(f)
    STATS["generate_s"] = round(time.monotonic() - t0, 1)
    STATS["files"] = len(MANIFEST["files"])


def tearDownModule():
    if not ARGS.keep:
        shutil.rmtree(os.path.dirname(GEN), ignore_errors=True)
    print("\nFIGURES " + json.dumps(STATS, sort_keys=True), file=sys.stderr)


def cli(args, timeout=120, **kw):
    return hc.bounded([ARGS.cli] + args, timeout=timeout, mem=int(ARGS.mem_gb * hc.GB) if ARGS.mem_gb else None, **kw)


def json_results(text):
    res = {}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{") and '"file"' in line:
            d = json.loads(line)
            res[d["file"]] = d
    return res


class Hostile(unittest.TestCase):
    def run_batches(self, names, mode_args, label, timeout=120):
        """Runs names (relative to GEN/files) in batches; checks every file; returns outcomes."""
        files = os.path.join(GEN, "files")
        out = os.path.join(os.path.dirname(GEN), "out-" + label)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        outcomes, peak, slowest, t0 = {}, 0, 0.0, time.monotonic()
        for i in range(0, len(names), BATCH):
            chunk = names[i:i + BATCH]
            r = cli(mode_args + ["--json", "-q", "-o", out] + chunk, timeout=timeout, cwd=files)
            peak, slowest = max(peak, r.maxrss_kb), max(slowest, r.secs)
            with self.subTest(batch=i, label=label):
                self.assertIsNone(r.sig, "CLI died (%s) in a batch starting at %s: %s" % (r.sig, chunk[0], r.err[-2000:]))
                self.assertIn(r.rc, (0, 1), r.err[-2000:])
            if r.sig:
                self.pinpoint(chunk, mode_args, files, out)
                continue
            res = json_results(r.out)
            for n in chunk:
                with self.subTest(file=n, label=label):
                    d = res.get(n)
                    self.assertIsNotNone(d, "no JSON line for %s" % n)
                    st = d["status"]
                    outcomes[n] = st
                    if st == "scrubbed":
                        path = os.path.join(out, n)
                        self.assertTrue(os.path.isfile(path), "scrubbed but no output: %s" % n)
                        bad, _ = hc.check_output(path)
                        self.assertEqual(bad, [], "%s: output not clean" % n)
                    else:
                        self.assertIn(st, ("failed", "not-a-photo"), n)
                        self.assertIn("photoscrub: %s:" % n, r.err, "failure of %s not named on stderr" % n)
                        self.assertFalse(os.path.exists(os.path.join(out, n)), "failed but output exists: %s" % n)
            if any(s == "failed" for s in (outcomes.get(n) for n in chunk)):
                self.assertEqual(r.rc, 1, "a file failed but the exit status is %s" % r.rc)
        self.assertEqual(hc.temp_files(out), [], "temporary files left")
        STATS[label] = {"files": len(names), "seconds": round(time.monotonic() - t0, 1),
                        "peak_rss_mb": peak // 1024, "slowest_batch_s": round(slowest, 1),
                        "scrubbed": sum(1 for s in outcomes.values() if s == "scrubbed"),
                        "failed": sum(1 for s in outcomes.values() if s != "scrubbed")}
        self.assertLess(peak, PEAK_RSS_MAX_KB, "peak RSS %d MB" % (peak // 1024))
        return out, outcomes

    def pinpoint(self, chunk, mode_args, files, out):
        """After a crash, names the files that crash on their own."""
        for n in chunk:
            r = cli(mode_args + ["-q", "-f", "-o", out, n], timeout=60, cwd=files)
            with self.subTest(crash=n):
                self.assertIsNone(r.sig, "%s crashes the CLI (%s): %s" % (n, r.sig, r.err[-1000:]))

    def exiftool_check(self, out, names):
        """exiftool (independent reader) finds no tag outside the keep-list in any output."""
        import pstest
        if shutil.which("exiftool") is None:
            self.skipTest("exiftool not installed")
        paths = [os.path.join(out, n) for n in names if os.path.isfile(os.path.join(out, n))]
        warnings = 0
        for i in range(0, len(paths), 400):
            p = subprocess.run(["exiftool", "-a", "-G1", "-s", "-u", "-n", "-j"] + paths[i:i + 400],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
            docs = json.loads(p.stdout.decode("utf-8", "replace"), object_pairs_hook=lambda kv: kv)
            for pairs in docs:
                src = dict(pairs)["SourceFile"]
                keys = [(k, v) for k, v in pairs if k != "SourceFile"]
                # A warning about odd structure is not metadata; count it, do not fail on it.
                # PNG:ICC_Profile is a kept iCCP whose profile exiftool could not inflate.
                warnings += sum(1 for k, _ in keys if k in ("ExifTool:Warning", "ExifTool:Error"))
                keys = [(k, v) for k, v in keys
                        if k not in ("ExifTool:Warning", "ExifTool:Error", "PNG:ICC_Profile")]
                _, orient = hc.check_output(src)
                with self.subTest(exiftool=os.path.basename(src)):
                    self.assertEqual(pstest.disallowed_tags(keys, True, 6 if orient else None), [])
        STATS["exiftool_checked"] = len(paths)
        STATS["exiftool_warnings"] = warnings

    def test_1_metadata_only_all(self):
        names = [m["name"] for m in MANIFEST["files"]]
        self.assertGreaterEqual(len(names), 1000)
        out, outcomes = self.run_batches(names, ["--metadata-only"], "metadata_only")
        self.exiftool_check(out, [n for n, s in outcomes.items() if s == "scrubbed"])
        # Damage must be refused, not passed through: every truncation before EOI/IEND fails.
        for m in MANIFEST["files"]:
            if m["cat"] in ("zero", "nonimage"):
                with self.subTest(nonphoto=m["name"]):
                    self.assertNotEqual(outcomes.get(m["name"]), "scrubbed")

    def test_1b_rotate_jpegs(self):
        """Lossless rotation (TurboJPEG) on every damaged JPEG that still walks."""
        names = [m["name"] for m in MANIFEST["files"] if m["name"].endswith(".jpg")]
        self.run_batches(names, ["--metadata-only", "--rotate"], "rotate")

    def test_2_detection_subset(self):
        """~100 files with pixel work (--detect fast): every category, every bomb and SOF attack."""
        by_cat = {}
        for m in MANIFEST["files"]:
            by_cat.setdefault(m["cat"], []).append(m["name"])
        pick = []
        for cat, names in sorted(by_cat.items()):
            k = len(names) if cat in ("bomb", "sof-65535x65535", "sof-40000x40000", "struct") else 3
            step = max(1, len(names) // k)
            pick += names[::step][:k]
        pick = pick[:130]
        self.run_batches(pick, ["--detect", "fast"], "detect_fast", timeout=170)

    def test_3_limits(self):
        work = tempfile.mkdtemp(dir=os.path.dirname(GEN))
        clean = hc.read(os.path.join(ARGS.testdata, "clean.jpg"))
        # 1.5 MiB: a valid JPEG with a long trailer.
        big = os.path.join(work, "big.jpg")
        hc.write(big, clean + b"\0" * (3 << 19))
        r = cli(["--metadata-only", "--set", "max-file-mb=1", "-o", work + "/o1", big], timeout=30)
        self.assertEqual(r.rc, 1, r.err)
        self.assertIn(big, r.err)
        self.assertRegex(r.err, "max-file-mb|limit")
        # Declared 1200x1000 (1.2 MP) against max-megapixels=1, with detection.
        files = os.path.join(GEN, "files")
        src = next(m["name"] for m in MANIFEST["files"] if m["name"] == "sof-65535x65535-clean.jpg")
        data = bytearray(hc.read(os.path.join(files, src)))
        i = data.find(b"\xff\xff\xff\xff", 2)  # the patched SOF height/width
        data[i:i + 4] = (1000).to_bytes(2, "big") + (1200).to_bytes(2, "big")
        mp = os.path.join(work, "1200x1000.jpg")
        hc.write(mp, bytes(data))
        r = cli(["--detect", "fast", "--set", "max-megapixels=1", "-o", work + "/o2", mp], timeout=30)
        self.assertEqual(r.rc, 1, r.err)
        self.assertIn(mp, r.err)
        self.assertIn("megapixels", r.err)
        # 65535x65535 with detection: fails fast, before allocating, saying why.
        for name in ("sof-65535x65535-clean.jpg", "sof-40000x40000-clean.jpg", "bomb-30000x30000-gray.png",
                     "bomb-100000x100000.png"):
            r = cli(["--detect", "fast", "-o", work + "/o3", os.path.join(files, name)], timeout=30)
            with self.subTest(limit=name):
                self.assertEqual(r.rc, 1, r.err)
                self.assertIn(name, r.err)
                self.assertRegex(r.err, "megapixels|limit")
                self.assertLess(r.secs, 5.0)
                self.assertLess(r.maxrss_kb, 300 * 1024, "allocated %d MB" % (r.maxrss_kb // 1024))
                STATS.setdefault("limit_cases", {})[name] = {"s": round(r.secs, 2), "rss_mb": r.maxrss_kb // 1024}
        # Files built to cost far more memory to list than their size fail on a fixed limit.
        for name in ("struct-amp-com-70000.jpg", "struct-amp-stray-ff01-100k.jpg", "struct-amp-idat-1100k-empty.png"):
            r = cli(["--metadata-only", "-o", work + "/o5", os.path.join(files, name)], timeout=30)
            with self.subTest(amplification=name):
                self.assertEqual(r.rc, 1, r.err)
                self.assertIn(name, r.err)
                self.assertRegex(r.err, "more than [0-9]+ (segments|chunks)")
                self.assertLess(r.maxrss_kb, 300 * 1024, "used %d MB" % (r.maxrss_kb // 1024))
                STATS.setdefault("amplification", {})[name] = {"bytes": os.path.getsize(os.path.join(files, name)),
                                                             "rss_mb": r.maxrss_kb // 1024, "s": round(r.secs, 2)}
        # In metadata-only mode the same files are just containers: scrubbed without decoding.
        r = cli(["--metadata-only", "-o", work + "/o4", os.path.join(files, "sof-65535x65535-clean.jpg")], timeout=30)
        self.assertEqual(r.rc, 0, r.err)

    def test_4_special_files(self):
        sp = os.path.join(GEN, "special")
        out = os.path.join(os.path.dirname(GEN), "out-special")
        shutil.rmtree(out, ignore_errors=True)
        r = cli(["--metadata-only", "-o", out, sp], timeout=30)
        self.assertIsNone(r.sig, r.err)
        self.assertEqual(r.rc, 0, r.out + r.err)  # links and the FIFO are skipped, not failures
        produced = sorted(os.path.relpath(os.path.join(dp, f), out) for dp, _, fs in os.walk(out) for f in fs)
        self.assertEqual(produced, ["real.jpg", "sub/real.png"])
        self.assertIn("symbolic link", r.err)
        # Named explicitly: the FIFO, a loop, a dangling link and /dev/zero fail at once, named.
        for name in ("fifo.jpg", "loop-a.jpg", "self.jpg", "link-dangling.jpg", "devzero.jpg", "dirloop"):
            r = cli(["--metadata-only", "-o", out + "-x", os.path.join(sp, name)], timeout=10)
            with self.subTest(special=name):
                self.assertIsNone(r.sig, "%s: %s" % (r.sig, r.err))
                self.assertIn(r.rc, (0, 1) if name == "dirloop" else (1,), r.err)
                if name != "dirloop":
                    self.assertIn(name, r.err)
        r = cli(["--metadata-only", "-o", out + "-y", os.path.join(sp, "link-to-file.jpg")], timeout=10)
        self.assertEqual(r.rc, 0, r.err)
        # A symlink planted at the output name is replaced, never written through.
        victim = os.path.join(out, "victim.txt")
        hc.write(victim, "do not touch")
        os.unlink(os.path.join(out, "real.jpg"))
        os.symlink(victim, os.path.join(out, "real.jpg"))
        r = cli(["--metadata-only", "-f", "-o", out, os.path.join(sp, "real.jpg")], timeout=10)
        self.assertEqual(r.rc, 0, r.err)
        self.assertEqual(hc.read(victim), b"do not touch")
        self.assertFalse(os.path.islink(os.path.join(out, "real.jpg")))
        self.assertEqual(hc.temp_files(out), [])


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--testdata", required=True)
    ap.add_argument("--corpus", default=None, help="unused; accepted like the other test scripts")
    ap.add_argument("--keep", default=None, help="work in this folder and keep it")
    ap.add_argument("--mem-gb", type=float, default=2, help="RLIMIT_AS for the CLI (0: none, e.g. under ASan)")
    ARGS, rest = ap.parse_known_args()
    ARGS.cli = os.path.abspath(ARGS.cli)
    ARGS.testdata = os.path.abspath(ARGS.testdata)
    t0 = time.monotonic()
    prog = unittest.main(argv=[sys.argv[0]] + rest, exit=False, verbosity=2)
    print("RESULT test_hostile: %s in %.1f s" % ("OK" if prog.result.wasSuccessful() else "FAILED",
                                                 time.monotonic() - t0))
    return 0 if prog.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
