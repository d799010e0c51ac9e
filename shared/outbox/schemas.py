"""What a message may say: the allow-list of facts, per kind.

A row's `facts` are the only input its templates get, and `build_facts` refuses any key not
listed here, so nothing clinical — a service description, a rate name, a diagnosis, a note —
can reach an email: there is no field to carry it. Values are formatted when the row is written
(money in the practice's currency, dates in its time zone), so every attempt sends the same text.
"""

from __future__ import annotations

from typing import Any

# Every message: who it is from, who it greets, and where its link goes.
COMMON_FACTS = frozenset({"practice_name", "reply_to", "greeting_name", "link"})

ALLOWED_FACTS: dict[str, frozenset[str]] = {
    # `link_expires_on` is never stored: it is the pay link's expiry, known when the message is sent.
    "invoice_issued": COMMON_FACTS | {"invoice_number", "amount_due", "invoiced_on", "due_on", "link_expires_on"},
    # A new pay link for an invoice, asked for from an expired one.
    "pay_link": COMMON_FACTS | {"invoice_number", "amount_due", "due_on", "link_expires_on"},
    "payment_receipt": COMMON_FACTS | {"invoice_number", "amount", "method", "received_on", "balance_due"},
    "payment_failed": COMMON_FACTS | {"invoice_number", "amount", "method"},
    "refund_receipt": COMMON_FACTS | {"invoice_number", "amount", "refunded_on"},
    # `due_words` ("is due in 3 days", "was due 7 days ago") is from the day the reminder was written.
    # The unsubscribe links are minted as the message is sent, like the pay link (never stored).
    "reminder": COMMON_FACTS
    | {"invoice_number", "amount_due", "due_on", "due_words", "link_expires_on", "unsubscribe_link", "unsubscribe_url"},
    # The alert's message is written for staff and holds no clinical text (shared/alerts/service.py).
    "staff_alert": COMMON_FACTS | {"alert_title", "alert_message", "invoice_number"},
    # Sign-in emails. `link_token` is the single-use token, encrypted (shared.security.secrets): the
    # rendered link is `link` + the token, so the row never holds a working link in plain text.
    "invitation": COMMON_FACTS | {"invited_as", "expires_in", "link_token"},
    "account_exists": COMMON_FACTS | {"invited_as", "reset_link", "address"},
    "password_reset": COMMON_FACTS | {"expires_in", "link_token", "address"},
    "password_reset_no_account": COMMON_FACTS | {"address"},
}

SUBJECTS: dict[str, str] = {
    "invoice_issued": "Invoice {invoice_number} from {practice_name}",
    "pay_link": "A new link to pay invoice {invoice_number} from {practice_name}",
    "payment_receipt": "Receipt for invoice {invoice_number} from {practice_name}",
    "payment_failed": "Your payment for invoice {invoice_number} did not go through",
    "refund_receipt": "Refund for invoice {invoice_number} from {practice_name}",
    "reminder": "Reminder: invoice {invoice_number} from {practice_name} {due_words}",
    "staff_alert": "[{practice_name}] {alert_title}",
    "invitation": "{practice_name} invited you to clinicpay",
    "account_exists": "{practice_name} invited you to clinicpay: you already have a sign-in",
    "password_reset": "Reset your clinicpay password",
    "password_reset_no_account": "Your clinicpay password reset request",
}

# Messages about a sign-in rather than a bill: a bounce of one raises no staff alert (the alert would
# tell staff which kind was sent, i.e. whether the address has a login).
ACCOUNT_KINDS = frozenset({"invitation", "account_exists", "password_reset", "password_reset_no_account"})


class FactNotAllowed(ValueError):
    """A programming error: a message was given a fact the allow-list does not name."""


def build_facts(kind: str, **values: Any) -> dict[str, Any]:
    allowed = ALLOWED_FACTS.get(kind)
    if allowed is None:
        raise FactNotAllowed(f"unknown message kind {kind!r}; add it to shared.outbox.models.MessageKind")
    extra = set(values) - allowed
    if extra:
        raise FactNotAllowed(f"facts not allowed in a {kind} message: {sorted(extra)}")
    return {key: value for key, value in values.items() if value is not None}
