"""The TrueType fonts invoice PDFs embed for text the built-in Helvetica cannot draw, and their subsets.

Text that fits WinAnsi (every Western European name, $ € £ ¥) stays in the PDF's standard
Helvetica, which costs nothing to embed. Anything else — Łukasz, Nguyễn, Ελένη, Людмила,
כהן, سارة, 王秀英, 김민준 — is drawn with glyphs from these fonts, chosen per character in
this order, and only the glyphs a document uses are embedded (a subset, a few KB):

  DejaVu Sans (and Bold)   Latin Extended, Vietnamese, Greek, Cyrillic, Hebrew, Arabic
  WenQuanYi Zen Hei        Chinese (simplified and traditional), Japanese kana, Korean Hangul

Both come from Debian's packages (fonts-dejavu-core, fonts-wqy-zenhei), which
`make run` / `make test` install when they can (deploy/local/ensure_fonts.sh) and the image
installs always (deploy/Dockerfile); CLINICPAY_PDF_FONTS_DIR points elsewhere. Both are
TrueType (glyf) outlines, which a PDF embeds as CIDFontType2 — CFF fonts such as Noto CJK
would need another font type. A font missing on disk is an error only when a document
needs it (`FontsMissing`, code `pdf_fonts_missing`): never a PDF with "?" in a name.

A font file is opened once per process (memory-mapped: DejaVu Sans and the 16 MB Zen Hei
collection together take ~3 ms) and only when a document first needs it.
"""

from __future__ import annotations

import mmap
import struct
import zlib
from array import array
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import uharfbuzz as hb

from shared.config import pdf_settings
from shared.errors import DependencyUnavailable


@dataclass(frozen=True)
class FontSpec:
    pdf_name: str  # the PostScript name the PDF gives the subset (after its tag)
    path: str  # under the fonts folder
    package: str  # the Debian package that installs it
    index: int = 0  # the face within a TrueType collection (.ttc)
    bold: bool = False


DEJAVU_SANS = FontSpec("DejaVuSans", "dejavu/DejaVuSans.ttf", "fonts-dejavu-core")
DEJAVU_SANS_BOLD = FontSpec("DejaVuSans-Bold", "dejavu/DejaVuSans-Bold.ttf", "fonts-dejavu-core", bold=True)
WQY_ZEN_HEI = FontSpec("WenQuanYiZenHei", "wqy/wqy-zenhei.ttc", "fonts-wqy-zenhei")

# Per weight, the fonts tried for each character, first match wins.
FALLBACK_CHAIN = {False: (DEJAVU_SANS, WQY_ZEN_HEI), True: (DEJAVU_SANS_BOLD, WQY_ZEN_HEI)}
ALL_FONTS = (DEJAVU_SANS, DEJAVU_SANS_BOLD, WQY_ZEN_HEI)


class FontsMissing(DependencyUnavailable):
    code = "pdf_fonts_missing"

    def __init__(self, missing: list[tuple[FontSpec, Path]]) -> None:
        packages = " ".join(sorted({spec.package for spec, _ in missing}))
        files = ", ".join(str(path) for _, path in missing)
        super().__init__(
            f"This invoice has text that needs fonts this server does not have ({files}). "
            f"Install them (apt-get install {packages}) or set CLINICPAY_PDF_FONTS_DIR.",
            code=self.code,
        )


def font_path(spec: FontSpec) -> Path:
    return Path(pdf_settings().fonts_dir) / spec.path


def missing_fonts() -> list[tuple[FontSpec, Path]]:
    """The fonts not on disk, for start-up warnings and the error a document that needs them gets."""
    return [(spec, font_path(spec)) for spec in ALL_FONTS if not font_path(spec).is_file()]


def fallback_chain(bold: bool) -> tuple[FontFace, ...]:
    """The loaded faces for one weight; raises FontsMissing naming every file that is not there."""
    specs = FALLBACK_CHAIN[bold]
    absent = [(spec, font_path(spec)) for spec in specs if not font_path(spec).is_file()]
    if absent:
        raise FontsMissing(absent)
    return tuple(load_face(spec, str(font_path(spec))) for spec in specs)


@cache
def load_face(spec: FontSpec, path: str) -> FontFace:
    return FontFace(spec, path)


def _u16(data, offset: int) -> int:
    return struct.unpack_from(">H", data, offset)[0]


def _i16(data, offset: int) -> int:
    return struct.unpack_from(">h", data, offset)[0]


def _u32(data, offset: int) -> int:
    return struct.unpack_from(">I", data, offset)[0]


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    words = array("I", padded)
    if array("I", b"\0\0\0\1")[0] != 1:  # the file is big-endian
        words.byteswap()
    return sum(words) & 0xFFFFFFFF


# The tables a PDF's embedded TrueType needs (ISO 32000 9.9); hinting programs are kept because
# the glyphs' own instructions call them. cmap, name, post and layout tables stay out: the
# PDF maps character codes to glyphs itself (CIDToGIDMap), and shaping happened before.
_HINTING_TABLES = (b"cvt ", b"fpgm", b"prep")


class FontFace:
    """One TrueType face: HarfBuzz for shaping and coverage, its raw tables for subsetting."""

    def __init__(self, spec: FontSpec, path: str) -> None:
        self.spec = spec
        with open(path, "rb") as handle:
            self._data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        self.hb_font = hb.Font(hb.Face(hb.Blob.from_file_path(path), spec.index))
        self._tables = self._table_directory(spec.index)
        head, hhea = self._table(b"head"), self._table(b"hhea")
        self.units_per_em = _u16(head, 18)
        self.bbox = tuple(_i16(head, 36 + 2 * i) for i in range(4))
        self.ascent, self.descent = _i16(hhea, 4), _i16(hhea, 6)
        os2 = self._table(b"OS/2") if b"OS/2" in self._tables else b""
        self.cap_height = _i16(os2, 88) if len(os2) >= 90 and _u16(os2, 0) >= 2 else self.ascent
        self.glyph_count = _u16(self._table(b"maxp"), 4)
        self._glyf_offset = self._tables[b"glyf"][0]
        self._loca = self._read_loca(_i16(head, 50))
        self._advances, self._lsbs = self._read_hmtx(_u16(hhea, 34))

    # --- reading the file ---

    def _table_directory(self, index: int) -> dict[bytes, tuple[int, int]]:
        start = 0
        if self._data[:4] == b"ttcf":
            start = _u32(self._data, 12 + 4 * index)
        if _u32(self._data, start) != 0x00010000:
            raise ValueError(f"{self.spec.path} is not a TrueType (glyf) font")
        count = _u16(self._data, start + 4)
        tables = {}
        for i in range(count):
            record = start + 12 + 16 * i
            tables[bytes(self._data[record : record + 4])] = (
                _u32(self._data, record + 8),
                _u32(self._data, record + 12),
            )
        return tables

    def _table(self, tag: bytes) -> bytes:
        offset, length = self._tables[tag]
        return self._data[offset : offset + length]

    def _read_loca(self, long_format: int) -> array:
        loca = array("I" if long_format else "H", self._table(b"loca"))
        if array("H", b"\0\1")[0] != 1:
            loca.byteswap()
        return loca if long_format else array("I", (2 * v for v in loca))

    def _read_hmtx(self, metric_count: int) -> tuple[array, array]:
        raw = array("H", self._table(b"hmtx"))
        if array("H", b"\0\1")[0] != 1:
            raw.byteswap()
        advances = array("H", raw[0 : 2 * metric_count : 2])
        # Glyphs past the last metric repeat its advance and list only their side bearings.
        lsbs = array("H", raw[1 : 2 * metric_count : 2])
        lsbs.extend(raw[2 * metric_count : 2 * metric_count + self.glyph_count - metric_count])
        advances.extend([advances[-1]] * (self.glyph_count - metric_count))
        return advances, lsbs

    # --- what the layout asks ---

    def glyph_of(self, char: str) -> int | None:
        return self.hb_font.get_nominal_glyph(ord(char)) or None

    def advance(self, glyph_id: int) -> int:
        return self._advances[glyph_id] if glyph_id < self.glyph_count else 0

    def pdf_width(self, glyph_id: int) -> int:
        """The advance in the PDF's 1/1000 em, as written in the font's /W array."""
        return round(self.advance(glyph_id) * 1000 / self.units_per_em)

    # --- subsetting ---

    def _glyph(self, glyph_id: int) -> bytes:
        start, end = self._loca[glyph_id], self._loca[glyph_id + 1]
        return self._data[self._glyf_offset + start : self._glyf_offset + end]

    def subset(self, glyph_ids: list[int]) -> tuple[bytes, list[int]]:
        """A TrueType font holding only `glyph_ids` (glyph_ids[0] must be 0, .notdef), renumbered 0..n-1
        in that order. Components of composite glyphs are appended after them. Returns the font file
        and the old glyph id of every new one (the given ones, then the components)."""
        order = list(glyph_ids)
        new_id = {old: new for new, old in enumerate(order)}
        glyphs = []
        i = 0
        while i < len(order):
            data = self._glyph(order[i])
            if len(data) >= 10 and _i16(data, 0) < 0:
                data = _renumber_components(data, new_id, order)
            glyphs.append(data + b"\0" * (-len(data) % 4))
            i += 1

        loca = array("I", [0])
        for data in glyphs:
            loca.append(loca[-1] + len(data))
        hmtx = array("H")
        for old in order:
            hmtx.extend((self._advances[old], self._lsbs[old]))
        if array("H", b"\0\1")[0] != 1:
            loca.byteswap()
            hmtx.byteswap()

        head = bytearray(self._table(b"head"))
        struct.pack_into(">I", head, 8, 0)  # checkSumAdjustment, set below
        struct.pack_into(">h", head, 50, 1)  # long loca offsets
        hhea = bytearray(self._table(b"hhea"))
        struct.pack_into(">H", hhea, 34, len(order))
        maxp = bytearray(self._table(b"maxp"))
        struct.pack_into(">H", maxp, 4, len(order))
        tables = {
            b"glyf": b"".join(glyphs),
            b"head": bytes(head),
            b"hhea": bytes(hhea),
            b"hmtx": hmtx.tobytes(),
            b"loca": loca.tobytes(),
            b"maxp": bytes(maxp),
        }
        for tag in _HINTING_TABLES:
            if tag in self._tables:
                tables[tag] = self._table(tag)
        font, offsets = _sfnt(tables)
        struct.pack_into(">I", font, offsets[b"head"] + 8, (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
        return bytes(font), order


def _renumber_components(data: bytes, new_id: dict[int, int], order: list[int]) -> bytes:
    """A composite glyph's component references, renumbered; unseen components join the subset."""
    out = bytearray(data)
    offset = 10
    while True:
        flags, component = struct.unpack_from(">HH", out, offset)
        if component not in new_id:
            new_id[component] = len(order)
            order.append(component)
        struct.pack_into(">H", out, offset + 2, new_id[component])
        offset += 4 + (4 if flags & 0x0001 else 2)  # ARG_1_AND_2_ARE_WORDS
        if flags & 0x0008:  # WE_HAVE_A_SCALE
            offset += 2
        elif flags & 0x0040:  # WE_HAVE_AN_X_AND_Y_SCALE
            offset += 4
        elif flags & 0x0080:  # WE_HAVE_A_TWO_BY_TWO
            offset += 8
        if not flags & 0x0020:  # MORE_COMPONENTS
            return bytes(out)


def _sfnt(tables: dict[bytes, bytes]) -> tuple[bytearray, dict[bytes, int]]:
    """The font file of these tables, and where each table starts in it."""
    tags = sorted(tables)
    count = len(tags)
    power = 1 << (count.bit_length() - 1)
    header = struct.pack(">IHHHH", 0x00010000, count, power * 16, power.bit_length() - 1, count * 16 - power * 16)
    offset = 12 + 16 * count
    records, bodies, offsets = [], [], {}
    for tag in tags:
        body = tables[tag]
        records.append(struct.pack(">4sIII", tag, _checksum(body), offset, len(body)))
        bodies.append(body + b"\0" * (-len(body) % 4))
        offsets[tag] = offset
        offset += len(bodies[-1])
    return bytearray(header + b"".join(records) + b"".join(bodies)), offsets


def font_file_stream(font: bytes) -> tuple[bytes, int]:
    """The FontFile2 stream's content (Flate) and its /Length1."""
    return zlib.compress(font, 6), len(font)
