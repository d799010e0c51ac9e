"""Replaying the stored answer to a write retried with the same `Idempotency-Key`.

The key is reserved by an INSERT in the write's own transaction and the answer stored
in that same transaction, so a retry either finds the committed answer, or (arriving
while the first is still working) waits on the unique index until the first commits
and then finds it. If the first attempt fails, its reservation rolls back with it and
the retry runs afresh: only answers to writes that happened are replayed. The same key
with a different body is a client bug and is refused, as Stripe does.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from shared.actor import Actor
from shared.errors import ValidationFailed
from shared.idempotency.models import IdempotencyRecord

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Reservation:
    record_id: uuid.UUID


@dataclass(frozen=True)
class StoredAnswer:
    status_code: int
    body: dict[str, Any]


def _fingerprint(operation: str, body: Any) -> str:
    canonical = json.dumps({"operation": operation, "body": body}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _scope(actor: Actor, operation: str) -> str:
    caller = actor.user_id or actor.api_key_id
    return f"{caller}:{operation}"


def begin(session: Session, actor: Actor, key: str, operation: str, body: Any) -> Reservation | StoredAnswer:
    """Reserve `key` for this write, or the answer already given to it."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.",
            code="invalid_idempotency_key",
            param="Idempotency-Key",
        )
    scope, fingerprint = _scope(actor, operation), _fingerprint(operation, body)
    record_id = session.scalar(
        insert(IdempotencyRecord)
        .values(id=uuid.uuid4(), scope=scope, key=key, request_fingerprint=fingerprint)
        .on_conflict_do_nothing(index_elements=["scope", "key"])
        .returning(IdempotencyRecord.id)
    )
    if record_id is not None:
        return Reservation(record_id)
    stored = session.scalar(
        select(IdempotencyRecord).where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
    )
    if stored.request_fingerprint != fingerprint:
        raise ValidationFailed(
            "This Idempotency-Key was already used with a different request.",
            code="idempotency_key_reused",
            param="Idempotency-Key",
        )
    return StoredAnswer(stored.status_code, stored.response_body)


def finish(session: Session, reservation: Reservation, status_code: int, body: dict[str, Any]) -> None:
    session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.id == reservation.record_id)
        .values(status_code=status_code, response_body=body)
    )
