"""What the mail server received, against the outbox rows that should have arrived: counted by Message-ID."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Arrivals:
    by_id: Counter[str]  # Message-ID → how many times it arrived
    lost: int  # rows whose Message-ID never arrived
    foreign: int  # Message-IDs that arrived and belong to no row: a message the receiver sees twice over
    resent: int  # arrivals beyond the first of a Message-ID (the same message, sent again)


def count_arrivals(arrived: list[Any], rows: list[Any]) -> Arrivals:
    by_id = Counter(message.message_id for message in arrived)
    expected = {row.message_id for row in rows}
    return Arrivals(
        by_id=by_id,
        lost=len(expected - set(by_id)),
        foreign=len(set(by_id) - expected),
        resent=sum(count - 1 for count in by_id.values()),
    )
