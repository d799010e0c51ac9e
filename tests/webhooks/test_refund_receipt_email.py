"""A refund Stripe reports emails the client a refund receipt — once it succeeded, and once only,
however often Stripe reports it."""

from __future__ import annotations

from shared.db.engine import session_scope
from shared.ledger.invoices import Invoice
from tests.conftest import poll_until
from tests.factories import make_invoice_with_card_payment, make_practice, pdf_text
from tests.outbox.helpers import client_email, outbox_rows
from tests.stripe_events import charge, event, refund
from tests.webhooks.conftest import send_and_apply


def test_a_succeeded_refund_emails_one_receipt(pipeline, stripe_http, mailbox):
    practice = make_practice(with_webhook_secret=True)
    card = make_invoice_with_card_payment(practice, 10_000, status="succeeded")
    address = client_email(card.client_id)
    pending = refund(amount=4_000, payment_intent=card.payment_intent_id, status="pending")
    assert send_and_apply(pipeline, stripe_http, practice, event("refund.created", pending)) == "applied"
    assert outbox_rows(kind="refund_receipt") == []  # not yet: the money is not back

    succeeded = dict(pending, status="succeeded")
    assert send_and_apply(pipeline, stripe_http, practice, event("refund.updated", succeeded)) == "applied"
    ch = charge(amount=10_000, payment_intent=card.payment_intent_id, refunds=[succeeded])
    send_and_apply(pipeline, stripe_http, practice, event("charge.refunded", ch))  # the same refund again

    [receipt] = poll_until(lambda: mailbox.to(address), message="the refund receipt")
    with session_scope() as session:
        number = session.get(Invoice, card.invoice_id).number
    assert receipt.subject.startswith(f"Refund for invoice {number}")
    assert "$40.00" in receipt.text and "$40.00" in receipt.html
    # The receipt of the card payment, as it stands now: the refund on it.
    [pdf] = receipt.attachments
    assert pdf.filename == f"receipt-{number}.pdf"
    text = pdf_text(pdf.content)
    assert "$100.00" in text and "Refunded" in text and "-$40.00" in text
    assert len(outbox_rows(kind="refund_receipt")) == 1
    assert len(mailbox.to(address)) == 1
