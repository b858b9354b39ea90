#!/usr/bin/env python3
"""HEIC/HEIF support (issue 6), checked with independent tools.

Oracles: exiftool (metadata groups and the ICC description), libheif's heif-info and
heif-convert (what a HEIF reader sees and the decoded samples, compared as raw Y4M), zbarimg
and ZXingReader (codes), and heifkit.py (a HEIF reader/writer written here from the
specification) for the box structure and for building variants: every iloc encoding, idat,
32-bit ids, 64-bit and size-0 mdat, extra items (depth and gain-map images, secondary images),
unknown properties, vendor and motion-video boxes, rotation/mirror/crop.

Files are made at test time with heif-enc (libheif-examples), ImageMagick, exiftool and
qrencode. The real phone HEICs and malformed HEIFs of ../shared/corpus are used when present;
without them those tests are skipped, and the run exits 77 if nothing else could run.

    python3 test_heic.py --cli PATH --testdata DIR --corpus DIR [unittest args]
"""
import argparse
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import heifkit as K  # noqa: E402

ARGS = None
TOOLS = ("heif-enc", "heif-info", "heif-convert", "exiftool", "convert", "qrencode", "zbarimg",
         "ZXingReader")
# exiftool groups a clean HEIF may show: the file system, the box structure, the colour profile.
CLEAN_GROUPS = {"ExifTool", "System", "File", "QuickTime", "Meta", "Composite", "ICC-header",
                "ICC_Profile", "ICC-view", "ICC-meas", "ICC-chrm"}
CANARIES = (b"AliceCanary", b"SN12345", b"MOTIONCANARY", b"VENDORCANARY", b"TRAILERCANARY",
            b"FREECANARY", b"UDESCANARY", b"GROUPCANARY")


def run(cmd, timeout=300, **kw):
    return subprocess.run(cmd, capture_output=True, timeout=timeout, **kw)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def y4m(path):
    """Decoded samples of the primary image as heif-convert gives them (transforms applied)."""
    out = path + ".y4m"
    r = run(["heif-convert", path, out])
    if r.returncode != 0:
        raise AssertionError("heif-convert %s: %s" % (path, r.stderr.decode(errors="replace")))
    if not os.path.exists(out):  # several top-level images: out-1.y4m is the first (primary here)
        out = path + "-1.y4m"
    data = read(out)
    for f in os.listdir(os.path.dirname(path)):
        if f.startswith(os.path.basename(path)) and f.endswith(".y4m"):
            os.unlink(os.path.join(os.path.dirname(path), f))
    return data


def y4m_size(data):
    m = re.match(rb"YUV4MPEG2 W(\d+) H(\d+)", data)
    return int(m.group(1)), int(m.group(2))


def heif_info(path):
    return run(["heif-info", path]).stdout.decode(errors="replace")


def exif_groups(path):
    r = run(["exiftool", "-a", "-G1", "-s", "-ee", path])
    return {m.group(1) for m in re.finditer(r"^\[([^\]]+)\]", r.stdout.decode(errors="replace"), re.M)}


def exiftool_tag(path, tag):
    r = run(["exiftool", "-s3", "-" + tag, path])
    return r.stdout.decode(errors="replace").strip()


def codes_read(path):
    z = run(["zbarimg", "-q", "--raw", path]).stdout.decode(errors="replace")
    x = run(["ZXingReader", path]).stdout.decode(errors="replace")
    return [l for l in z.splitlines() if l.strip()] + re.findall(r'^Text:\s+"(.*)"', x, re.M)


def magick(*args):
    r = run(["convert", *args])
    if r.returncode != 0:
        raise RuntimeError("convert failed: %s" % r.stderr.decode(errors="replace"))


def heif_enc(out, *inputs, extra=()):
    r = run(["heif-enc", "-q", "80", *extra, "-o", out, *inputs])
    if r.returncode != 0 or not os.path.exists(out):
        raise RuntimeError("heif-enc failed: %s" % r.stderr.decode(errors="replace"))
    return out


def aux_prop(urn):
    return K.full_box(b"auxC", 0, 0, urn + b"\0")


class Heic(unittest.TestCase):
    tmp = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="psc-heic-")
        t = cls.path
        magick("-size", "640x480", "-seed", "3", "plasma:fractal", "-blur", "0x4", t("plasma.png"))
        magick("-size", "320x240", "-seed", "9", "plasma:fractal", "-blur", "0x4", t("second.png"))
        heif_enc(t("base.heic"), t("plasma.png"))
        # A JPEG with GPS, device, serial and an XMP author: heif-enc copies Exif and XMP.
        magick(t("plasma.png"), "-quality", "92", t("src.jpg"))
        # A real phone profile (Display P3) when the corpus is here; ICC checks skip otherwise.
        cls.icc = None
        icc_src = cls.corpus("phones", "IMG_1034.heic")
        if icc_src:
            cls.icc = run(["exiftool", "-b", "-ICC_Profile", icc_src]).stdout or None
        if cls.icc:
            write(t("profile.icc"), cls.icc)
        tags = ["-GPSLatitude=48.8566", "-GPSLatitudeRef=N", "-GPSLongitude=2.3522",
                "-GPSLongitudeRef=E", "-Make=TestCam", "-Model=X1", "-SerialNumber=SN12345",
                "-XMP-dc:Creator=AliceCanary"]
        if cls.icc:
            tags.append("-ICC_Profile<=" + t("profile.icc"))
        r = run(["exiftool", "-q", "-overwrite_original", *tags, t("src.jpg")])
        assert r.returncode == 0, r.stderr
        heif_enc(t("ex.heic"), t("src.jpg"), extra=("-t", "96"))
        # Two images in one file: the second is a secondary image item.
        heif_enc(t("multi.heic"), t("plasma.png"), t("second.png"))
        # Transparency: an alpha plane (auxl + auxC alpha), which is kept.
        magick(t("plasma.png"), "(", "-size", "640x480", "gradient:white-black", ")", "-alpha", "off",
               "-compose", "CopyOpacity", "-composite", t("alpha.png"))
        heif_enc(t("alpha.heic"), t("alpha.png"))

    @classmethod
    def path(cls, *parts):
        return os.path.join(cls.tmp, *parts)

    @classmethod
    def corpus(cls, *parts):
        if not ARGS.corpus:
            return None
        p = os.path.join(ARGS.corpus, *parts)
        return p if os.path.exists(p) else None

    # ---------------------------------------------------------------- helpers

    def scrub(self, path, *opts, expect_rc=0, metadata_only=True):
        outdir = tempfile.mkdtemp(dir=self.tmp)
        args = [ARGS.cli, "--json", *(["--metadata-only"] if metadata_only else []), *opts, "-o", outdir, path]
        r = run(args)
        self.assertGreaterEqual(r.returncode, 0, "photoscrub died from a signal on %s" % path)
        self.assertEqual(r.returncode, expect_rc, "photoscrub %s: %s %s" % (path, r.stdout, r.stderr))
        lines = [json.loads(l) for l in r.stdout.decode().splitlines() if l.strip()]
        # The CLI names the result after its content (a HEIC turned JPEG ends in .jpg).
        out = lines[0].get("output") or os.path.join(outdir, os.path.basename(path))
        return out, lines[0], r

    def assert_clean_heif(self, out, alpha=False):
        data = read(out)
        s = K.summary(data)
        self.assertEqual(s["top"], [b"ftyp", b"meta", b"mdat"], "top-level boxes")
        kept = set(s["items"].values())
        self.assertTrue(kept <= {b"hvc1", b"av01", b"grid", b"iden"}, "item types %r" % kept)
        self.assertTrue(set(s["refs"]) <= {b"dimg", b"auxl", b"prem"}, "references %r" % s["refs"])
        self.assertEqual(s["meta_extra"], [], "other boxes in meta")
        if not alpha:
            self.assertNotIn(b"auxl", s["refs"])
        groups = exif_groups(out)
        self.assertTrue(groups <= CLEAN_GROUPS, "exiftool still finds %r" % (groups - CLEAN_GROUPS))
        info = heif_info(out)
        self.assertNotIn("thumbnail:", info)
        self.assertIn("depth channel: no", info)
        self.assertRegex(info, r"metadata:\s*\n\s*none")
        for c in CANARIES:
            self.assertNotIn(c, data, "%r survived" % c)
        return s

    def assert_same_pixels(self, a, b):
        da, db = y4m(a), y4m(b)
        self.assertEqual(y4m_size(da), y4m_size(db))
        self.assertTrue(da == db, "decoded samples differ between %s and %s" % (a, b))

    def assert_fixed_point(self, out):
        out2, rec2, _ = self.scrub(out)
        self.assertEqual(read(out), read(out2), "scrubbing twice changes the bytes")
        self.assertEqual(rec2["report"]["found"], {})
        self.assertEqual(rec2["report"]["removed"], [])

    def model(self, name):
        return K.parse(read(self.path(name)))

    def save(self, h, name, layout=None):
        p = self.path(name)
        write(p, K.write(h, layout))
        return p

    def whats(self, rec):
        return [r["what"] for r in rec["report"]["removed"]]

    # ---------------------------------------------------------------- real phones (corpus)

    def test_phone_heics(self):
        files = [self.corpus("phones", "IMG_1034.heic"), self.corpus("phones", "Issue 437 (dotnet).heic")]
        if not all(files):
            self.skipTest("no phone HEICs in the corpus")
        for f in files:
            with self.subTest(file=os.path.basename(f)):
                self.assertIn("thumbnail:", heif_info(f))
                self.assertIn("Exif", heif_info(f))
                out, rec, _ = self.scrub(f)
                rep = rec["report"]
                self.assertEqual((rep["format"], rep["output_format"]), ("heif", "heif"))
                self.assert_clean_heif(out)
                self.assert_same_pixels(f, out)
                self.assertEqual(exiftool_tag(f, "ICC_Profile:ProfileDescription"),
                                 exiftool_tag(out, "ICC_Profile:ProfileDescription"))
                self.assertTrue(exiftool_tag(out, "ICC_Profile:ProfileDescription"))
                self.assertEqual(rep["icc"], "kept")
                self.assertEqual(exiftool_tag(f, "Rotation"), exiftool_tag(out, "Rotation"))
                self.assertEqual(rep["orientation"], {"input": 1, "action": "none"})
                self.assertIn("thumbnail image item", self.whats(rec))
                self.assertIn("Exif item", self.whats(rec))
                self.assertIn("thumbnail", rep["found"])
                self.assert_fixed_point(out)
        _, rec, _ = self.scrub(files[0])
        self.assertTrue(rec["report"]["gps_present"], "IMG_1034 holds a GPS position")
        _, rec, _ = self.scrub(files[1])
        self.assertIn("XMP item", self.whats(rec))

    def test_phone_default_mode_nothing_found_is_lossless(self):
        f = self.corpus("phones", "IMG_1034.heic")
        if not f:
            self.skipTest("no phone HEIC in the corpus")
        meta, _, _ = self.scrub(f)
        out, rec, _ = self.scrub(f, metadata_only=False)
        self.assertEqual(rec["report"]["regions"], [])
        self.assertEqual(rec["report"]["output_format"], "heif")
        self.assertEqual(read(out), read(meta))

    def test_malformed_heifs_fail_clearly(self):
        folder = self.corpus("malformed")
        if not folder:
            self.skipTest("no malformed/ folder in the corpus")
        files = sorted(os.path.join(folder, f) for f in os.listdir(folder))
        for f in files:
            for mode in ((), ("--no-text",)):
                with self.subTest(file=os.path.basename(f), mode=mode):
                    outdir = tempfile.mkdtemp(dir=self.tmp)
                    md = ["--metadata-only"] if not mode else list(mode)
                    r = run([ARGS.cli, *md, "-o", outdir, f])
                    err = r.stderr.decode(errors="replace")
                    self.assertEqual(r.returncode, 1, err)
                    self.assertIn("heif:", err)
                    self.assertIn(os.path.basename(f), err)
                    self.assertEqual(os.listdir(outdir), [])

    # ---------------------------------------------------------------- metadata items

    def test_exif_xmp_thumbnail_removed(self):
        src = self.path("ex.heic")
        info = heif_info(src)
        self.assertIn("thumbnail:", info)
        self.assertTrue({"GPS", "IFD0", "XMP-dc"} <= exif_groups(src), "the input must carry the metadata")
        out, rec, _ = self.scrub(src)
        rep = rec["report"]
        self.assert_clean_heif(out)
        self.assert_same_pixels(src, out)
        self.assertTrue(rep["gps_present"])
        for cls in ("gps", "device", "serial", "xmp", "thumbnail"):
            self.assertIn(cls, rep["found"])
        self.assertEqual(sorted(self.whats(rec)), ["Exif item", "XMP item", "thumbnail image item"])
        self.assertEqual(rep["width"], 640)
        if self.icc:
            self.assertEqual(rep["icc"], "kept")
            self.assertEqual(exiftool_tag(src, "ICC_Profile:ProfileDescription"),
                             exiftool_tag(out, "ICC_Profile:ProfileDescription"))
        self.assert_fixed_point(out)
        # inspect says the same and changes nothing
        r = run([ARGS.cli, "inspect", "--json", src])
        self.assertEqual(r.returncode, 0)
        self.assertIn("gps", json.loads(r.stdout.decode().splitlines()[0])["report"]["found"])

    def test_strip_icc(self):
        if not self.icc:
            self.skipTest("no ICC profile source in the corpus")
        out, rec, _ = self.scrub(self.path("ex.heic"), "--strip-icc")
        self.assertEqual(rec["report"]["icc"], "stripped")
        self.assertIn("ICC profile", self.whats(rec))
        self.assertFalse(exif_groups(out) & {"ICC_Profile", "ICC-header"})
        self.assert_same_pixels(self.path("ex.heic"), out)

    def test_secondary_image_removed(self):
        src = self.path("multi.heic")
        self.assertEqual(len(re.findall(r"^image:", heif_info(src), re.M)), 2)
        out, rec, _ = self.scrub(src)
        self.assertEqual(len(re.findall(r"^image:", heif_info(out), re.M)), 1)
        self.assertIn("other image item", self.whats(rec))
        self.assert_clean_heif(out)
        self.assert_same_pixels(src, out)

    # ---------------------------------------------------------------- auxiliary images

    def test_depth_and_gain_map_removed_alpha_kept(self):
        h = self.model("base.heic")
        sec = self.model("multi.heic")
        sec_item = sec.item([i for i in sec.items if i.id != sec.primary][0].id)
        sec_props = [sec.props[i - 1] for i, _ in sec.assoc[sec_item.id]]
        for urn in (b"urn:mpeg:hevc:2015:auxid:2", b"urn:com:apple:photo:2020:aux:hdrgainmap"):
            iid = h.new_id()
            h.items.append(K.Item(iid, b"hvc1", sec_item.data, hidden=True))
            idx = [h.add_prop(p) for p in sec_props] + [h.add_prop(aux_prop(urn))]
            h.assoc[iid] = [(i, False) for i in idx]
            h.refs.append((b"auxl", iid, [h.primary]))
        src = self.save(h, "aux.heic")
        self.assertIn("depth channel: yes", heif_info(src))
        out, rec, _ = self.scrub(src)
        self.assertEqual(sorted(self.whats(rec)), ["auxiliary image item (HDR gain map)",
                                                   "auxiliary image item (depth map)"])
        s = self.assert_clean_heif(out)
        self.assertEqual(list(s["items"].values()), [b"hvc1"])
        self.assert_same_pixels(src, out)
        self.assert_fixed_point(out)

        src = self.path("alpha.heic")
        self.assertIn("alpha channel: yes", heif_info(src))
        out, rec, _ = self.scrub(src)
        self.assertIn("alpha channel: yes", heif_info(out))
        self.assert_clean_heif(out, alpha=True)
        self.assertEqual(rec["report"]["removed"], [])
        for f, png in ((src, self.path("a_in.png")), (out, self.path("a_out.png"))):
            self.assertEqual(run(["heif-convert", f, png]).returncode, 0)
        ident = [run(["identify", "-format", "%#", p]).stdout for p in (self.path("a_in.png"), self.path("a_out.png"))]
        self.assertEqual(ident[0], ident[1], "decoded RGBA differs")

    # ---------------------------------------------------------------- boxes and properties

    def test_motion_video_vendor_boxes_trailer_removed(self):
        h = self.model("base.heic")
        mp4 = K.box(b"ftyp", b"mp42\0\0\0\0isommp42") + K.box(b"mdat", b"MOTIONCANARY" * 50)
        h.top_before.append(K.box(b"uuid", b"\x11" * 16 + b"VENDORCANARY"))
        h.top_after += [K.box(b"mpvd", mp4), K.box(b"free", b"FREECANARY" * 4),
                        K.box(b"sefd", b"SEFHVENDORCANARY")]
        h.meta_extra.append(K.box(b"grpl", K.full_box(b"altr", 0, 0, struct.pack(">III", 1, 1, h.primary))))
        h.meta_extra.append(K.box(b"xtra", b"GROUPCANARY"))
        h.trailer = b"TRAILERCANARY"
        src = self.save(h, "boxes.heic")
        self.assertEqual(run(["heif-convert", src, self.path("boxes.y4m")]).returncode, 0,
                         "the crafted input must stay readable")
        out, rec, _ = self.scrub(src)
        w = self.whats(rec)
        for what in ("motion photo video ('mpvd' box)", "Samsung trailer ('sefd' box)", "vendor 'uuid' box",
                     "'free' box (unused space, may hold old data)", "bytes after the last box",
                     "entity groups ('grpl' box: bursts, alternatives)"):
            self.assertIn(what, w)
        self.assertIn("trailer", rec["report"]["found"])
        self.assert_clean_heif(out)
        self.assert_same_pixels(src, out)
        self.assert_fixed_point(out)

    def test_rotation_mirror_crop_kept(self):
        h = self.model("base.heic")
        w, hh = 640, 480
        clap = struct.pack(">8I", 600, 1, 400, 1, 0xFFFFFFF6, 1, 4, 1)  # 600x400, offset (-10, 4)
        extra = [K.box(b"clap", clap), K.box(b"irot", b"\x01")]
        h.assoc[h.primary] += [(h.add_prop(p), True) for p in extra]
        src = self.save(h, "rot.heic")
        self.assertEqual(y4m_size(y4m(src)), (400, 600), "libheif applies crop then a quarter turn")
        out, rec, _ = self.scrub(src)
        s = self.assert_clean_heif(out)
        self.assertEqual(s["props"][h.primary][-2:], [b"clap", b"irot"], "transforms kept in order")
        self.assert_same_pixels(src, out)
        self.assertEqual((rec["report"]["width"], rec["report"]["height"]), (hh, w))
        self.assertEqual(rec["report"]["orientation"]["action"], "none")
        self.assertEqual(exiftool_tag(src, "Rotation"), exiftool_tag(out, "Rotation"))
        self.assert_fixed_point(out)
        # A mirror: kept as is (libheif 1.15 cannot decode mirrored images to Y4M, so the check
        # is on the structure).
        h.assoc[h.primary].append((h.add_prop(K.box(b"imir", b"\x01")), True))
        src = self.save(h, "mir.heic")
        out, rec, _ = self.scrub(src)
        s = self.assert_clean_heif(out)
        self.assertEqual(s["props"][h.primary][-3:], [b"clap", b"irot", b"imir"])
        self.assertEqual(K.parse(read(out)).props[-1], K.box(b"imir", b"\x01"))

    def test_unknown_properties(self):
        h = self.model("base.heic")
        udes = K.full_box(b"udes", 0, 0, b"en\0UDESCANARY\0desc\0tags\0")
        h.assoc[h.primary].append((h.add_prop(udes), False))
        h.props.append(K.box(b"free", b"FREECANARY"))
        src = self.save(h, "udes.heic")
        out, rec, _ = self.scrub(src)
        self.assertIn("user description property (title, description, tags)", self.whats(rec))
        self.assert_clean_heif(out)
        self.assert_same_pixels(src, out)
        # An essential property nobody knows: the image cannot be kept intact, so no output.
        h = self.model("base.heic")
        h.assoc[h.primary].append((h.add_prop(K.box(b"zzzz", b"\0\0\0\0")), True))
        src = self.save(h, "essential.heic")
        _, _, r = self.scrub(src, expect_rc=1)
        self.assertIn("not known to be safe", r.stderr.decode())

    # ---------------------------------------------------------------- encodings of the same file

    def test_box_encodings(self):
        base = self.model("ex.heic")
        want = y4m(self.path("ex.heic"))
        layouts = {
            "iloc0": K.Layout(iloc_version=0),
            "iloc2_8": K.Layout(iloc_version=2, off_size=8, len_size=8),
            # index_size > 0 with version 2 only: libheif 1.15 ignores it in version 1.
            "base_idx_split": K.Layout(iloc_version=2, base_size=8, idx_size=4, split=3),
            "base4_off0": K.Layout(iloc_version=1, base_size=4, off_size=0, split=1),
            "idat": K.Layout(idat_ids=(base.primary,)),
            "wide": K.Layout(wide_ids=True, ipma_wide=True),
            "large_mdat": K.Layout(mdat_large=True),
            "size0_mdat": K.Layout(mdat_size0=True),
            "order": K.Layout(order=("hdlr", "iprp", "idat", "iref", "extra", "iinf", "iloc", "dinf", "pitm")),
        }
        outs = {}
        for name, L in layouts.items():
            with self.subTest(layout=name):
                h = self.model("ex.heic")
                if name == "wide":  # ids above 65535 need the 32-bit forms everywhere
                    remap = {it.id: it.id + 70000 for it in h.items}
                    for it in h.items:
                        it.id = remap[it.id]
                    h.primary = remap[h.primary]
                    h.assoc = {remap[k]: v for k, v in h.assoc.items()}
                    h.refs = [(t, remap[f], [remap[x] for x in to]) for t, f, to in h.refs]
                src = self.save(h, name + ".heic", L)
                self.assertEqual(y4m(src), want, "heifkit wrote an unreadable variant")
                out, rec, _ = self.scrub(src)
                self.assertEqual(sorted(self.whats(rec)), ["Exif item", "XMP item", "thumbnail image item"])
                self.assert_clean_heif(out)
                self.assertEqual(y4m(out), want)
                self.assert_fixed_point(out)
                outs[name] = read(out)
        # Every encoding scrubs to the same file (ids aside; data kept in idat stays in idat).
        narrow = {k: v for k, v in outs.items() if k not in ("wide", "idat")}
        self.assertEqual(len(set(narrow.values())), 1, "outputs differ between encodings")

    def test_avif(self):
        try:
            src = heif_enc(self.path("ex.avif"), self.path("src.jpg"), extra=("-A",))
        except RuntimeError as e:
            self.skipTest("no AVIF encoder: %s" % e)
        out, rec, _ = self.scrub(src)
        self.assertEqual(rec["report"]["format"], "heif")
        self.assertEqual(sorted(self.whats(rec)), ["Exif item", "XMP item"])
        s = self.assert_clean_heif(out)
        self.assertEqual(list(s["items"].values()), [b"av01"])
        self.assert_same_pixels(src, out)
        self.assert_fixed_point(out)

    # ---------------------------------------------------------------- damage

    def test_truncated_and_damaged(self):
        data = read(self.path("ex.heic"))
        ftyp_len = struct.unpack(">I", data[0:4])[0]
        meta_end = ftyp_len + struct.unpack(">I", data[ftyp_len:ftyp_len + 4])[0]
        cases = {}
        for cut in list(range(0, meta_end + 64, 7)) + [len(data) - 1, len(data) - 1000]:
            cases["cut%d" % cut] = data[:cut]
        rnd = random.Random(6)
        for i in range(150):
            b = bytearray(data)
            for _ in range(rnd.randint(1, 4)):
                b[rnd.randrange(8, meta_end)] = rnd.randrange(256)
            cases["flip%d" % i] = bytes(b)
        folder = self.path("damaged")
        os.makedirs(folder)
        for name, d in cases.items():
            write(os.path.join(folder, name + ".heic"), d)
        outdir = self.path("damaged-out")
        r = run([ARGS.cli, "--json", "--metadata-only", "-o", outdir, folder], timeout=600)
        self.assertIn(r.returncode, (0, 1), r.stderr[-2000:])
        recs = [json.loads(l) for l in r.stdout.decode().splitlines() if l.strip()]
        summary = recs[-1]["summary"]
        self.assertEqual(summary["done"] + summary["failed"] + summary.get("not_photos", 0), len(cases), summary)
        ok = [x for x in recs[:-1] if x.get("status") == "scrubbed"]
        for x in ok:
            s = K.summary(read(x["output"]))
            self.assertEqual(s["top"], [b"ftyp", b"meta", b"mdat"])
            self.assertNotIn(b"AliceCanary", read(x["output"]))
        for x in recs[:-1]:
            if x.get("status") == "failed":
                self.assertTrue(x.get("reason"), x)
        print("\n  damaged HEIFs: %d scrubbed, %d refused, of %d" % (len(ok), summary["failed"], len(cases)))

    # ---------------------------------------------------------------- picture stage

    def qr_scene(self, name, rotate=False, icc=False):
        qr = self.path("qr.png")
        if not os.path.exists(qr):
            subprocess.run(["qrencode", "-s", "6", "-o", qr, "WIFI:S:WardNet;T:WPA;P:hunter2secret;;"], check=True)
        scene = self.path(name + ".png")
        magick(self.path("plasma.png"), qr, "-geometry", "+100+80", "-composite", scene)
        src = scene
        if icc:
            src = self.path(name + ".jpg")
            magick(scene, "-quality", "95", src)
            run(["exiftool", "-q", "-overwrite_original", "-ICC_Profile<=" + self.path("profile.icc"), src])
        out = heif_enc(self.path(name + ".heic"), src, extra=("-q", "90"))
        if rotate:
            h = K.parse(read(out))
            h.assoc[h.primary].append((h.add_prop(K.box(b"irot", b"\x03")), True))
            write(out, K.write(h))
        return out

    def test_qr_code_becomes_jpeg(self):
        src = self.qr_scene("qrscene", icc=bool(self.icc))
        dec = self.path("qrscene_dec.jpg")
        self.assertEqual(run(["heif-convert", src, dec]).returncode, 0)
        self.assertTrue(any("hunter2secret" in c for c in codes_read(dec)), "input QR must be readable")
        out, rec, _ = self.scrub(src, metadata_only=False)
        rep = rec["report"]
        self.assertTrue(out.endswith(".jpg"), "a HEIC turned JPEG must be named .jpg: %s" % out)
        self.assertEqual(read(out)[:3], b"\xff\xd8\xff", "the output must be a JPEG")
        self.assertEqual((rep["format"], rep["output_format"]), ("heif", "jpeg"))
        self.assertIn("qr", [r["kind"] for r in rep["regions"]])
        self.assertTrue(any("JPEG" in n for n in rep.get("notes", [])), rep.get("notes"))
        sharp = out + ".sharp.png"
        magick(out, "-resize", "200%", "-unsharp", "0x3+1.5+0", sharp)
        for img in (out, sharp):
            self.assertFalse(any("hunter2secret" in c for c in codes_read(img)), "QR still readable in %s" % img)
        groups = exif_groups(out)
        self.assertFalse(groups & {"IFD0", "ExifIFD", "GPS", "XMP-x", "XMP-dc", "IFD1"}, groups)
        if self.icc:
            self.assertEqual(rep["icc"], "kept")
            self.assertEqual(exiftool_tag(out, "ICC_Profile:ProfileDescription"),
                             exiftool_tag(src, "ICC_Profile:ProfileDescription"))
        # The JPEG is clean by photoscrub's own check, and scrubbing it again changes nothing.
        r = run([ARGS.cli, "verify", "--no-text", out])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_qr_code_in_rotated_heic(self):
        src = self.qr_scene("qrrot", rotate=True)
        self.assertEqual(y4m_size(y4m(src)), (480, 640))
        out, rec, _ = self.scrub(src, "--no-text", metadata_only=False)
        self.assertEqual(read(out)[:3], b"\xff\xd8\xff")
        dims = run(["identify", "-format", "%w %h", out]).stdout.decode()
        self.assertEqual(dims, "480 640", "the JPEG must be stored upright")
        self.assertEqual(exiftool_tag(out, "Orientation"), "")
        self.assertFalse(any("hunter2secret" in c for c in codes_read(out)))

    def test_default_mode_nothing_found_is_lossless(self):
        src = self.path("ex.heic")
        meta, _, _ = self.scrub(src)
        out, rec, _ = self.scrub(src, metadata_only=False)
        self.assertEqual(rec["report"]["detection"], "default")
        self.assertEqual(rec["report"]["regions"], [])
        self.assertEqual(rec["report"]["output_format"], "heif")
        self.assertEqual(read(out), read(meta))


class HeicZZBoxInvariants(unittest.TestCase):
    """Runs the box walker's fuzz target (replay build) over every file the tests made."""

    def test_box_invariants_on_generated_files(self):
        replay = os.path.join(os.path.dirname(ARGS.cli), "..", "tests", "replay_heif_boxes")
        if not os.path.exists(replay):
            self.skipTest("replay_heif_boxes not built next to the CLI")
        files = []
        for dp, _, fns in os.walk(Heic.tmp or "/nonexistent"):
            files += [os.path.join(dp, f) for f in fns if f.endswith((".heic", ".avif"))]
        self.assertGreater(len(files), 50)
        r = run([replay] + files, timeout=600)
        self.assertEqual(r.returncode, 0, r.stderr.decode(errors="replace")[-2000:])


def main():
    global ARGS
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--cli", required=True)
    p.add_argument("--testdata", required=True)
    p.add_argument("--corpus", default=None)
    ARGS, rest = p.parse_known_args()
    ARGS.cli = os.path.abspath(ARGS.cli)
    if ARGS.corpus and not os.path.isdir(ARGS.corpus):
        print("corpus %s not found: the phone and malformed HEIF tests are skipped" % ARGS.corpus)
        ARGS.corpus = None
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        print("SKIP: tools missing (%s); scripts/bootstrap installs them" % ", ".join(missing))
        sys.exit(77)
    prog = unittest.main(argv=[sys.argv[0]] + rest, exit=False, verbosity=2)
    if Heic.tmp:
        shutil.rmtree(Heic.tmp, ignore_errors=True)
    r = prog.result
    if not r.wasSuccessful():
        sys.exit(1)
    if r.testsRun and len(r.skipped) == r.testsRun:
        sys.exit(77)
    sys.exit(0)


if __name__ == "__main__":
    main()
