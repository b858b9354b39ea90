"""
A small HEIF (ISO/IEC 23008-12) reader and writer for the tests, written from the
specifications independently of photoscrub's C walker. It turns a file into a model (items,
their data, properties, associations, references, other boxes) and writes a model back with
chosen encodings (iloc version and field sizes, base offsets, several extents per item, idat,
32-bit item ids, 64-bit box sizes, size-0 mdat, meta children order), so one heif-enc output
can be turned into many differently laid-out but equivalent files, plus files with extra
items, properties and boxes to be removed.
"""
import struct


def box(typ, payload):
    return struct.pack(">I", 8 + len(payload)) + typ + payload


def full_box(typ, version, flags, payload):
    return box(typ, struct.pack(">I", (version << 24) | flags) + payload)


def iter_boxes(b, off, end):
    """Yields (type, box_offset, header_size, box_size)."""
    while off + 8 <= end:
        size, typ = struct.unpack(">I4s", b[off:off + 8])
        hdr = 8
        if size == 1:
            size = struct.unpack(">Q", b[off + 8:off + 16])[0]
            hdr = 16
        elif size == 0:
            size = end - off
        if size < hdr or off + size > end:
            raise ValueError("bad box %r at %d" % (typ, off))
        yield typ, off, hdr, size
        off += size


class Item:
    def __init__(self, iid, typ, data=b"", hidden=False, name=b"", extra=b"", method=0):
        self.id, self.type, self.data, self.hidden = iid, typ, data, hidden
        self.name, self.extra, self.method = name, extra, method


class Heif:
    def __init__(self):
        self.ftyp = b""
        self.hdlr = None
        self.dinf = None
        self.primary = None
        self.items = []          # Item, in iinf order
        self.props = []          # raw property boxes
        self.assoc = {}          # id -> [(1-based index, essential)]
        self.refs = []           # (type, from, [to])
        self.meta_extra = []     # raw unknown meta children
        self.top_before = []     # raw top-level boxes between ftyp and meta
        self.top_after = []      # raw top-level boxes after mdat
        self.trailer = b""

    def item(self, iid):
        for it in self.items:
            if it.id == iid:
                return it
        return None

    def new_id(self):
        return max(it.id for it in self.items) + 1

    def prop_types(self, iid):
        return [self.props[i - 1][4:8] for i, _ in self.assoc.get(iid, []) if i]

    def add_prop(self, raw):
        self.props.append(raw)
        return len(self.props)


def parse(b):
    h = Heif()
    boxes = list(iter_boxes(b, 0, len(b)))
    idat = None
    locs = {}
    meta_seen = False
    for typ, off, hdr, size in boxes:
        raw = b[off:off + size]
        if typ == b"ftyp":
            h.ftyp = raw
        elif typ == b"meta":
            meta_seen = True
            for ct, co, ch, cs in iter_boxes(b, off + hdr + 4, off + size):
                craw = b[co:co + cs]
                p = co + ch
                if ct == b"hdlr":
                    h.hdlr = craw
                elif ct == b"dinf":
                    h.dinf = craw
                elif ct == b"pitm":
                    v = b[p]
                    h.primary = struct.unpack(">H" if v == 0 else ">I", b[p + 4:p + (6 if v == 0 else 8)])[0]
                elif ct == b"iinf":
                    v = b[p]
                    q = p + 4 + (2 if v == 0 else 4)
                    for it_t, io, ih, isz in iter_boxes(b, q, co + cs):
                        if it_t != b"infe":
                            continue
                        iv, fl = b[io + ih], int.from_bytes(b[io + ih + 1:io + ih + 4], "big")
                        r = io + ih + 4
                        if iv == 2:
                            iid = struct.unpack(">H", b[r:r + 2])[0]
                            r += 2
                        else:
                            iid = struct.unpack(">I", b[r:r + 4])[0]
                            r += 4
                        r += 2  # protection
                        ityp = b[r:r + 4]
                        r += 4
                        rest = b[r:io + isz]
                        z = rest.find(b"\0")
                        h.items.append(Item(iid, ityp, hidden=bool(fl & 1), name=rest[:z],
                                            extra=rest[z + 1:]))
                elif ct == b"iloc":
                    v = b[p]
                    q = p + 4
                    os_, ls = b[q] >> 4, b[q] & 15
                    bs, isz = b[q + 1] >> 4, b[q + 1] & 15
                    q += 2

                    def rd(k):
                        nonlocal q
                        val = int.from_bytes(b[q:q + k], "big") if k else 0
                        q += k
                        return val
                    n = rd(2 if v < 2 else 4)
                    for _ in range(n):
                        iid = rd(2 if v < 2 else 4)
                        cm = rd(2) & 15 if v in (1, 2) else 0
                        rd(2)
                        base = rd(bs)
                        ext = []
                        for _ in range(rd(2)):
                            if v in (1, 2):
                                rd(isz)
                            ext.append((base + rd(os_), rd(ls)))
                        locs[iid] = (cm, ext)
                elif ct == b"iref":
                    v = b[p]
                    w = 2 if v == 0 else 4
                    for rt, ro, rh, rs in iter_boxes(b, p + 4, co + cs):
                        q = ro + rh
                        fr = int.from_bytes(b[q:q + w], "big")
                        cnt = struct.unpack(">H", b[q + w:q + w + 2])[0]
                        q += w + 2
                        h.refs.append((rt, fr, [int.from_bytes(b[q + i * w:q + i * w + w], "big")
                                                for i in range(cnt)]))
                elif ct == b"iprp":
                    for pt, po, ph, ps in iter_boxes(b, p, co + cs):
                        if pt == b"ipco":
                            h.props = [b[x:x + xs] for _, x, _, xs in iter_boxes(b, po + ph, po + ps)]
                        elif pt == b"ipma":
                            v, fl = b[po + ph], int.from_bytes(b[po + ph + 1:po + ph + 4], "big")
                            q = po + ph + 4
                            n = struct.unpack(">I", b[q:q + 4])[0]
                            q += 4
                            for _ in range(n):
                                if v < 1:
                                    iid = struct.unpack(">H", b[q:q + 2])[0]
                                    q += 2
                                else:
                                    iid = struct.unpack(">I", b[q:q + 4])[0]
                                    q += 4
                                c = b[q]
                                q += 1
                                a = []
                                for _ in range(c):
                                    if fl & 1:
                                        x = struct.unpack(">H", b[q:q + 2])[0]
                                        q += 2
                                        a.append((x & 0x7FFF, bool(x >> 15)))
                                    else:
                                        a.append((b[q] & 0x7F, bool(b[q] >> 7)))
                                        q += 1
                                h.assoc[iid] = a
                elif ct == b"idat":
                    idat = (co + ch, co + cs)
                else:
                    h.meta_extra.append(craw)
        elif typ == b"mdat":
            pass
        elif not meta_seen:
            h.top_before.append(raw)
        else:
            h.top_after.append(raw)
    for it in h.items:
        cm, ext = locs.get(it.id, (0, []))
        it.method = cm
        base = idat[0] if cm == 1 else 0
        it.data = b"".join(b[base + o:base + o + l] for o, l in ext)
    return h


class Layout:
    """How to encode a model. Defaults match what common writers do."""
    iloc_version = 1
    off_size = 4
    len_size = 4
    base_size = 0          # 4 or 8: items' offsets relative to a per-item base offset
    idx_size = 0
    split = 1              # extents per item (when the data is long enough)
    idat_ids = ()          # items stored in idat (construction method 1)
    wide_ids = False       # infe v3, iref/pitm/ipma v1 with 32-bit ids
    ipma_wide = False      # 15-bit property indices
    mdat_large = False     # 64-bit mdat size
    mdat_size0 = False     # mdat size 0 ("to the end of the file"): must be the last box
    order = ("hdlr", "dinf", "pitm", "iloc", "iinf", "iref", "iprp", "idat", "extra")

    def __init__(self, **kw):
        for k, v in kw.items():
            if not hasattr(self, k):
                raise AttributeError(k)
            setattr(self, k, v)


def _un(v, k):
    return v.to_bytes(k, "big") if k else b""


def write(h, L=None):
    L = L or Layout()
    w = 4 if L.wide_ids else 2
    ids_fmt = ">I" if L.wide_ids else ">H"
    stored = [it for it in h.items if it.data or it.method]

    def meta_bytes(mdat_payload_start):
        parts = {}
        parts["hdlr"] = h.hdlr or full_box(b"hdlr", 0, 0, b"\0" * 4 + b"pict" + b"\0" * 12 + b"\0")
        parts["dinf"] = h.dinf or b""
        parts["pitm"] = full_box(b"pitm", 1 if L.wide_ids else 0, 0, struct.pack(ids_fmt, h.primary))
        ents = b""
        for it in h.items:
            payload = struct.pack(ids_fmt, it.id) + b"\0\0" + it.type + it.name + b"\0" + it.extra
            ents += full_box(b"infe", 3 if L.wide_ids else 2, 1 if it.hidden else 0, payload)
        parts["iinf"] = full_box(b"iinf", 0, 0, struct.pack(">H", len(h.items)) + ents)
        # iloc
        v = 2 if L.wide_ids else L.iloc_version
        body = bytes([(L.off_size << 4) | L.len_size, (L.base_size << 4) | (L.idx_size if v else 0)])
        body += _un(len(stored), 2 if v < 2 else 4)
        mpos, ipos = mdat_payload_start, 0
        for it in stored:
            body += _un(it.id, 2 if v < 2 else 4)
            in_idat = it.id in L.idat_ids
            if v:
                body += struct.pack(">H", 1 if in_idat else 0)
            elif in_idat:
                raise ValueError("idat needs iloc version 1 or 2")
            body += b"\0\0"
            start = ipos if in_idat else mpos
            base = start if L.base_size else 0
            body += _un(base, L.base_size)
            n = L.split if len(it.data) >= L.split else 1
            cuts = [len(it.data) * i // n for i in range(n + 1)]
            body += struct.pack(">H", n)
            for i in range(n):
                if v:
                    body += _un(0, L.idx_size)
                body += _un(start + cuts[i] - base, L.off_size) + _un(cuts[i + 1] - cuts[i], L.len_size)
            if in_idat:
                ipos += len(it.data)
            else:
                mpos += len(it.data)
        parts["iloc"] = full_box(b"iloc", v, 0, body)
        refs = b""
        for rt, fr, to in h.refs:
            refs += box(rt, struct.pack(ids_fmt, fr) + struct.pack(">H", len(to)) +
                        b"".join(struct.pack(ids_fmt, t) for t in to))
        parts["iref"] = full_box(b"iref", 1 if L.wide_ids else 0, 0, refs) if h.refs else b""
        ipco = box(b"ipco", b"".join(h.props))
        ents = b""
        n = 0
        for it in h.items:
            a = h.assoc.get(it.id)
            if a is None:
                continue
            n += 1
            ents += struct.pack(ids_fmt, it.id) + bytes([len(a)])
            for idx, ess in a:
                if L.ipma_wide:
                    ents += struct.pack(">H", (0x8000 if ess else 0) | idx)
                else:
                    ents += bytes([(0x80 if ess else 0) | idx])
        ipma = full_box(b"ipma", 1 if L.wide_ids else 0, 1 if L.ipma_wide else 0, struct.pack(">I", n) + ents)
        parts["iprp"] = box(b"iprp", ipco + ipma)
        idat = b"".join(it.data for it in stored if it.id in L.idat_ids)
        parts["idat"] = box(b"idat", idat) if L.idat_ids else b""
        parts["extra"] = b"".join(h.meta_extra)
        return full_box(b"meta", 0, 0, b"".join(parts[k] for k in L.order))

    before = h.ftyp + b"".join(h.top_before)
    hdr = 16 if L.mdat_large else 8
    m = meta_bytes(0)
    m = meta_bytes(len(before) + len(m) + hdr)
    data = b"".join(it.data for it in stored if it.id not in L.idat_ids)
    if L.mdat_large:
        mdat = struct.pack(">I", 1) + b"mdat" + struct.pack(">Q", 16 + len(data)) + data
    elif L.mdat_size0:
        mdat = struct.pack(">I", 0) + b"mdat" + data
    else:
        mdat = box(b"mdat", data)
    tail = b"".join(h.top_after) + h.trailer
    if L.mdat_size0 and tail:
        raise ValueError("a size-0 mdat must be last")
    return before + m + mdat + tail


def summary(b):
    """What a file holds, for assertions: top-level box types, item types by id, reference
    types, property types per item."""
    h = parse(b)
    top = [t for t, _, _, _ in iter_boxes(b, 0, len(b))]
    return {
        "top": top,
        "primary": h.primary,
        "items": {it.id: it.type for it in h.items},
        "refs": sorted({r[0] for r in h.refs}),
        "props": {it.id: h.prop_types(it.id) for it in h.items},
        "meta_extra": [x[4:8] for x in h.meta_extra],
    }
