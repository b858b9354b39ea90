#!/usr/bin/env python3
"""
Behaviour of the photoscrub command line: where results go, exit codes, overwriting,
--in-place, --rename, --json/--values, inspect, folder walking (non-photos, symlinks, FIFOs,
output folder inside the input), collisions and settings.

Metadata is judged with exiftool and pixels with ImageMagick, not with photoscrub itself.

    python3 test_cli.py --cli PATH/photoscrub --testdata testdata/ [--corpus ../shared/corpus]
"""
import glob
import json
import os
import re
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "oracle"))
import pstest as P  # noqa: E402

ARGS, UNITTEST_ARGV = P.parse_args(__doc__)
TIMEOUT = 30  # seconds; a hang (FIFO, loop) fails the test instead of blocking ctest

# The language of this run: ctest runs this file twice, "cli" in English and "cli_fr" with
# PSC_TEST_LANG=fr (LANG=fr_FR.UTF-8). Texts for people are expected as T(english, french);
# JSON and exit codes are expected the same in both. Every photoscrub run inherits os.environ.
LANGUAGE = os.environ.get("PSC_TEST_LANG", "en")
LOCALES = {"en": "C.UTF-8", "fr": "fr_FR.UTF-8"}
NB = "\u00a0"  # the French catalogue's space before : ; ! ? and inside « »


def locale_env(lang):
    """os.environ with only LANG choosing the language (no LC_ALL, LC_MESSAGES or LANGUAGE
    left over from the caller's session)."""
    env = {k: v for k, v in os.environ.items() if k != "LANGUAGE" and not k.startswith("LC_")}
    env["LANG"] = LOCALES[lang]
    return env


os.environ.clear()
os.environ.update(locale_env(LANGUAGE))


def T(en, fr):
    """The text expected in this run's language."""
    return fr if LANGUAGE == "fr" else en

GPS_PHOTO = "exif_gps_thumb.jpg"   # Make Canon, GPS, Artist Jane Q. Photographer
SETTINGS = ["keep-icc", "orientation", "report-values", "max-file-mb", "max-megapixels",
            "overwrite", "metadata-only"]


def td(name):
    return os.path.join(ARGS.testdata, name)


def help_settings(help_text):
    """{name: (bounds or 'text', default)} from the settings part of --help, which the CLI
    prints from the library's table (psc_param_at)."""
    head = T("Library settings (--set NAME=VALUE):\n",
             "Réglages de la bibliothèque (--set NOM=VALEUR)" + NB + ":\n")
    part = help_text.split(head, 1)[1].split("\n\n", 1)[0]
    row = T(r"  (\S+)\s+.* \[(?:(-?\d+)\.\.(-?\d+)|text), default (-?\d+|\"[^\"]*\")\]$",
            r"  (\S+)\s+.* \[(?:(-?\d+)\.\.(-?\d+)|texte), par défaut (-?\d+|«\u00a0.*?\u00a0»)\]$")
    rows = {}
    for line in part.splitlines():
        m = re.match(row, line)
        assert m, "unparsable settings line in --help: %r" % line
        name, lo, hi, default = m.groups()
        rows[name] = ((lo, hi) if lo is not None else "text", default.strip('"').strip("«»" + NB))
    return rows


def man_page():
    """The man page of this run's language."""
    return os.path.join(os.path.dirname(ARGS.testdata), "docs", T("photoscrub.1", "photoscrub.fr.1"))


def man_settings(man_path):
    """{name: (bounds or 'text', default)} from the SETTINGS section of the man page."""
    with open(man_path, encoding="utf-8") as fh:
        text = fh.read()
    part = text.split(T(".SH SETTINGS\n", ".SH RÉGLAGES\n"), 1)[1].split("\n.SH ", 1)[0].replace("\\-", "-")
    number = T(r"(-?\d+) to (-?\d+); default (-?\d+)\.$", r"(-?\d+) à (-?\d+)\\~; par défaut (-?\d+)\.$")
    text_row = T(r"Text; default \\\(lq(.*)\\\(rq\.$", r"Texte\\~; par défaut \\\(Fo\\~(.*)\\~\\\(Fc\.$")
    rows = {}
    for m in re.finditer(r"\.TP\n\.B (\S+)\n([^\n]*)", part):
        name, body = m.groups()
        num = re.search(number, body)
        txt = re.search(text_row, body)
        assert num or txt, "man page: no bounds/default for setting %s: %r" % (name, body)
        rows[name] = ((num.group(1), num.group(2)), num.group(3)) if num else ("text", txt.group(1))
    return rows


def unprivileged():
    """Command prefix that runs as nobody when we are root (CI runs as root, and root ignores
    permission bits), [] otherwise; None when root cannot drop privileges here."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv"):
        return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    if shutil.which("runuser"):
        return ["runuser", "-u", "nobody", "--"]
    return None


def cli(args, cwd=None):
    return P.cli(args, timeout=TIMEOUT, cwd=cwd)


def has_gps(path):
    tags = P.exiftool([path])[os.path.abspath(path)]
    return [k for k, _ in tags if "GPS" in k]


def snapshot(root):
    """{relative path: (size, mtime_ns, mode)} for everything under root (symlinks not followed)."""
    snap = {}
    for dp, dns, fns in os.walk(root):
        for n in dns + fns:
            p = os.path.join(dp, n)
            st = os.lstat(p)
            snap[os.path.relpath(p, root)] = (st.st_size, st.st_mtime_ns, st.st_mode)
    return snap


class Base(P.TempDirTestCase):
    def put(self, rel, src=GPS_PHOTO):
        """Copies testdata/src to tmp/rel; returns the absolute path."""
        dst = os.path.join(self.tmp, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(td(src), dst)
        return dst

    def write(self, rel, data):
        dst = os.path.join(self.tmp, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "wb") as f:
            f.write(data)
        return dst

    def path(self, *rel):
        return os.path.join(self.tmp, *rel)

    def assertScrubbedCopyOf(self, out, src_name):
        """out is a scrubbed version of testdata/src_name: no GPS, same pixels."""
        self.assertTrue(os.path.isfile(out), "missing output %s" % out)
        self.assertEqual(has_gps(out), [], "%s still has GPS" % out)
        self.assertEqual(P.pixel_hashes(out), P.pixel_hashes(td(src_name)))


class T01Layout(Base):
    def test_folder_mirrored_into_sibling(self):
        self.put("IN/a.jpg")
        self.put("IN/sub/b.png", "exif.png")
        self.put("IN/sub/deeper/c.jpg", "orient6.jpg")
        before = snapshot(self.path("IN"))
        p = cli(["IN"], cwd=self.tmp)
        self.assertCli(p, 0, "photoscrub IN")
        self.assertEqual(P.all_files(self.path("IN-scrubbed")),
                         ["a.jpg", "sub/b.png", "sub/deeper/c.jpg"])
        self.assertScrubbedCopyOf(self.path("IN-scrubbed", "a.jpg"), GPS_PHOTO)
        self.assertScrubbedCopyOf(self.path("IN-scrubbed", "sub", "b.png"), "exif.png")
        self.assertScrubbedCopyOf(self.path("IN-scrubbed", "sub", "deeper", "c.jpg"), "orient6.jpg")
        self.assertEqual(snapshot(self.path("IN")), before, "the input folder was changed")

    def test_trailing_slash_and_absolute_path(self):
        self.put("IN/a.jpg")
        p = cli([self.path("IN") + "/"])
        self.assertCli(p, 0)
        self.assertEqual(P.all_files(self.path("IN-scrubbed")), ["a.jpg"])

    def test_dot_names_the_real_folder(self):
        self.put("IN/a.jpg")
        p = cli(["."], cwd=self.path("IN"))
        self.assertCli(p, 0, "photoscrub . (inside IN)")
        self.assertEqual(P.all_files(self.path("IN-scrubbed")), ["a.jpg"],
                         "'photoscrub .' must write IN-scrubbed/ beside the folder; tree now: %s"
                         % P.all_files(self.tmp))

    def test_loose_files_go_to_scrubbed(self):
        self.put("D/a.jpg")
        self.put("D/b.png", "text_chunks.png")
        self.put("E/c.jpg", "xmp.jpg")
        p = cli(["D/a.jpg", "D/b.png", "E/c.jpg"], cwd=self.tmp)
        self.assertCli(p, 0)
        self.assertEqual(P.all_files(self.path("D")), ["a.jpg", "b.png", "scrubbed/a.jpg", "scrubbed/b.png"])
        self.assertEqual(P.all_files(self.path("E")), ["c.jpg", "scrubbed/c.jpg"])
        self.assertScrubbedCopyOf(self.path("D", "scrubbed", "a.jpg"), GPS_PHOTO)
        # A bare name in the current folder.
        p = cli(["-f", "a.jpg"], cwd=self.path("D"))
        self.assertCli(p, 0)
        self.assertTrue(os.path.isfile(self.path("D", "scrubbed", "a.jpg")))

    def test_output_dir_for_folder_and_files(self):
        self.put("IN/a.jpg")
        self.put("IN/sub/b.png", "exif.png")
        p = cli(["-o", self.path("OUT"), self.path("IN")])
        self.assertCli(p, 0)
        self.assertEqual(P.all_files(self.path("OUT")), ["a.jpg", "sub/b.png"])
        self.assertFalse(os.path.exists(self.path("IN-scrubbed")))
        self.put("D/x.jpg", "orient8.jpg")
        self.put("E/y.png", "palette_trns.png")
        p = cli(["--output", self.path("OUT2", "deep"), self.path("D", "x.jpg"), self.path("E", "y.png")])
        self.assertCli(p, 0)
        self.assertEqual(P.all_files(self.path("OUT2")), ["deep/x.jpg", "deep/y.png"])
        self.assertFalse(os.path.exists(self.path("D", "scrubbed")))
        self.assertScrubbedCopyOf(self.path("OUT2", "deep", "x.jpg"), "orient8.jpg")


class T02ExitCodes(Base):
    def test_usage_errors_exit_2_and_write_nothing(self):
        f = self.put("D/a.jpg")
        cases = [
            ["--no-such-option", f],
            [],
            ["--in-place", "-o", self.path("OUT"), f],
            ["--in-place", "--rename", f],
            ["--set", "no-such-setting=1", f],
            ["--set", "max-file-mb=0", f],
            ["--set", "max-file-mb=abc", f],
            ["--set", "max-file-mb=99999999", f],
            ["--set", "max-file-mb", f],
            ["--set", "keep-icc=2", f],
            ["-o"],
            ["inspect"],
        ]
        before = snapshot(self.tmp)
        for args in cases:
            with self.subTest(args=args):
                p = cli(args, cwd=self.tmp)
                self.assertCli(p, 2, "photoscrub %s" % " ".join(args))
                self.assertTrue(p.stderr.strip(), "no message on stderr")
                self.assertEqual(snapshot(self.tmp), before, "a usage error wrote files")

    def test_missing_path_exit_1(self):
        p = cli([self.path("nope.jpg")])
        self.assertCli(p, 1)
        self.assertIn("nope.jpg", p.stderr)

    def test_help_and_version(self):
        for opt in ("--help", "-h"):
            p = cli([opt])
            self.assertCli(p, 0, opt)
            self.assertIn(T("Usage", "Utilisation"), p.stdout)
            for s in SETTINGS:
                self.assertIn(s, p.stdout, "--help does not list setting %s" % s)
            for o in ("--in-place", "--force", "--rename", "--strip-icc", "--rotate", "--json",
                      "--values", "--set", "inspect", "--output"):
                self.assertIn(o, p.stdout)
        p = cli(["--version"])
        self.assertCli(p, 0, "--version")
        m = re.search(r"photoscrub\D*(\d+\.\d+\.\d+)", p.stdout)
        self.assertTrue(m, "no version number in %r" % p.stdout)
        cm = os.path.join(os.path.dirname(ARGS.testdata), "CMakeLists.txt")
        if os.path.exists(cm):
            with open(cm) as fh:
                pv = re.search(r"project\(photoscrub\s+VERSION\s+([0-9.]+)", fh.read())
            if pv:
                self.assertEqual(m.group(1), pv.group(1), "--version differs from CMakeLists.txt")
        self.assertEqual(cli(["-V"]).stdout, p.stdout)

    def test_help_and_man_page_match_the_settings_table(self):
        """--help prints the library's settings table; the man page's SETTINGS section must
        list exactly the same names with the same bounds and defaults, so neither drifts."""
        helped = help_settings(cli(["--help"]).stdout)
        self.assertGreaterEqual(len(helped), 14, helped)
        for name in SETTINGS + ["langs", "tessdata", "detect", "style"]:
            self.assertIn(name, helped, "--help does not list setting %s" % name)
        documented = man_settings(man_page())
        self.assertEqual(sorted(documented), sorted(helped),
                         "settings in the man page differ from the library's table (--help)")
        for name, row in helped.items():
            self.assertEqual(documented[name], row, "man page bounds/default of %s" % name)
        # Every setting --help lists is accepted by --set with its default value.
        f = self.put("D/a.jpg")
        args = []
        for name, (kind, default) in helped.items():
            if kind != "text" or default:
                args += ["--set", "%s=%s" % (name, default)]
        p = cli(args + ["-o", self.path("O"), f])
        self.assertCli(p, 0, "--set with every default")

    def test_mixed_folder_continues_after_failure(self):
        self.put("IN/a.jpg")
        self.put("IN/b_truncated.jpg", "truncated.jpg")
        self.put("IN/c.png", "exif.png")
        self.write("IN/notes.txt", b"shopping list\n")
        p, recs, summ = P.scrub_json(["IN"], cwd=self.tmp)
        self.assertCli(p, 1)
        self.assertEqual((summ["done"], summ["failed"], summ["not_photos"], summ["skipped"]), (2, 1, 1, 0), summ)
        self.assertIn("b_truncated.jpg", p.stderr)
        self.assertEqual(P.all_files(self.path("IN-scrubbed")), ["a.jpg", "c.png"])
        self.assertEqual(P.tmp_files_left(self.tmp), [])


class T02bOneProcess(Base):
    def test_no_second_exec_and_one_ocr_thread(self):
        """The CLI runs in one process image (it used to exec itself again to limit
        Tesseract's OpenMP threads: a second load of ~90 libraries per call), and OCR still
        runs on the calling thread only (no OpenMP worker threads are created)."""
        if not shutil.which("strace"):
            self.skipTest("strace not installed (scripts/bootstrap installs it)")
        photo = self.put("in/p.png", "clean.png")
        log = self.path("strace.log")
        r = subprocess.run(["strace", "-f", "-qq", "-e", "trace=execve,clone,clone3", "-o", log,
                            ARGS.cli, "-q", "-j", "1", "-o", self.path("out"), photo],
                           capture_output=True, timeout=TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(log) as f:
            lines = f.read().splitlines()
        execs = [l for l in lines if "execve(" in l and "= 0" in l]
        self.assertEqual(len(execs), 1, "\n".join(execs))
        threads = [l for l in lines if "clone" in l and "CLONE_THREAD" in l]
        # One worker thread; Tesseract's OpenMP regions stay serial on it.
        self.assertLessEqual(len(threads), 1, "\n".join(threads))


class T02cDamagedData(Base):
    def test_corrupt_entropy_data_refused_before_detection(self):
        """Entropy-coded data that decodes with 'bad Huffman code' is refused before any
        detector runs (it used to be read as noise by OCR first); metadata-only, which never
        decodes the picture, still scrubs it."""
        with open(os.path.join(os.path.dirname(ARGS.testdata), "samples", "small-with-icc.jpg"), "rb") as f:
            d = bytearray(f.read())
        sos = d.find(b"\xff\xda")
        start = sos + 2 + ((d[sos + 2] << 8) | d[sos + 3])
        mid = start + (len(d) - start) // 2
        d[mid:mid + 40] = b"\xff\x00" * 20  # runs of 1 bits: no Huffman code matches
        src = self.write("in/broken.jpg", bytes(d))
        djpeg = subprocess.run(["djpeg", src], capture_output=True)
        self.assertIn(b"Corrupt JPEG data", djpeg.stderr)  # an independent decoder agrees
        r = P.cli(["-o", self.path("out"), src], timeout=TIMEOUT, mode_args=[])
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("refused before looking for codes and text", r.stderr)
        self.assertFalse(os.path.exists(self.path("out", "broken.jpg")))
        r = P.cli(["-o", self.path("meta"), src], timeout=TIMEOUT, mode_args=["--metadata-only"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.isfile(self.path("meta", "broken.jpg")))


class T03Overwrite(Base):
    def test_existing_output_skipped_then_forced(self):
        f = self.put("D/a.jpg")
        out = self.path("D", "scrubbed", "a.jpg")
        os.makedirs(os.path.dirname(out))
        with open(out, "wb") as fh:
            fh.write(b"precious existing file")
        p, recs, summ = P.scrub_json([f])
        self.assertCli(p, 0, "existing output must be skipped, not an error")
        self.assertEqual(recs[f]["status"], "skipped")
        self.assertEqual(summ["skipped"], 1)
        self.assertEqual(P.read(out), b"precious existing file", "existing output overwritten without -f")
        p = cli(["-f", f])
        self.assertCli(p, 0)
        self.assertScrubbedCopyOf(out, GPS_PHOTO)
        p, recs, _ = P.scrub_json(["--force", f])
        self.assertEqual(recs[f]["status"], "scrubbed")

    def test_force_never_writes_through_a_symlinked_output(self):
        f = self.put("D/a.jpg")
        victim = self.write("victim.txt", b"do not touch")
        os.makedirs(self.path("OUT"))
        os.symlink(victim, self.path("OUT", "a.jpg"))
        p = cli(["-o", self.path("OUT"), f])
        self.assertCli(p, 0)
        self.assertEqual(P.read(victim), b"do not touch")
        p = cli(["-f", "-o", self.path("OUT"), f])
        self.assertCli(p, 0)
        self.assertEqual(P.read(victim), b"do not touch", "--force wrote through a symlink")
        self.assertFalse(os.path.islink(self.path("OUT", "a.jpg")))
        self.assertScrubbedCopyOf(self.path("OUT", "a.jpg"), GPS_PHOTO)

    def test_force_does_not_replace_originals(self):
        """'originals are never changed unless --in-place' (--help): -f only replaces results."""
        f = self.put("D/a.jpg")
        orig = P.read(f)
        p = cli(["-o", self.path("D"), f])
        self.assertTrue(P.read(f) == orig, "the original was changed without -f")
        p = cli(["-f", "-o", self.path("D"), f])
        self.assertCli(p, 1, "-f -o D D/a.jpg must refuse to replace the original")
        self.assertIn("--in-place", p.stderr, "the refusal must say how to replace originals")
        self.assertTrue(P.read(f) == orig, "photoscrub -f -o D D/a.jpg replaced the ORIGINAL photo "
                        "(exit %d) although --in-place was not given" % p.returncode)
        self.put("IN/b.jpg")
        orig_b = P.read(self.path("IN", "b.jpg"))
        p = cli(["-f", "-o", self.path("IN"), self.path("IN")])
        self.assertTrue(P.read(self.path("IN", "b.jpg")) == orig_b,
                        "photoscrub -f -o IN IN replaced the original photos without --in-place")


class T04InPlace(Base):
    def test_in_place_file(self):
        f = self.put("D/a.jpg")
        os.chmod(f, 0o640)
        os.utime(f, (978307200, 978307200))
        p = cli(["--in-place", f])
        self.assertCli(p, 0)
        self.assertScrubbedCopyOf(f, GPS_PHOTO)
        self.assertEqual(stat.S_IMODE(os.stat(f).st_mode), 0o640, "permission bits not preserved")
        self.assertEqual(sorted(os.listdir(self.path("D"))), ["a.jpg"], "extra files left beside the original")
        self.assertGreater(os.stat(f).st_mtime, time.time() - 3600)

    def test_in_place_folder(self):
        self.put("IN/a.jpg")
        self.put("IN/sub/b.png", "text_chunks.png")
        self.write("IN/notes.txt", b"not a photo")
        os.chmod(self.path("IN", "sub", "b.png"), 0o600)
        p, recs, summ = P.scrub_json(["--in-place", "IN"], cwd=self.tmp)
        self.assertCli(p, 0)
        self.assertEqual(summ["done"], 2)
        self.assertScrubbedCopyOf(self.path("IN", "a.jpg"), GPS_PHOTO)
        self.assertNotIn(b"tEXt", P.read(self.path("IN", "sub", "b.png")))
        self.assertEqual(stat.S_IMODE(os.stat(self.path("IN", "sub", "b.png")).st_mode), 0o600)
        self.assertEqual(P.read(self.path("IN", "notes.txt")), b"not a photo")
        self.assertFalse(os.path.exists(self.path("IN-scrubbed")))
        self.assertEqual(P.all_files(self.path("IN")), ["a.jpg", "notes.txt", "sub/b.png"])

    def test_in_place_failure_keeps_original(self):
        f = self.put("D/t.jpg", "truncated.jpg")
        orig = P.read(f)
        p = cli(["--in-place", f])
        self.assertCli(p, 1)
        self.assertEqual(P.read(f), orig)
        self.assertEqual(os.listdir(self.path("D")), ["t.jpg"])

    def test_in_place_does_not_follow_symlinks(self):
        outside = self.put("outside/secret.jpg")
        orig = P.read(outside)
        os.makedirs(self.path("IN"))
        os.symlink(outside, self.path("IN", "link.jpg"))
        os.symlink(self.path("outside"), self.path("IN", "linkdir"))
        p = cli(["--in-place", self.path("IN")])
        self.assertCli(p, 0)
        self.assertEqual(P.read(outside), orig, "--in-place changed a file outside the folder via a symlink")
        self.assertTrue(os.path.islink(self.path("IN", "link.jpg")))


class T05RenameAndTimes(Base):
    def test_rename(self):
        self.put("IN/IMG_20211027_143512.JPG")
        self.put("IN/PXL_20240315_132207.png", "exif.png")
        self.put("IN/z/DSC_0001.Jpeg", "orient6.jpg")
        p, recs, _ = P.scrub_json(["--rename", "IN"], cwd=self.tmp)
        self.assertCli(p, 0)
        files = P.all_files(self.path("IN-scrubbed"))
        self.assertEqual(files, ["photo-0001.jpg", "photo-0002.png", "z/photo-0003.jpeg"])
        outs = sorted(os.path.basename(r["output"]) for r in recs.values())
        self.assertEqual(outs, ["photo-0001.jpg", "photo-0002.png", "photo-0003.jpeg"])
        self.assertEqual(P.pixel_hashes(self.path("IN-scrubbed", "photo-0001.jpg")), P.pixel_hashes(td(GPS_PHOTO)))
        for f in files:
            self.assertNotIn(b"20211027", P.read(self.path("IN-scrubbed", f)))
        # Loose files with -o.
        p = cli(["--rename", "-o", self.path("OUT"), self.path("IN", "IMG_20211027_143512.JPG")])
        self.assertCli(p, 0)
        self.assertEqual(P.all_files(self.path("OUT")), ["photo-0001.jpg"])

    def test_output_mtime_is_not_the_originals(self):
        f = self.put("D/a.jpg")
        os.utime(f, (978307200, 978307200))  # 2001-01-01
        t0 = time.time()
        p = cli([f])
        self.assertCli(p, 0)
        m = os.stat(self.path("D", "scrubbed", "a.jpg")).st_mtime
        self.assertGreater(m, t0 - 120, "output carries an old modification time (%s)" % time.ctime(m))
        self.assertNotEqual(int(m), 978307200)


class T06Json(Base):
    def test_json_lines_and_summary(self):
        self.put("IN/a.jpg")
        self.put("IN/b.png", "text_chunks.png")
        self.put("IN/c.jpg", "clean.jpg")
        self.put("IN/d.jpg", "truncated.jpg")
        self.write("IN/e.txt", b"hello")
        self.put("IN/q\"u'o te\\back\nline \u00e9.jpg", "orient6.jpg")
        os.makedirs(self.path("IN-scrubbed"))
        shutil.copyfile(td("clean.jpg"), self.path("IN-scrubbed", "c.jpg"))
        p = cli(["--json", "IN"], cwd=self.tmp)
        self.assertCli(p, 1)
        recs, summ = P.json_lines(p.stdout)  # raises on any non-JSON line
        self.assertIsNotNone(summ, "no summary object")
        st = {}
        for r in recs:
            st.setdefault(r["status"], []).append(os.path.basename(r["file"]))
            self.assertIn(r["status"], ("scrubbed", "skipped", "failed", "not-a-photo"))
            if r["status"] in ("failed", "skipped", "not-a-photo"):
                self.assertTrue(r.get("reason"), r)
            if r["status"] == "scrubbed":
                self.assertTrue(os.path.isfile(os.path.join(self.tmp, r["output"])), r["output"])
        self.assertEqual(sorted(st.get("scrubbed", [])), ["a.jpg", "b.png", "q\"u'o te\\back\nline \u00e9.jpg"])
        self.assertEqual(st.get("skipped"), ["c.jpg"])
        self.assertEqual(st.get("failed"), ["d.jpg"])
        self.assertEqual(st.get("not-a-photo"), ["e.txt"])
        self.assertEqual(summ["done"], len(st["scrubbed"]))
        self.assertEqual(summ["failed"], len(st["failed"]))
        self.assertEqual(summ["skipped"], len(st["skipped"]))
        self.assertEqual(summ["not_photos"], len(st["not-a-photo"]))
        found_in = {}
        for r in recs:
            for k in r.get("report", {}).get("found", {}):
                found_in[k] = found_in.get(k, 0) + 1
        self.assertEqual(summ["found_in"], found_in)

    def test_values_only_with_flag(self):
        f = self.put("D/a.jpg")
        secrets = ["Canon", "Jane Q. Photographer", "012345678901", "52, 22"]
        p, recs, _ = P.scrub_json([f], out=self.path("o1"))
        self.assertCli(p, 0)
        self.assertNotIn("values", recs[f]["report"])
        p2 = cli(["-o", self.path("o2"), f])
        p3 = cli(["inspect", f])
        for s in secrets:
            self.assertNotIn(s, p.stdout + p.stderr, "value %r shown without --values" % s)
            self.assertNotIn(s, p2.stdout + p2.stderr, "value %r shown without --values (text)" % s)
            self.assertNotIn(s, p3.stdout + p3.stderr, "value %r shown by inspect without --values" % s)
        p, recs, _ = P.scrub_json(["--values", f], out=self.path("o3"))
        self.assertCli(p, 0)
        vals = recs[f]["report"].get("values")
        self.assertTrue(vals, "no values with --values")
        pairs = {(v["name"], v["value"]) for v in vals}
        self.assertIn(("Make", "Canon"), pairs)
        joined = json.dumps(vals)
        self.assertIn("Jane Q. Photographer", joined)
        self.assertTrue(any("GPSLatitude" in v["name"] for v in vals), vals)
        p = cli(["--values", "-o", self.path("o4"), f])
        self.assertIn("Canon", p.stdout, "text output with --values shows no values")


class T07Inspect(Base):
    def test_inspect_writes_nothing(self):
        self.put("IN/a.jpg")
        self.put("IN/sub/b.png", "exif.png")
        f = self.put("D/c.jpg", "xmp.jpg")
        before = snapshot(self.tmp)
        p = cli(["inspect", "--json", "IN", f], cwd=self.tmp)
        self.assertCli(p, 0)
        recs, summ = P.json_lines(p.stdout)
        self.assertEqual(snapshot(self.tmp), before, "inspect changed or created files")
        by = {os.path.basename(r["file"]): r for r in recs}
        self.assertEqual(set(by), {"a.jpg", "b.png", "c.jpg"})
        for r in recs:
            self.assertEqual(r["status"], "inspected")
        a = by["a.jpg"]["report"]
        self.assertTrue(a["gps_present"])
        self.assertGreater(a["found"].get("gps", 0), 0)
        self.assertNotIn("values", a)
        self.assertEqual(summ["done"], 3)
        p = cli(["inspect", "-o", self.path("OUT"), "-f", f], cwd=self.tmp)
        self.assertCli(p, 0)
        self.assertEqual(snapshot(self.tmp), before, "inspect with output options wrote files")
        p = cli(["inspect", self.path("IN", "a.jpg")])
        self.assertCli(p, 0)
        self.assertIn("a.jpg", p.stdout)
        self.assertIn("GPS", p.stdout)

    def test_inspect_broken_file(self):
        p = cli(["inspect", td("truncated.jpg")])
        self.assertCli(p, 1)
        self.assertIn("truncated.jpg", p.stderr)


class T08Walk(Base):
    def test_non_photo_in_folder_vs_argument(self):
        self.put("IN/a.jpg")
        self.write("IN/readme.txt", b"just text")
        self.put("IN/fake.jpg", "not_an_image.jpg")
        p, recs, summ = P.scrub_json(["IN"], cwd=self.tmp)
        self.assertCli(p, 0, "non-photos inside a folder are left alone")
        self.assertEqual(summ["not_photos"], 2, summ)
        self.assertEqual(P.all_files(self.path("IN-scrubbed")), ["a.jpg"])
        for name in ("readme.txt", "fake.jpg"):
            p = cli(["-o", self.path("OUT"), self.path("IN", name)])
            self.assertCli(p, 1, "a non-photo given explicitly")
            self.assertIn(name, p.stderr)
        self.assertFalse(os.path.exists(self.path("OUT")) and P.all_files(self.path("OUT")))

    def test_heic_in_folder_fails(self):
        self.put("IN/a.jpg")
        # A bare 'ftyp heic' header with no image: recognised as HEIC, damaged: must fail
        # inside a folder, not be skipped as a non-photo. A real phone HEIC scrubs.
        heic = struct.pack(">I", 24) + b"ftypheic" + b"\0\0\0\0" + b"mif1heic" + b"\0" * 64
        self.write("IN/b.heic", heic)
        real = sorted(glob.glob(os.path.join(ARGS.corpus or "/nonexistent", "phones", "*.heic")))
        if real:
            shutil.copyfile(real[0], self.path("IN", "real.heic"))
        else:
            print("\n  (no corpus: only the synthetic HEIC header is tested)")
        p, recs, summ = P.scrub_json(["IN"], cwd=self.tmp)
        self.assertCli(p, 1, "a damaged HEIC inside a folder must fail, not be skipped")
        self.assertEqual(summ["failed"], 1, summ)
        for r in recs.values():
            if r["file"].endswith("b.heic"):
                self.assertEqual(r["status"], "failed")
                self.assertIn("heif", r["reason"].lower())
            elif r["file"].endswith("real.heic"):
                self.assertEqual(r["status"], "scrubbed")
        self.assertIn("b.heic", p.stderr)
        self.assertEqual(P.all_files(self.path("IN-scrubbed")), sorted(["a.jpg"] + (["real.heic"] if real else [])))

    def test_symlinks_skipped_not_followed(self):
        self.put("IN/a.jpg")
        self.put("outside/secret.jpg")
        self.put("outside/more/deep.jpg")
        os.symlink(self.path("outside", "secret.jpg"), self.path("IN", "link.jpg"))
        os.symlink(self.path("outside", "more"), self.path("IN", "linkdir"))
        os.symlink(self.path("IN"), self.path("IN", "loop"))
        p = cli(["IN"], cwd=self.tmp)
        self.assertCli(p, 0)
        self.assertEqual(P.all_files(self.path("IN-scrubbed")), ["a.jpg"])
        self.assertIn("link.jpg", p.stderr, "no message about the skipped symlink")
        self.assertFalse(os.path.exists(self.path("outside-scrubbed")))

    def test_fifo_does_not_hang(self):
        self.put("IN/a.jpg")
        os.mkfifo(self.path("IN", "pipe.jpg"))
        t0 = time.time()
        p = cli(["IN"], cwd=self.tmp)  # TimeoutExpired (30 s) would fail the test
        self.assertCli(p, 0)
        self.assertLess(time.time() - t0, TIMEOUT)
        self.assertIn("pipe.jpg", p.stderr)
        self.assertEqual(P.all_files(self.path("IN-scrubbed")), ["a.jpg"])
        p = cli([self.path("IN", "pipe.jpg")])
        self.assertCli(p, 1, "a FIFO given explicitly")
        self.assertIn("pipe.jpg", p.stderr)

    def test_output_folder_inside_input(self):
        self.put("IN/a.jpg")
        self.put("IN/sub/b.png", "exif.png")
        for extra in ([], [], ["-f"]):
            p = cli(extra + ["-o", self.path("IN", "out"), self.path("IN")])
            self.assertCli(p, 0, "run %s" % extra)
            self.assertEqual(P.all_files(self.path("IN", "out")), ["a.jpg", "sub/b.png"],
                             "output folder walked into itself")
        self.assertEqual(P.tmp_files_left(self.tmp), [])

    def test_unwalked_folder_is_not_success(self):
        """A photo the walk never reached (folders nested deeper than the walker's limit) is not
        clean: exit 0 would tell a script 'every photo is clean' while it still has its GPS."""
        self.put("IN/top.jpg")
        deep = os.path.join("IN", *(["d"] * 70))
        self.put(os.path.join(deep, "a.jpg"))
        p = cli(["-q", "IN"], cwd=self.tmp)
        self.assertGreaterEqual(p.returncode, 0, P.describe(p))
        reached = os.path.exists(self.path(deep.replace("IN", "IN-scrubbed", 1), "a.jpg"))
        if reached:
            self.assertCli(p, 0, "every photo was reached and scrubbed")
        else:
            self.assertIn("IN/d/d", p.stderr, "no message naming the folder that was not walked")
            self.assertEqual(p.returncode, 1, "photos left unscrubbed in a folder that was not walked, "
                             "yet exit status 0 ('every photo is clean')\n" + P.describe(p))

    def test_same_file_twice(self):
        f = self.put("D/a.jpg")
        p, recs, summ = P.scrub_json([f, f])
        self.assertCli(p, 1)
        lines = P.json_lines(p.stdout)[0]
        self.assertEqual([r["status"] for r in lines], ["scrubbed", "failed"])
        self.assertIn("same output", lines[1]["reason"])  # JSON: English in every language
        self.assertIn(T("same output", "même résultat"), p.stderr)
        self.assertScrubbedCopyOf(self.path("D", "scrubbed", "a.jpg"), GPS_PHOTO)

    def test_two_inputs_one_output_name(self):
        a = self.put("D1/a.jpg")
        b = self.put("D2/a.jpg", "orient6.jpg")
        p, recs, _ = P.scrub_json([a, b], out=self.path("OUT"))
        self.assertCli(p, 1, "output collision")
        self.assertEqual(recs[a]["status"], "scrubbed")
        self.assertEqual(recs[b]["status"], "failed")
        self.assertIn("same output", recs[b]["reason"])
        self.assertScrubbedCopyOf(self.path("OUT", "a.jpg"), GPS_PHOTO)


class T09Settings(Base):
    def big_jpeg(self):
        """clean.jpg with 20 COM segments of 65000 bytes: about 1.3 MB."""
        data = P.read(td("clean.jpg"))
        com = b"\xff\xfe" + struct.pack(">H", 65002) + b"c" * 65000
        return self.write("D/big.jpg", data[:2] + com * 20 + data[2:])

    def test_max_file_mb(self):
        f = self.big_jpeg()
        self.assertGreater(os.path.getsize(f), 1 << 20)
        p = cli(["--set", "max-file-mb=1", "-o", self.path("OUT"), f])
        self.assertCli(p, 1, "file over max-file-mb")
        self.assertIn("big.jpg", p.stderr)
        self.assertFalse(os.path.exists(self.path("OUT", "big.jpg")))
        p = cli(["--set", "max-file-mb=2", "-o", self.path("OUT"), f])
        self.assertCli(p, 0)
        self.assertTrue(P.read(self.path("OUT", "big.jpg")) == P.read(td("clean.jpg")))

    def test_settings_by_name(self):
        f = self.put("D/a.jpg", "icc_single.jpg")
        p, recs, _ = P.scrub_json(["--set", "keep-icc=0", f], out=self.path("O1"))
        self.assertCli(p, 0)
        self.assertEqual(recs[f]["report"]["icc"], "stripped")
        self.assertEqual(P.icc_bytes(self.path("O1", "a.jpg")), b"")
        g = self.put("D/o.jpg", "orient6.jpg")
        p, recs, _ = P.scrub_json(["--set", "orientation=1", g], out=self.path("O2"))
        self.assertEqual(recs[g]["report"]["orientation"]["action"], "rotated")

    def test_read_only_output_folder(self):
        # Root ignores permission bits, so as root the CLI runs as nobody (setpriv/runuser):
        # the input, the binary and the folders must then be reachable by nobody.
        prefix = unprivileged()
        self.assertIsNotNone(prefix, "running as root without setpriv or runuser")
        base = tempfile.mkdtemp(prefix="psc-ro-")
        self.addCleanup(shutil.rmtree, base, True)
        os.chmod(base, 0o755)
        f = os.path.join(base, "a.jpg")
        shutil.copyfile(td(GPS_PHOTO), f)
        os.chmod(f, 0o644)
        dirs = {}
        for name, mode in (("RO", 0o555), ("RW", 0o755)):
            dirs[name] = os.path.join(base, name)
            os.makedirs(dirs[name])
            if prefix:
                os.chown(dirs[name], 65534, 65534)  # nobody:nogroup owns it, like a user's folder
            os.chmod(dirs[name], mode)
        def run_as(out):
            p = subprocess.run(prefix + [ARGS.cli, "--metadata-only", "-o", out, f], timeout=TIMEOUT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            p.stdout, p.stderr = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
            return p
        # Control: the same user can scrub into a writable folder, so a failure below comes
        # from the permission bits and not from a binary nobody cannot run.
        p = run_as(dirs["RW"])
        self.assertCli(p, 0, "scrub into a writable folder as %s" % (prefix[:1] or ["this user"])[0])
        self.assertEqual(os.listdir(dirs["RW"]), ["a.jpg"])
        p = run_as(dirs["RO"])
        self.assertCli(p, 1, "scrub into a read-only folder")
        self.assertIn("a.jpg", p.stderr)
        self.assertEqual(os.listdir(dirs["RO"]), [])
        os.chmod(dirs["RO"], 0o755)

    def test_output_folder_is_a_file(self):
        # Root-proof variant of an unwritable destination: -o names a regular file.
        f = self.put("D/a.jpg")
        self.write("notadir", b"x")
        p = cli(["-o", self.path("notadir", "sub"), f])
        self.assertCli(p, 1)
        self.assertIn("a.jpg", p.stderr)
        self.assertEqual(P.read(self.path("notadir")), b"x")

    def test_quiet(self):
        self.put("IN/a.jpg")
        self.write("IN/n.txt", b"text")
        p = cli(["-q", "IN"], cwd=self.tmp)
        self.assertCli(p, 0)
        self.assertNotIn("scrubbed IN", p.stdout)
        self.assertLessEqual(len([l for l in p.stdout.splitlines() if l.strip()]), 15)
        self.assertIn("1 photo", p.stdout)
        p = cli(["-q", "-f", "IN", self.path("missing.jpg")], cwd=self.tmp)
        self.assertCli(p, 1)
        self.assertIn("missing.jpg", p.stderr, "-q must still print errors")


def run_in(lang, args, cwd=None, **env):
    """photoscrub --metadata-only ARGS ('inspect'/'verify' first) in a language, with extra
    environment variables; returns CompletedProcess with text stdout/stderr."""
    args = list(args)
    if args[:1] in (["inspect"], ["verify"]):
        args = args[:1] + P.MODE_ARGS + args[1:]
    elif args[:1] not in (["--help"], ["-h"]):
        args = P.MODE_ARGS + args
    e = locale_env(lang)
    e.update(env)
    p = subprocess.run([ARGS.cli] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=TIMEOUT, cwd=cwd, env=e)
    p.stdout = p.stdout.decode("utf-8", "replace")
    p.stderr = p.stderr.decode("utf-8", "replace")
    return p


@unittest.skipIf(LANGUAGE != "en", "run once, in the English pass (it runs both languages)")
class T10Languages(Base):
    """The same runs in English and French: people's texts change, JSON and exit codes do not."""

    def mixed_folder(self):
        self.put("IN/a.jpg")
        self.put("IN/B.png", "exif.png")
        self.put("IN/c_truncated.jpg", "truncated.jpg")
        self.put("IN/Zed.jpg", "orient6.jpg")
        self.write("IN/notes.txt", b"not a photo\n")

    def test_json_and_exit_codes_are_the_same_in_french(self):
        self.mixed_folder()
        f = self.path("IN", "a.jpg")
        cases = [
            ["--json", "-o", "OUT", "IN"],
            ["--json", "--rename", "-o", "OUT", "IN"],
            ["--json", "--values", "-o", "OUT", "IN", f, f],
            ["inspect", "--json", "--values", "IN"],
            ["verify", "--json", "IN"],
            ["--json", "-o", "OUT", "missing.jpg", "IN/notes.txt"],
            ["--set", "max-file-mb=0", f],
            ["--no-such-option"],
        ]
        for args in cases:
            with self.subTest(args=args):
                got = {}
                for lang in ("en", "fr"):
                    shutil.rmtree(self.path("OUT"), ignore_errors=True)
                    got[lang] = run_in(lang, args, cwd=self.tmp)
                en, fr = got["en"], got["fr"]
                self.assertEqual(en.returncode, fr.returncode, P.describe(en) + P.describe(fr))
                if "--json" in args:
                    self.assertEqual(en.stdout, fr.stdout, "JSON differs between English and French")
                    P.json_lines(fr.stdout)
                if en.stderr.strip():
                    self.assertNotEqual(en.stderr, fr.stderr, "stderr not translated: %r" % fr.stderr)

    def test_people_read_french(self):
        self.mixed_folder()
        p = run_in("fr", ["-o", "OUT", "IN"], cwd=self.tmp)
        self.assertCli(p, 1)
        self.assertIn("c_truncated.jpg" + NB + ": photo NON nettoyée" + NB + ": fichier endommagé ou tronqué (", p.stderr)
        self.assertIn("nettoyée" + NB + ": IN/a.jpg -> OUT/a.jpg" + NB + "; retiré" + NB + ": position GPS", p.stdout)
        self.assertIn("3 photos nettoyées, 1 en ÉCHEC (voir les messages plus haut), "
                      "1 fichier qui n'est pas une photo (laissé tel quel).", p.stdout)
        self.assertIn("  retiré de 3 photos" + NB + ": position GPS\n", p.stdout)
        self.assertIn("  retiré de 1 photo" + NB + ": vignette\n", p.stdout)
        self.assertIn("Les photos nettoyées sont dans OUT", p.stdout)
        p = run_in("en", ["-o", "OUT2", "IN"], cwd=self.tmp)
        self.assertIn("c_truncated.jpg: NOT scrubbed, file is damaged or truncated: ", p.stderr)
        self.assertIn("3 photos scrubbed, 1 FAILED (see messages above), 1 not photos (left alone).", p.stdout)
        p = run_in("fr", ["--help"])
        self.assertCli(p, 0)
        self.assertTrue(p.stdout.startswith("Utilisation" + NB + ": photoscrub"), p.stdout[:200])
        self.assertNotIn("Usage", p.stdout)
        self.assertIn("Réglages de la bibliothèque", p.stdout)
        self.assertIn("garder le profil de couleurs ICC", p.stdout)  # library help, translated
        p = run_in("fr", ["--in-place", "--rename", "x.jpg"])
        self.assertCli(p, 2)
        self.assertIn("photoscrub" + NB + ": --rename demande un dossier de résultats", p.stderr)
        self.assertIn("Essayez «" + NB + "photoscrub --help" + NB + "».", p.stderr)
        p = run_in("fr", ["inspect", "IN/a.jpg"], cwd=self.tmp)
        self.assertIn("IN/a.jpg (jpeg)" + NB + ": position GPS, modèle du téléphone", p.stdout)
        p = run_in("fr", ["verify", "IN/a.jpg"], cwd=self.tmp)
        self.assertCli(p, 1)
        self.assertIn("FUITE" + NB + ": IN/a.jpg" + NB + ": position GPS", p.stdout)

    def test_locale_variables(self):
        """LC_ALL wins over LANG; LC_MESSAGES alone chooses the messages; PHOTOSCRUB_LOCALEDIR
        points to the catalogues (an empty folder: English)."""
        usage_fr, usage_en = "Utilisation" + NB + ":", "Usage:"
        self.assertIn(usage_en, run_in("fr", ["--help"], LC_ALL="C").stdout)
        self.assertIn(usage_fr, run_in("en", ["--help"], LC_MESSAGES="fr_FR.UTF-8").stdout)
        os.makedirs(self.path("empty"))
        self.assertIn(usage_en, run_in("fr", ["--help"], PHOTOSCRUB_LOCALEDIR=self.path("empty")).stdout)


if __name__ == "__main__":
    if LANGUAGE == "fr" and "fr_fr.utf8" not in P.run(["locale", "-a"]).stdout.decode().lower():
        print("SETUP ERROR: the fr_FR.UTF-8 locale is not generated (run scripts/bootstrap)", file=sys.stderr)
        sys.exit(1)
    P.check_environment(("exiftool", "identify"))
    P.main("test_cli", UNITTEST_ARGV)
