"""A small PDF canvas: text in any script, lines, rectangles and images — what an invoice draws.

reportlab's own Canvas spends about a millisecond per document on generic object
formatting (fonts, encodings, resources), which made PDFs ~75% of an invoicing run.
This writes the same few PDF 1.4 objects directly (~0.1 ms an invoice) and still
measures text with reportlab's font metrics. The method names follow reportlab's
Canvas so the layout code reads the same. No timestamps or random ids go in, so the
same drawing always gives the same bytes (and the same SHA-256).

Text comes two ways, chosen per string:
- what fits WinAnsi (cp1252: every Western European name, $ € £ ¥) is drawn in the
  standard Helvetica faces, which a PDF reader has built in: nothing to embed, the
  cost of an invoice as before;
- anything else is shaped (pdf_text: direction, font fallback, HarfBuzz) and drawn
  with glyphs of embedded TrueType fonts (pdf_fonts), subset to the glyphs this
  document uses, as Type 0 / CIDFontType2 fonts with a ToUnicode map so copying or
  extracting the text gives it back as typed. Right-to-left text is also wrapped in
  an ActualText span holding its logical order.
"""

from __future__ import annotations

import hashlib
import math
import zlib
from dataclasses import dataclass

from reportlab.pdfbase.pdfmetrics import stringWidth

from shared.invoicing.pdf_fonts import FontFace, FontSpec, font_file_stream
from shared.invoicing.pdf_text import Glyph, ShapedLine, shape_line

# The standard faces we use, as the page's font resources name them.
_FONTS = {"Helvetica": b"F1", "Helvetica-Bold": b"F2"}
_BOLD = {"Helvetica": False, "Helvetica-Bold": True}
_FAKE_BOLD_STROKE = 0.035  # of the font size: outlines stroked this wide look bold


def _num(value: float, places: int = 2) -> bytes:
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return (text if text not in ("-0", "") else "0").encode()


def fits_standard_fonts(text: str) -> bool:
    """Whether Helvetica (WinAnsi) can draw every character."""
    if text.isascii():
        return True
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _text(value: str) -> bytes:
    raw = value.encode("cp1252", "replace")
    return (
        raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)").replace(b"\r", b"").replace(b"\n", b" ")
    )


def _utf16_hex(value: str) -> bytes:
    return value.encode("utf-16-be").hex().upper().encode()


def _info_string(value: str) -> bytes:
    """A document-information string: literal when ASCII, else UTF-16 with its byte-order mark."""
    if value.isascii():
        return b"(" + _text(value) + b")"
    return b"<FEFF" + _utf16_hex(value) + b">"


@dataclass(frozen=True)
class PdfImage:
    """An image ready to embed: 8 bits per component, JPEG as it is or pixels Flate-compressed."""

    key: str  # the same image drawn twice is embedded once
    width: int
    height: int
    color_space: bytes  # b"DeviceRGB" or b"DeviceGray"
    filter: bytes  # b"DCTDecode" or b"FlateDecode"
    data: bytes
    alpha: bytes | None = None  # Flate-compressed 8-bit transparency (a soft mask), if any


class _EmbeddedFont:
    """The glyphs of one TrueType face this document uses, numbered in the order first drawn."""

    def __init__(self, face: FontFace, resource: bytes) -> None:
        self.face = face
        self.resource = resource
        self.old_ids = [0]  # new glyph id -> the font's; 0 stays .notdef
        self._new_ids = {0: 0}
        self.to_unicode: dict[int, str] = {}

    def use(self, glyph: Glyph) -> int:
        new = self._new_ids.get(glyph.glyph_id)
        if new is None:
            new = self._new_ids[glyph.glyph_id] = len(self.old_ids)
            self.old_ids.append(glyph.glyph_id)
        if glyph.text and new not in self.to_unicode:
            self.to_unicode[new] = glyph.text
        return new

    def objects(self, first: int) -> list[bytes]:
        """Type0 font (object `first`), CIDFont, descriptor, font file, ToUnicode map."""
        face = self.face
        font, order = face.subset(self.old_ids)
        # A subset's name starts with six letters naming that subset; derived from its glyphs so
        # the same document gives the same bytes.
        digest = hashlib.sha256(face.spec.pdf_name.encode() + b"".join(g.to_bytes(4, "big") for g in order)).digest()
        name = bytes(65 + b % 26 for b in digest[:6]) + b"+" + face.spec.pdf_name.encode()
        widths = b" ".join(b"%d" % face.pdf_width(g) for g in order)
        scale = 1000 / face.units_per_em
        bbox = b" ".join(b"%d" % round(v * scale) for v in face.bbox)
        stream, length1 = font_file_stream(font)
        cmap = _to_unicode_cmap(self.to_unicode)
        return [
            b"<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R] "
            b"/ToUnicode %d 0 R >>" % (name, first + 1, first + 4),
            b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s "
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
            b"/FontDescriptor %d 0 R /W [0 [%s]] /CIDToGIDMap /Identity >>" % (name, first + 2, widths),
            b"<< /Type /FontDescriptor /FontName /%s /Flags 4 /FontBBox [%s] /ItalicAngle 0 /Ascent %d "
            b"/Descent %d /CapHeight %d /StemV 80 /FontFile2 %d 0 R >>"
            % (
                name,
                bbox,
                round(face.ascent * scale),
                round(face.descent * scale),
                round(face.cap_height * scale),
                first + 3,
            ),
            _stream(stream, b"/Length1 %d /Filter /FlateDecode" % length1),
            _stream(zlib.compress(cmap), b"/Filter /FlateDecode"),
        ]


def _stream(content: bytes, entries: bytes = b"") -> bytes:
    return (
        b"<< /Length %d %s>>\nstream\n" % (len(content), entries + b" " if entries else b"") + content + b"\nendstream"
    )


def _to_unicode_cmap(to_unicode: dict[int, str]) -> bytes:
    entries = [b"<%04X> <%s>" % (gid, _utf16_hex(text)) for gid, text in sorted(to_unicode.items())]
    blocks = b"".join(
        b"%d beginbfchar\n%s\nendbfchar\n" % (len(chunk), b"\n".join(chunk))
        for chunk in (entries[i : i + 100] for i in range(0, len(entries), 100))
    )
    return (
        b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n" + blocks + b"endcmap\n"
        b"CMapName currentdict /CMap defineresource pop\nend\nend\n"
    )


class PdfCanvas:
    def __init__(self, pagesize: tuple[float, float]) -> None:
        self.width, self.height = pagesize
        self._pages: list[bytes] = []
        self._ops: list[bytes] = []
        self._font = "Helvetica"
        self._size = 12.0
        self._info: dict[bytes, str] = {}
        self._embedded: dict[FontSpec, _EmbeddedFont] = {}
        self._images: dict[str, tuple[bytes, PdfImage]] = {}

    # --- document ---

    def setTitle(self, title: str) -> None:
        self._info[b"Title"] = title

    def setAuthor(self, author: str) -> None:
        self._info[b"Author"] = author

    def showPage(self) -> None:
        self._pages.append(zlib.compress(b"\n".join(self._ops)))
        self._ops = []

    def save(self) -> bytes:
        if self._ops:
            self.showPage()
        page_count = len(self._pages)
        # catalog 1, pages 2, resources 3, then a page and its content per page, then fonts, images, info.
        objects: dict[int, bytes] = {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids ["
            + b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(page_count))
            + b"] /Count %d >>" % page_count,
        }
        for i, content in enumerate(self._pages):
            objects[4 + 2 * i] = (
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Resources 3 0 R /Contents %d 0 R >>"
                % (
                    _num(self.width),
                    _num(self.height),
                    5 + 2 * i,
                )
            )
            objects[5 + 2 * i] = _stream(content, b"/Filter /FlateDecode")
        number = 4 + 2 * page_count
        fonts = []
        for name, ref in _FONTS.items():
            objects[number] = (
                b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>" % name.encode()
            )
            fonts.append(b"/%s %d 0 R" % (ref, number))
            number += 1
        for embedded in self._embedded.values():
            fonts.append(b"/%s %d 0 R" % (embedded.resource, number))
            for body in embedded.objects(number):
                objects[number] = body
                number += 1
        images = []
        for resource, image in self._images.values():
            images.append(b"/%s %d 0 R" % (resource, number))
            mask = b""
            if image.alpha is not None:
                objects[number + 1] = _stream(
                    image.alpha,
                    b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                    b"/BitsPerComponent 8 /Filter /FlateDecode" % (image.width, image.height),
                )
                mask = b" /SMask %d 0 R" % (number + 1)
            objects[number] = _stream(
                image.data,
                b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /%s /BitsPerComponent 8 "
                b"/Filter /%s%s" % (image.width, image.height, image.color_space, image.filter, mask),
            )
            number += 2 if image.alpha is not None else 1
        resources = b"<< /Font << " + b" ".join(fonts) + b" >>"
        if images:
            resources += b" /XObject << " + b" ".join(images) + b" >>"
        objects[3] = resources + b" >>"
        info = {b"Producer": "clinicpay", **self._info}
        objects[number] = b"<< " + b" ".join(b"/%s %s" % (k, _info_string(v)) for k, v in info.items()) + b" >>"

        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for n in range(1, number + 1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % n + objects[n] + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (number + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
            number + 1,
            number,
            xref,
        )
        return bytes(out)

    # --- text ---

    def setFont(self, name: str, size: float) -> None:
        if name not in _FONTS:
            raise ValueError(f"font {name!r} is not one of {sorted(_FONTS)}")
        self._font, self._size = name, size

    def stringWidth(self, text: str, font: str | None = None, size: float | None = None) -> float:
        font, size = font or self._font, size or self._size
        if fits_standard_fonts(text):
            return stringWidth(text, font, size)
        return shape_line(text, _BOLD[font]).width(size)

    def drawString(self, x: float, y: float, text: str) -> None:
        if fits_standard_fonts(text):
            self._ops.append(
                b"BT /%s %s Tf %s %s Td (%s) Tj ET"
                % (_FONTS[self._font], _num(self._size), _num(x), _num(y), _text(text))
            )
        else:
            self._draw_shaped(x, y, shape_line(text, _BOLD[self._font]))

    def drawRightString(self, x: float, y: float, text: str) -> None:
        self.drawString(x - self.stringWidth(text), y, text)

    def drawCentredString(self, x: float, y: float, text: str) -> None:
        self.drawString(x - self.stringWidth(text) / 2, y, text)

    def _embed(self, face: FontFace) -> _EmbeddedFont:
        embedded = self._embedded.get(face.spec)
        if embedded is None:
            embedded = self._embedded[face.spec] = _EmbeddedFont(face, b"F%d" % (len(_FONTS) + len(self._embedded) + 1))
        return embedded

    def _draw_shaped(self, x: float, y: float, line: ShapedLine) -> None:
        """Each run of one font as a TJ array: glyph ids, with adjustments where shaping moved a glyph
        from its plain advance (kerning, marks placed on their letter) and a text rise for marks
        set higher or lower."""
        size, ops = self._size, self._ops
        if line.right_to_left:
            ops.append(b"/Span << /ActualText <FEFF%s> >> BDC" % _utf16_hex(line.text))
        pen = x
        for run in line.runs:
            font = self._embed(run.face)
            scale = 1000 / run.face.units_per_em  # font units -> 1/1000 em
            if run.fake_bold:
                ops.append(b"q 2 Tr %s w" % _num(size * _FAKE_BOLD_STROKE))
            ops.append(b"BT /%s %s Tf %s %s Td" % (font.resource, _num(size), _num(pen), _num(y)))
            parts: list[bytes] = []
            glyph_hex = bytearray()
            adjust, rise = 0.0, 0
            for glyph in run.glyphs:
                if glyph.y_offset != rise:
                    if glyph_hex:
                        parts.append(b"<" + bytes(glyph_hex) + b">")
                        glyph_hex = bytearray()
                    if parts:
                        ops.append(b"[" + b" ".join(parts) + b"] TJ")
                        parts = []
                    rise = glyph.y_offset
                    ops.append(b"%s Ts" % _num(rise * size / run.face.units_per_em))
                adjust -= glyph.x_offset * scale
                if abs(adjust) >= 0.005:
                    if glyph_hex:
                        parts.append(b"<" + bytes(glyph_hex) + b">")
                        glyph_hex = bytearray()
                    parts.append(_num(adjust))
                glyph_hex += b"%04X" % font.use(glyph)
                # TJ moves the pen by the font's width less the adjustment: make that the shaped advance.
                adjust = run.face.pdf_width(glyph.glyph_id) - (glyph.advance - glyph.x_offset) * scale
            if glyph_hex:
                parts.append(b"<" + bytes(glyph_hex) + b">")
            if parts:
                ops.append(b"[" + b" ".join(parts) + b"] TJ")
            ops.append(b"0 Ts ET" if rise else b"ET")
            if run.fake_bold:
                ops.append(b"Q")
            pen += run.advance * size / run.face.units_per_em
        if line.right_to_left:
            ops.append(b"EMC")

    # --- images ---

    def drawImage(self, image: PdfImage, x: float, y: float, width: float, height: float) -> None:
        if image.key not in self._images:
            self._images[image.key] = (b"Im%d" % (len(self._images) + 1), image)
        resource = self._images[image.key][0]
        self._ops.append(b"q %s 0 0 %s %s %s cm /%s Do Q" % (_num(width), _num(height), _num(x), _num(y), resource))

    # --- lines, shapes, colour, state ---

    def setLineWidth(self, width: float) -> None:
        self._ops.append(b"%s w" % _num(width))

    def setStrokeColorRGB(self, r: float, g: float, b: float) -> None:
        self._ops.append(b"%s %s %s RG" % (_num(r), _num(g), _num(b)))

    def setFillColorRGB(self, r: float, g: float, b: float) -> None:
        self._ops.append(b"%s %s %s rg" % (_num(r), _num(g), _num(b)))

    def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self._ops.append(b"%s %s m %s %s l S" % (_num(x1), _num(y1), _num(x2), _num(y2)))

    def roundRect(self, x: float, y: float, width: float, height: float, radius: float) -> None:
        k = radius * 0.5523  # Bézier handle length for a quarter circle
        x2, y2 = x + width, y + height
        path = [
            (b"m", (x + radius, y)),
            (b"l", (x2 - radius, y)),
            (b"c", (x2 - radius + k, y, x2, y + radius - k, x2, y + radius)),
            (b"l", (x2, y2 - radius)),
            (b"c", (x2, y2 - radius + k, x2 - radius + k, y2, x2 - radius, y2)),
            (b"l", (x + radius, y2)),
            (b"c", (x + radius - k, y2, x, y2 - radius + k, x, y2 - radius)),
            (b"l", (x, y + radius)),
            (b"c", (x, y + radius - k, x + radius - k, y, x + radius, y)),
        ]
        self._ops.append(b" ".join(b" ".join(_num(v) for v in values) + b" " + op for op, values in path) + b" S")

    def saveState(self) -> None:
        self._ops.append(b"q")

    def restoreState(self) -> None:
        self._ops.append(b"Q")

    def translate(self, dx: float, dy: float) -> None:
        self._ops.append(b"1 0 0 1 %s %s cm" % (_num(dx), _num(dy)))

    def rotate(self, degrees: float) -> None:
        c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
        self._ops.append(b"%s %s %s %s 0 0 cm" % (_num(c, 5), _num(s, 5), _num(-s, 5), _num(c, 5)))
