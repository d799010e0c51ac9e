"""A small PDF canvas: text in the standard Helvetica faces, lines and rectangles — what an invoice draws.

reportlab's own Canvas spends about a millisecond per document on generic object
formatting (fonts, encodings, resources), which made PDFs ~75% of an invoicing run.
This writes the same few PDF 1.4 objects directly (~0.1 ms an invoice) and still
measures text with reportlab's font metrics. The method names follow reportlab's
Canvas so the layout code reads the same. No timestamps or random ids go in, so the
same drawing always gives the same bytes (and the same SHA-256).

Text is encoded as WinAnsi (cp1252), the encoding of the standard fonts: every Western
European name and the $ € £ ¥ signs; a character outside it prints as "?".
"""

from __future__ import annotations

import math
import zlib

from reportlab.pdfbase.pdfmetrics import stringWidth

# The faces we use, as the page's font resources name them.
_FONTS = {"Helvetica": b"F1", "Helvetica-Bold": b"F2"}


def _num(value: float, places: int = 2) -> bytes:
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return (text if text not in ("-0", "") else "0").encode()


def _text(value: str) -> bytes:
    raw = value.encode("cp1252", "replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)").replace(b"\r", b"").replace(
        b"\n", b" ")


class PdfCanvas:
    def __init__(self, pagesize: tuple[float, float]) -> None:
        self.width, self.height = pagesize
        self._pages: list[bytes] = []
        self._ops: list[bytes] = []
        self._font = "Helvetica"
        self._size = 12.0
        self._info: dict[bytes, str] = {}

    # --- document ---

    def setTitle(self, title: str) -> None:  # noqa: N802  (reportlab's names)
        self._info[b"Title"] = title

    def setAuthor(self, author: str) -> None:  # noqa: N802
        self._info[b"Author"] = author

    def showPage(self) -> None:  # noqa: N802
        self._pages.append(zlib.compress(b"\n".join(self._ops)))
        self._ops = []

    def save(self) -> bytes:
        if self._ops:
            self.showPage()
        page_count = len(self._pages)
        font_first = 3 + 2 * page_count  # catalog 1, pages 2, then page + content per page, then fonts, info
        objects: list[bytes] = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(page_count))
            + b"] /Count %d >>" % page_count,
        ]
        fonts = b" ".join(b"/%s %d 0 R" % (ref, font_first + i) for i, ref in enumerate(_FONTS.values()))
        for i, content in enumerate(self._pages):
            objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Resources << /Font << %s >> >> "
                           b"/Contents %d 0 R >>" % (_num(self.width), _num(self.height), fonts, 4 + 2 * i))
            objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content
                           + b"\nendstream")
        for name in _FONTS:
            objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>"
                           % name.encode())
        info = {b"Producer": "clinicpay", **self._info}
        objects.append(b"<< " + b" ".join(b"/%s (%s)" % (k, _text(v)) for k, v in info.items()) + b" >>")

        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
            len(objects) + 1, len(objects), xref)
        return bytes(out)

    # --- text ---

    def setFont(self, name: str, size: float) -> None:  # noqa: N802
        if name not in _FONTS:
            raise ValueError(f"font {name!r} is not one of {sorted(_FONTS)}")
        self._font, self._size = name, size

    def stringWidth(self, text: str, font: str | None = None, size: float | None = None) -> float:  # noqa: N802
        return stringWidth(text, font or self._font, size or self._size)

    def drawString(self, x: float, y: float, text: str) -> None:  # noqa: N802
        self._ops.append(b"BT /%s %s Tf %s %s Td (%s) Tj ET"
                         % (_FONTS[self._font], _num(self._size), _num(x), _num(y), _text(text)))

    def drawRightString(self, x: float, y: float, text: str) -> None:  # noqa: N802
        self.drawString(x - self.stringWidth(text), y, text)

    def drawCentredString(self, x: float, y: float, text: str) -> None:  # noqa: N802
        self.drawString(x - self.stringWidth(text) / 2, y, text)

    # --- lines, shapes, colour, state ---

    def setLineWidth(self, width: float) -> None:  # noqa: N802
        self._ops.append(b"%s w" % _num(width))

    def setStrokeColorRGB(self, r: float, g: float, b: float) -> None:  # noqa: N802
        self._ops.append(b"%s %s %s RG" % (_num(r), _num(g), _num(b)))

    def setFillColorRGB(self, r: float, g: float, b: float) -> None:  # noqa: N802
        self._ops.append(b"%s %s %s rg" % (_num(r), _num(g), _num(b)))

    def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self._ops.append(b"%s %s m %s %s l S" % (_num(x1), _num(y1), _num(x2), _num(y2)))

    def roundRect(self, x: float, y: float, width: float, height: float, radius: float) -> None:  # noqa: N802
        k = radius * 0.5523  # Bézier handle length for a quarter circle
        x2, y2 = x + width, y + height
        path = [
            (b"m", (x + radius, y)), (b"l", (x2 - radius, y)),
            (b"c", (x2 - radius + k, y, x2, y + radius - k, x2, y + radius)), (b"l", (x2, y2 - radius)),
            (b"c", (x2, y2 - radius + k, x2 - radius + k, y2, x2 - radius, y2)), (b"l", (x + radius, y2)),
            (b"c", (x + radius - k, y2, x, y2 - radius + k, x, y2 - radius)), (b"l", (x, y + radius)),
            (b"c", (x, y + radius - k, x + radius - k, y, x + radius, y)),
        ]
        self._ops.append(b" ".join(b" ".join(_num(v) for v in values) + b" " + op for op, values in path) + b" S")

    def saveState(self) -> None:  # noqa: N802
        self._ops.append(b"q")

    def restoreState(self) -> None:  # noqa: N802
        self._ops.append(b"Q")

    def translate(self, dx: float, dy: float) -> None:
        self._ops.append(b"1 0 0 1 %s %s cm" % (_num(dx), _num(dy)))

    def rotate(self, degrees: float) -> None:
        c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
        self._ops.append(b"%s %s %s %s 0 0 cm" % (_num(c, 5), _num(s, 5), _num(-s, 5), _num(c, 5)))
