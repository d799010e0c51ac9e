"""Record an audit event for every change, in the same transaction as the change."""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from sqlalchemy.orm import Session

from shared.actor import Actor
from shared.audit.models import AuditEvent


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
