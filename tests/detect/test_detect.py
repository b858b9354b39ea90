#!/usr/bin/env python3
"""Detection and redaction, checked with independent tools.

Each case builds a small picture at test time (qrencode, zint, dmtxwrite, ImageMagick text),
first asserts that the independent readers (zbarimg, ZXingReader, tesseract) CAN read it, then
that they cannot read photoscrub's output, even sharpened and upscaled. Also: pixels outside
the hidden regions are bit-identical, a photo with nothing to hide is untouched, a detector
that cannot run means no output.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

ARGS = None


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)


def zbar_reads(path):
    r = run(["zbarimg", "-q", "--raw", path])
    return [l for l in r.stdout.splitlines() if l.strip()]


def zxing_reads(path):
    r = run(["ZXingReader", path])
    return re.findall(r'^Text:\s+"(.*)"', r.stdout, re.M)


def codes_read(path):
    return zbar_reads(path) + zxing_reads(path)


def ocr_words(path, psms=(11, 6)):
    words = set()
    for psm in psms:
        r = run(["tesseract", path, "-", "--psm", str(psm)])
        for w in re.findall(r"[A-Za-z0-9]{3,}", r.stdout):
            words.add(w.lower())
    return words


def convert(*args):
    r = run(["convert", *args])
    if r.returncode != 0:
        raise RuntimeError("convert failed: %s" % r.stderr)


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    w, h = int(m.group(1)), int(m.group(2))
    return w, h, data[m.end():]


class Detect(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="psc-detect-")
        t = cls.tmp
        # A photo-like background: smooth colour noise, no text or codes.
        convert("-size", "800x600", "-seed", "7", "plasma:fractal", "-blur", "0x6", os.path.join(t, "bg.png"))
        subprocess.run(["qrencode", "-s", "6", "-o", os.path.join(t, "qr.png"),
                        "WIFI:S:WardNet;T:WPA;P:hunter2secret;;"], check=True)
        subprocess.run(["zint", "-b", "20", "--height=60", "-d", "MRN0012345",
                        "-o", os.path.join(t, "c128.png")], check=True, capture_output=True)
        with open(os.path.join(t, "dm.png"), "wb") as f:
            subprocess.run(["dmtxwrite", "-d", "8", "-m", "4"], input=b"LOT 7781-A", stdout=f, check=True)
        convert("-background", "white", "-fill", "black", "-font", "DejaVu-Sans", "-pointsize", "34",
                "label:Patient Johnson Ward 12", os.path.join(t, "text.png"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def scene(self, name, layers, quality=92, fmt="jpg"):
        out = os.path.join(self.tmp, name + "." + fmt)
        args = [os.path.join(self.tmp, "bg.png")]
        for layer, x, y in layers:
            args += [os.path.join(self.tmp, layer), "-geometry", "+%d+%d" % (x, y), "-composite"]
        if fmt == "jpg":
            args += ["-quality", str(quality), "-sampling-factor", "2x2"]
        convert(*args, out)
        return out

    def scrub(self, path, *opts, expect_rc=0):
        outdir = tempfile.mkdtemp(dir=self.tmp)
        r = run([ARGS.cli, "--json", *opts, "-o", outdir, path])
        self.assertEqual(r.returncode, expect_rc, "photoscrub %s: %s %s" % (path, r.stdout, r.stderr))
        lines = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
        return os.path.join(outdir, os.path.basename(path)), lines[0], r

    def assert_unreadable(self, out, secrets_codes=(), secret_words=()):
        # The output and a sharpened 3x upscale of it: nothing decodes, no secret word reads.
        sharp = out + ".sharp.png"
        convert(out, "-resize", "200%", "-unsharp", "0x3+1.5+0", sharp)
        for img in (out, sharp):
            got = codes_read(img)
            for c in secrets_codes:
                self.assertFalse(any(c in g for g in got), "%s still decodes %r in %s" % (c, got, img))
            if not secret_words:
                continue
            words = ocr_words(img, psms=(11, 6) if img == out else (11,))
            for w in secret_words:
                self.assertNotIn(w.lower(), words, "%s still reads %r in %s" % (w, words, img))

    def kinds(self, line):
        return [r["kind"] for r in line["report"]["regions"]]

    def test_qr_code(self):
        p = self.scene("qr", [("qr.png", 100, 80)])
        self.assertTrue(any("hunter2secret" in c for c in codes_read(p)), "input QR must be readable")
        out, line, _ = self.scrub(p)
        self.assertIn("qr", self.kinds(line))
        self.assert_unreadable(out, secrets_codes=["hunter2secret"])

    def test_code128(self):
        p = self.scene("c128", [("c128.png", 300, 200)])
        self.assertTrue(any("MRN0012345" in c for c in codes_read(p)), "input Code128 must be readable")
        out, line, _ = self.scrub(p)
        self.assertIn("barcode", self.kinds(line))
        self.assert_unreadable(out, secrets_codes=["MRN0012345"])

    def test_datamatrix(self):
        p = self.scene("dm", [("dm.png", 300, 200)])
        self.assertTrue(any("7781" in c for c in zxing_reads(p)), "input DataMatrix must be readable")
        out, line, _ = self.scrub(p)
        self.assertIn("matrix", self.kinds(line))
        self.assert_unreadable(out, secrets_codes=["7781"])

    def test_text_line(self):
        p = self.scene("text", [("text.png", 60, 400)])
        words = ocr_words(p)
        self.assertTrue({"patient", "johnson"} <= words, "input text must be readable: %r" % words)
        out, line, _ = self.scrub(p)
        self.assertIn("text", self.kinds(line))
        self.assert_unreadable(out, secret_words=["Patient", "Johnson", "Ward"])

    def test_styles_are_irreversible(self):
        p = self.scene("styles", [("qr.png", 100, 80), ("text.png", 60, 450)])
        for style in ("fill", "pixelate"):
            out, line, _ = self.scrub(p, "--style", style)
            self.assertGreaterEqual(len(line["report"]["regions"]), 2, style)
            self.assert_unreadable(out, secrets_codes=["hunter2secret"], secret_words=["Patient", "Johnson"])

    def test_pixels_outside_regions_unchanged(self):
        p = self.scene("outside", [("qr.png", 100, 80), ("c128.png", 420, 380)])
        out, line, _ = self.scrub(p)
        boxes = [r["box"] for r in line["report"]["regions"]]
        self.assertGreaterEqual(len(boxes), 2)
        # -nosmooth: each pixel depends only on its own blocks, so untouched blocks decode the same.
        a, b = p + ".ppm", out + ".ppm"
        for src, dst in ((p, a), (out, b)):
            with open(dst, "wb") as f:
                subprocess.run(["djpeg", "-nosmooth", "-ppm", src], stdout=f, check=True)
        w, h, pa = read_ppm(a)
        w2, h2, pb = read_ppm(b)
        self.assertEqual((w, h), (w2, h2))
        inside = bytearray(w * h)
        for x, y, bw, bh in boxes:
            for yy in range(max(0, y), min(h, y + bh)):
                inside[yy * w + max(0, x):yy * w + min(w, x + bw)] = b"\x01" * (min(w, x + bw) - max(0, x))
        diff_out = changed_in = 0
        for i in range(w * h):
            same = pa[3 * i:3 * i + 3] == pb[3 * i:3 * i + 3]
            if inside[i]:
                changed_in += not same
            elif not same:
                diff_out += 1
        self.assertEqual(diff_out, 0, "pixels outside the hidden regions changed")
        self.assertGreater(changed_in, 1000, "the regions were not changed")
        # Boxes sit on the 16x16 iMCU grid of a 4:2:0 JPEG.
        for x, y, bw, bh in boxes:
            self.assertEqual((x % 16, y % 16), (0, 0))

    def test_nothing_to_hide_is_untouched(self):
        p = self.scene("plain", [])
        out, line, _ = self.scrub(p)
        self.assertEqual(line["report"]["regions"], [])
        self.assertEqual(line["report"]["detection"], "default")
        meta, _, _ = self.scrub(p, "--metadata-only")
        with open(out, "rb") as f1, open(meta, "rb") as f2:
            self.assertEqual(f1.read(), f2.read(), "with nothing found the output must equal the lossless one")

    def test_scrub_twice_is_fixed_point(self):
        p = self.scene("twice", [("qr.png", 100, 80), ("text.png", 60, 420)])
        out, _, _ = self.scrub(p)
        out2, line2, _ = self.scrub(out)
        self.assertEqual(line2["report"]["regions"], [])
        with open(out, "rb") as f1, open(out2, "rb") as f2:
            self.assertEqual(f1.read(), f2.read())

    def test_png(self):
        p = self.scene("pngscene", [("qr.png", 100, 80)], fmt="png")
        self.assertTrue(any("hunter2secret" in c for c in codes_read(p)))
        out, line, _ = self.scrub(p)
        self.assertIn("qr", self.kinds(line))
        r = run(["identify", "-format", "%w %h %m", out])
        self.assertEqual(r.stdout.strip(), "800 600 PNG")
        self.assert_unreadable(out, secrets_codes=["hunter2secret"])

    def test_sideways_photo_text(self):
        # Stored rotated 90 degrees with Orientation 6: a viewer shows it upright, OCR must too.
        upright = self.scene("upright", [("text.png", 60, 300)])
        stored = os.path.join(self.tmp, "sideways.jpg")
        convert(upright, "-rotate", "-90", "-quality", "92", stored)
        r = run(["exiftool", "-q", "-overwrite_original", "-Orientation#=6", stored])
        self.assertEqual(r.returncode, 0, r.stderr)
        out, line, _ = self.scrub(stored)
        self.assertIn("text", self.kinds(line))
        self.assertEqual(line["report"]["orientation"], {"input": 6, "action": "tagged"})
        shown = out + ".shown.png"
        convert(out, "-auto-orient", shown)
        self.assert_unreadable(shown, secret_words=["Patient", "Johnson"])

    def test_tilted_text(self):
        # Whiteboards and badges are rarely level: a line at 12 degrees must be found and hidden.
        tilted = os.path.join(self.tmp, "tilted-text.png")
        convert(os.path.join(self.tmp, "text.png"), "-background", "white", "-rotate", "12", tilted)
        p = self.scene("tilted", [("tilted-text.png", 40, 300)])
        level_in = p + ".level.png"
        convert(p, "-background", "white", "-rotate", "-12", level_in)
        words = ocr_words(level_in)
        self.assertTrue({"patient", "johnson"} <= words, "input text must be readable levelled: %r" % words)
        out, line, _ = self.scrub(p)
        self.assertIn("text", self.kinds(line))
        level_out = out + ".level.png"
        convert(out, "-background", "white", "-rotate", "-12", level_out)
        self.assert_unreadable(out, secret_words=["Patient", "Johnson", "Ward"])
        self.assert_unreadable(level_out, secret_words=["Patient", "Johnson", "Ward"])

    def test_undecodable_barcode_is_still_hidden(self):
        # Bars with a stretch of them mirrored: no reader decodes them, yet they are a barcode
        # and may decode for a better reader (the issue: located but failing its checksum
        # still counts).
        smudged = os.path.join(self.tmp, "smudged.png")
        convert(os.path.join(self.tmp, "c128.png"), "-region", "40x200+80+0", "-flop", smudged)
        p = self.scene("smudged", [("smudged.png", 300, 200)])
        self.assertEqual(codes_read(p), [], "the smudged code must not decode in the input")
        out, line, _ = self.scrub(p)
        found = [r for r in line["report"]["regions"] if r["kind"] == "barcode"]
        self.assertTrue(found, "the bar pattern must be hidden: %r" % line["report"]["regions"])
        self.assertEqual(found[0]["detector"], "locator")
        x, y, bw, bh = found[0]["box"]
        bar_w = int(run(["identify", "-format", "%w", smudged]).stdout)
        self.assertLessEqual(x, 300 + 20)
        self.assertGreaterEqual(x + bw, 300 + bar_w - 20, "the box must span the bars: %r" % found[0])

    def test_extreme_shapes_in_every_mode(self):
        # 1 px wide, 1 px high, tiny: detection halves and tiles big photos; none of that may
        # turn into an empty image handed to a reader or a spurious failure.
        for size in ("1x3000", "3000x1", "7x7", "64x4000"):
            p = os.path.join(self.tmp, "shape-%s.jpg" % size)
            convert("-size", size, "-seed", "3", "plasma:fractal", p)
            for mode in ("fast", "default", "thorough"):
                out, line, _ = self.scrub(p, "--detect", mode)
                self.assertEqual(line["status"], "scrubbed", "%s %s: %r" % (size, mode, line))
                self.assertTrue(os.path.exists(out))

    def test_detector_failure_means_no_output(self):
        p = self.scene("nolang", [("text.png", 60, 400)])
        out, line, r = self.scrub(p, "--lang", "zzz", expect_rc=1)
        self.assertFalse(os.path.exists(out), "no output may be written when OCR cannot run")
        self.assertIn("tesseract-ocr-zzz", r.stderr)
        self.assertEqual(line["status"], "failed")


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--testdata")
    ap.add_argument("--corpus")
    ARGS, rest = ap.parse_known_args()
    for tool in ("zbarimg", "ZXingReader", "tesseract", "qrencode", "zint", "dmtxwrite", "convert", "djpeg", "exiftool"):
        if shutil.which(tool) is None:
            print("missing tool %s: run scripts/bootstrap" % tool)
            return 1
    prog = unittest.main(argv=[sys.argv[0], "-v"] + rest, exit=False)
    res = prog.result
    print("%d passed, %d failed" % (res.testsRun - len(res.failures) - len(res.errors), len(res.failures) + len(res.errors)))
    return 0 if res.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
