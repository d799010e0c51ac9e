"""The files an email carries: a receipt email carries the receipt as a PDF. A job's part, not the
outbox's: drawing a receipt needs invoicing's documents, which sit above the outbox.

Drawn when the message is sent, from the ledger as it stands then (as the portal's receipt
download is), so it shows any refund made since the row was written. The copy emailed leaves out
the reference staff typed for a payment (their free text stays with the practice); it carries
what the portal's receipt shows otherwise — the letterhead, the client's name, amount, date,
method and refunds, never the invoice's lines.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from shared.invoicing.documents import receipt_filename, render_receipt
from shared.ledger.invoices import Invoice
from shared.ledger.payments import Payment, Refund
from shared.outbox.models import OutboxMessage
from shared.outbox.rendering import Attachment

RECEIPT_KINDS = frozenset({"payment_receipt", "refund_receipt"})


def _subject_id(row: OutboxMessage) -> uuid.UUID | None:
    # A receipt row's dedupe key names what it is the receipt of: `payment_receipt:<payment id>` or
    # `refund_receipt:<refund id>` (shared/outbox/service.py writes them).
    try:
        return uuid.UUID(row.dedupe_key.partition(":")[2])
    except ValueError:
        return None


def attachments_for(session: Session, row: OutboxMessage) -> tuple[Attachment, ...]:
    """The receipt PDF of a receipt row; nothing for other kinds, or when the payment is no longer a
    received one (reversed since: the email's own text still says what happened then)."""
    if row.kind not in RECEIPT_KINDS or (subject_id := _subject_id(row)) is None:
        return ()
    payment_id: uuid.UUID | None = subject_id
    if row.kind == "refund_receipt":
        refund = session.get(Refund, subject_id)
        payment_id = refund.payment_id if refund else None
    payment = session.get(Payment, payment_id) if payment_id else None
    if payment is None or payment.status != "succeeded" or payment.group_id != row.group_id:
        return ()
    invoice = session.get_one(Invoice, payment.invoice_id)
    pdf = render_receipt(session, invoice, payment, with_reference=False)
    return (Attachment(receipt_filename(invoice.number), pdf.content),)
