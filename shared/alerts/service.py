"""Staff alerts: raised by any domain inside its own transaction, listed and resolved by staff.

`raise_alert` is the one way to tell staff to act. It is idempotent per cause: the caller names
the cause with a dedupe key (e.g. `overpayment:<payment id>`), and the same key in the same group
never makes a second alert — not for a duplicated Stripe event, a retried task or a replayed
event, and not after the first alert was resolved (a new cause needs a new key).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from shared.actor import SYSTEM, Actor
from shared.alerts.models import ALERT_KINDS, Alert
from shared.alerts.repository import AlertRepository
from shared.alerts.schemas import AlertOut
from shared.audit.service import record
from shared.db.ids import parse_id
from shared.db.pagination import Page
from shared.errors import Conflict, NotFound
from shared.logging import get_logger
from shared.outbox.service import alert_raised

log = get_logger(__name__)

MAX_MESSAGE_LENGTH = 1000
MAX_DEDUPE_KEY_LENGTH = 255


def raise_alert(
    session: Session,
    *,
    group_id: uuid.UUID,
    kind: str,
    dedupe_key: str,
    message: str,
    invoice_id: uuid.UUID | None = None,
    payment_id: uuid.UUID | None = None,
    data: dict[str, Any] | None = None,
    actor: Actor = SYSTEM,
) -> uuid.UUID | None:
    """Open an alert for staff, in the caller's transaction (never commits). Returns the new alert's
    id, or None when this cause already raised one. `message` is for a person and must hold no
    clinical text; `data` holds the same facts for software (amounts, currency, Stripe ids)."""
    if kind not in ALERT_KINDS:
        raise ValueError(f"unknown alert kind {kind!r}; add it to shared.alerts.models.AlertKind")
    if not dedupe_key or len(dedupe_key) > MAX_DEDUPE_KEY_LENGTH:
        raise ValueError("an alert's dedupe key must be 1 to 255 characters")
    alert_id = AlertRepository.from_session(session).insert_once(
        {
            "group_id": group_id,
            "kind": kind,
            "dedupe_key": dedupe_key,
            "message": message[:MAX_MESSAGE_LENGTH],
            "invoice_id": invoice_id,
            "payment_id": payment_id,
            "data": data or {},
        }
    )
    if alert_id is None:
        return None
    record(
        session,
        actor,
        "alert.raised",
        "alert",
        alert_id,
        group_id=group_id,
        data={
            "kind": kind,
            "invoice_id": str(invoice_id) if invoice_id else None,
            "payment_id": str(payment_id) if payment_id else None,
        },
    )
    alert_raised(
        session,
        alert_id=alert_id,
        group_id=group_id,
        kind=kind,
        message=message[:MAX_MESSAGE_LENGTH],
        invoice_id=invoice_id,
        data=data,
    )  # emailed to the practice's admins and billers
    log.warning(
        "staff_alert_raised",
        alert_id=str(alert_id),
        kind=kind,
        group_id=str(group_id),
        invoice_id=str(invoice_id) if invoice_id else None,
        payment_id=str(payment_id) if payment_id else None,
    )
    return alert_id


def alert_on_invoice(
    session: Session,
    invoice: Any,
    *,
    kind: str,
    cause: object,
    message: str,
    payment_id: uuid.UUID | None = None,
    data: dict[str, Any] | None = None,
) -> uuid.UUID | None:
    """`raise_alert` for something that happened to one invoice's money (a refund failed, a payment came
    in over what was owed): the practice and the invoice are the invoice's, and the cause is one per
    `kind` (dedupe key `<kind>:<cause>`, e.g. `overpayment:<payment id>`)."""
    return raise_alert(
        session,
        group_id=invoice.group_id,
        kind=kind,
        dedupe_key=f"{kind}:{cause}",
        message=message,
        invoice_id=invoice.id,
        payment_id=payment_id,
        data=data,
    )


def list_alerts(
    session: Session, actor: Actor, *, status: str | None, kind: str | None, limit: int, starting_after: str | None
) -> Page:
    return AlertRepository.from_session(session).list_page(
        actor, limit=limit, starting_after=starting_after, status=status, kind=kind
    )


def resolve_alert(session: Session, actor: Actor, alert_id: str) -> Alert:
    """Staff say they handled it. Two billers at once: one resolves it, the other is told it is done."""
    alert = AlertRepository.from_session(session).get(actor, parse_id(alert_id, "alert", "alert_id"), for_update=True)
    if alert is None:
        raise NotFound("No such alert.", code="resource_missing", param="alert_id")
    if alert.resolved_at is not None:
        raise Conflict(
            "This alert is already resolved.",
            code="alert_already_resolved",
            param="alert_id",
            details={
                "resolved_at": alert.resolved_at.isoformat(),
                "resolved_by_user_id": str(alert.resolved_by_user_id) if alert.resolved_by_user_id else None,
            },
        )
    alert.resolved_at = datetime.now(UTC)
    alert.resolved_by_user_id = actor.user_id
    alert.resolved_by_api_key_id = actor.api_key_id
    session.flush()
    record(
        session,
        actor,
        "alert.resolved",
        "alert",
        alert.id,
        data={
            "kind": alert.kind,
            "invoice_id": str(alert.invoice_id) if alert.invoice_id else None,
            "payment_id": str(alert.payment_id) if alert.payment_id else None,
        },
    )
    return alert


def open_alerts_of_invoice(session: Session, group_id: uuid.UUID, invoice_id: uuid.UUID) -> list[AlertOut]:
    """What staff still have to do about one invoice, newest first (shown on the invoice's detail)."""
    return [
        AlertOut.model_validate(a) for a in AlertRepository.from_session(session).open_for_invoice(group_id, invoice_id)
    ]
