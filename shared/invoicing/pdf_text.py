"""Turning one line of text in any script into positioned glyphs of the embedded fonts.

Three steps, each by a library made for it:

1. **Direction** — the Unicode Bidirectional Algorithm (UAX #9, fpdf2's implementation)
   gives each character its embedding level; runs of one level are laid out in visual
   order (rule L2), so "Dr. Sara כהן" prints "Dr. Sara" then כהן read right to left, and a
   Hebrew or Arabic name alone reads right to left as a whole. The paragraph's direction
   comes from its first strong character, as for any isolated field (HTML's dir=auto).
2. **Font** — each character takes the first font of the fallback chain that has it
   (pdf_fonts.FALLBACK_CHAIN); spaces, punctuation and combining marks stay in the font
   of the text around them, so a name is not split into two designs at every space.
3. **Shaping** — HarfBuzz turns each run into glyphs: Arabic letters in their joined
   (initial, medial, final) forms, marks placed on their letters, kerning applied.

Each glyph keeps the characters it stands for, so the PDF's ToUnicode map (and, for
right-to-left text, an ActualText span) gives text extraction the name as typed.
Results are cached per process: a practice's name and address are shaped once per
worker, not once per invoice.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import uharfbuzz as hb

from shared.invoicing.pdf_fonts import FontFace, fallback_chain, load_face

# Bidi classes that make a line need the bidirectional algorithm at all.
_RTL_CLASSES = frozenset({"R", "AL", "AN", "RLE", "RLO", "RLI", "FSI", "LRE", "LRO", "LRI", "PDF", "PDI"})


@dataclass(frozen=True)
class Glyph:
    glyph_id: int  # in the font
    advance: int  # font units, after shaping
    x_offset: int
    y_offset: int
    text: str  # the characters this glyph stands for ("" for the further glyphs of one cluster)


@dataclass(frozen=True)
class Run:
    """Glyphs of one font, left to right on the page."""

    face: FontFace
    glyphs: tuple[Glyph, ...]
    fake_bold: bool  # bold asked for, but the font has no bold face: stroke the outlines

    @property
    def advance(self) -> int:
        return sum(g.advance for g in self.glyphs)


@dataclass(frozen=True)
class ShapedLine:
    text: str
    runs: tuple[Run, ...]  # left to right on the page
    right_to_left: bool  # some of it reads right to left: extraction needs the logical text

    def width(self, size: float) -> float:
        return sum(run.advance * size / run.face.units_per_em for run in self.runs)


def _printable(text: str) -> str:
    # Control characters (a newline in a pasted address) would print as empty boxes.
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)


def _level_runs(text: str) -> list[tuple[int, int, int]]:
    """(start, end, level) of each run of one embedding level, in visual order (UAX #9 L2)."""
    if not any(unicodedata.bidirectional(c) in _RTL_CLASSES for c in text):
        return [(0, len(text), 0)]
    from fpdf.bidi import BidiParagraph  # imported only for text that needs it (fpdf2 is a large import)

    levels: list[int | None] = [None] * len(text)
    for char in BidiParagraph(text).get_characters_with_embedding_level():
        levels[char.character_index] = char.embedding_level
    # Characters the algorithm removes (rule X9: embedding controls, joiners) go with their neighbour.
    for i, level in enumerate(levels):
        if level is None:
            levels[i] = levels[i - 1] if i else next((v for v in levels if v is not None), 0)
    runs: list[tuple[int, int, int]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or levels[i] != levels[start]:
            runs.append((start, i, levels[start]))
            start = i
    highest = max(level for _, _, level in runs)
    lowest_odd = min((level for _, _, level in runs if level % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(runs):
            if runs[i][2] >= level:
                j = i
                while j < len(runs) and runs[j][2] >= level:
                    j += 1
                runs[i:j] = reversed(runs[i:j])
                i = j
            else:
                i += 1
    return runs


def _sticks(char: str) -> bool:
    """Characters that keep the font of the text around them rather than picking their own."""
    return unicodedata.category(char)[0] in "MZPC"


def _font_runs(text: str, chain: tuple[FontFace, ...]) -> list[tuple[FontFace, str]]:
    """Split logical text into pieces of one font each: the first font of the chain that has the
    character; characters no font has go to the first (they print as its empty box)."""
    pieces: list[tuple[FontFace, str]] = []
    current: FontFace | None = None
    for char in text:
        if current is not None and _sticks(char) and current.glyph_of(char):
            face = current
        else:
            face = next((f for f in chain if f.glyph_of(char)), current or chain[0])
        if face is current:
            pieces[-1] = (face, pieces[-1][1] + char)
        else:
            pieces.append((face, char))
            current = face
    return pieces


def _shape(face: FontFace, text: str, right_to_left: bool, fake_bold: bool) -> Run:
    buffer = hb.Buffer()
    buffer.add_codepoints([ord(c) for c in text])
    buffer.guess_segment_properties()
    buffer.direction = "rtl" if right_to_left else "ltr"
    hb.shape(face.hb_font, buffer, {})
    infos, positions = buffer.glyph_infos, buffer.glyph_positions
    # A cluster's characters run from its start to the next cluster's start (logical order).
    starts = sorted({info.cluster for info in infos})
    ends = {start: end for start, end in zip(starts, starts[1:] + [len(text)], strict=True)}
    # The cluster's first glyph in logical order carries its text: the rightmost one in RTL.
    logical = range(len(infos) - 1, -1, -1) if right_to_left else range(len(infos))
    seen, carries = set(), set()
    for i in logical:
        if infos[i].cluster not in seen:
            seen.add(infos[i].cluster)
            carries.add(i)
    glyphs = tuple(
        Glyph(
            info.codepoint,
            pos.x_advance,
            pos.x_offset,
            pos.y_offset,
            text[info.cluster : ends[info.cluster]] if i in carries else "",
        )
        for i, (info, pos) in enumerate(zip(infos, positions, strict=True))
    )
    return Run(face, glyphs, fake_bold)


@lru_cache(maxsize=8192)
def shape_line(text: str, bold: bool) -> ShapedLine:
    """The line as glyph runs, left to right. Raises FontsMissing when the fonts are not installed."""
    chain = fallback_chain(bold)
    printable = _printable(text)
    runs: list[Run] = []
    right_to_left = False
    for start, end, level in _level_runs(printable):
        rtl = level % 2 == 1
        right_to_left = right_to_left or rtl
        pieces = _font_runs(printable[start:end], chain)
        shaped = [_shape(face, piece, rtl, bold and not face.spec.bold) for face, piece in pieces]
        runs.extend(reversed(shaped) if rtl else shaped)
    return ShapedLine(text, tuple(runs), right_to_left)


def clear_caches() -> None:
    """Forget shaped lines and opened fonts (after the fonts folder changed)."""
    shape_line.cache_clear()
    load_face.cache_clear()
