"""What the pay-link tests stand on: a link minted as the worker mints it, and the clock moved by
moving a link's own expiry (the expiry is a stored moment; nothing else reads the clock)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from shared.db.engine import session_scope
from shared.outbox.models import OutboxMessage
from shared.paylinks import service
from shared.paylinks.models import PayLink
from shared.security.tokens import token_digest


def mint_link(invoice_id: str) -> str:
    """A pay link for the invoice, made by the function the worker calls as it sends an invoice email."""
    with session_scope() as session:
        minted = service.mint(session, invoice_id=uuid.UUID(invoice_id))
    assert minted is not None
    return minted[0]


def link_row(token: str) -> PayLink:
    with session_scope() as session:
        return session.scalars(select(PayLink).where(PayLink.digest == token_digest(token))).one()


def age_link(token: str, days: float) -> None:
    """`days` pass for this link: it was made, and expires, that much earlier."""
    with session_scope() as session:
        session.execute(
            update(PayLink)
            .where(PayLink.digest == token_digest(token))
            .values(
                created_at=PayLink.created_at - timedelta(days=days),
                expires_at=PayLink.expires_at - timedelta(days=days),
            )
        )


def links_of(invoice_id: str) -> list[PayLink]:
    with session_scope() as session:
        return list(session.scalars(select(PayLink).where(PayLink.invoice_id == uuid.UUID(invoice_id))))


def pay_link_rows() -> list[OutboxMessage]:
    with session_scope() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "pay_link")))


def token_of(link: str) -> str:
    assert "#/pay/" in link, link
    return link.split("#/pay/", 1)[1]


def now() -> datetime:
    return datetime.now(UTC)
