"""Reading an invoice PDF back the way a reader's software does: its embedded fonts, the glyphs each
line draws, the text it gives, and its pages as PNG (PDFium, the engine of Chromium's viewer)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pdf"


@dataclass
class EmbeddedFont:
    resource: str  # the page's name for it, e.g. "/F3"
    base_font: str  # "ABCDEF+DejaVuSans"
    to_unicode: dict[int, str]  # glyph id -> the text it stands for
    font: TTFont  # the embedded subset itself
    widths: list[int]  # /W, by glyph id

    def has_outline(self, glyph_id: int) -> bool:
        glyph = self.font["glyf"][self.font.getGlyphOrder()[glyph_id]]
        return glyph.numberOfContours != 0


def _to_unicode(cmap: bytes) -> dict[int, str]:
    pairs = re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", cmap.split(b"endcodespacerange", 1)[1])
    return {int(gid, 16): bytes.fromhex(text.decode()).decode("utf-16-be") for gid, text in pairs}


def embedded_fonts(content: bytes, page: int = 0) -> dict[str, EmbeddedFont]:
    reader = PdfReader(io.BytesIO(content))
    fonts = reader.pages[page]["/Resources"]["/Font"]
    found = {}
    for resource, ref in fonts.items():
        font = ref.get_object()
        if font["/Subtype"] != "/Type0":
            continue
        descendant = font["/DescendantFonts"][0].get_object()
        program = descendant["/FontDescriptor"]["/FontFile2"].get_object().get_data()
        widths = [int(w) for w in descendant["/W"][1]]
        found[resource] = EmbeddedFont(
            resource,
            str(font["/BaseFont"])[1:],
            _to_unicode(font["/ToUnicode"].get_object().get_data()),
            TTFont(io.BytesIO(program)),
            widths,
        )
    return found


def drawn_glyphs(content: bytes, page: int = 0) -> list[tuple[str, int]]:
    """(font resource, glyph id) of every glyph an embedded font draws, in the order drawn."""
    reader = PdfReader(io.BytesIO(content))
    embedded = set(embedded_fonts(content, page))
    operations = ContentStream(reader.pages[page].get_contents(), reader).operations
    drawn, current = [], None
    for operands, operator in operations:
        if operator == b"Tf":
            current = str(operands[0])
        elif operator in (b"Tj", b"TJ") and current in embedded:
            strings = operands[0] if operator == b"TJ" else [operands[0]]
            for item in strings:
                if isinstance(item, (bytes, str)):
                    raw = getattr(item, "original_bytes", item)
                    drawn += [(current, int.from_bytes(raw[i : i + 2], "big")) for i in range(0, len(raw), 2)]
    return drawn


def extracted_lines(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    return [line for page in reader.pages for line in page.extract_text().splitlines()]


def pdfium_text(content: bytes, page: int = 0) -> str:
    document = pypdfium2.PdfDocument(content)
    try:
        return document[page].get_textpage().get_text_range()
    finally:
        document.close()


def render_png(content: bytes, name: str, page: int = 0, scale: float = 2.0):
    """The page as a PIL image, also saved to test-artifacts/pdf/<name>.png to look at."""
    document = pypdfium2.PdfDocument(content)
    try:
        image = document[page].render(scale=scale).to_pil().convert("RGB")
    finally:
        document.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    image.save(ARTIFACTS / f"{name}.png")
    return image


def image_count(content: bytes, page: int = 0) -> int:
    document = pypdfium2.PdfDocument(content)
    try:
        return sum(1 for obj in document[page].get_objects() if obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE)
    finally:
        document.close()
