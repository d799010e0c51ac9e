"""Nothing clinical goes into an email: every message the real worker sent to the real SMTP server
during a clinical journey is read back and checked, as Stripe's traffic is (test_stripe_phi.py).

A practice bills a service whose rate and description are clinical — a therapy, a diagnosis code,
a session note — invoices it, the client's card is declined, then the client pays. The invoice
email, the failed-payment notice and the receipt may carry only the allow-listed facts
(shared/outbox/schemas.py): the practice's name, the client's first name, the invoice number,
amounts, dates, the payment method, a link. No header, text or HTML may contain the clinical text.
"""

from __future__ import annotations

from shared.outbox.schemas import ALLOWED_FACTS
from tests.conftest import poll_until
from tests.factories import make_paying_client
from tests.outbox.helpers import clinical_text_in, outbox_rows
from tests.security.clinical import invoice_a_clinical_service
from tests.stripe.browser import DECLINED, pay


def test_the_emails_of_a_clinical_service_paid_by_card_say_nothing_clinical(http, localstripe, worker, mailbox):
    paying = make_paying_client(http, localstripe.url, name="Morgan Client")
    practice = paying.practice
    invoice_id = invoice_a_clinical_service(http, paying)

    declined = http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={}).json()
    assert pay(http, paying.headers, declined, card=DECLINED).json()["status"] == "failed"
    started = http.post(f"/v1/portal/invoices/{invoice_id}/payments", headers=paying.headers, json={}).json()
    assert pay(http, paying.headers, started).json()["status"] == "succeeded"

    kinds = poll_until(
        lambda: (
            {r.kind for r in outbox_rows(status="sent")} >= {"invoice_issued", "payment_failed", "payment_receipt"}
            and outbox_rows()
        ),
        message="the invoice email, the failed-payment notice and the receipt sent",
    )
    arrived = mailbox.to(paying.email)
    assert len(arrived) == 3 and len({m.message_id for m in arrived}) == 3
    subjects = sorted(m.subject for m in arrived)
    number = http.get(f"/v1/invoices/{invoice_id}", headers=practice.biller).json()["number"]
    assert all(number in s for s in subjects), subjects

    violations = []
    for message in arrived:
        found = clinical_text_in([message.subject, message.text, message.html, *message.headers.values()])
        violations += [f"{message.subject}: {word}" for word in found]
    for row in kinds:
        extra = set(row.facts) - ALLOWED_FACTS[row.kind]
        violations += [f"{row.kind} row holds {key}" for key in extra]
        violations += [f"{row.kind} row: {w}" for w in clinical_text_in([str(v) for v in row.facts.values()])]
    assert not violations, violations
    assert {m.text.splitlines()[0] for m in arrived} == {"Hello Morgan,"}  # the first name only
