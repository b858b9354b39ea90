#!/usr/bin/env python3
"""
Oracle tests on photoscrub's own test data (testdata/, described in testdata/README.md).

Every valid image is scrubbed once with the CLI; the results are then judged by tools that
share no code with photoscrub: exiftool (metadata left), ImageMagick and djpeg (decoded
pixels), jpegtran (reference lossless rotation) and the small JPEG/PNG/TIFF walkers in
pstest.py (coding data compared byte for byte).

    python3 test_testdata.py --cli PATH/photoscrub --testdata testdata/ [--corpus DIR]
"""
import glob
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pstest as P  # noqa: E402

ARGS, UNITTEST_ARGV = P.parse_args(__doc__)

# Files that must be refused (exit 1, message naming the file, nothing written).
BROKEN = ["truncated.jpg", "truncated_header.jpg", "bad_crc.png", "truncated.png",
          "not_an_image.jpg", "not_an_image.png", "empty.jpg"]
ORIENTED = {"orient3.jpg": 3, "orient5.jpg": 5, "orient6.jpg": 6, "orient8.jpg": 8,
            "orient6_odd.jpg": 6, "exif.png": 6}
ICC_FILES = ["icc_single.jpg", "icc_multi.jpg", "iccp.png"]
REPORT_CLASSES = ["gps", "device", "datetime", "serial", "author", "software", "makernote", "exif",
                  "thumbnail", "xmp", "iptc", "comment", "text", "mpf", "trailer", "icc", "unknown"]


def td(name):
    return os.path.join(ARGS.testdata, name)


class State:
    """Scrub results shared by the tests (computed once in setUpModule)."""
    tmp = None
    out = None
    files = []       # valid input basenames
    proc = None
    recs = {}        # basename -> JSON record
    summary = None
    tags_in = {}     # basename -> exiftool pairs of the input
    tags_out = {}    # basename -> exiftool pairs of the output


S = State()


def setUpModule():
    P.check_environment()
    S.tmp = tempfile.mkdtemp(prefix="psc-testdata-")
    unittest.addModuleCleanup(shutil.rmtree, S.tmp, True)  # runs even if setup fails
    S.out = os.path.join(S.tmp, "out")
    names = sorted(os.path.basename(f) for f in glob.glob(td("*.jpg")) + glob.glob(td("*.png")))
    S.files = [n for n in names if n not in BROKEN]
    if len(S.files) < 25:
        raise RuntimeError("expected the ~30 valid images of testdata/, found %d in %s"
                           % (len(S.files), ARGS.testdata))
    S.proc, recs, S.summary = P.scrub_json([td(n) for n in S.files], out=S.out)
    S.recs = {os.path.basename(k): v for k, v in recs.items()}
    ins = P.exiftool([td(n) for n in S.files])
    S.tags_in = {os.path.basename(k): v for k, v in ins.items()}
    outs = [os.path.join(S.out, n) for n in S.files if os.path.exists(os.path.join(S.out, n))]
    S.tags_out = {os.path.basename(k): v for k, v in P.exiftool(outs).items()}
    print("scrubbed %d testdata images into %s (exit %d)" % (len(S.files), S.out, S.proc.returncode))


def out_path(name):
    return os.path.join(S.out, name)


def input_orientation(name):
    o = P.exif_tag(S.tags_in.get(name, []), "IFD0:Orientation")
    return int(o) if o else 1


def input_has_icc(name):
    return any(k.startswith("ICC") for k, _ in S.tags_in.get(name, []))


class T01Scrub(unittest.TestCase):
    def test_all_valid_files_scrubbed(self):
        self.assertEqual(S.proc.returncode, 0, "scrubbing the valid test images\n" + P.describe(S.proc))
        self.assertIsNotNone(S.summary, "no summary object in --json output")
        self.assertEqual(S.summary.get("done"), len(S.files), S.summary)
        self.assertEqual(S.summary.get("failed"), 0, S.summary)
        for n in S.files:
            with self.subTest(file=n):
                r = S.recs.get(n)
                self.assertIsNotNone(r, "no JSON record for %s" % n)
                self.assertEqual(r["status"], "scrubbed", r)
                self.assertEqual(os.path.abspath(r["output"]), out_path(n))
                self.assertTrue(os.path.isfile(out_path(n)), "no output for %s" % n)
        self.assertEqual(P.tmp_files_left(S.out), [])

    def test_summary_found_in_matches_records(self):
        counts = {}
        for r in S.recs.values():
            for k in r["report"].get("found", {}):
                counts[k] = counts.get(k, 0) + 1
        self.assertEqual(S.summary.get("found_in"), counts)


class T02KeepList(unittest.TestCase):
    """exiftool must find nothing in an output that is not on the keep-list."""

    def test_exiftool_finds_only_kept_tags(self):
        for n in S.files:
            with self.subTest(file=n):
                pairs = S.tags_out.get(n)
                self.assertIsNotNone(pairs, "exiftool did not read the output of %s" % n)
                bad = P.disallowed_tags(pairs, icc_kept=input_has_icc(n),
                                        orientation=input_orientation(n))
                self.assertEqual(bad, [], "%s: tags outside the keep-list: %s" % (
                    n, ["%s=%r" % (k, v) for k, v in pairs if k in bad]))

    def test_inputs_did_have_metadata(self):
        # Guards the test above against a broken exiftool call: the inputs must show leaks.
        flagged = [n for n in S.files
                   if P.disallowed_tags(S.tags_in[n], input_has_icc(n), input_orientation(n))]
        self.assertGreaterEqual(len(flagged), 20, "the keep-list check flags too few inputs: %s" % flagged)

    def test_image_properties_unchanged(self):
        for n in S.files:
            with self.subTest(file=n):
                for key in ("File:EncodingProcess", "File:ImageWidth", "File:ImageHeight",
                            "File:ColorComponents", "File:YCbCrSubSampling", "PNG:ImageWidth",
                            "PNG:ImageHeight", "PNG:ColorType", "PNG:BitDepth"):
                    self.assertEqual(P.exif_tag(S.tags_in[n], key), P.exif_tag(S.tags_out[n], key),
                                     "%s: %s changed" % (n, key))


class T03Canaries(unittest.TestCase):
    def test_no_planted_value_left(self):
        checked = 0
        for n in S.files:
            with self.subTest(file=n):
                data_in, data_out = P.read(td(n)), P.read(out_path(n))
                planted = P.canaries_in(data_in, orientation_kept=False)
                allowed_exif = input_orientation(n) > 1
                left = [c for c in P.canaries_in(data_out, allowed_exif) if c in planted]
                checked += len(planted)
                self.assertEqual(left, [], "%s: planted values still in the output: %s" % (n, left))
        self.assertGreater(checked, 80, "too few planted values found in the inputs")


class T04Pixels(unittest.TestCase):
    def test_identify_pixel_hash_identical(self):
        for n in S.files:
            with self.subTest(file=n):
                self.assertEqual(P.pixel_hashes(td(n)), P.pixel_hashes(out_path(n)),
                                 "%s: decoded pixels differ (ImageMagick %%#)" % n)

    def test_djpeg_pixels_identical(self):
        done = 0
        for n in S.files:
            if not n.endswith(".jpg"):
                continue
            with self.subTest(file=n):
                rc_in, px_in = P.djpeg_pixels(td(n))
                if rc_in not in (0, 2) or not px_in:
                    continue
                rc_out, px_out = P.djpeg_pixels(out_path(n))
                self.assertEqual(rc_out, 0, "%s: djpeg complains about the output (rc %d)" % (n, rc_out))
                self.assertTrue(px_in == px_out, "%s: djpeg pixels differ" % n)
                done += 1
        self.assertGreaterEqual(done, 15)


class T05Structure(unittest.TestCase):
    """Own JPEG/PNG walkers: coding data byte for byte, only keep-list segments/chunks."""

    def test_jpeg_coding_data_byte_identical(self):
        for n in S.files:
            if not n.endswith(".jpg"):
                continue
            with self.subTest(file=n):
                ji, jo = P.parse_jpeg(P.read(td(n))), P.parse_jpeg(P.read(out_path(n)))
                out_len = os.path.getsize(out_path(n))
                self.assertIsNone(jo.error, "%s: output: %s" % (n, jo.error))
                self.assertEqual(jo.end, out_len, "%s: bytes after EOI in the output" % n)
                self.assertEqual(jo.garbage, 0, "%s: stray bytes between segments" % n)
                self.assertTrue(ji.coding() == jo.coding(),
                                "%s: SOF/DHT/DQT/DRI/SOS or entropy-coded data changed" % n)

    def test_jpeg_only_kept_segments(self):
        for n in S.files:
            if not n.endswith(".jpg"):
                continue
            with self.subTest(file=n):
                ji, jo = P.parse_jpeg(P.read(td(n))), P.parse_jpeg(P.read(out_path(n)))
                orient = input_orientation(n)
                for m, off, pay in jo.segments:
                    if m in P.CODING_MARKERS or m in (0xD9,) or 0xD0 <= m <= 0xD7:
                        continue
                    if m == 0xE0:
                        self.assertIsNotNone(P.jfif_fields(pay), "%s: non-JFIF APP0 kept at %d" % (n, off))
                    elif m == 0xEE:
                        self.assertTrue(pay.startswith(b"Adobe"), "%s: non-Adobe APP14 at %d" % (n, off))
                    elif m == 0xE2:
                        self.assertTrue(pay.startswith(b"ICC_PROFILE\x00"), "%s: APP2 %r kept" % (n, pay[:12]))
                    elif m == 0xE1:
                        self.assertGreater(orient, 1, "%s: APP1 kept though Orientation is 1" % n)
                        self.assertTrue(pay.startswith(b"Exif\x00\x00"), "%s: APP1 %r kept" % (n, pay[:20]))
                        self.assertEqual(P.orientation_only(pay[6:]), orient,
                                         "%s: kept EXIF is not Orientation-only = %d" % (n, orient))
                    else:
                        self.fail("%s: segment 0x%02X kept at offset %d" % (n, m, off))
                # JFIF kept with the same version/density, thumbnail gone; Adobe and ICC unchanged.
                jf_in = [P.jfif_fields(p) for p in ji.app(0) if P.jfif_fields(p)]
                jf_out = [P.jfif_fields(p) for p in jo.app(0) if P.jfif_fields(p)]
                self.assertEqual([f[0] for f in jf_in], [f[0] for f in jf_out], "%s: JFIF changed" % n)
                self.assertTrue(all(f[1] == 0 and f[2] == 0 for f in jf_out), "%s: JFIF thumbnail kept" % n)
                self.assertEqual(ji.app(14), jo.app(14), "%s: Adobe APP14 changed" % n)
                icc_in = [p for p in ji.app(2) if p.startswith(b"ICC_PROFILE\x00")]
                icc_out = [p for p in jo.app(2) if p.startswith(b"ICC_PROFILE\x00")]
                self.assertEqual(icc_in, icc_out, "%s: ICC chunks changed" % n)

    def test_png_chunks(self):
        for n in S.files:
            if not n.endswith(".png"):
                continue
            with self.subTest(file=n):
                pi, po = P.parse_png(P.read(td(n))), P.parse_png(P.read(out_path(n)))
                self.assertIsNone(po.error, "%s: output: %s" % (n, po.error))
                self.assertEqual(po.end, os.path.getsize(out_path(n)), "%s: bytes after IEND" % n)
                self.assertTrue(all(ok for _, _, ok in po.chunks), "%s: bad CRC in the output" % n)
                kept_in = [(t, d) for t, d, _ in pi.chunks if t in P.PNG_KEEP]
                kept_out = [(t, d) for t, d, _ in po.chunks if t != b"eXIf"]
                self.assertTrue(kept_in == kept_out, "%s: kept chunks differ: in %s, out %s" % (
                    n, [t for t, _ in kept_in], [t for t, _ in kept_out]))
                exifs = po.get(b"eXIf")
                if input_orientation(n) > 1:
                    self.assertEqual(len(exifs), 1, "%s: expected one eXIf" % n)
                    self.assertEqual(P.orientation_only(exifs[0]), input_orientation(n))
                else:
                    self.assertEqual(exifs, [], "%s: eXIf kept" % n)
                # The eXIf must come before IDAT (PNG 1.5 / exiftool requirement).
                if exifs:
                    t = po.types()
                    self.assertLess(t.index(b"eXIf"), t.index(b"IDAT"))


class T06FixedPoint(unittest.TestCase):
    def test_scrubbing_an_output_changes_nothing(self):
        tmp = tempfile.mkdtemp(prefix="psc-fixed-")
        self.addCleanup(shutil.rmtree, tmp, True)
        p, recs, _ = P.scrub_json([out_path(n) for n in S.files], out=os.path.join(tmp, "o2"))
        self.assertEqual(p.returncode, 0, P.describe(p))
        for n in S.files:
            with self.subTest(file=n):
                o2 = os.path.join(tmp, "o2", n)
                self.assertTrue(P.read(o2) == P.read(out_path(n)), "%s: second scrub changed bytes" % n)
                rep = recs[out_path(n)]["report"]
                self.assertEqual(rep.get("removed"), [], "%s: second pass removed %s" % (n, rep.get("removed")))
                self.assertEqual(rep.get("found", {}), {}, "%s: second pass found %s" % (n, rep.get("found")))

    def test_clean_files_are_copied_unchanged(self):
        for n in ("clean.jpg", "clean.png"):
            with self.subTest(file=n):
                self.assertTrue(P.read(td(n)) == P.read(out_path(n)), "%s: clean file was changed" % n)
                rep = S.recs[n]["report"]
                self.assertEqual(rep["bytes_in"], rep["bytes_out"])


class T07Orientation(unittest.TestCase):
    def test_orientation_kept_as_only_exif(self):
        for n, o in sorted(ORIENTED.items()):
            with self.subTest(file=n):
                self.assertEqual(input_orientation(n), o, "testdata changed? %s" % n)
                out = S.tags_out[n]
                self.assertEqual(P.exif_tag(out, "IFD0:Orientation"), o)
                exif_keys = [k for k, _ in out if k.split(":")[0] in
                             ("IFD0", "IFD1", "ExifIFD", "GPS", "InteropIFD", "MakerNotes")
                             or k.split(":")[0].startswith(("Canon", "Samsung", "Apple"))]
                self.assertEqual(exif_keys, ["IFD0:Orientation"], n)
                self.assertEqual(S.recs[n]["report"]["orientation"], {"input": o, "action": "tagged"})

    def test_orientation_1_leaves_no_exif(self):
        n = "exif_gps_thumb.jpg"
        self.assertEqual(input_orientation(n), 1)
        self.assertNotIn(b"Exif\x00\x00", P.read(out_path(n)))
        self.assertEqual(S.recs[n]["report"]["orientation"], {"input": 1, "action": "none"})


class T08Rotate(unittest.TestCase):
    """--rotate: lossless transform instead of a tag.

    Reference: jpegtran -perfect with the transform for the orientation (same DCT coefficients,
    so identical decoded pixels). Independent check of the direction: ImageMagick
    'convert IN -auto-orient' vs the output with compare -fuzz 2% -> 0 differing pixels. The
    fuzz is needed because a lossless transpose changes the decoder's rounding: libjpeg's
    separable integer IDCT and fancy chroma upsampling run rows-then-columns, so a rotated
    block decodes up to a few levels differently (about 1600-2000 pixels of 12288 differ by
    <1%, none by more than 2%). A wrong rotation would differ in thousands of pixels at 2%.
    """

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="psc-rotate-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        cls.names = ["orient3.jpg", "orient5.jpg", "orient6.jpg", "orient8.jpg", "orient6_odd.jpg",
                     "exif.png"]
        cls.proc, recs, _ = P.scrub_json([td(n) for n in cls.names], extra=["--rotate"],
                                         out=os.path.join(cls.tmp, "r"))
        cls.recs = {os.path.basename(k): v for k, v in recs.items()}
        cls.tags = {os.path.basename(k): v for k, v in P.exiftool(
            [os.path.join(cls.tmp, "r", n) for n in cls.names]).items()}

    def rp(self, n):
        return os.path.join(self.tmp, "r", n)

    def test_exit_code(self):
        self.assertEqual(self.proc.returncode, 0, P.describe(self.proc))

    def test_rotated_upright(self):
        for n in ("orient3.jpg", "orient5.jpg", "orient6.jpg", "orient8.jpg"):
            o = ORIENTED[n]
            with self.subTest(file=n):
                rep = self.recs[n]["report"]
                self.assertEqual(rep["orientation"], {"input": o, "action": "rotated"})
                tags = self.tags[n]
                self.assertIn(P.exif_tag(tags, "IFD0:Orientation"), (None, 1))
                self.assertEqual(P.disallowed_tags(tags, False, None), [])
                w_in, h_in = P.exif_tag(S.tags_in[n], "File:ImageWidth"), P.exif_tag(S.tags_in[n], "File:ImageHeight")
                w, h = P.exif_tag(tags, "File:ImageWidth"), P.exif_tag(tags, "File:ImageHeight")
                self.assertEqual((w, h), (h_in, w_in) if o >= 5 else (w_in, h_in), "dimensions")
                ref = os.path.join(self.tmp, "ref-" + n)
                self.assertTrue(P.jpegtran_upright(td(n), ref, o), "jpegtran -perfect failed on %s" % n)
                self.assertEqual(P.pixel_hashes(self.rp(n)), P.pixel_hashes(ref),
                                 "%s: pixels differ from jpegtran's lossless transform" % n)
                auto = os.path.join(self.tmp, "auto-" + n + ".ppm")
                with open(auto, "wb") as f:
                    f.write(P.convert_ppm([td(n), "-auto-orient"]))
                self.assertEqual(P.compare_ae(auto, self.rp(n), "2%"), 0,
                                 "%s: output is not 'convert -auto-orient' of the input" % n)
                if o < 5:  # sanity: the comparison can fail (the stored image is not upright)
                    self.assertGreater(P.compare_ae(auto, td(n), "2%"), 1000)
                self.assertNotIn(b"SC1-000042", P.read(self.rp(n)))

    def test_rotated_is_fixed_point(self):
        tmp2 = os.path.join(self.tmp, "again")
        names = ["orient3.jpg", "orient5.jpg", "orient6.jpg", "orient8.jpg"]
        p, recs, _ = P.scrub_json([self.rp(n) for n in names], extra=["--rotate"], out=tmp2)
        self.assertEqual(p.returncode, 0, P.describe(p))
        for n in names:
            with self.subTest(file=n):
                self.assertTrue(P.read(os.path.join(tmp2, n)) == P.read(self.rp(n)))

    def test_odd_size_falls_back_to_tag(self):
        n = "orient6_odd.jpg"
        rep = self.recs[n]["report"]
        self.assertEqual(rep["orientation"], {"input": 6, "action": "tagged"})
        self.assertTrue(rep.get("notes"), "no note explaining why the photo was not rotated: %s" % rep)
        self.assertTrue(any("rotat" in x.lower() for x in rep["notes"]), rep.get("notes"))
        self.assertEqual(P.exif_tag(self.tags[n], "IFD0:Orientation"), 6)
        self.assertEqual(P.pixel_hashes(self.rp(n)), P.pixel_hashes(td(n)))
        j = P.parse_jpeg(P.read(self.rp(n)))
        self.assertEqual(P.orientation_only(j.app(1)[0][6:]), 6)

    def test_png_keeps_tag_with_note(self):
        n = "exif.png"
        rep = self.recs[n]["report"]
        self.assertEqual(rep["orientation"], {"input": 6, "action": "tagged"})
        self.assertTrue(rep.get("notes"), rep)
        self.assertEqual(P.exif_tag(self.tags[n], "IFD0:Orientation"), 6)


class T09Icc(unittest.TestCase):
    def test_icc_profile_bytes_kept(self):
        for n in ICC_FILES:
            with self.subTest(file=n):
                icc_in = P.icc_bytes(td(n))
                self.assertGreater(len(icc_in), 500, "exiftool found no ICC profile in input %s" % n)
                self.assertTrue(P.icc_bytes(out_path(n)) == icc_in, "%s: ICC profile changed" % n)
                self.assertEqual(S.recs[n]["report"]["icc"], "kept")
        self.assertEqual(len(P.icc_bytes(td("icc_multi.jpg"))), 78616)

    def test_strip_icc(self):
        tmp = tempfile.mkdtemp(prefix="psc-icc-")
        self.addCleanup(shutil.rmtree, tmp, True)
        names = ICC_FILES + ["clean.jpg"]
        p, recs, _ = P.scrub_json([td(n) for n in names], extra=["--strip-icc"], out=tmp)
        self.assertEqual(p.returncode, 0, P.describe(p))
        tags = {os.path.basename(k): v for k, v in P.exiftool([os.path.join(tmp, n) for n in names]).items()}
        for n in ICC_FILES:
            with self.subTest(file=n):
                o = os.path.join(tmp, n)
                self.assertEqual(P.icc_bytes(o), b"", "%s: ICC profile still there" % n)
                self.assertEqual(P.disallowed_tags(tags[n], icc_kept=False, orientation=None), [])
                rep = recs[td(n)]["report"]
                self.assertEqual(rep["icc"], "stripped")
                self.assertIn("icc", rep.get("found", {}))
                self.assertTrue(any(r["class"] == "icc" for r in rep["removed"]), rep["removed"])
                self.assertEqual(P.pixel_hashes(o), P.pixel_hashes(td(n)))
                if n.endswith(".png"):
                    self.assertNotIn(b"iCCP", P.parse_png(P.read(o)).types())
                else:
                    self.assertEqual(P.parse_jpeg(P.read(o)).app(2), [])
        self.assertEqual(recs[td("clean.jpg")]["report"]["icc"], "none")


class T10Png(unittest.TestCase):
    def test_exif_png_orientation_only(self):
        po = P.parse_png(P.read(out_path("exif.png")))
        ex = po.get(b"eXIf")
        self.assertEqual(len(ex), 1)
        self.assertEqual(P.orientation_only(ex[0]), 6, "eXIf is not Orientation-only 6")
        self.assertEqual(P.exif_tag(S.tags_out["exif.png"], "IFD0:Orientation"), 6)

    def test_apng_animation_kept(self):
        n = "apng.png"
        pi, po = P.parse_png(P.read(td(n))), P.parse_png(P.read(out_path(n)))
        for t in (b"acTL", b"fcTL", b"fdAT"):
            self.assertEqual(pi.get(t), po.get(t), "%s chunks changed" % t.decode())
        self.assertEqual(len(po.get(b"fcTL")), 2)
        # Sequence numbers of fcTL/fdAT must stay 0,1,2,... (APNG spec).
        seq = [int.from_bytes(d[:4], "big") for t, d, _ in po.chunks if t in (b"fcTL", b"fdAT")]
        self.assertEqual(seq, list(range(len(seq))))
        fi, fo = P.png_frames(pi), P.png_frames(po)
        self.assertEqual(len(fo), 2, "expected 2 frames in the output")
        self.assertTrue(fi == fo, "frame data differ")
        self.assertEqual(len(fo[1]), 48 * (1 + 64 * 3), "frame 1 does not inflate to full size")
        self.assertEqual(P.exif_tag(S.tags_out[n], "PNG:AnimationFrames"), 2)
        self.assertEqual(P.exif_tag(S.tags_out[n], "File:FileType"), "APNG")
        # ImageMagick 6 reads only the default image of an APNG (its APNG path needs ffmpeg),
        # so identify is used for that image only (T04); frames are checked with zlib above.


class T11Report(unittest.TestCase):
    def rep(self, n):
        return S.recs[n]["report"]

    def test_report_shape_and_sizes(self):
        for n in S.files:
            with self.subTest(file=n):
                rep = self.rep(n)
                self.assertEqual(rep["format"], "png" if n.endswith(".png") else "jpeg")
                self.assertEqual(rep["bytes_in"], os.path.getsize(td(n)))
                self.assertEqual(rep["bytes_out"], os.path.getsize(out_path(n)))
                for k, v in rep.get("found", {}).items():
                    self.assertIn(k, REPORT_CLASSES)
                    self.assertGreater(v, 0, "found lists a zero count: %s" % k)
                for r in rep["removed"]:
                    self.assertIn(r["class"], REPORT_CLASSES)
                    self.assertTrue(r["what"])
                    self.assertGreater(r["bytes"], 0)
                    self.assertLessEqual(r["offset"] + r["bytes"], rep["bytes_in"], r)
                    self.assertIn(r["class"], rep.get("found", {}), "removed class not in found: %s" % r)
                self.assertNotIn("values", rep, "values in a report without --values")
                self.assertIn(rep["icc"], ("none", "kept", "stripped"))
                # When nothing is rebuilt, what is removed accounts for the size difference.
                if rep["orientation"]["action"] == "none" and n != "jfif_thumb.jpg":
                    self.assertEqual(rep["bytes_in"] - sum(r["bytes"] for r in rep["removed"]),
                                     rep["bytes_out"], "%s: removed bytes do not add up" % n)

    def test_gps_present_matches_exiftool(self):
        for n in S.files:
            with self.subTest(file=n):
                gps_keys = [k for k, _ in S.tags_in[n] if "GPS" in k and not k.startswith("Composite:")]
                self.assertEqual(self.rep(n)["gps_present"], bool(gps_keys),
                                 "%s: report gps_present=%s but exiftool sees GPS tags in the input: %s"
                                 % (n, self.rep(n)["gps_present"], gps_keys))

    def test_classes_found(self):
        expect = {
            "exif_gps_thumb.jpg": {"gps", "device", "datetime", "serial", "author", "software",
                                   "makernote", "thumbnail", "exif"},
            "xmp.jpg": {"xmp"}, "xmp_extended.jpg": {"xmp"}, "iptc.jpg": {"iptc"},
            "comment.jpg": {"comment"}, "jfif_thumb.jpg": {"thumbnail"},
            "mpf_secondary.jpg": {"mpf", "gps"}, "trailer_motion.jpg": {"trailer", "xmp", "gps"},
            "trailer_samsung.jpg": {"trailer", "gps"}, "vendor_appn.jpg": {"unknown", "gps"},
            "text_chunks.png": {"text", "xmp", "datetime"}, "after_iend.png": {"trailer"},
            "exif.png": {"gps", "device", "serial"}, "apng.png": {"text"},
            "palette_trns.png": {"text"}, "adobe_ycck.jpg": {"xmp", "comment"},
        }
        for n, classes in sorted(expect.items()):
            with self.subTest(file=n):
                found = set(self.rep(n).get("found", {}))
                self.assertTrue(classes <= found, "%s: missing %s in found %s" % (n, classes - found, found))
        for n in ("clean.jpg", "clean.png", "icc_single.jpg", "icc_multi.jpg", "iccp.png"):
            with self.subTest(file=n):
                self.assertEqual(self.rep(n).get("found", {}), {})
                self.assertEqual(self.rep(n)["removed"], [])

    def test_removed_entries(self):
        rm = lambda n: self.rep(n)["removed"]  # noqa: E731
        tm = [r for r in rm("trailer_motion.jpg") if r["class"] == "trailer"]
        self.assertEqual(len(tm), 1, rm("trailer_motion.jpg"))
        self.assertIn("MP4", tm[0]["what"])
        self.assertEqual((tm[0]["offset"], tm[0]["bytes"]), (8942 - 2196, 2196))
        ts = [r for r in rm("trailer_samsung.jpg") if r["class"] == "trailer"]
        self.assertEqual(len(ts), 1)
        self.assertEqual(ts[0]["offset"] + ts[0]["bytes"], 6040)
        mpf = [r for r in rm("mpf_secondary.jpg") if r["class"] == "mpf"]
        self.assertEqual(len(mpf), 2, rm("mpf_secondary.jpg"))
        self.assertIn((5424, 1594), [(r["offset"], r["bytes"]) for r in mpf])
        self.assertEqual(len([r for r in rm("comment.jpg") if r["class"] == "comment"]), 2)
        self.assertEqual(len([r for r in rm("xmp_extended.jpg") if r["class"] == "xmp"]), 3)
        ai = rm("after_iend.png")
        self.assertEqual([(r["class"], r["bytes"]) for r in ai], [("trailer", 58)])
        gb = [r for r in rm("garbage_between.jpg") if r["bytes"] == 4]
        self.assertEqual(len(gb), 1, "the 4 stray bytes are not reported: %s" % rm("garbage_between.jpg"))
        self.assertEqual(P.read(td("garbage_between.jpg"))[gb[0]["offset"]:gb[0]["offset"] + 4],
                         b"\x00\x12\x34\x56")
        tc = sorted(r["what"] for r in rm("text_chunks.png"))
        for c in ("tEXt", "zTXt", "iTXt", "tIME", "prIv"):
            self.assertTrue(any(c in w for w in tc), "text_chunks.png: %s not reported: %s" % (c, tc))
        # Every removed entry of a JPEG starts at a marker (or at the trailer/garbage it names).
        for n in S.files:
            if not n.endswith(".jpg"):
                continue
            data = P.read(td(n))
            for r in rm(n):
                if r["class"] in ("trailer", "mpf", "unknown", "thumbnail") and data[r["offset"]] != 0xFF:
                    continue
                with self.subTest(file=n, removed=r["what"]):
                    self.assertEqual(data[r["offset"]], 0xFF, "%s: removed offset is not a marker" % r)


class T12Broken(P.TempDirTestCase):
    def test_broken_files_refused(self):
        for n in BROKEN:
            with self.subTest(file=n):
                src = td(n)
                self.assertTrue(os.path.exists(src), "missing testdata %s" % n)
                out = os.path.join(self.tmp, "o-" + n)
                p = P.cli(["-o", out, src])
                self.assertCli(p, 1, n)
                self.assertIn(src, p.stderr, "stderr does not name the file")
                self.assertEqual(P.all_files(out) if os.path.isdir(out) else [], [],
                                 "%s: files written for a refused input" % n)
                # Default layout: D/F -> D/scrubbed/F must not appear either.
                d = os.path.join(self.tmp, "d-" + n)
                os.mkdir(d)
                shutil.copy(src, d)
                p = P.cli([os.path.join(d, n)])
                self.assertCli(p, 1, n)
                self.assertIn(n, p.stderr)
                self.assertFalse(os.path.exists(os.path.join(d, "scrubbed", n)))
                self.assertEqual(P.tmp_files_left(d), [])

    def test_broken_files_json(self):
        out = os.path.join(self.tmp, "o")
        p, recs, summ = P.scrub_json([td(n) for n in BROKEN], out=out)
        self.assertCli(p, 1)
        self.assertEqual(summ["failed"], len(BROKEN), summ)
        self.assertEqual(summ["done"], 0)
        for n in BROKEN:
            with self.subTest(file=n):
                r = recs[td(n)]
                self.assertEqual(r["status"], "failed")
                self.assertTrue(r.get("reason"))
        self.assertEqual(P.all_files(out) if os.path.isdir(out) else [], [])


if __name__ == "__main__":
    P.main("test_testdata", UNITTEST_ARGV)
