"""Input field types for money and calendar dates, shared by every schema that takes them.

Money is integer cents and strict: 10.5, "10" and true are refused (422), never coerced.
Dates are `YYYY-MM-DD` strings only: pydantic would otherwise read 0 as 1970-01-01.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BeforeValidator, Field

# Columns are 32-bit integers; a cap well inside them turns a typo into a 422, not a database error.
MAX_CENTS = 100_000_000

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Dates a practice's services, invoices and payments can have: a year like 0001 or 9999 is a typo,
# and date arithmetic near either end (due dates, periods) overflows into a 500.
EARLIEST_DATE, LATEST_DATE = date(2000, 1, 1), date(2099, 12, 31)


def _iso_date(value: object) -> object:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise ValueError("is not a real calendar date") from None
    if not EARLIEST_DATE <= parsed <= LATEST_DATE:
        raise ValueError(f"must be between {EARLIEST_DATE} and {LATEST_DATE}")
    return parsed


Cents = Annotated[int, Field(strict=True, ge=0, le=MAX_CENTS)]
PositiveCents = Annotated[int, Field(strict=True, gt=0, le=MAX_CENTS)]
IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date),
    # The range, as far as a JSON Schema can say it (a pattern), so generated requests stay inside.
    Field(json_schema_extra={"pattern": r"^20\d\d-\d\d-\d\d$"}),
]
