"""What the outbox tests read back: the outbox rows, straight from the database."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from shared.db.engine import session_scope
from shared.outbox.models import OutboxMessage
from shared.users.models import User

# Clinical text a practice keeps to itself: none of it may appear in any email.
from tests.security.clinical import CLINICAL, DESCRIPTION, DIAGNOSIS, NOTE, RATE_NAME  # noqa: F401


def outbox_rows(**where: Any) -> list[OutboxMessage]:
    with session_scope() as session:
        stmt = select(OutboxMessage).order_by(OutboxMessage.created_at)
        for key, value in where.items():
            stmt = stmt.where(getattr(OutboxMessage, key) == value)
        return list(session.scalars(stmt))


def staff_emails(group_id: uuid.UUID) -> list[str]:
    with session_scope() as session:
        return sorted(session.scalars(select(User.email).where(User.group_id == group_id, User.role != "client")))


def client_email(client_id: uuid.UUID) -> str:
    from shared.clients.models import Client

    with session_scope() as session:
        return session.get(Client, client_id).email


def set_client_email(client_id: uuid.UUID, email: str | None) -> None:
    from shared.clients.models import Client

    with session_scope() as session:
        session.get(Client, client_id).email = email


def clinical_text_in(values: list[str]) -> list[str]:
    found = []
    for value in values:
        low = value.lower()
        found += [word for word in CLINICAL if word.lower() in low]
    return found
