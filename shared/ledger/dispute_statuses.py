"""Stripe's dispute statuses, as the pinned SDK declares them (`stripe.Dispute.status`), sorted into
the sets the ledger and the staff alerts need.

Taken from the SDK, not typed out, so an SDK upgrade that adds a status (as 2026-10-28.endive added
`appeal_needs_response` and `appeal_under_review`) reaches us: a status the rules below do not sort
stops the import, and a test names it, instead of a dispute silently showing `disputed: false`.
"""

from __future__ import annotations

from typing import get_args

import stripe


def _declared_statuses() -> tuple[str, ...]:
    """The Literal inside `stripe.Dispute.status` (declared `Union[Literal[...], str]`)."""
    declared = stripe.Dispute.__annotations__["status"]
    literals = [arg for arg in get_args(declared) if get_args(arg) and all(isinstance(v, str) for v in get_args(arg))]
    if len(literals) != 1:
        raise RuntimeError(f"stripe.Dispute.status is no longer a Literal of statuses: {declared!r}")
    return tuple(get_args(literals[0]))


DISPUTE_STATUSES: tuple[str, ...] = _declared_statuses()

# Closed: the outcome is decided (won, lost, an inquiry closed, prevented by the issuer's network);
# its money effect is in the ledger through funds withdrawn / reinstated, and nothing more is asked.
CLOSED_DISPUTE_STATUSES: frozenset[str] = frozenset(
    s for s in DISPUTE_STATUSES if s in ("won", "lost", "prevented") or s.endswith("_closed")
)
# Open: everything else flags the invoice (needs a response, under review, an appeal either way).
OPEN_DISPUTE_STATUSES: tuple[str, ...] = tuple(s for s in DISPUTE_STATUSES if s not in CLOSED_DISPUTE_STATUSES)
# Of the open ones, those where Stripe waits for the practice's evidence by `evidence_details.due_by`.
NEEDS_RESPONSE_STATUSES: frozenset[str] = frozenset(s for s in OPEN_DISPUTE_STATUSES if s.endswith("needs_response"))
_UNDER_REVIEW = frozenset(s for s in OPEN_DISPUTE_STATUSES if s.endswith("under_review"))

_unsorted = set(OPEN_DISPUTE_STATUSES) - NEEDS_RESPONSE_STATUSES - _UNDER_REVIEW
if _unsorted:
    # A status of a kind we have not met: decide what it means before running with it.
    raise RuntimeError(f"Stripe dispute statuses not sorted into open/closed: {sorted(_unsorted)}")
