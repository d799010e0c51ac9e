"""Lists of ids in a body: parsed leniently (a non-UUID is simply unknown), queried with one array parameter."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import Uuid


def any_id(ids: Iterable[uuid.UUID]):
    """`Model.id == any_id(ids)`: one array bind (`= ANY(:ids)`), not one per id, for thousands of ids."""
    return any_(bindparam(None, list(ids), type_=ARRAY(Uuid), unique=True))


def parse_ids(values: Sequence[str]) -> tuple[list[uuid.UUID], list[str]]:
    """Distinct ids in the order given, and the values that cannot be ids at all (so are unknown)."""
    ids: list[uuid.UUID] = []
    bad: list[str] = []
    seen: set[uuid.UUID] = set()
    for value in values:
        try:
            parsed = uuid.UUID(value)
        except ValueError:
            bad.append(value)
            continue
        if parsed not in seen:
            seen.add(parsed)
            ids.append(parsed)
    return ids, bad
