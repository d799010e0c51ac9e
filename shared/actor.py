"""Who is acting — a user, an API key, a pay link's holder, or the system — as every domain and the audit
trail see it. Foundation: it imports no domain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from shared.errors import NotFound


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user, an API key, or the system (worker, Stripe)."""

    kind: str  # operator | admin | biller | client | pay_link (whoever holds an email's pay link) | system
    group_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None
    # For a signed-in user: the access token this request came with (logging out revokes it).
    access_token_id: uuid.UUID | None = None
    # A staff member of a practice that requires a second factor, who has none yet: their token
    # may only enrol one (services/api/deps.py refuses everything else).
    totp_enrollment_required: bool = False

    @property
    def role(self) -> str:
        return self.kind

    @property
    def practice_id(self) -> uuid.UUID:
        """The practice this actor acts in. Routes to a practice's data admit only actors that have one
        (services/api/deps.py); without one there is nothing of a practice to see, as for any unknown id."""
        if self.group_id is None:
            raise NotFound("No such practice.", code="resource_missing")
        return self.group_id


SYSTEM = Actor(kind="system")
