#!/usr/bin/env python3
"""Deterministic generator for the photoscrub test corpus.

Usage:  python3 make_testdata.py [OUTDIR]      (default: the folder of this script)

Everything is synthesised from scratch: the pixel data are generated
geometric patterns (public domain), all metadata structures (EXIF/TIFF,
XMP, IPTC, ICC, MPF, JFIF/JFXX, vendor APPn, PNG chunks, trailers) are
assembled byte by byte in this file.  External tools used only for pixel
encoding:

  * cjpeg / jpegtran (libjpeg-turbo-progs)      -- JPEG encoding / transcoding
  * ImageMagick `convert` (only for adobe_ycck.jpg, CMYK/YCCK encoding)

No timestamps, random numbers or host data are used, so running the script
twice yields byte-identical files (given the same libjpeg-turbo / ImageMagick
/ zlib versions; the reference run used libjpeg-turbo 2.1.5, ImageMagick
6.9.11-60, zlib 1.2.13 on Debian 12).
"""

import hashlib
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

# ---------------------------------------------------------------------------
# Pixel patterns
# ---------------------------------------------------------------------------


def pattern(w, h, variant=0):
    """Colourful, non-flat, asymmetric RGB pattern (bytes, row-major RGB).

    Horizontal red ramp, vertical green ramp, blue rings, a 4x3 grid of
    coloured tiles and a white 'F'-like glyph near the top-left corner so
    that any rotation / flip is visible in a pixel comparison.
    """
    tiles = [(230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200),
             (245, 130, 48), (145, 30, 180), (70, 240, 240), (240, 50, 230),
             (210, 245, 60), (250, 190, 212), (0, 128, 128), (170, 110, 40)]
    out = bytearray()
    cx, cy = (w * 2) // 3, h // 2
    for y in range(h):
        for x in range(w):
            r = (x * 255) // max(1, w - 1)
            g = (y * 255) // max(1, h - 1)
            d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy)
            b = (d2 // 6 + variant * 40) & 0xFF
            if b > 127:
                b = 255 - b
            b = b * 2
            # coloured tiles in the bottom-right quadrant region
            if y >= h // 2 and x >= w // 2:
                tx = ((x - w // 2) * 4) // max(1, w - w // 2)
                ty = ((y - h // 2) * 3) // max(1, h - h // 2)
                t = tiles[(ty * 4 + tx + variant) % len(tiles)]
                r, g, b = (r + 3 * t[0]) // 4, (g + 3 * t[1]) // 4, (b + 3 * t[2]) // 4
            # 'F' glyph (asymmetric) near top-left
            u, v = x - w // 16, y - h // 12
            s = max(2, w // 32)
            if 0 <= u < 5 * s and 0 <= v < 8 * s:
                if u < s or v < s or (3 * s <= v < 4 * s and u < 4 * s):
                    r, g, b = 255, 255, 255
                else:
                    r, g, b = 20, 20, 20
            out += bytes((r, g, b))
    return bytes(out)


def ppm(w, h, rgb):
    return b"P6\n%d %d\n255\n" % (w, h) + rgb


def pgm(w, h, gray):
    return b"P5\n%d %d\n255\n" % (w, h) + gray


# ---------------------------------------------------------------------------
# External encoders
# ---------------------------------------------------------------------------

TMP = None


def run(cmd, inp=None):
    r = subprocess.run(cmd, input=inp, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, check=False)
    if r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (cmd, r.returncode,
                                                    r.stderr.decode(errors="replace")))
    return r.stdout


def cjpeg(w, h, variant=0, args=(), gray=False, quality=85):
    if gray:
        rgb = pattern(w, h, variant)
        g = bytes((rgb[i] * 3 + rgb[i + 1] * 5 + rgb[i + 2] * 2) // 10
                  for i in range(0, len(rgb), 3))
        src = pgm(w, h, g)
    else:
        src = ppm(w, h, pattern(w, h, variant))
    p = os.path.join(TMP, "src.pnm")
    with open(p, "wb") as f:
        f.write(src)
    return run(["cjpeg", "-quality", str(quality)] + list(args) + [p])


def jpegtran(data, args):
    p = os.path.join(TMP, "jt.jpg")
    with open(p, "wb") as f:
        f.write(data)
    return run(["jpegtran"] + list(args) + [p])


def find_convert():
    for c in ("/usr/bin/convert", shutil.which("convert"), shutil.which("magick")):
        if c and os.path.exists(c):
            return c
    raise RuntimeError("ImageMagick convert not found (needed for adobe_ycck.jpg)")


# ---------------------------------------------------------------------------
# JPEG segment helpers
# ---------------------------------------------------------------------------


def seg(marker, payload):
    """Marker segment: FF xx + 2-byte length + payload."""
    if len(payload) + 2 > 0xFFFF:
        raise ValueError("segment too long: %d" % len(payload))
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def split_jpeg(data):
    """Return (list of (marker, full_segment_bytes) before SOS, rest-from-SOS)."""
    assert data[:2] == b"\xff\xd8"
    pos = 2
    segs = []
    while True:
        assert data[pos] == 0xFF, "bad marker at %d" % pos
        m = data[pos + 1]
        if m == 0xDA:
            return segs, data[pos:]
        ln = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        segs.append((m, data[pos:pos + 2 + ln]))
        pos += 2 + ln


def assemble(base, new_segs, keep_jfif=True, before_sos=()):
    """SOI + [JFIF] + new_segs + base's other header segments + [before_sos] + scan."""
    segs, rest = split_jpeg(base)
    out = bytearray(b"\xff\xd8")
    jfif = [s for m, s in segs if m == 0xE0]
    others = [s for m, s in segs if m != 0xE0]
    if keep_jfif:
        out += b"".join(jfif)
    out += b"".join(new_segs)
    out += b"".join(others)
    out += b"".join(before_sos)
    out += rest
    return bytes(out)


def strip_app0(jpeg):
    segs, rest = split_jpeg(jpeg)
    return b"\xff\xd8" + b"".join(s for m, s in segs if m != 0xE0) + rest


# ---------------------------------------------------------------------------
# TIFF / EXIF builder
# ---------------------------------------------------------------------------

BYTE, ASCII, SHORT, LONG, RATIONAL, SBYTE, UNDEF, SSHORT, SLONG, SRATIONAL = range(1, 11)
TYPE_SIZE = {BYTE: 1, ASCII: 1, SHORT: 2, LONG: 4, RATIONAL: 8, SBYTE: 1,
             UNDEF: 1, SSHORT: 2, SLONG: 4, SRATIONAL: 8}


class IFD:
    def __init__(self, entries, next_ifd=None):
        # entries: list of (tag, type, value)
        #   value: str (ASCII), bytes (UNDEF/BYTE raw), int / list of ints,
        #          list of (num, den) for RATIONAL, IFD (sub-IFD pointer),
        #          Blob (data placed elsewhere, LONG offset written),
        #          Lazy (bytes computed from their absolute offset)
        self.entries = sorted(entries, key=lambda e: e[0])
        self.next = next_ifd


class Blob:
    def __init__(self, data):
        self.data = data


class Lazy:
    def __init__(self, length, fn):
        self.length, self.fn = length, fn


def _encode_value(typ, val, e):
    if typ == ASCII:
        b = val.encode("latin-1") if isinstance(val, str) else val
        if not b.endswith(b"\0"):
            b += b"\0"
        return b, len(b)
    if typ in (UNDEF, BYTE, SBYTE) and isinstance(val, (bytes, bytearray)):
        return bytes(val), len(val)
    if not isinstance(val, (list, tuple)):
        val = [val]
    if typ in (RATIONAL, SRATIONAL):
        f = "I" if typ == RATIONAL else "i"
        return b"".join(struct.pack(e + f + f, n, d) for n, d in val), len(val)
    f = {BYTE: "B", SBYTE: "b", UNDEF: "B", SHORT: "H", SSHORT: "h", LONG: "I", SLONG: "i"}[typ]
    return b"".join(struct.pack(e + f, v) for v in val), len(val)


def ifd_size(ifd):
    """Total serialized size of an IFD incl. its data, sub-IFDs and next chain."""
    n = 2 + 12 * len(ifd.entries) + 4
    for tag, typ, val in ifd.entries:
        if isinstance(val, IFD):
            n += ifd_size(val)
        elif isinstance(val, Blob):
            n += len(val.data) + (len(val.data) & 1)
        elif isinstance(val, Lazy):
            n += val.length + (val.length & 1)
        else:
            b, _ = _encode_value(typ, val, "<")
            if len(b) > 4:
                n += len(b) + (len(b) & 1)
    if ifd.next:
        n += ifd_size(ifd.next)
    return n


def serialize_ifd(ifd, base, e):
    """Serialize IFD placed at absolute TIFF offset `base` (e = '<' or '>')."""
    n = len(ifd.entries)
    data_pos = base + 2 + 12 * n + 4
    table = bytearray(struct.pack(e + "H", n))
    data = bytearray()
    subs = []  # (entry index, IFD)
    fixups = []
    for i, (tag, typ, val) in enumerate(ifd.entries):
        if isinstance(val, IFD):
            table += struct.pack(e + "HHI", tag, LONG, 1) + b"\0\0\0\0"
            subs.append((len(table) - 4, val))
            continue
        if isinstance(val, Blob):
            off = data_pos + len(data)
            data += val.data + (b"\0" if len(val.data) & 1 else b"")
            table += struct.pack(e + "HHII", tag, LONG, 1, off)
            continue
        if isinstance(val, Lazy):
            off = data_pos + len(data)
            b = val.fn(off)
            assert len(b) == val.length
            data += b + (b"\0" if len(b) & 1 else b"")
            table += struct.pack(e + "HHII", tag, typ, len(b), off)
            continue
        b, count = _encode_value(typ, val, e)
        if len(b) <= 4:
            table += struct.pack(e + "HHI", tag, typ, count) + b.ljust(4, b"\0")
        else:
            off = data_pos + len(data)
            data += b + (b"\0" if len(b) & 1 else b"")
            table += struct.pack(e + "HHII", tag, typ, count, off)
    table += b"\0\0\0\0"  # next-IFD pointer, patched below
    out = bytearray(table + data)
    cur = base + len(out)
    for pos, sub in subs:
        out[pos:pos + 4] = struct.pack(e + "I", cur)
        sb = serialize_ifd(sub, cur, e)
        out += sb
        cur += len(sb)
    if ifd.next:
        out[2 + 12 * n:2 + 12 * n + 4] = struct.pack(e + "I", cur)
        out += serialize_ifd(ifd.next, cur, e)
    return bytes(out)


def build_tiff(ifd0, big_endian=False):
    e = ">" if big_endian else "<"
    hdr = (b"MM\0\x2a" if big_endian else b"II\x2a\0") + struct.pack(e + "I", 8)
    body = serialize_ifd(ifd0, 8, e)
    assert len(body) == ifd_size(ifd0)
    return hdr + body


def exif_app1(tiff):
    return seg(0xE1, b"Exif\0\0" + tiff)


def dms(deg, minutes, sec_x100):
    return [(deg, 1), (minutes, 1), (sec_x100, 100)]


def gps_ifd(lat=(52, 22, 1230), lat_ref="N", lon=(4, 53, 4260), lon_ref="E",
            alt=(125, 10), date="2024:03:15", time=(13, 22, 7)):
    return IFD([
        (0x0000, BYTE, [2, 3, 0, 0]),          # GPSVersionID
        (0x0001, ASCII, lat_ref),              # GPSLatitudeRef
        (0x0002, RATIONAL, dms(*lat)),         # GPSLatitude
        (0x0003, ASCII, lon_ref),              # GPSLongitudeRef
        (0x0004, RATIONAL, dms(*lon)),         # GPSLongitude
        (0x0005, BYTE, [0]),                   # GPSAltitudeRef (above sea level)
        (0x0006, RATIONAL, [alt]),             # GPSAltitude
        (0x0007, RATIONAL, [(time[0], 1), (time[1], 1), (time[2], 1)]),  # GPSTimeStamp
        (0x0012, ASCII, "WGS-84"),             # GPSMapDatum
        (0x001D, ASCII, date),                 # GPSDateStamp
    ])


def simple_exif(w, h, orientation=1, make="ScrubCam", model="ScrubCam SC-1",
                big_endian=True, gps=True, extra0=(), extra_exif=()):
    """Small but realistic EXIF: IFD0 + ExifIFD (+ GPS)."""
    exif = IFD([
        (0x9000, UNDEF, b"0232"),                       # ExifVersion
        (0x9003, ASCII, "2024:03:15 14:22:07"),         # DateTimeOriginal
        (0x9004, ASCII, "2024:03:15 14:22:07"),         # CreateDate
        (0x9101, UNDEF, b"\1\2\3\0"),                   # ComponentsConfiguration
        (0xA000, UNDEF, b"0100"),                       # FlashpixVersion
        (0xA001, SHORT, 1),                             # ColorSpace sRGB
        (0xA002, LONG, w),                              # ExifImageWidth
        (0xA003, LONG, h),                              # ExifImageHeight
        (0xA431, ASCII, "SC1-000042"),                  # BodySerialNumber
    ] + list(extra_exif))
    e0 = [
        (0x010F, ASCII, make),
        (0x0110, ASCII, model),
        (0x0112, SHORT, orientation),
        (0x011A, RATIONAL, [(72, 1)]),
        (0x011B, RATIONAL, [(72, 1)]),
        (0x0128, SHORT, 2),
        (0x0131, ASCII, "ScrubCam Firmware 1.0"),
        (0x0132, ASCII, "2024:03:15 14:22:07"),
        (0x0213, SHORT, 1),                             # YCbCrPositioning
        (0x8769, LONG, exif),
    ] + list(extra0)
    if gps:
        e0.append((0x8825, LONG, gps_ifd()))
    return build_tiff(IFD(e0), big_endian)


# ---------------------------------------------------------------------------
# XMP / IPTC / ICC builders
# ---------------------------------------------------------------------------

XMP_APP1_ID = b"http://ns.adobe.com/xap/1.0/\0"
XMP_EXT_ID = b"http://ns.adobe.com/xmp/extension/\0"


def xmp_packet(desc_attrs="", desc_body="", ns="", padding=256, wrapper=True):
    body = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="photoscrub testdata generator">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""%s%s>\n%s'
        '  </rdf:Description>\n'
        ' </rdf:RDF>\n'
        '</x:xmpmeta>' % (ns, desc_attrs, desc_body))
    if not wrapper:
        return body.encode("utf-8")
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n' + body + "\n"
            + (" " * 63 + "\n") * (padding // 64)
            + '<?xpacket end="w"?>').encode("utf-8")


NS_BASIC = ('\n    xmlns:dc="http://purl.org/dc/elements/1.1/"'
            '\n    xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
            '\n    xmlns:exif="http://ns.adobe.com/exif/1.0/"'
            '\n    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"')


def xmp_basic(extra_body="", extra_attrs="", extra_ns=""):
    attrs = ('\n    xmp:CreateDate="2024-03-15T14:22:07+01:00"'
             '\n    xmp:CreatorTool="ScrubCam Firmware 1.0"'
             '\n    exif:GPSLatitude="52,22.205N"'
             '\n    exif:GPSLongitude="4,53.71E"'
             '\n    photoshop:City="Amsterdam"' + extra_attrs)
    body = ('   <dc:creator>\n    <rdf:Seq>\n     <rdf:li>Jane Q. Photographer</rdf:li>\n'
            '    </rdf:Seq>\n   </dc:creator>\n' + extra_body)
    return xmp_packet(attrs, body, NS_BASIC + extra_ns)


def iptc_dataset(rec, ds, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return b"\x1c" + bytes((rec, ds)) + struct.pack(">H", len(data)) + data


def ps_resource(rid, data, name=b""):
    pname = bytes((len(name),)) + name
    if len(pname) & 1:
        pname += b"\0"
    out = b"8BIM" + struct.pack(">H", rid) + pname + struct.pack(">I", len(data)) + data
    if len(data) & 1:
        out += b"\0"
    return out


def icc_profile(pad_to=0):
    """Hand-built ICC v2.1 RGB display profile (sRGB-like primaries, gamma 2.2).

    pad_to > 0 appends a large 'targ' (characterizationTarget, textType) tag so
    that the profile reaches at least pad_to bytes."""

    def s15(v):  # s15Fixed16Number
        return struct.pack(">i", int(round(v * 65536)))

    def xyz(x, y, z):
        return b"XYZ \0\0\0\0" + s15(x) + s15(y) + s15(z)

    desc_txt = b"photoscrub test RGB (gamma 2.2)\0"
    desc = (b"desc\0\0\0\0" + struct.pack(">I", len(desc_txt)) + desc_txt
            + b"\0" * 8 + b"\0\0" + b"\0" + b"\0" * 67)
    cprt = b"text\0\0\0\0" + b"Public domain. Generated by photoscrub make_testdata.py\0"
    curv = b"curv\0\0\0\0" + struct.pack(">I", 1) + struct.pack(">H", 0x0233)
    tags = [
        (b"desc", desc),
        (b"cprt", cprt),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.4361, 0.2225, 0.0139)),
        (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"rTRC", curv),
        (b"gTRC", curv),   # shared data (same offset) like many real profiles
        (b"bTRC", curv),
    ]
    if pad_to:
        lines = []
        i = 0
        cur = 2000
        while cur < pad_to:
            line = "PHOTOSCRUB ICC PADDING LINE %06d -- characterization target filler text\n" % i
            lines.append(line)
            cur += len(line)
            i += 1
        tags.append((b"targ", b"text\0\0\0\0" + "".join(lines).encode() + b"\0"))
    n = len(tags)
    off = 128 + 4 + 12 * n
    table = bytearray(struct.pack(">I", n))
    data = bytearray()
    placed = {}
    for sig, blob in tags:
        if blob in placed:
            o = placed[blob]
        else:
            o = off + len(data)
            placed[blob] = o
            data += blob
            while len(data) % 4:
                data += b"\0"
        table += sig + struct.pack(">II", o, len(blob))
    size = 128 + len(table) + len(data)
    hdr = (struct.pack(">I", size) + b"none" + struct.pack(">I", 0x02100000)
           + b"mntr" + b"RGB " + b"XYZ "
           + struct.pack(">6H", 2024, 1, 1, 0, 0, 0)
           + b"acsp" + b"\0\0\0\0" + struct.pack(">I", 0) + b"\0\0\0\0" + b"\0\0\0\0"
           + b"\0" * 8 + struct.pack(">I", 0)
           + s15(0.9642) + s15(1.0) + s15(0.8249)
           + b"\0\0\0\0" + b"\0" * 16 + b"\0" * 28)
    assert len(hdr) == 128
    return hdr + bytes(table) + bytes(data)


def icc_app2_chunks(profile, chunk=65519):
    parts = [profile[i:i + chunk] for i in range(0, len(profile), chunk)]
    return [seg(0xE2, b"ICC_PROFILE\0" + bytes((i + 1, len(parts))) + p)
            for i, p in enumerate(parts)]


# ---------------------------------------------------------------------------
# PNG helpers
# ---------------------------------------------------------------------------


def chunk(typ, data, bad_crc=False):
    crc = zlib.crc32(typ + data) & 0xFFFFFFFF
    if bad_crc:
        crc ^= 0xDEADBEEF
    return struct.pack(">I", len(data)) + typ + data + struct.pack(">I", crc)


PNG_SIG = b"\x89PNG\r\n\x1a\n"


def png_idat_data(w, h, rgb, bpp=3):
    """Filtered (alternating None / Sub rows) + zlib-compressed scanlines."""
    raw = bytearray()
    stride = w * bpp
    for y in range(h):
        row = rgb[y * stride:(y + 1) * stride]
        if y % 2 == 0:
            raw += b"\0" + row
        else:
            f = bytearray(row)
            for i in range(len(row) - 1, bpp - 1, -1):
                f[i] = (row[i] - row[i - bpp]) & 0xFF
            raw += b"\1" + f
    return zlib.compress(bytes(raw), 9)


def ihdr(w, h, depth=8, ctype=2):
    return chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 0))


def text_chunk(key, val):
    return chunk(b"tEXt", key.encode("latin-1") + b"\0" + val.encode("latin-1"))


# ---------------------------------------------------------------------------
# The individual files
# ---------------------------------------------------------------------------

FILES = {}


def out(name):
    def deco(fn):
        FILES[name] = fn
        return fn
    return deco


def thumb_jpeg(w=48, h=36, variant=0):
    return strip_app0(cjpeg(w, h, variant, quality=75))


def canon_makernote(base):
    """Canon-style maker note: a plain IFD whose offsets are relative to the
    TIFF header (so its bytes depend on where it is placed)."""
    mn = IFD([
        (0x0006, ASCII, "Canon EOS 5D Mark IV"),            # CanonImageType
        (0x0007, ASCII, "Firmware Version 1.3.3"),          # CanonFirmwareVersion
        (0x0009, ASCII, "Jane Q. Photographer"),            # OwnerName
        (0x000C, LONG, 123456789),                          # SerialNumber
        (0x0095, ASCII, "EF24-105mm f/4L IS USM"),          # LensModel
    ])
    return serialize_ifd(mn, base, "<")


@out("exif_gps_thumb.jpg")
def make_exif_gps_thumb():
    w, h = 160, 120
    base = cjpeg(w, h, 0)
    thumb = thumb_jpeg()
    mn_len = len(canon_makernote(0))
    interop = IFD([(0x0001, ASCII, "R98"), (0x0002, UNDEF, b"0100")])
    exif = IFD([
        (0x829A, RATIONAL, [(1, 125)]),                     # ExposureTime
        (0x829D, RATIONAL, [(56, 10)]),                     # FNumber
        (0x8827, SHORT, 200),                               # ISO
        (0x9000, UNDEF, b"0232"),                           # ExifVersion
        (0x9003, ASCII, "2024:03:15 14:22:07"),             # DateTimeOriginal
        (0x9004, ASCII, "2024:03:15 14:22:07"),             # CreateDate
        (0x9010, ASCII, "+01:00"),                          # OffsetTime
        (0x9011, ASCII, "+01:00"),                          # OffsetTimeOriginal
        (0x9101, UNDEF, b"\1\2\3\0"),                       # ComponentsConfiguration
        (0x920A, RATIONAL, [(50, 1)]),                      # FocalLength
        (0x927C, UNDEF, Lazy(mn_len, canon_makernote)),     # MakerNote
        (0x9286, UNDEF, b"ASCII\0\0\0taken at home, bedroom"),  # UserComment
        (0x9290, ASCII, "123"),                             # SubSecTime
        (0x9291, ASCII, "123"),                             # SubSecTimeOriginal
        (0xA000, UNDEF, b"0100"),                           # FlashpixVersion
        (0xA001, SHORT, 1),                                 # ColorSpace
        (0xA002, LONG, w),                                  # ExifImageWidth
        (0xA003, LONG, h),                                  # ExifImageHeight
        (0xA005, LONG, interop),                            # InteropIFD
        (0xA420, ASCII, "5c7e1a2b3d4f60718293a4b5c6d7e8f9"),  # ImageUniqueID
        (0xA430, ASCII, "Jane Q. Photographer"),            # OwnerName
        (0xA431, ASCII, "012345678901"),                    # SerialNumber
        (0xA432, RATIONAL, [(24, 1), (105, 1), (4, 1), (4, 1)]),  # LensInfo
        (0xA433, ASCII, "Canon"),                           # LensMake
        (0xA434, ASCII, "EF24-105mm f/4L IS USM"),          # LensModel
        (0xA435, ASCII, "0000c0ffee"),                      # LensSerialNumber
    ])
    ifd1 = IFD([
        (0x0103, SHORT, 6),                                 # Compression: JPEG
        (0x011A, RATIONAL, [(72, 1)]),
        (0x011B, RATIONAL, [(72, 1)]),
        (0x0128, SHORT, 2),
        (0x0201, LONG, Blob(thumb)),                        # ThumbnailOffset
        (0x0202, LONG, len(thumb)),                         # ThumbnailLength
    ])
    ifd0 = IFD([
        (0x010F, ASCII, "Canon"),
        (0x0110, ASCII, "Canon EOS 5D Mark IV"),
        (0x0112, SHORT, 1),
        (0x011A, RATIONAL, [(72, 1)]),
        (0x011B, RATIONAL, [(72, 1)]),
        (0x0128, SHORT, 2),
        (0x0131, ASCII, "PhotoScrub TestGen 1.0"),
        (0x0132, ASCII, "2024:03:15 14:22:07"),
        (0x013B, ASCII, "Jane Q. Photographer"),
        (0x0213, SHORT, 2),                                 # YCbCrPositioning
        (0x8298, ASCII, "(c) 2024 Jane Q. Photographer"),
        (0x8769, LONG, exif),
        (0x8825, LONG, gps_ifd()),
    ], next_ifd=ifd1)
    tiff = build_tiff(ifd0, big_endian=False)
    # camera-style file: no JFIF, APP1 Exif directly after SOI
    return assemble(base, [exif_app1(tiff)], keep_jfif=False)


@out("xmp.jpg")
def make_xmp():
    base = cjpeg(160, 120, 1)
    return assemble(base, [seg(0xE1, XMP_APP1_ID + xmp_basic())])


@out("xmp_extended.jpg")
def make_xmp_extended():
    base = cjpeg(160, 120, 2)
    # extended part: full x:xmpmeta (no xpacket wrapper) with a large description
    words = []
    i = 0
    while sum(len(x) for x in words) < 90000:
        words.append("Private note %05d: the subject lives at 12 Example Street. " % i)
        i += 1
    big = "".join(words)
    ext = xmp_packet(
        '\n    exif:GPSLatitude="52,22.205N"\n    exif:GPSLongitude="4,53.71E"',
        '   <dc:description>\n    <rdf:Alt>\n     <rdf:li xml:lang="x-default">%s</rdf:li>\n'
        '    </rdf:Alt>\n   </dc:description>\n' % big,
        NS_BASIC, wrapper=False)
    guid = hashlib.md5(ext).hexdigest().upper().encode()
    std = xmp_basic(extra_attrs='\n    xmpNote:HasExtendedXMP="%s"' % guid.decode(),
                    extra_ns='\n    xmlns:xmpNote="http://ns.adobe.com/xmp/note/"')
    segs = [seg(0xE1, XMP_APP1_ID + std)]
    CH = 65400
    for off in range(0, len(ext), CH):
        segs.append(seg(0xE1, XMP_EXT_ID + guid + struct.pack(">II", len(ext), off)
                        + ext[off:off + CH]))
    return assemble(base, segs)


@out("iptc.jpg")
def make_iptc():
    base = cjpeg(160, 120, 3)
    iptc = (iptc_dataset(1, 90, b"\x1b%G")                    # CodedCharacterSet UTF-8
            + iptc_dataset(2, 0, b"\x00\x04")                  # ApplicationRecordVersion
            + iptc_dataset(2, 25, "private")                   # Keywords
            + iptc_dataset(2, 55, "20240315")                  # DateCreated
            + iptc_dataset(2, 60, "142207+0100")               # TimeCreated
            + iptc_dataset(2, 80, "Jane Q. Photographer")      # By-line
            + iptc_dataset(2, 90, "Amsterdam")                 # City
            + iptc_dataset(2, 116, "(c) 2024 Jane Q. Photographer")  # CopyrightNotice
            + iptc_dataset(2, 120, "Jane at the clinic, patient room 12"))  # Caption-Abstract
    ps = (ps_resource(0x0404, iptc)
          + ps_resource(0x0425, hashlib.md5(iptc).digest()))
    return assemble(base, [seg(0xED, b"Photoshop 3.0\0" + ps)])


@out("comment.jpg")
def make_comment():
    base = cjpeg(160, 120, 4)
    return assemble(base, [seg(0xFE, b"patient room 12")],
                    before_sos=[seg(0xFE, b"second comment: patient room 12, bed B")])


@out("icc_single.jpg")
def make_icc_single():
    base = cjpeg(160, 120, 5)
    return assemble(base, icc_app2_chunks(icc_profile()))


@out("icc_multi.jpg")
def make_icc_multi():
    base = cjpeg(160, 120, 6)
    prof = icc_profile(pad_to=80000)
    chunks = icc_app2_chunks(prof)
    assert len(chunks) >= 2
    return assemble(base, chunks)


@out("mpf_secondary.jpg")
def make_mpf():
    w, h = 160, 120
    base = cjpeg(w, h, 7)
    # secondary: half-resolution grey "gain map"-like image with its own XMP
    sec_base = cjpeg(w // 2, h // 2, 7, gray=True, quality=70)
    hdr_xmp = xmp_packet('\n    hdrgm:Version="1.0"\n    hdrgm:GainMapMax="2.0"', "",
                         '\n    xmlns:hdrgm="http://ns.adobe.com/hdr-gain-map/1.0/"')
    secondary = assemble(sec_base, [seg(0xE1, XMP_APP1_ID + hdr_xmp)], keep_jfif=False)
    exif = exif_app1(simple_exif(w, h, big_endian=True))

    def mpf_payload(primary_len, sec_off):
        e = ">"
        entries = (struct.pack(e + "IIIHH", 0x20030000, primary_len, 0, 0, 0)
                   + struct.pack(e + "IIIHH", 0x00000000, len(secondary), sec_off, 0, 0))
        n = 3
        ifd_len = 2 + 12 * n + 4
        entry_off = 8 + ifd_len
        ifd = (struct.pack(e + "H", n)
               + struct.pack(e + "HHI", 0xB000, UNDEF, 4) + b"0100"
               + struct.pack(e + "HHII", 0xB001, LONG, 1, 2)
               + struct.pack(e + "HHII", 0xB002, UNDEF, len(entries), entry_off)
               + struct.pack(e + "I", 0))
        return b"MPF\0" + b"MM\0\x2a" + struct.pack(e + "I", 8) + ifd + entries

    dummy = seg(0xE2, mpf_payload(0, 0))
    primary = assemble(base, [exif, dummy], keep_jfif=False)
    mpf_pos = primary.index(dummy)
    tiff_hdr_pos = mpf_pos + 4 + 4          # FF E2 LL LL 'MPF\0'
    sec_off = len(primary) - tiff_hdr_pos
    real = seg(0xE2, mpf_payload(len(primary), sec_off))
    assert len(real) == len(dummy)
    primary = primary.replace(dummy, real)
    return primary + secondary


def mp4_box(typ, payload):
    return struct.pack(">I", len(payload) + 8) + typ + payload


def fake_mp4():
    ftyp = mp4_box(b"ftyp", b"mp42" + struct.pack(">I", 0) + b"isom" + b"mp42")
    # minimal movie header; creation/modification time = 2024-03-15 13:22:07 UTC
    t = 3793353727  # seconds since 1904-01-01 (2024-03-15 13:22:07 UTC)
    mvhd = mp4_box(b"mvhd", struct.pack(">B3xIIII", 0, t, t, 1000, 1500)
                   + struct.pack(">IH10x", 0x00010000, 0x0100)
                   + struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
                   + b"\0" * 24 + struct.pack(">I", 2))
    moov = mp4_box(b"moov", mvhd)
    mdat = mp4_box(b"mdat", bytes((i * 37 + 11) & 0xFF for i in range(2048)))
    return ftyp + mdat + moov


@out("trailer_motion.jpg")
def make_trailer_motion():
    base = cjpeg(160, 120, 8)
    video = fake_mp4()
    ns = ('\n    xmlns:GCamera="http://ns.google.com/photos/1.0/camera/"'
          '\n    xmlns:Container="http://ns.google.com/photos/1.0/container/"'
          '\n    xmlns:Item="http://ns.google.com/photos/1.0/container/item/"')
    attrs = ('\n    GCamera:MicroVideo="1"\n    GCamera:MicroVideoVersion="1"'
             '\n    GCamera:MicroVideoOffset="%d"'
             '\n    GCamera:MicroVideoPresentationTimestampUs="500000"'
             '\n    GCamera:MotionPhoto="1"\n    GCamera:MotionPhotoVersion="1"'
             '\n    GCamera:MotionPhotoPresentationTimestampUs="500000"' % len(video))
    body = ('   <Container:Directory>\n    <rdf:Seq>\n'
            '     <rdf:li rdf:parseType="Resource">\n'
            '      <Container:Item Item:Mime="image/jpeg" Item:Semantic="Primary" Item:Length="0" Item:Padding="0"/>\n'
            '     </rdf:li>\n'
            '     <rdf:li rdf:parseType="Resource">\n'
            '      <Container:Item Item:Mime="video/mp4" Item:Semantic="MotionPhoto" Item:Length="%d" Item:Padding="0"/>\n'
            '     </rdf:li>\n'
            '    </rdf:Seq>\n   </Container:Directory>\n' % len(video))
    xmp = xmp_packet(attrs, body, ns)
    exif = exif_app1(simple_exif(160, 120, make="Google", model="Pixel 7", big_endian=False))
    return assemble(base, [exif, seg(0xE1, XMP_APP1_ID + xmp)], keep_jfif=False) + video


@out("trailer_samsung.jpg")
def make_trailer_samsung():
    base = cjpeg(160, 120, 9)
    exif = exif_app1(simple_exif(160, 120, make="samsung", model="SM-G935F", big_endian=False))
    jpeg = assemble(base, [exif], keep_jfif=False)

    def block(typ, name, data):
        return b"\0\0" + struct.pack("<HI", typ, len(name)) + name + data

    blocks = [
        (0x0A01, block(0x0A01, b"Image_UTC_Data", b"1710508927123")),
        (0x0A30, block(0x0A30, b"MotionPhoto_Data", fake_mp4()[:600])),
    ]
    trailer = bytearray()
    starts = []
    for typ, b in blocks:
        starts.append(len(trailer))
        trailer += b
    dir_pos = len(trailer)
    sefh = bytearray(b"SEFH" + struct.pack("<II", 106, len(blocks)))
    for (typ, b), st in zip(blocks, starts):
        sefh += b"\0\0" + struct.pack("<HII", typ, dir_pos - st, len(b))
    trailer += sefh + struct.pack("<I", len(sefh)) + b"SEFT"
    return jpeg + bytes(trailer)


def orient_file(w, h, o, variant, big_endian=True):
    base = cjpeg(w, h, variant)
    return assemble(base, [exif_app1(simple_exif(w, h, orientation=o,
                                                 big_endian=big_endian))],
                    keep_jfif=False)


@out("orient6.jpg")
def make_o6():
    return orient_file(128, 96, 6, 0)


@out("orient8.jpg")
def make_o8():
    return orient_file(128, 96, 8, 1, big_endian=False)


@out("orient3.jpg")
def make_o3():
    return orient_file(128, 96, 3, 2)


@out("orient5.jpg")
def make_o5():
    return orient_file(128, 96, 5, 3, big_endian=False)


@out("orient6_odd.jpg")
def make_o6_odd():
    return orient_file(130, 97, 6, 4)


@out("progressive.jpg")
def make_progressive():
    base = jpegtran(cjpeg(160, 120, 10), ["-copy", "none", "-progressive"])
    return assemble(base, [exif_app1(simple_exif(160, 120))])


@out("restart.jpg")
def make_restart():
    base = cjpeg(160, 120, 11, args=["-restart", "1"])
    return assemble(base, [exif_app1(simple_exif(160, 120, big_endian=False))])


@out("jfif_thumb.jpg")
def make_jfif_thumb():
    w, h = 160, 120
    base = cjpeg(w, h, 12)
    tw, th = 4, 3
    trgb = pattern(tw, th, 12)
    jfif = seg(0xE0, b"JFIF\0" + bytes((1, 2, 1)) + struct.pack(">HH", 72, 72)
               + bytes((tw, th)) + trgb)
    jfxx = seg(0xE0, b"JFXX\0" + b"\x10" + thumb_jpeg(40, 30, 12))
    return assemble(base, [jfif, jfxx], keep_jfif=False)


@out("adobe_ycck.jpg")
def make_adobe_ycck():
    w, h = 128, 96
    src = os.path.join(TMP, "cmyk_src.ppm")
    dst = os.path.join(TMP, "cmyk.jpg")
    with open(src, "wb") as f:
        f.write(ppm(w, h, pattern(w, h, 13)))
    run([find_convert(), src, "-strip", "-colorspace", "CMYK", "-quality", "85", dst])
    with open(dst, "rb") as f:
        base = f.read()
    segs, _ = split_jpeg(base)
    assert any(m == 0xEE for m, _ in segs), "no Adobe APP14 from ImageMagick"
    xmp = seg(0xE1, XMP_APP1_ID + xmp_basic())
    com = seg(0xFE, b"CMYK proof for Jane Q. Photographer")
    # order: SOI, XMP, COM, then ImageMagick's segments (APP14 Adobe, DQT, ...)
    return assemble(base, [xmp, com], keep_jfif=True)


@out("garbage_between.jpg")
def make_garbage():
    base = cjpeg(160, 120, 14)
    j = assemble(base, [exif_app1(simple_exif(160, 120))])
    segs, rest = split_jpeg(j)
    out_ = bytearray(b"\xff\xd8")
    done = False
    for m, s in segs:
        out_ += s
        if m == 0xDB and not done:
            out_ += b"\x00\x12\x34\x56"     # 4 stray non-0xFF bytes after the first DQT
            done = True
    assert done
    return bytes(out_) + rest


def jumbf_c2pa():
    def box(t, p):
        return struct.pack(">I", len(p) + 8) + t + p

    def jumd(uuid, label):
        return box(b"jumd", uuid + b"\x03" + label + b"\0")
    c2pa_uuid = bytes.fromhex("6332706100110010800000AA00389B71")
    json_uuid = bytes.fromhex("6A736F6E00110010800000AA00389B71")
    inner = box(b"jumb", jumd(json_uuid, b"stds.schema-org.CreativeWork")
                + box(b"json", b'{"author":[{"@type":"Person","name":"Jane Q. Photographer"}]}'))
    sup = box(b"jumb", jumd(c2pa_uuid, b"c2pa") + inner)
    # JPEG XT header: 'JP' + box instance (2) + packet sequence (4)
    return b"JP" + struct.pack(">HI", 1, 1) + sup


@out("vendor_appn.jpg")
def make_vendor():
    base = cjpeg(160, 120, 15)
    exif = exif_app1(simple_exif(160, 120, big_endian=False))
    unknown_app1 = seg(0xE1, b"ACME-VENDOR\0" + bytes(range(64)))
    # FPXR contents list with one stream "/Audio Stream 000000" + one data segment
    name = "/Audio Stream 000000".encode("utf-16-le") + b"\0\0"
    stream = b"\0" * 0x1C + b"RIFF-like audio bytes recorded in the living room"
    fpxr1 = seg(0xE2, b"FPXR\0" + b"\x00\x01" + struct.pack(">H", 1)
                + struct.pack(">I", len(stream)) + b"\0" + name)
    fpxr2 = seg(0xE2, b"FPXR\0" + b"\x00\x02" + struct.pack(">HI", 0, 0) + stream)
    meta_tiff = build_tiff(IFD([(0xC353, UNDEF, b"ASCII\0\0\0Jane Q. Photographer"),  # CameraOwner
                                (0xC354, UNDEF, b"ASCII\0\0\0KDK-0099887766")]),      # SerialNumber
                           big_endian=False)
    app3 = seg(0xE3, b"Meta\0\0" + meta_tiff)
    app4 = seg(0xE4, b"VNDR4\0" + b"opaque vendor data " * 3)
    app5 = seg(0xE5, b"ssuniqueid\0" + bytes.fromhex("00112233445566778899aabbccddeeff"
                                                       "0123456789abcdeffedcba9876543210"))
    app10 = seg(0xEA, b"UNICODE\0" + "unicode comment: patient room 12".encode("utf-16-be"))
    app11 = seg(0xEB, jumbf_c2pa())

    def ducky_str(s):
        return struct.pack(">I", len(s)) + s.encode("utf-16-be")
    com_d = ducky_str("Ducky comment by Jane")
    cpr_d = ducky_str("(c) 2024 Jane Q. Photographer")
    ducky = seg(0xEC, b"Ducky" + struct.pack(">HHI", 1, 4, 80)
                + struct.pack(">HH", 2, len(com_d)) + com_d
                + struct.pack(">HH", 3, len(cpr_d)) + cpr_d + b"\0\0")
    pinfo = seg(0xEC, b"[picture info]\r\nTimeDate=1710508927\r\nSerial#=PI-4242\r\n"
                      b"Type=TestCam\r\n[end]\r\n\0")
    app15 = seg(0xEF, b"Q 85")
    return assemble(base, [exif, unknown_app1, fpxr1, fpxr2, app3, app4, app5,
                           app10, app11, ducky, pinfo, app15])


@out("clean.jpg")
def make_clean():
    return cjpeg(160, 120, 16)


@out("arith.jpg")
def make_arith():
    base = cjpeg(160, 120, 17, args=["-arithmetic"])
    return assemble(base, [exif_app1(simple_exif(160, 120))])


# --- derived / broken JPEGs (need exif_gps_thumb.jpg bytes) ----------------

@out("truncated.jpg")
def make_truncated():
    j = FILES["exif_gps_thumb.jpg"]()
    segs, rest = split_jpeg(j)
    sos_len = struct.unpack(">H", rest[2:4])[0]
    hdr_len = len(j) - len(rest) + 2 + sos_len    # end of SOS header
    cut = hdr_len + (len(j) - hdr_len) // 2
    return j[:cut]


@out("truncated_header.jpg")
def make_truncated_header():
    j = FILES["exif_gps_thumb.jpg"]()
    assert j[2:4] == b"\xff\xe1"
    ln = struct.unpack(">H", j[4:6])[0]
    return j[:4 + ln // 2]


@out("not_an_image.jpg")
def make_not_jpg():
    return (b"This is a plain text file with a .jpg extension.\n"
            b"It is not an image; photoscrub must reject it without modifying it.\n")


@out("empty.jpg")
def make_empty():
    return b""


# --- PNG --------------------------------------------------------------------

PW, PH = 64, 48


def png_base_chunks(variant=0, w=PW, h=PH):
    return ihdr(w, h), chunk(b"IDAT", png_idat_data(w, h, pattern(w, h, variant)))


@out("text_chunks.png")
def make_text_chunks():
    hdr = ihdr(PW, PH)
    idat = png_idat_data(PW, PH, pattern(PW, PH, 20))
    half = len(idat) // 2
    xmp = xmp_basic()
    itxt = chunk(b"iTXt", b"XML:com.adobe.xmp\0" + b"\0\0" + b"\0" + b"\0" + xmp)
    ztxt = chunk(b"zTXt", b"Description\0\0"
                 + zlib.compress(b"Jane at the clinic, patient room 12", 9))
    time_ = chunk(b"tIME", struct.pack(">HBBBBB", 2024, 3, 15, 13, 22, 7))
    priv = chunk(b"prIv", b"private vendor data: device id 0xC0FFEE")
    return (PNG_SIG + hdr + text_chunk("Author", "Jane Q. Photographer")
            + text_chunk("Comment", "patient room 12") + ztxt + itxt + time_ + priv
            + chunk(b"IDAT", idat[:half]) + chunk(b"IDAT", idat[half:])
            + text_chunk("Software", "PhotoScrub TestGen 1.0")      # text after IDAT
            + chunk(b"IEND", b""))


@out("exif.png")
def make_exif_png():
    hdr = ihdr(PW, PH)
    idat = png_idat_data(PW, PH, pattern(PW, PH, 21))
    half = len(idat) // 2
    tiff = simple_exif(PW, PH, orientation=6, big_endian=True)
    return (PNG_SIG + hdr + chunk(b"eXIf", tiff)
            + chunk(b"IDAT", idat[:half]) + chunk(b"IDAT", idat[half:])
            + chunk(b"IEND", b""))


@out("iccp.png")
def make_iccp():
    hdr, idat = png_base_chunks(22)
    iccp = chunk(b"iCCP", b"photoscrub test RGB\0\0" + zlib.compress(icc_profile(), 9))
    gama = chunk(b"gAMA", struct.pack(">I", 45455))
    chrm = chunk(b"cHRM", struct.pack(">8I", 31270, 32900, 64000, 33000,
                                      30000, 60000, 15000, 6000))
    sbit = chunk(b"sBIT", b"\x08\x08\x08")
    phys = chunk(b"pHYs", struct.pack(">IIB", 2835, 2835, 1))
    return PNG_SIG + hdr + iccp + gama + chrm + sbit + phys + idat + chunk(b"IEND", b"")


@out("apng.png")
def make_apng():
    hdr = ihdr(PW, PH)
    actl = chunk(b"acTL", struct.pack(">II", 2, 0))

    def fctl(seq):
        return chunk(b"fcTL", struct.pack(">IIIIIHHBB", seq, PW, PH, 0, 0, 1, 2, 0, 0))
    f0 = png_idat_data(PW, PH, pattern(PW, PH, 23))
    f1 = png_idat_data(PW, PH, pattern(PW, PH, 24))
    return (PNG_SIG + hdr + actl + text_chunk("Author", "Jane Q. Photographer")
            + fctl(0) + chunk(b"IDAT", f0)
            + fctl(1) + chunk(b"fdAT", struct.pack(">I", 2) + f1)
            + chunk(b"IEND", b""))


@out("palette_trns.png")
def make_palette():
    pal = bytearray()
    for i in range(16):
        pal += bytes(((i * 53) & 0xFF, (i * 97 + 40) & 0xFF, (255 - i * 16) & 0xFF))
    trns = bytes(255 if i % 4 else 64 * (i // 4) for i in range(16))
    raw = bytearray()
    for y in range(PH):
        raw += b"\0" + bytes(((x // 4) + (y // 6) * 3 + (x * y) // 97) % 16 for x in range(PW))
    return (PNG_SIG + ihdr(PW, PH, 8, 3) + chunk(b"PLTE", bytes(pal))
            + chunk(b"tRNS", trns) + text_chunk("Comment", "palette image by Jane Q. Photographer")
            + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b""))


@out("after_iend.png")
def make_after_iend():
    hdr, idat = png_base_chunks(25)
    return (PNG_SIG + hdr + idat + chunk(b"IEND", b"")
            + b"TRAILING DATA AFTER IEND: GPS 52.3701N 4.8952E owner=Jane\n")


@out("bad_crc.png")
def make_bad_crc():
    hdr, idat = png_base_chunks(26)
    bad = chunk(b"tEXt", b"Author\0Jane Q. Photographer", bad_crc=True)
    return PNG_SIG + hdr + bad + idat + chunk(b"IEND", b"")


@out("clean.png")
def make_clean_png():
    hdr, idat = png_base_chunks(27)
    return PNG_SIG + hdr + idat + chunk(b"IEND", b"")


@out("truncated.png")
def make_truncated_png():
    full = FILES["clean.png"]()
    ipos = full.index(b"IDAT") - 4
    ilen = struct.unpack(">I", full[ipos:ipos + 4])[0]
    return full[:ipos + 8 + ilen // 2]


@out("not_an_image.png")
def make_not_png():
    return (b"This is a plain text file with a .png extension.\n"
            b"It is not an image; photoscrub must reject it without modifying it.\n")


# ---------------------------------------------------------------------------


def main():
    global TMP
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(outdir, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="photoscrub-td-") as tmp:
        TMP = tmp
        for name, fn in FILES.items():
            data = fn()
            with open(os.path.join(outdir, name), "wb") as f:
                f.write(data)
            print("%-22s %7d bytes" % (name, len(data)))


if __name__ == "__main__":
    main()
