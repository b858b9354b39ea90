#!/usr/bin/env python3
"""Builds the seed corpora in fuzz/corpus/<harness>/ from testdata/ and ../shared/corpus/.

Big photos are cut down: every segment before the first scan is kept, the entropy-coded data
is cut to a few hundred bytes, EOI and a short piece of any trailer follow (so MPF, motion
photo and Samsung trailers stay visible). PNGs keep all chunks but IDAT data is cut (CRC
recomputed). EXIF seeds are the APP1/eXIf payloads. A few code photos are scaled down so the
detection path of fuzz_scrub_buffer sees real QR codes. Run once; the fuzzer grows the rest:
    python3 fuzz/make_seeds.py [--corpus ../shared/corpus]
"""
import argparse
import hashlib
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def jpeg_segments(b):
    """Yields (marker, offset, length) up to the first SOS; stops on damage."""
    pos = 2
    while pos + 4 <= len(b):
        if b[pos] != 0xFF:
            return
        m = b[pos + 1]
        if m == 0xFF:
            pos += 1
            continue
        ln = struct.unpack(">H", b[pos + 2:pos + 4])[0]
        yield m, pos, ln + 2
        if m == 0xDA:
            return
        pos += ln + 2


def mini_jpeg(b, ecs_keep=384):
    if len(b) < 4 or b[:2] != b"\xff\xd8":
        return b
    last = None
    for m, off, ln in jpeg_segments(b):
        last = (m, off, ln)
    if last is None or last[0] != 0xDA:
        return b[:4096]
    head_end = last[1] + last[2]
    ecs = bytearray(b[head_end:head_end + ecs_keep])
    while ecs and ecs[-1] == 0xFF:
        ecs.pop()
    # No marker may hide inside the cut data: unstuffed FF bytes become stuffed ones.
    out = bytearray()
    i = 0
    while i < len(ecs):
        out.append(ecs[i])
        if ecs[i] == 0xFF and (i + 1 >= len(ecs) or ecs[i + 1] != 0x00):
            out.append(0x00)
        i += 1
    eoi = b.find(b"\xff\xd9", head_end)
    trailer = b[eoi + 2:] if eoi >= 0 else b""
    if len(trailer) > 2048:
        trailer = trailer[:1024] + trailer[-64:]
    return b[:head_end] + bytes(out) + b"\xff\xd9" + trailer


def png_chunks(b):
    pos = 8
    while pos + 12 <= len(b):
        ln = struct.unpack(">I", b[pos:pos + 4])[0]
        typ = b[pos + 4:pos + 8]
        yield typ, b[pos + 8:pos + 8 + ln], b[pos:pos + 12 + ln]
        pos += 12 + ln
        if typ == b"IEND":
            if pos < len(b):
                yield b"", b[pos:pos + 256], b[pos:pos + 256]
            return


def chunk(typ, data):
    return struct.pack(">I", len(data)) + typ + data + struct.pack(">I", zlib.crc32(typ + data))


def mini_png(b, idat_keep=256):
    if b[:8] != b"\x89PNG\r\n\x1a\n":
        return b
    out = bytearray(b[:8])
    seen_idat = False
    for typ, data, raw in png_chunks(b):
        if typ == b"IDAT":
            if seen_idat:
                continue
            seen_idat = True
            out += chunk(typ, data[:idat_keep]) if len(data) > idat_keep else raw
        elif typ in (b"iCCP", b"zTXt", b"iTXt", b"tEXt") and len(data) > 4096:
            out += chunk(typ, data[:4096])
        else:
            out += raw
    return bytes(out)


def exif_blocks(b):
    if b[:2] == b"\xff\xd8":
        for m, off, ln in jpeg_segments(b):
            pay = b[off + 4:off + ln]
            if m == 0xE1 and pay.startswith(b"Exif\0"):
                yield pay
    elif b[:8] == b"\x89PNG\r\n\x1a\n":
        for typ, data, raw in png_chunks(b):
            if typ == b"eXIf":
                yield data


def put(d, data, name):
    os.makedirs(d, exist_ok=True)
    h = hashlib.sha1(data).hexdigest()[:12]
    with open(os.path.join(d, f"{name}-{h}"), "wb") as f:
        f.write(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus"))
    ap.add_argument("--out", default=os.path.join(HERE, "corpus"))
    a = ap.parse_args()
    files = []
    for d in [os.path.join(ROOT, "testdata"), a.corpus]:
        for dp, _, fns in os.walk(d):
            picked = sorted(fn for fn in fns if fn.lower().endswith((".jpg", ".jpeg", ".png")))
            if os.sep + "codes" in dp:
                picked = picked[:2]  # the code folders hold many similar photos
            files += [os.path.join(dp, fn) for fn in picked]
    for p in files:
        b = open(p, "rb").read()
        stem = os.path.splitext(os.path.basename(p))[0].replace(" ", "_")[:40]
        big = len(b) > 32768
        if b[:2] == b"\xff\xd8":
            small = mini_jpeg(b) if big else b
            put(os.path.join(a.out, "jpeg_segments"), small, stem)
            put(os.path.join(a.out, "scrub_buffer"), small, stem)
        elif b[:8] == b"\x89PNG\r\n\x1a\n":
            small = mini_png(b) if big else b
            put(os.path.join(a.out, "png_chunks"), small, stem)
            if not big and "testdata" in p:
                put(os.path.join(a.out, "scrub_buffer"), small, stem)
        else:
            put(os.path.join(a.out, "scrub_buffer"), b[:4096], stem)
        for i, blk in enumerate(exif_blocks(b)):
            put(os.path.join(a.out, "exif"), blk, f"{stem}-{i}")
    # Real codes, scaled down, for the detection path (fast mode on <= 256x256 pictures).
    if shutil.which("convert"):
        picks = ["qrcode-2/6.png", "qrcode-2/13.png", "ean13-1/6.png", "datamatrix-3/dm-5.png"]
        with tempfile.TemporaryDirectory() as t:
            for i, rel in enumerate(picks):
                src = os.path.join(a.corpus, "codes", rel)
                if not os.path.exists(src):
                    continue
                for ext in ("png", "jpg"):
                    dst = os.path.join(t, f"c{i}.{ext}")
                    subprocess.run(["convert", src, "-resize", "160x160", "-strip", "-quality", "80", dst],
                                   check=True)
                    put(os.path.join(a.out, "scrub_buffer"), open(dst, "rb").read(),
                        f"code-{os.path.basename(os.path.dirname(rel))}-{ext}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
