"""Record an audit event for every change, in the same transaction as the change."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy.orm import Session

from shared.audit.models import AuditEvent
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


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: Any,
    *,
    group_id: uuid.UUID | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEvent(
            group_id=group_id or actor.group_id,
            actor_user_id=actor.user_id,
            actor_api_key_id=actor.api_key_id,
            actor_kind=actor.kind,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            request_id=structlog.contextvars.get_contextvars().get("request_id"),
            data=data or {},
        )
    )
