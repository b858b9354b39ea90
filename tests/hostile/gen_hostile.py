#!/usr/bin/env python3
"""Generates damaged and hostile inputs for photoscrub from testdata/*.jpg|png.

    python3 gen_hostile.py OUTDIR [--testdata DIR] [--seed N]

OUTDIR/files/      >= 1000 damaged files: truncations at every segment/chunk boundary and at
                   random points, flipped bytes, lengths pointing past the end, SOF 65535x65535,
                   decompression bombs, bad CRCs, endless IDAT runs, EXIF IFD loops and absurd
                   entry counts, zero-length files, non-images with image names
OUTDIR/special/    symlinks (to a file, dangling, a loop, a folder loop), a FIFO, a stale
                   '.psc-tmp-' file
OUTDIR/manifest.json  {"files": [{"name", "cat", "src"}], "counts": {cat: n}}

Deterministic for a given seed. Python standard library only.
"""
import argparse
import json
import os
import random
import shutil
import struct
import sys
import zlib

PNG_SIG = b"\x89PNG\r\n\x1a\n"


# ----------------------------------------------------------------------------- walkers

def jpeg_parts(b):
    """Segments of a JPEG as (kind, marker, off, len): kind 'seg', 'ecs' or 'eoi'.
    Stops at EOI; returns None when the file cannot be walked."""
    if b[:2] != b"\xff\xd8":
        return None
    parts, pos = [], 2
    while pos + 2 <= len(b):
        if b[pos] != 0xFF:
            return None
        m = b[pos + 1]
        if m == 0xFF:
            pos += 1
            continue
        if m == 0xD9:
            parts.append(("eoi", m, pos, 2))
            return parts
        if pos + 4 > len(b):
            return None
        ln = struct.unpack(">H", b[pos + 2:pos + 4])[0]
        parts.append(("seg", m, pos, ln + 2))
        pos += ln + 2
        if m == 0xDA:
            e = pos
            while e + 1 < len(b):
                if b[e] == 0xFF and b[e + 1] not in (0x00, 0xFF) and not 0xD0 <= b[e + 1] <= 0xD7:
                    break
                e += 1
            parts.append(("ecs", 0, pos, e - pos))
            pos = e
    return None


def png_parts(b):
    """Chunks of a PNG as (type, off, data_len); None when it cannot be walked to IEND."""
    if b[:8] != PNG_SIG:
        return None
    parts, pos = [], 8
    while pos + 12 <= len(b):
        ln = struct.unpack(">I", b[pos:pos + 4])[0]
        typ = b[pos + 4:pos + 8]
        parts.append((typ, pos, ln))
        pos += 12 + ln
        if typ == b"IEND":
            return parts
    return None


def read(path):
    with open(path, "rb") as f:
        return f.read()


def chunk(typ, data, crc=None):
    c = zlib.crc32(typ + data) if crc is None else crc
    return struct.pack(">I", len(data)) + typ + data + struct.pack(">I", c & 0xFFFFFFFF)


def seg(marker, payload):
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


# ----------------------------------------------------------------------------- EXIF attacks

def tiff(le, build):
    """A TIFF block; build(pack16, pack32) returns the bytes after the 8-byte header."""
    e = "<" if le else ">"
    p16 = lambda v: struct.pack(e + "H", v & 0xFFFF)
    p32 = lambda v: struct.pack(e + "I", v & 0xFFFFFFFF)
    head = (b"II*\0" if le else b"MM\0*") + p32(8)
    return head + build(p16, p32)


def entry(p16, p32, tag, typ, count, value):
    return p16(tag) + p16(typ) + p32(count) + value


def exif_attacks():
    out = {}
    for le in (True, False):
        bo = "le" if le else "be"
        # IFD0 whose next-IFD pointer is itself.
        out[f"ifd-self-loop-{bo}"] = tiff(le, lambda p16, p32: p16(1) + entry(p16, p32, 0x0112, 3, 1, p16(6) + p16(0)) + p32(8))
        # IFD0 -> ExifIFD pointer back to IFD0, and GPS pointer to ExifIFD.
        out[f"exififd-loop-{bo}"] = tiff(le, lambda p16, p32: p16(3)
                                          + entry(p16, p32, 0x0112, 3, 1, p16(3) + p16(0))
                                          + entry(p16, p32, 0x8769, 4, 1, p32(8))
                                          + entry(p16, p32, 0x8825, 4, 1, p32(8)) + p32(0))
        # IFD0 -> IFD1 -> IFD0 (thumbnail chain loop).
        out[f"ifd1-loop-{bo}"] = tiff(le, lambda p16, p32: p16(1) + entry(p16, p32, 0x010F, 2, 4, b"Cam\0")
                                      + p32(26) + p16(1) + entry(p16, p32, 0x0110, 2, 4, b"Mod\0") + p32(8))
        # Absurd entry counts.
        out[f"count-ffff-{bo}"] = tiff(le, lambda p16, p32: p16(0xFFFF) + entry(p16, p32, 0x0112, 3, 1, p16(6) + p16(0)) + p32(0))
        out[f"count-ffff-full-{bo}"] = tiff(le, lambda p16, p32: p16(0xFFFF) + entry(p16, p32, 0x010F, 2, 0x7FFFFFFF, p32(8)) * 600)
        # Entry with a huge component count pointing inside and past the block.
        out[f"huge-component-count-{bo}"] = tiff(le, lambda p16, p32: p16(2)
                                                 + entry(p16, p32, 0x010F, 2, 0xFFFFFFFF, p32(8))
                                                 + entry(p16, p32, 0x9286, 7, 0x40000000, p32(0xFFFFFFF0)) + p32(0))
        # IFD offsets past the end / wrapping.
        out[f"ifd-past-end-{bo}"] = (b"II*\0" if le else b"MM\0*") + struct.pack(("<" if le else ">") + "I", 0xFFFFFFF0)
        out[f"ifd-zero-{bo}"] = (b"II*\0" if le else b"MM\0*") + struct.pack(("<" if le else ">") + "I", 0)
        # Orientation oddities: value 9, type LONG, count 0, two entries, trailing data.
        out[f"orient-9-{bo}"] = tiff(le, lambda p16, p32: p16(1) + entry(p16, p32, 0x0112, 3, 1, p16(9) + p16(0)) + p32(0))
        out[f"orient-long-{bo}"] = tiff(le, lambda p16, p32: p16(1) + entry(p16, p32, 0x0112, 4, 1, p32(6)) + p32(0))
        out[f"orient-count0-{bo}"] = tiff(le, lambda p16, p32: p16(1) + entry(p16, p32, 0x0112, 3, 0, p32(0)) + p32(0))
        out[f"orient-twice-{bo}"] = tiff(le, lambda p16, p32: p16(2) + entry(p16, p32, 0x0112, 3, 1, p16(6) + p16(0))
                                         + entry(p16, p32, 0x0112, 3, 1, p16(3) + p16(0)) + p32(0))
        out[f"orient-trailing-gps-{bo}"] = tiff(le, lambda p16, p32: p16(1) + entry(p16, p32, 0x0112, 3, 1, p16(6) + p16(0))
                                                + p32(0) + b"GPS 48.8584N 2.2945E secret")
        out[f"orient-next-ifd-{bo}"] = tiff(le, lambda p16, p32: p16(1) + entry(p16, p32, 0x0112, 3, 1, p16(6) + p16(0))
                                            + p32(26) + p16(1) + entry(p16, p32, 0x0131, 2, 4, b"Cam\0") + p32(0))
        # Deeply chained IFDs (long but finite).
        def chain(p16, p32):
            body = b""
            for i in range(400):
                nxt = 8 + (i + 1) * 18 if i < 399 else 0
                body += p16(1) + entry(p16, p32, 0x010E, 2, 4, b"abc\0") + p32(nxt)
            return body
        out[f"ifd-chain-400-{bo}"] = tiff(le, chain)
    out["not-tiff"] = b"XX*\0\x08\0\0\0" + b"\0" * 32
    out["short"] = b"II*\0"
    out["empty"] = b""
    return out


# ----------------------------------------------------------------------------- generator

class Gen:
    def __init__(self, outdir, seed):
        self.dir = os.path.join(outdir, "files")
        os.makedirs(self.dir, exist_ok=True)
        self.rng = random.Random(seed)
        self.manifest = []
        self.names = set()

    def put(self, cat, src, data, ext):
        base = f"{cat}-{src}"
        name, n = f"{base}.{ext}", 1
        while name in self.names:
            n += 1
            name = f"{base}-{n}.{ext}"
        self.names.add(name)
        with open(os.path.join(self.dir, name), "wb") as f:
            f.write(data)
        self.manifest.append({"name": name, "cat": cat, "src": src})

    # -------------------------------------------------- JPEG
    def jpeg(self, stem, b):
        rng = self.rng
        parts = jpeg_parts(b)
        bounds = sorted({off for _, _, off, _ in parts} | {off + ln for _, _, off, ln in parts})
        for off in bounds:
            for d in (0, 1, 3):
                if 0 < off + d < len(b):
                    self.put("trunc-seg", f"{stem}-{off + d}", b[:off + d], "jpg")
        for _ in range(6):
            cut = rng.randrange(1, len(b))
            self.put("trunc-rand", f"{stem}-{cut}", b[:cut], "jpg")
        sos = next(off for k, m, off, _ in parts if k == "seg" and m == 0xDA)
        for i in range(10):
            d = bytearray(b)
            # Most flips land in the header, where the walker decides; a few in the image data.
            hi = sos + 16 if i < 7 else len(b)
            for _ in range(rng.randrange(1, 6)):
                d[rng.randrange(2, hi)] = rng.randrange(256)
            self.put("flip", f"{stem}-{i}", bytes(d), "jpg")
        for k, m, off, ln in parts:
            if k != "seg":
                continue
            for tag, newlen in (("ffff", 0xFFFF), ("past", min(0xFFFF, len(b) - off - 2 + 1)), ("zero", 0), ("one", 1),
                                ("short", 2)):
                d = bytearray(b)
                d[off + 2:off + 4] = struct.pack(">H", newlen)
                self.put(f"len-{tag}", f"{stem}-{m:02x}-{off}", bytes(d), "jpg")
        for k, m, off, ln in parts:
            if k == "seg" and 0xC0 <= m <= 0xCF and m not in (0xC4, 0xC8, 0xCC):
                for tag, w, h in (("65535x65535", 65535, 65535), ("0x0", 0, 0), ("65535x1", 65535, 1),
                                  ("1x65535", 1, 65535), ("40000x40000", 40000, 40000)):
                    d = bytearray(b)
                    d[off + 5:off + 9] = struct.pack(">HH", h, w)
                    self.put(f"sof-{tag}", stem, bytes(d), "jpg")
                d = bytearray(b)
                d[off + 9] = 0xFF  # 255 components declared
                self.put("sof-components", stem, bytes(d), "jpg")
                break

    def jpeg_structures(self, b):
        """Hand-built structural attacks on one clean JPEG."""
        parts = jpeg_parts(b)
        sos = next(off for k, m, off, _ in parts if k == "seg" and m == 0xDA)
        eoi = next(off for k, _, off, _ in parts if k == "eoi")
        body = b[2:eoi]
        P = lambda name, data: self.put("struct", name, data, "jpg")
        P("eoi-first", b"\xff\xd8\xff\xd9")
        P("soi-only", b"\xff\xd8")
        P("soi-ff", b"\xff\xd8\xff")
        P("soi-fill-100k", b"\xff\xd8" + b"\xff" * 100000)
        P("second-soi", b"\xff\xd8" + b[2:sos] + b"\xff\xd8" + b[sos:])
        P("sos-before-sof", b"\xff\xd8" + b[sos:])
        P("no-eoi", b[:eoi])
        P("ecs-runs-to-end", b[:sos] + b[sos:eoi] + b"\x00" * 1000)
        P("jpeg-ls", b"\xff\xd8" + seg(0xF7, b"\x08\x00\x10\x00\x10\x01\x01\x11\x00") + b[sos:])
        P("com-30000", b"\xff\xd8" + seg(0xFE, b"") * 30000 + body + b"\xff\xd9")
        # Memory amplification: every segment listed costs more than its 2 or 4 bytes.
        P("amp-com-70000", b"\xff\xd8" + seg(0xFE, b"") * 70000 + body + b"\xff\xd9")
        P("amp-stray-ff01-100k", b"\xff\xd8" + b"\xff\x01" * 100000 + body + b"\xff\xd9")
        P("exif-3000", b"\xff\xd8" + seg(0xE1, b"Exif\0\0MM\0*\0\0\0\x08\0\0\0\0\0\0") * 3000 + body + b"\xff\xd9")
        P("stray-rst-5000", b"\xff\xd8" + b"\xff\xd0" * 5000 + body + b"\xff\xd9")
        P("garbage-between-64k", b"\xff\xd8" + b"\x00" * 65536 + body + b"\xff\xd9")
        P("trailer-200k", b + bytes(self.rng.randrange(256) for _ in range(200000)))
        P("trailer-jpegs-100", b + b * 100)
        icc = lambda seq, cnt, n=64: seg(0xE2, b"ICC_PROFILE\0" + bytes([seq, cnt]) + b"\0" * n)
        P("icc-count-mismatch", b"\xff\xd8" + icc(1, 3) + icc(2, 4) + body + b"\xff\xd9")
        P("icc-dup-seq", b"\xff\xd8" + icc(1, 2) + icc(1, 2) + body + b"\xff\xd9")
        P("icc-seq0", b"\xff\xd8" + icc(0, 1) + body + b"\xff\xd9")
        P("icc-255", b"\xff\xd8" + b"".join(icc(i, 255, 8) for i in range(1, 256)) + body + b"\xff\xd9")
        P("icc-short", b"\xff\xd8" + seg(0xE2, b"ICC_PROFILE\0\x01") + body + b"\xff\xd9")
        P("jfif-huge-thumb", b"\xff\xd8" + seg(0xE0, b"JFIF\0\x01\x02\0\0\x01\0\x01\xff\xff" + b"\0" * 65000) + body + b"\xff\xd9")
        P("jfif-short", b"\xff\xd8" + seg(0xE0, b"JFIF\0\x01") + body + b"\xff\xd9")
        P("adobe-long", b"\xff\xd8" + seg(0xEE, b"Adobe\0\x64\0\0\0\0\x01" + b"X" * 1000) + body + b"\xff\xd9")
        P("adobe-short", b"\xff\xd8" + seg(0xEE, b"Adobe") + body + b"\xff\xd9")
        P("sof-short", b"\xff\xd8" + seg(0xC0, b"\x08\x00") + b[sos:])
        P("dht-garbage", b"\xff\xd8" + seg(0xC4, bytes(range(256)) * 100) + b[2:])
        P("mpf-only", b"\xff\xd8" + seg(0xE2, b"MPF\0" + b"\xff" * 100) + body + b"\xff\xd9")
        P("app-all", b"\xff\xd8" + b"".join(seg(m, b"x" * 10) for m in range(0xE0, 0xF0)) + body + b"\xff\xd9")
        P("reserved-markers", b"\xff\xd8" + b"".join(seg(m, b"x" * 4) for m in range(0x02, 0xBF, 7)) + body + b"\xff\xd9")
        P("tem-marker", b"\xff\xd8\xff\x01" + body + b"\xff\xd9")
        P("marker-ff00", b"\xff\xd8\xff\x00" + body + b"\xff\xd9")

    # -------------------------------------------------- PNG
    def png(self, stem, b):
        rng = self.rng
        parts = png_parts(b)
        for typ, off, ln in parts:
            for d in (0, 4, 8, 8 + ln, 11 + ln):
                if 0 < off + d < len(b):
                    self.put("trunc-chunk", f"{stem}-{typ.decode('latin1')}-{off + d}", b[:off + d], "png")
        for _ in range(6):
            cut = rng.randrange(1, len(b))
            self.put("trunc-rand", f"{stem}-{cut}", b[:cut], "png")
        for i in range(6):
            d = bytearray(b)
            for _ in range(rng.randrange(1, 6)):
                d[rng.randrange(8, len(b))] = rng.randrange(256)
            self.put("flip", f"{stem}-{i}", bytes(d), "png")
        # Flips with the CRC fixed up, so the damage reaches the decoder.
        for i in range(10):
            typ, off, ln = parts[rng.randrange(len(parts))]
            if ln == 0:
                continue
            data = bytearray(b[off + 8:off + 8 + ln])
            for _ in range(rng.randrange(1, 4)):
                data[rng.randrange(ln)] = rng.randrange(256)
            self.put("flip-crcok", f"{stem}-{typ.decode('latin1')}-{i}",
                     b[:off] + chunk(typ, bytes(data)) + b[off + 12 + ln:], "png")
        for typ, off, ln in parts:
            t = typ.decode("latin1")
            d = bytearray(b)
            d[off + 8 + ln:off + 12 + ln] = struct.pack(">I", (zlib.crc32(b[off + 4:off + 8 + ln]) ^ 1) & 0xFFFFFFFF)
            self.put("bad-crc", f"{stem}-{t}-{off}", bytes(d), "png")
            for tag, newlen in (("past", len(b) - off), ("7fffffff", 0x7FFFFFFF), ("80000000", 0x80000000),
                                ("ffffffff", 0xFFFFFFFF)):
                d = bytearray(b)
                d[off:off + 4] = struct.pack(">I", newlen)
                self.put(f"len-{tag}", f"{stem}-{t}-{off}", bytes(d), "png")

    def png_structures(self, b):
        parts = png_parts(b)
        ihdr = b[8:8 + 25]
        rest = b[8 + 25:]
        idat_off = next(off for typ, off, ln in parts if typ == b"IDAT")
        before_idat = b[8 + 25:idat_off]
        iend = chunk(b"IEND", b"")
        P = lambda name, data: self.put("struct", name, data, "png")
        hdr = lambda w, h, depth=8, ct=0, il=0: chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ct, 0, 0, il))
        # Decompression bombs: huge declared sizes, tiny zlib streams of zeros.
        zeros = zlib.compress(b"\0" * (1 << 20), 9)
        self.put("bomb", "30000x30000-gray", PNG_SIG + hdr(30000, 30000) + chunk(b"IDAT", zeros) + iend, "png")
        self.put("bomb", "30000x30000-rgba16", PNG_SIG + hdr(30000, 30000, 16, 6) + chunk(b"IDAT", zeros) + iend, "png")
        self.put("bomb", "100000x100000", PNG_SIG + hdr(100000, 100000) + chunk(b"IDAT", zeros) + iend, "png")
        self.put("bomb", "1x2147483647", PNG_SIG + hdr(1, 0x7FFFFFFF) + chunk(b"IDAT", zeros) + iend, "png")
        self.put("bomb", "9000x9000-short-idat", PNG_SIG + hdr(9000, 9000) + chunk(b"IDAT", zeros) + iend, "png")
        # A complete 8000x8000 gray picture of zeros (64 MP, under the default limit) in ~60 KB.
        row = b"\0" * 8001
        z = zlib.compressobj(9)
        full = b"".join(z.compress(row) for _ in range(8000)) + z.flush()
        self.put("bomb", "8000x8000-complete", PNG_SIG + hdr(8000, 8000) + chunk(b"IDAT", full) + iend, "png")
        self.put("bomb", "interlaced-30000", PNG_SIG + hdr(30000, 30000, 8, 0, 1) + chunk(b"IDAT", zeros) + iend, "png")
        icc_bomb = b"bomb\0\0" + zlib.compress(b"\0" * (64 << 20), 9)
        P("iccp-zlib-bomb", PNG_SIG + ihdr + chunk(b"iCCP", icc_bomb) + rest)
        P("ztxt-zlib-bomb", PNG_SIG + ihdr + chunk(b"zTXt", b"k\0\0" + zlib.compress(b"A" * (64 << 20), 9)) + rest)
        # Endless IDAT: a long run of empty IDAT chunks (with and without IEND).
        run = chunk(b"IDAT", b"") * 200000
        P("idat-200k-empty", PNG_SIG + ihdr + before_idat + run + b[idat_off:])
        P("amp-idat-1100k-empty", PNG_SIG + ihdr + before_idat + chunk(b"IDAT", b"") * 1100000 + b[idat_off:])
        P("idat-200k-no-iend", PNG_SIG + ihdr + before_idat + b[idat_off:idat_off + 12] + run)
        P("text-20000", PNG_SIG + ihdr + chunk(b"tEXt", b"k\0v") * 20000 + rest)
        P("sig-only", PNG_SIG)
        P("ihdr-not-first", PNG_SIG + chunk(b"gAMA", b"\0\0\xb1\x8f") + ihdr + rest)
        P("ihdr-len-12", PNG_SIG + chunk(b"IHDR", ihdr[8:20]) + rest)
        P("two-ihdr", PNG_SIG + ihdr + hdr(100000, 1) + rest)
        P("no-idat", PNG_SIG + ihdr + iend)
        P("iend-first", PNG_SIG + ihdr + iend + rest)
        P("bad-type", PNG_SIG + ihdr + chunk(b"a\0b!", b"x") + rest)
        P("ihdr-depth-99", PNG_SIG + hdr(64, 48, 99, 0) + rest)
        P("ihdr-ct-9", PNG_SIG + hdr(64, 48, 8, 9) + rest)
        P("ihdr-0x0", PNG_SIG + hdr(0, 0) + rest)
        P("plte-empty", PNG_SIG + hdr(64, 48, 8, 3) + chunk(b"PLTE", b"") + rest)
        P("trns-huge", PNG_SIG + ihdr + chunk(b"tRNS", b"\0" * 70000) + rest)
        P("actl-2g-frames", PNG_SIG + ihdr + chunk(b"acTL", struct.pack(">II", 0x7FFFFFFF, 0)) + rest)
        P("fctl-huge", PNG_SIG + ihdr + chunk(b"acTL", struct.pack(">II", 1, 0))
          + chunk(b"fcTL", struct.pack(">IIIIIHHBB", 0, 0xFFFFFFFF, 0xFFFFFFFF, 0, 0, 1, 1, 0, 0)) + rest)
        P("trailer-after-iend-200k", b + bytes(self.rng.randrange(256) for _ in range(200000)))
        for name, t in exif_attacks().items():
            self.put("exif", f"png-{name}", PNG_SIG + ihdr + chunk(b"eXIf", t) + rest, "png")
            self.put("exif", f"png-hdr-{name}", PNG_SIG + ihdr + chunk(b"eXIf", b"Exif\0\0" + t) + rest, "png")

    def jpeg_exif(self, b):
        parts = jpeg_parts(b)
        after = parts[0][2] + parts[0][3] if parts[0][1] == 0xE0 else 2
        for name, t in exif_attacks().items():
            self.put("exif", f"jpeg-{name}", b[:after] + seg(0xE1, b"Exif\0\0" + t) + b[after:], "jpg")
        # Exif bigger than one segment can hold is impossible; a 65533-byte one is not.
        big = tiff(True, lambda p16, p32: p16(1) + entry(p16, p32, 0x0112, 3, 1, p16(6) + p16(0)) + p32(0))
        self.put("exif", "jpeg-max-segment", b[:after] + seg(0xE1, (b"Exif\0\0" + big).ljust(65533, b"\0")) + b[after:], "jpg")

    def non_images(self):
        P = lambda name, data, ext: self.put("nonimage", name, data, ext)
        for ext in ("jpg", "png", "jpeg", "JPG"):
            self.put("zero", "empty", b"", ext)
        P("text", b"This is not a photo.\n" * 20, "jpg")
        P("html", b"<!doctype html><html><body>hi</body></html>\n", "png")
        P("gzip", zlib.compress(b"x" * 1000), "jpg")
        P("random", bytes(self.rng.randrange(256) for _ in range(4096)), "png")
        P("ff-d8", b"\xff\xd8", "jpg")
        P("ff-d8-ff", b"\xff\xd8\xff", "jpg")
        P("heic-header", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 100, "jpg")
        P("gif", b"GIF89a\x01\0\x01\0\0\0\0;", "png")
        P("tiff", b"II*\0\x08\0\0\0\0\0\0\0\0\0", "jpg")
        P("bmp", b"BM" + b"\0" * 60, "png")
        P("webp", b"RIFF\x20\0\0\0WEBPVP8 " + b"\0" * 20, "jpg")
        P("pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 200, "png")
        with open(sys.executable, "rb") as f:
            P("elf", f.read(8192), "jpg")
        P("png-sig-in-jpg-name", PNG_SIG + b"\0" * 10, "jpg")


def make_special(outdir, testdata):
    d = os.path.join(outdir, "special")
    if os.path.lexists(d):
        shutil.rmtree(d)
    os.makedirs(os.path.join(d, "sub"))
    shutil.copy(os.path.join(testdata, "clean.jpg"), os.path.join(d, "real.jpg"))
    shutil.copy(os.path.join(testdata, "clean.png"), os.path.join(d, "sub", "real.png"))
    os.symlink("real.jpg", os.path.join(d, "link-to-file.jpg"))
    os.symlink("nowhere.jpg", os.path.join(d, "link-dangling.jpg"))
    os.symlink("loop-b.jpg", os.path.join(d, "loop-a.jpg"))
    os.symlink("loop-a.jpg", os.path.join(d, "loop-b.jpg"))
    os.symlink("self.jpg", os.path.join(d, "self.jpg"))
    os.symlink(".", os.path.join(d, "dirloop"))
    os.symlink("..", os.path.join(d, "sub", "up"))
    os.symlink("/dev/zero", os.path.join(d, "devzero.jpg"))
    os.mkfifo(os.path.join(d, "fifo.jpg"))
    with open(os.path.join(d, ".psc-tmp-0badcafe-stale.jpg"), "wb") as f:
        f.write(b"\xff\xd8 half a photo")
    return d


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--testdata", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "testdata"))
    ap.add_argument("--seed", type=int, default=5)
    a = ap.parse_args()
    if os.path.isdir(os.path.join(a.outdir, "files")):
        shutil.rmtree(os.path.join(a.outdir, "files"))
    g = Gen(a.outdir, a.seed)
    srcs = sorted(os.listdir(a.testdata))
    for fn in srcs:
        p = os.path.join(a.testdata, fn)
        b = read(p)
        stem = os.path.splitext(fn)[0]
        if fn.endswith(".jpg") and jpeg_parts(b):
            g.jpeg(stem, b)
        elif fn.endswith(".png") and png_parts(b):
            g.png(stem, b)
        elif fn.endswith((".jpg", ".png")):
            g.put("asis", stem, b, fn.rsplit(".", 1)[1])  # the damaged testdata files themselves
    clean_jpg = read(os.path.join(a.testdata, "clean.jpg"))
    clean_png = read(os.path.join(a.testdata, "clean.png"))
    g.jpeg_structures(clean_jpg)
    g.jpeg_exif(clean_jpg)
    g.png_structures(clean_png)
    g.non_images()
    make_special(a.outdir, a.testdata)
    counts = {}
    for m in g.manifest:
        counts[m["cat"]] = counts.get(m["cat"], 0) + 1
    with open(os.path.join(a.outdir, "manifest.json"), "w") as f:
        json.dump({"files": g.manifest, "counts": counts}, f, indent=0)
    print(f"{len(g.manifest)} files in {g.dir}; special cases in {os.path.join(a.outdir, 'special')}")
    for k in sorted(counts):
        print(f"  {k:18} {counts[k]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
