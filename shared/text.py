"""Text fields: the one rule for what a string a caller sends may contain. Every text field uses it.

Refused anywhere in a text field, with a 422 `validation_failed` naming the field:

- C0 control characters (U+0000–U+001F) and DEL (U+007F) — except tab and newline in a field
  declared multi-line. A NUL reached PostgreSQL as a 500 before; the rest corrupt logs, CSVs and PDFs;
- C1 control characters (U+0080–U+009F);
- the bidi embeddings and overrides U+202A–U+202E and the isolates U+2066–U+2069: they make a
  name or a description read reversed on an invoice;
- lone surrogates (U+D800–U+DFFF), which JSON can spell but are not text.

Kept on purpose: ZWNJ and ZWJ (U+200C, U+200D), LRM and RLM (U+200E, U+200F) — real names in
Persian, Hindi, Arabic, Hebrew and many other scripts need them.

How to use it, for every string a request carries (body, form or query):

    from shared.text import Email, text
    Name = text(min_length=1, max_length=200)           # stripped, one line
    Note = text(max_length=2000, multiline=True)         # tab and newline allowed
    class SomethingIn(BaseModel):
        name: Name
        email: Email                                     # an EmailStr under the same rule

In modules mypy checks strictly, spell the type `Annotated[str, *text_rules(...)]` (the same rule,
a `str` to the type checker).

`text()` also writes the rule into the OpenAPI description as a `pattern`, which is how
tests/security/test_text_fields.py finds a string field that forgot it (and sends every operation
the refused characters).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, EmailStr, Field, StringConstraints

# The refused characters as a character class, shared by the check and the OpenAPI pattern.
# (Surrogates are checked in Python only: JSON Schema tools differ on them inside a pattern.)
_REFUSED_ALWAYS = r"\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069"
_REFUSED_ONE_LINE = r"\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069"
SINGLE_LINE_PATTERN = f"^[^{_REFUSED_ONE_LINE}]*$"
MULTI_LINE_PATTERN = f"^[^{_REFUSED_ALWAYS}]*$"
_SINGLE_LINE_BAD = re.compile(f"[{_REFUSED_ONE_LINE}\ud800-\udfff]")
_MULTI_LINE_BAD = re.compile(f"[{_REFUSED_ALWAYS}\ud800-\udfff]")


def _describe(char: str) -> str:
    point = ord(char)
    if char in "\t\n":
        return "a tab or line break (this field is one line)"
    if 0x202A <= point <= 0x202E or 0x2066 <= point <= 0x2069:
        return f"U+{point:04X}, a bidirectional override that makes text read reversed"
    if 0xD800 <= point <= 0xDFFF:
        return f"U+{point:04X}, half of a surrogate pair, which is not text"
    return f"U+{point:04X}, a control character"


def check_text(value: str, *, multiline: bool = False) -> str:
    """`value`, or ValueError naming the first character the rule refuses (never echoing the value)."""
    found = (_MULTI_LINE_BAD if multiline else _SINGLE_LINE_BAD).search(value)
    if found:
        raise ValueError(f"may not contain {_describe(found.group())}")
    return value


def _one_line(value: str) -> str:
    return check_text(value)


def _multi_line(value: str) -> str:
    return check_text(value, multiline=True)


def text_rules(
    *,
    min_length: int | None = None,
    max_length: int,
    strip: bool = True,
    multiline: bool = False,
    pattern: str | None = None,
) -> tuple[Any, ...]:
    """The rule as `Annotated` metadata: `Annotated[str, *text_rules(max_length=200)]` is the same field
    type as `text(max_length=200)`, spelled so a type checker sees a `str` (mypy, in the modules
    `make lint` checks strictly, cannot read a type made by a call)."""
    return (
        StringConstraints(strip_whitespace=strip, min_length=min_length, max_length=max_length, pattern=pattern),
        AfterValidator(_multi_line if multiline else _one_line),
        # A field with a format pattern of its own shows that one (it must refuse these characters too).
        Field(
            json_schema_extra=None if pattern else {"pattern": MULTI_LINE_PATTERN if multiline else SINGLE_LINE_PATTERN}
        ),
    )


def text(
    *,
    min_length: int | None = None,
    max_length: int,
    strip: bool = True,
    multiline: bool = False,
    pattern: str | None = None,
) -> Any:
    """A text field's type: `strip` trims surrounding whitespace first; `pattern` adds a format rule."""
    rules = text_rules(min_length=min_length, max_length=max_length, strip=strip, multiline=multiline, pattern=pattern)
    return Annotated[str, *rules]


# A name: of a person, a practice, a rate, an API key.
Name = text(min_length=1, max_length=200)

# An email address (email-validator's rules) under the same rule, so its schema says so too.
Email = Annotated[
    EmailStr,
    AfterValidator(_one_line),
    Field(json_schema_extra={"pattern": SINGLE_LINE_PATTERN}),
]
