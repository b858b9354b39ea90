#!/usr/bin/env python3
"""Batch use as staff and IT do it: parallel workers, interruption and resume, the progress
bar, the hot folder, the review page in a real browser, verify, and the drag-and-drop
launcher run as a file manager would."""
import argparse
import html as htmllib
import configparser
import json
import os
import pty
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

ARGS = None
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# The language of this run: ctest runs this file as "batch" (English) and "batch_fr"
# (PSC_TEST_LANG=fr, LANG=fr_FR.UTF-8). Texts for people are expected as T(english, french).
LANGUAGE = os.environ.get("PSC_TEST_LANG", "en")
for _k in [k for k in os.environ if k == "LANGUAGE" or k.startswith("LC_")]:
    del os.environ[_k]
os.environ["LANG"] = {"en": "C.UTF-8", "fr": "fr_FR.UTF-8"}[LANGUAGE]
NB = "\u00a0"


def T(en, fr):
    return fr if LANGUAGE == "fr" else en


def run(cmd, timeout=300, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


def tree_bytes(root):
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = fh.read()
    return out


def temp_files(root):
    return [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if ".psc-tmp-" in f]


class Batch(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="psc-batch-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def make_inbox(self, name, copies=3):
        src = os.path.join(self.tmp, name)
        os.makedirs(os.path.join(src, "sub"))
        names = ["exif_gps_thumb.jpg", "orient6.jpg", "text_chunks.png", "trailer_motion.jpg",
                 "progressive.jpg", "truncated.jpg"]
        for k in range(copies):
            for n in names:
                dst = os.path.join(src, "sub" if k % 2 else "", "%d-%s" % (k, n))
                shutil.copy(os.path.join(ARGS.testdata, n), dst)
        return src

    def test_output_does_not_depend_on_jobs(self):
        src = self.make_inbox("in", copies=4)
        results = {}
        for j in ("1", "2", "4"):
            out = os.path.join(self.tmp, "out" + j)
            r = run([ARGS.cli, "--metadata-only", "--json", "-j", j, "-o", out, src])
            self.assertEqual(r.returncode, 1, r.stderr)  # the truncated copies fail
            lines = [json.loads(l) for l in r.stdout.splitlines()]
            for l in lines:
                if "output" in l:
                    l["output"] = os.path.relpath(l["output"], out)
            results[j] = (lines, tree_bytes(out))
        self.assertEqual(results["1"], results["2"])
        self.assertEqual(results["1"], results["4"])
        summary = results["1"][0][-1]["summary"]
        self.assertEqual((summary["done"], summary["failed"]), (20, 4))

    def test_interrupt_then_resume(self):
        src = os.path.join(self.tmp, "big")
        os.makedirs(src)
        photo = os.path.join(ROOT, "samples", "samsung-j3-sideways.jpg")
        for i in range(12):
            shutil.copy(photo, os.path.join(src, "p%02d.jpg" % i))
        out = os.path.join(self.tmp, "bigout")
        p = subprocess.Popen([ARGS.cli, "-j", "2", "--detect", "fast", "-o", out, src],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(2.5)
        p.send_signal(signal.SIGINT)
        so, se = p.communicate(timeout=300)
        self.assertEqual(p.returncode, 1, so + se)
        self.assertIn(T("interrupted", "interrompu"), se)
        self.assertEqual(temp_files(out), [], "no temporary files may be left")
        done_first = set(os.listdir(out)) if os.path.isdir(out) else set()
        self.assertLess(len(done_first), 12, "the batch should have been stopped early")
        for f in done_first:  # what is there is complete
            with open(os.path.join(out, f), "rb") as fh:
                self.assertEqual(fh.read()[-2:], b"\xff\xd9")
        r = run([ARGS.cli, "-j", "2", "--detect", "fast", "--json", "-o", out, src], timeout=600)
        self.assertEqual(r.returncode, 0, r.stderr)
        summary = json.loads(r.stdout.splitlines()[-1])["summary"]
        self.assertEqual(summary["skipped"], len(done_first))
        self.assertEqual(summary["done"], 12 - len(done_first))

    def test_progress_bar_on_a_terminal(self):
        src = self.make_inbox("tty", copies=1)
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(ARGS.cli, [ARGS.cli, "--metadata-only", "-o", os.path.join(self.tmp, "ttyout"), src])
        buf = b""
        while True:
            r, _, _ = select.select([fd], [], [], 30)
            if not r:
                break
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
        os.waitpid(pid, 0)
        text = buf.decode(errors="replace")
        self.assertIn("\r", text)
        self.assertRegex(text, r"\[[#.]+\] \d+/6 photos")
        self.assertIn(T("ETA", "reste"), text)
        # The rate is a number for people: the locale's decimal mark.
        self.assertRegex(text, T(r"photos  \d+\.\d/s", r"photos  \d+,\d/s"))
        # Not on a pipe:
        r = run([ARGS.cli, "--metadata-only", "-f", "-o", os.path.join(self.tmp, "ttyout"), src])
        self.assertNotIn(T("ETA", "reste"), r.stderr)

    def test_verify(self):
        out = os.path.join(self.tmp, "v")
        src = os.path.join(ARGS.testdata, "exif_gps_thumb.jpg")
        r = run([ARGS.cli, "-o", out, src])
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run([ARGS.cli, "verify", os.path.join(out, "exif_gps_thumb.jpg")])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(T("clean", "sans risque"), r.stdout)
        r = run([ARGS.cli, "verify", src])
        self.assertEqual(r.returncode, 1)
        self.assertIn(T("LEAK", "FUITE"), r.stdout)
        self.assertIn(T("GPS position", "position GPS"), r.stdout)

    def test_watch_hot_folder(self):
        inbox, outbox = os.path.join(self.tmp, "inbox"), os.path.join(self.tmp, "outbox")
        os.makedirs(inbox)
        # Already there before the watcher starts (a restart).
        shutil.copy(os.path.join(ARGS.testdata, "orient6.jpg"), os.path.join(inbox, "before.jpg"))
        p = subprocess.Popen([ARGS.cli, "watch", "--metadata-only", inbox, outbox],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            # A burst of 60 files, written to a temp name and moved in, like a sync client.
            for i in range(60):
                tmpf = os.path.join(self.tmp, "x%d.jpg" % i)
                shutil.copy(os.path.join(ARGS.testdata, "exif_gps_thumb.jpg"), tmpf)
                os.rename(tmpf, os.path.join(inbox, "burst%02d.jpg" % i))
            # A slow copy: half, a pause, the rest; must not be taken half-written.
            with open(os.path.join(ARGS.testdata, "progressive.jpg"), "rb") as fh:
                data = fh.read()
            with open(os.path.join(inbox, "slow.jpg"), "wb") as fh:
                fh.write(data[: len(data) // 2])
                fh.flush()
                time.sleep(1.5)
                fh.write(data[len(data) // 2:])
            shutil.copy(os.path.join(ARGS.testdata, "truncated.jpg"), os.path.join(inbox, "broken.jpg"))
            deadline = time.time() + 60
            want = 63
            while time.time() < deadline:
                have = len(os.listdir(outbox)) if os.path.isdir(outbox) else 0
                failed = os.path.join(inbox, ".failed")
                if have >= want - 1 and os.path.exists(os.path.join(failed, "broken.jpg.txt")):
                    break
                time.sleep(0.5)
        finally:
            p.send_signal(signal.SIGINT)
            so, se = p.communicate(timeout=60)
        outs = sorted(os.listdir(outbox))
        self.assertEqual(len(outs), 62, se)
        self.assertIn("slow.jpg", outs)
        with open(os.path.join(outbox, "slow.jpg"), "rb") as fh:
            self.assertEqual(fh.read()[-2:], b"\xff\xd9", "the slow copy was taken half-written")
        done = os.listdir(os.path.join(inbox, ".done"))
        self.assertEqual(len(done), 62)
        with open(os.path.join(inbox, ".failed", "broken.jpg.txt")) as fh:
            self.assertIn(T("truncated", "tronqué"), fh.read())
        self.assertEqual([f for f in os.listdir(inbox) if not f.startswith(".")], [])
        r = run(["exiftool", "-q", "-q", "-if", "$gpslatitude", "-p", "$filename", outbox])
        self.assertEqual(r.stdout.strip(), "", "GPS left in hot-folder outputs")

    def test_review_page_in_a_browser(self):
        src = os.path.join(self.tmp, "rev")
        os.makedirs(src)
        for n in ("exif_gps_thumb.jpg", "orient6.jpg", "truncated.jpg"):
            shutil.copy(os.path.join(ARGS.testdata, n), src)
        # A file that is not a photo: counted apart, never shown as a (empty) photo card.
        with open(os.path.join(src, "README.md"), "w") as fh:
            fh.write("# ward party photos\n")
        # A photo with a QR code, so a labelled box must appear.
        scene = os.path.join(src, "qr.png")
        qr = os.path.join(self.tmp, "qr.png")
        subprocess.run(["qrencode", "-s", "5", "-o", qr, "WIFI:S:X;T:WPA;P:pw12345678;;"], check=True)
        subprocess.run(["convert", "-size", "500x400", "xc:#88a", qr, "-geometry", "+150+100",
                        "-composite", scene], check=True)
        page = os.path.join(self.tmp, "review.html")
        r = run([ARGS.cli, "--review", page, src])
        self.assertEqual(r.returncode, 1)  # the truncated one
        with open(page, encoding="utf-8") as fh:
            html = fh.read()
        self.assertEqual(html.count('class="photo'), 4)
        self.assertEqual(html.count('class="photo failed"'), 1)
        self.assertNotIn("README.md", html)
        self.assertIn('<span class="label">QR</span>', html)
        self.assertIn(T("GPS position", "position GPS"), html)
        self.assertIn('<html lang="%s">' % T("en", "fr"), html)
        # Written on 2 December 2026, 14:03 / Page écrite le 2 décembre 2026 à 14:03
        when = re.search(r'<p class="when">(.*?)</p>', html)
        self.assertTrue(when, "no date on the page")
        months = T("January|February|March|April|May|June|July|August|September|October|November|December",
                   "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre")
        self.assertRegex(when.group(1), T(r"^Written on [1-9]\d? (%s) 20\d\d, \d\d:\d\d by photoscrub ",
                                          r"^Page écrite le [1-9]\d? (%s) 20\d\d à \d\d:\d\d par photoscrub ")
                         % months)
        # CSS stays in the C locale whatever the language: no decimal comma in a style.
        self.assertNotRegex(html, r'style="[^"]*\d,\d')
        self.assertNotIn("src=\"/", html, "the page must be self-contained")
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if chromium is None:
            self.skipTest("chromium not installed (scripts/bootstrap installs it)")
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--user-data-dir=" + os.path.join(self.tmp, "chrome")]
        r = run([chromium, *flags, "--dump-dom", "file://" + page], timeout=120)
        dom = r.stdout
        self.assertEqual(len(re.findall(r'class="photo(?: failed)?"', dom)), 4, r.stderr[-2000:])
        summary = re.search(r'<p class="sum" id="summary">(.*?)</p>', dom, re.S)
        self.assertTrue(summary, "no summary in the rendered page")
        text = htmllib.unescape(re.sub(r"<[^>]+>", "", summary.group(1)))  # the DOM dump writes &nbsp;
        self.assertIn(T("4 photos: 3 ready to share, 1 failed",
                        "4 photos" + NB + ": 3 prêtes à partager, 1 en échec"), text)
        self.assertIn(T("1 other file (not photos) left alone", "1 autre fichier (pas une photo) laissé tel quel"), text)
        self.assertNotIn("README.md", dom)
        self.assertEqual(len(re.findall(r'<span class="label">QR</span>', dom)), 1)
        shot = os.path.join(self.tmp, "shot.png")
        r = run([chromium, *flags, "--window-size=1300,1000", "--screenshot=" + shot, "file://" + page], timeout=120)
        self.assertTrue(os.path.exists(shot) and os.path.getsize(shot) > 10000, r.stderr[-2000:])
        # The screenshot shows red: the failure frame and the region outline are drawn.
        hist = run(["convert", shot, "-fuzz", "10%", "-fill", "white", "+opaque", "#e00", "-format", "%[fx:1-mean]", "info:"])
        self.assertGreater(float(hist.stdout or 0), 0.0005, "no red outline or failure frame visible")

    def test_desktop_launcher_as_a_file_manager(self):
        cp = configparser.ConfigParser(interpolation=None)
        cp.read(os.path.join(ROOT, "data", "photoscrub.desktop"))
        exec_line = cp["Desktop Entry"]["Exec"]
        self.assertIn("%F", exec_line)
        self.assertEqual(cp["Desktop Entry"]["Terminal"], "true")
        names = ["Photo with spaces.jpg", "Éléonore été.jpg", "it's \"quoted\".png"]
        folder = os.path.join(self.tmp, "Ward 7 party (été)")
        os.makedirs(folder)
        srcs = ["exif_gps_thumb.jpg", "orient6.jpg", "text_chunks.png"]
        paths = []
        for n, s in zip(names, srcs):
            shutil.copy(os.path.join(ARGS.testdata, s), os.path.join(folder, n))
            paths.append(os.path.join(folder, n))
        shutil.copy(os.path.join(ARGS.testdata, "xmp.jpg"), os.path.join(folder, "x.jpg"))
        # %F: each dropped path becomes one argument, no shell involved.
        for dropped in (paths, [folder]):
            argv = []
            for tok in shlex.split(exec_line):
                argv.extend(dropped if tok == "%F" else [tok])
            argv[0] = ARGS.cli
            argv.insert(1, "--metadata-only")
            r = subprocess.run(argv, input="\n", capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(T("Press Enter", "Appuyez sur Entrée"), r.stderr)
        for n in names:
            self.assertTrue(os.path.exists(os.path.join(folder, "scrubbed", n)), n)
            self.assertTrue(os.path.exists(os.path.join(folder + "-scrubbed", n)), n)
        r = run(["exiftool", "-q", "-q", "-r", "-if", "$gpslatitude", "-p", "$filename", folder + "-scrubbed"])
        self.assertEqual(r.stdout.strip(), "")


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--testdata", required=True)
    ap.add_argument("--corpus")
    ARGS, rest = ap.parse_known_args()
    ARGS.cli = os.path.abspath(ARGS.cli)
    prog = unittest.main(argv=[sys.argv[0], "-v"] + rest, exit=False)
    res = prog.result
    print("%d passed, %d failed" % (res.testsRun - len(res.failures) - len(res.errors) - len(res.skipped),
                                    len(res.failures) + len(res.errors)))
    return 0 if res.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
