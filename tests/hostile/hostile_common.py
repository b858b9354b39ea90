"""Helpers shared by test_hostile.py and test_faults.py (python3 standard library only).

Independent of photoscrub's code: a JPEG/PNG walker written here from the specifications checks
that an output holds nothing outside the keep-list; runs are bounded in memory (RLIMIT_AS) and
time, and each run's own peak RSS is read from wait4().
"""
import os
import resource
import signal
import struct
import subprocess
import tempfile
import time
import zlib

GB = 1 << 30
PNG_SIG = b"\x89PNG\r\n\x1a\n"
PNG_KEEP = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT",
            b"pHYs", b"bKGD", b"cICP", b"mDCv", b"cLLi", b"acTL", b"fcTL", b"fdAT"}
# JPEG coding markers: SOFn, DHT, DAC, DQT, DNL, DRI, DHP, EXP (SOS handled apart).
JPEG_CODING = set(range(0xC0, 0xD0)) | {0xDB, 0xDC, 0xDD, 0xDE, 0xDF}


class Run:
    def __init__(self, rc, sig, out, err, maxrss_kb, secs):
        self.rc, self.sig, self.out, self.err = rc, sig, out, err
        self.maxrss_kb, self.secs = maxrss_kb, secs


def bounded(cmd, timeout, mem=2 * GB, fsize=None, cwd=None, kill_after=None):
    """Runs cmd with RLIMIT_AS=mem (and RLIMIT_FSIZE=fsize with SIGXFSZ ignored), returns a
    Run with the exit code or the signal, output, this child's own peak RSS and duration.
    kill_after: send SIGKILL after that many seconds (a crash in the middle of a batch)."""
    def limits():
        if mem:
            resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        if fsize is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() then fails with EFBIG
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    t0 = time.monotonic()
    with open(os.devnull, "rb") as devnull:
        with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
            p = subprocess.Popen(cmd, stdin=devnull, stdout=fo, stderr=fe, cwd=cwd, preexec_fn=limits)
            deadline = t0 + (kill_after if kill_after is not None else timeout)
            while True:
                pid, status, ru = os.wait4(p.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() > deadline:
                    os.kill(p.pid, signal.SIGKILL)
                    pid, status, ru = os.wait4(p.pid, 0)
                    if kill_after is None:
                        status = -1  # our timeout
                    break
                time.sleep(0.005)
            p.returncode = 0  # reaped by wait4: keep Popen from waiting again
            secs = time.monotonic() - t0
            fo.seek(0)
            fe.seek(0)
            out, err = fo.read().decode("utf-8", "replace"), fe.read().decode("utf-8", "replace")
    if status == -1:
        return Run(None, "timeout", out, err, ru.ru_maxrss, secs)
    if os.WIFSIGNALED(status):
        return Run(None, signal.Signals(os.WTERMSIG(status)).name, out, err, ru.ru_maxrss, secs)
    return Run(os.WEXITSTATUS(status), None, out, err, ru.ru_maxrss, secs)


def orientation_only(t):
    """The one EXIF we allow: a TIFF block with IFD0 = {Orientation SHORT 1}, nothing else."""
    if len(t) != 26 or t[:4] not in (b"II*\0", b"MM\0*"):
        return False
    e = "<" if t[:2] == b"II" else ">"
    ifd, = struct.unpack(e + "I", t[4:8])
    cnt, tag, typ, n = struct.unpack(e + "HHHI", t[8:18])
    nxt, = struct.unpack(e + "I", t[22:26])
    return ifd == 8 and cnt == 1 and tag == 0x0112 and typ == 3 and n == 1 and nxt == 0


def check_jpeg(b):
    """Problems found in a JPEG output ([] when clean) and whether it holds an Orientation."""
    bad, exifs, orient = [], 0, False
    if b[:2] != b"\xff\xd8":
        return ["no SOI"], False
    pos = 2
    while True:
        if pos + 2 > len(b):
            return bad + ["ends before EOI"], orient
        if b[pos] != 0xFF:
            return bad + ["stray bytes at %d" % pos], orient
        m = b[pos + 1]
        if m == 0xFF:
            pos += 1
            continue
        if m == 0xD9:
            if pos + 2 != len(b):
                bad.append("%d bytes after EOI" % (len(b) - pos - 2))
            return bad, orient
        if pos + 4 > len(b):
            return bad + ["truncated marker"], orient
        ln, = struct.unpack(">H", b[pos + 2:pos + 4])
        pay = b[pos + 4:pos + 2 + ln]
        if ln < 2 or pos + 2 + ln > len(b):
            return bad + ["bad length at %d" % pos], orient
        ok = m in JPEG_CODING and m not in (0xC8,)
        if m == 0xE0:
            ok = len(pay) == 14 and pay[:5] == b"JFIF\0" and pay[12:14] == b"\0\0"
        elif m == 0xEE:
            ok = len(pay) == 12 and pay[:5] == b"Adobe"
        elif m == 0xE2:
            ok = pay[:12] == b"ICC_PROFILE\0"
        elif m == 0xE1:
            exifs += 1
            ok = exifs == 1 and pay[:6] == b"Exif\0\0" and orientation_only(pay[6:])
            orient = orient or ok
        elif m == 0xDA:
            ok = True
        if not ok:
            bad.append("marker 0x%02X (%r) at %d" % (m, bytes(pay[:12]), pos))
        pos += 2 + ln
        if m == 0xDA:
            while pos + 1 < len(b):
                if b[pos] == 0xFF and b[pos + 1] not in (0x00, 0xFF) and not 0xD0 <= b[pos + 1] <= 0xD7:
                    break
                pos += 1


def check_png(b):
    bad, exifs, orient = [], 0, False
    if b[:8] != PNG_SIG:
        return ["no PNG signature"], False
    pos = 8
    while True:
        if pos + 12 > len(b):
            return bad + ["ends before IEND"], orient
        ln, = struct.unpack(">I", b[pos:pos + 4])
        typ = b[pos + 4:pos + 8]
        if pos + 12 + ln > len(b):
            return bad + ["chunk %r runs past the end" % typ], orient
        data = b[pos + 8:pos + 8 + ln]
        if struct.unpack(">I", b[pos + 8 + ln:pos + 12 + ln])[0] != zlib.crc32(typ + data):
            bad.append("bad CRC on %r" % typ)
        if typ == b"eXIf":
            exifs += 1
            ok = exifs == 1 and orientation_only(data)
            orient = orient or ok
        else:
            ok = typ in PNG_KEEP
        if not ok:
            bad.append("chunk %r" % typ)
        pos += 12 + ln
        if typ == b"IEND":
            if pos != len(b):
                bad.append("%d bytes after IEND" % (len(b) - pos))
            return bad, orient


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)


def check_output(path):
    b = read(path)
    return check_jpeg(b) if b[:2] == b"\xff\xd8" else check_png(b)


def temp_files(root):
    found = []
    for dp, dns, fns in os.walk(root):
        found += [os.path.join(dp, f) for f in fns + dns if ".psc-tmp-" in f]
    return found
