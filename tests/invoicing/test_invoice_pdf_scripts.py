"""Names and text in any script print as written, from fonts embedded in the PDF, and read back as typed.

Each test renders a real invoice PDF, reads it back as a reader's software does (pypdf for the
text, PDFium for the page as an image, fontTools for the embedded font program) and checks
what the person holding the invoice would: the name reads as typed, no character came out as
an empty box, right-to-left names run right to left, Arabic letters are joined.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops, ImageDraw

from shared.groups.logo import check_logo
from shared.invoicing.pdf import InvoiceDocument, LineView, render_invoice_pdf
from shared.invoicing.pdf_fonts import DEJAVU_SANS_BOLD, FontsMissing, font_path
from shared.invoicing.pdf_images import logo_image
from tests.factories import invoice_document
from tests.invoicing import pdf_inspect as pi

THE_NAME = "Łukasz Nguyễn 王秀英"


def document(**overrides) -> InvoiceDocument:
    """An invoice for THE_NAME unless `client_name` says otherwise."""
    return invoice_document(**({"client_name": THE_NAME} | overrides))


def _name_line(content: bytes) -> str:
    """The extracted line the client's name is on, cut before the invoiced date beside it."""
    line = next(line for line in pi.extracted_lines(content) if "Invoiced date" in line)
    return line.split(" Invoiced date")[0]


def _glyphs_of(content: bytes, text: str) -> list[tuple[pi.EmbeddedFont, int]]:
    """The embedded glyphs, in drawing order, whose ToUnicode text is part of `text`."""
    fonts = pi.embedded_fonts(content)
    return [
        (fonts[resource], gid)
        for resource, gid in pi.drawn_glyphs(content)
        if fonts[resource].to_unicode.get(gid, "\0") in text
    ]


def test_the_name_extracts_exactly_as_typed_and_every_character_has_a_glyph():
    pdf = render_invoice_pdf(document())

    assert _name_line(pdf.content) == THE_NAME
    assert THE_NAME in pi.pdfium_text(pdf.content)  # a second reader (PDFium) agrees

    # Every character of the name is drawn with a real glyph of an embedded font: not glyph 0
    # (.notdef, the empty box), and a glyph with an outline.
    fonts = pi.embedded_fonts(pdf.content)
    by_text = {text: (font, gid) for font in fonts.values() for gid, text in font.to_unicode.items()}
    for char in THE_NAME.replace(" ", ""):
        font, gid = by_text[char]
        assert gid != 0 and font.has_outline(gid), (char, font.base_font)
        assert font.widths[gid] > 0
    assert 0 not in {gid for _, gid in pi.drawn_glyphs(pdf.content)}
    # The Latin letters come from DejaVu Sans Bold (the name is bold), the Chinese from WenQuanYi Zen Hei,
    # each only a subset: a few glyphs, not the 16 MB collection.
    assert by_text["Ł"][0].base_font.endswith("+DejaVuSans-Bold")
    assert by_text["王"][0].base_font.endswith("+WenQuanYiZenHei")
    assert all(font.font["maxp"].numGlyphs < 40 for font in fonts.values())
    assert len(pdf.content) < 20_000

    # On the page: the name is ink, not blank, and reads the same drawn by itself.
    image = pi.render_png(pdf.content, "name-in-any-script")
    name_area = image.crop((100, 150, 700, 220))
    assert ImageChops.invert(name_area.convert("L")).getbbox() is not None


def test_every_required_script_draws_from_an_embedded_font_with_no_empty_box():
    names = {
        "Latin Extended": "Żaneta Šťastná-Øberg",
        "Vietnamese": "Trần Thị Ngọc Ánh",
        "Greek": "Ελένη Παπαδοπούλου",
        "Cyrillic": "Людмила Соколова",
        "Hebrew": "שרה כהן",
        "Arabic": "فاطمة الزهراء",
        "Chinese": "李小龍 王秀英",
        "Japanese": "さくら カタカナ",
        "Korean": "김민준",
    }
    for script, name in names.items():
        pdf = render_invoice_pdf(document(client_name=name, lines=[LineView(date(2026, 3, 2), name, 1, 0, 1)]))
        drawn = pi.drawn_glyphs(pdf.content)
        fonts = pi.embedded_fonts(pdf.content)
        assert drawn and 0 not in {gid for _, gid in drawn}, script
        mapped = "".join(fonts[r].to_unicode.get(g, "") for r, g in drawn)
        assert set(name.replace(" ", "")) <= set(mapped), script
        assert all(fonts[r].has_outline(g) for r, g in drawn if fonts[r].to_unicode.get(g, " ").strip()), script
        pi.render_png(pdf.content, f"script-{script.lower().replace(' ', '-')}")


def test_a_hebrew_name_reads_right_to_left_and_a_mixed_one_keeps_its_latin_part_first():
    pdf = render_invoice_pdf(document(client_name="Dr. Sara כהן"))
    # Text extraction gives the name as typed (the PDF carries its logical order)…
    assert _name_line(pdf.content) == "Dr. Sara כהן"
    # … while on the page the Hebrew letters run right to left: drawn left to right they are ן ה כ.
    hebrew = [font.to_unicode[gid] for font, gid in _glyphs_of(pdf.content, "כהן")]
    assert hebrew == ["ן", "ה", "כ"]
    latin = [font.to_unicode[gid] for font, gid in _glyphs_of(pdf.content, "Dr.Sa")]
    assert "".join(latin).startswith("Dr.")  # "Dr. Sara" is drawn first, left of the Hebrew
    pi.render_png(pdf.content, "mixed-latin-hebrew")


def test_arabic_letters_print_joined_in_their_contextual_forms():
    pdf = render_invoice_pdf(document(client_name="سارة"))
    assert _name_line(pdf.content) == "سارة"
    drawn = _glyphs_of(pdf.content, "سارة")
    # Right to left: drawn left to right, the last letter comes first.
    assert [font.to_unicode[gid] for font, gid in drawn] == ["ة", "ر", "ا", "س"]
    # Seen begins the word, so it is drawn with the font's initial form (U+FEB3), not the isolated
    # letter; alef after it takes its final form (U+FE8E).
    original = TTFont(font_path(DEJAVU_SANS_BOLD))
    cmap = original.getBestCmap()

    def outline(font: TTFont, glyph_name: str):
        glyph = font["glyf"][glyph_name]
        return glyph.getCoordinates(font["glyf"])[0].array.tolist() if glyph.numberOfContours else []

    forms = {font.to_unicode[gid]: outline(font.font, font.font.getGlyphOrder()[gid]) for font, gid in drawn}
    assert forms["س"] == outline(original, cmap[0xFEB3]) != outline(original, cmap[ord("س")])
    assert forms["ا"] == outline(original, cmap[0xFE8E]) != outline(original, cmap[ord("ا")])
    pi.render_png(pdf.content, "arabic-joined")


def test_a_latin_only_invoice_embeds_no_font_and_the_same_invoice_gives_the_same_bytes():
    latin = render_invoice_pdf(document(client_name="Zoë Ødegård-Núñez"))
    assert pi.embedded_fonts(latin.content) == {}
    assert len(latin.content) < 2_000
    first, second = render_invoice_pdf(document()), render_invoice_pdf(document())
    assert first.content == second.content and first.sha256 == second.sha256


def test_a_name_with_control_characters_prints_without_boxes():
    pdf = render_invoice_pdf(document(client_name="Łukasz\nNguyễn\t王秀英"))
    assert 0 not in {gid for _, gid in pi.drawn_glyphs(pdf.content)}
    assert _name_line(pdf.content) == "Łukasz Nguyễn 王秀英"  # each control character prints as a space


def _logo_png() -> bytes:
    image = Image.new("RGBA", (900, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 290, 290), fill=(30, 110, 160, 255))
    draw.rectangle((330, 100, 880, 200), fill=(200, 80, 40, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_the_letterhead_prints_address_phone_tax_id_npi_and_logo_and_a_due_date_once_there_is_one():
    logo = check_logo(_logo_png())
    doc = document(
        practice_name="Praxis Łódź",
        practice_address=("12 Main Street, Suite 4", "Springfield, IL 62701"),
        practice_phone="+1 (555) 010-0199",
        practice_tax_id="12-3456789",
        practice_npi="1234567893",
        logo=logo_image(logo.content, logo.media_type, logo.sha256),
    )
    pdf = render_invoice_pdf(doc)
    lines = pi.extracted_lines(pdf.content)
    for expected in (
        "Praxis Łódź",
        "12 Main Street, Suite 4",
        "Springfield, IL 62701",
        "Phone +1 (555) 010-0199",
        "Tax ID 12-3456789 · NPI 1234567893",
    ):
        assert expected in lines, (expected, lines[:8])
    assert pi.image_count(pdf.content) == 1
    assert not any("Due date" in line for line in lines)
    image = pi.render_png(pdf.content, "letterhead")
    # The logo's transparent corners print white, its shapes in their colours.
    assert image.getpixel((110, 40)) == (255, 255, 255)
    assert image.crop((100, 30, 500, 200)).getcolors(100000) and any(
        abs(r - 30) < 20 and abs(g - 110) < 20 and abs(b - 160) < 20
        for _, (r, g, b) in image.crop((100, 30, 500, 200)).getcolors(100000)
    )
    with_due = pi.extracted_lines(render_invoice_pdf(document(due_date=date(2026, 5, 1))).content)
    assert any("Due date 2026-05-01" in line for line in with_due)


def test_without_the_fonts_a_latin_invoice_still_renders_and_another_fails_clearly(fonts_missing):
    assert _name_line(render_invoice_pdf(document(client_name="Zoë Ødegård")).content) == "Zoë Ødegård"
    with pytest.raises(FontsMissing) as refused:
        render_invoice_pdf(document())
    assert refused.value.code == "pdf_fonts_missing" and refused.value.status_code == 503
    assert "fonts-dejavu-core" in refused.value.message and "fonts-wqy-zenhei" in refused.value.message
