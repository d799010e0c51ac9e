"""The rows tests start from: one place for every builder (`from tests.factories import make_practice`).

Two paths, by name, so a test keeps the one it was written for:

- `make_<thing>_via_api` goes over HTTP as the product's users do (an operator creates the practice,
  a biller adds clients and services, an admin adds rates). Ids come back as strings, as the API gives
  them; the practice is a `Practice` with `.admin`, `.biller` and `.operator` headers.
- `make_<thing>` without the suffix writes rows straight to the database through a SQLAlchemy session,
  for tests about something else: `make_practice` gives a `PracticeRow` (`group_id` a UUID; signed-in
  staff with `staff=True`; a Stripe webhook secret with `with_webhook_secret=True`), `make_client` a
  `ClientRow`, `make_invoice` an open invoice's id, `make_card_payment` a card payment as the portal
  leaves it.

Modules by noun: users (tokens, staff, operator, `login`), practices, clients (and portal logins),
services (billing rates and services), invoices (also invoicing runs over HTTP and invoice read-backs),
payments (card and check payments, refunds, disputes), stripe (keys entered over HTTP, a paying
client, reconciliation over HTTP, the stored Stripe events).
"""

from tests.factories.clients import (
    ClientRow,
    give_portal_access,
    make_client,
    make_client_login,
    make_client_via_api,
)
from tests.factories.invoices import (
    date_of,
    invoice,
    invoice_document,
    invoice_sequences,
    invoice_state,
    make_invoice,
    pdf_text,
    run_count,
    start_run,
    unpaid_invoice_count,
    wait_for_run,
)
from tests.factories.payments import (
    CardPaymentRow,
    card_payments_of,
    count_payments,
    disputes_of,
    make_card_payment,
    make_invoice_with_card_payment,
    mark_paid_by_check,
    payment_state,
    refunds_of,
)
from tests.factories.practices import (
    CALM_THERAPY_SIGNUP,
    Practice,
    PracticeRow,
    make_practice,
    make_practice_via_api,
    signup_body,
)
from tests.factories.services import (
    make_billable_services_via_api,
    make_many_services,
    make_rate,
    make_rate_via_api,
    make_service,
    make_service_via_api,
    service_state,
)
from tests.factories.stripe import (
    PayingClient,
    StripeKeys,
    card_payment_intent,
    connect_stripe,
    connect_stripe_with_two_keys,
    make_paying_client,
    new_keys,
    reconcile,
    set_partial_payments,
    stored_event,
    stored_events,
    stripe_settings,
    wait_until_processed,
)
from tests.factories.users import (
    CLIENT_PASSWORD,
    OPERATOR_EMAIL,
    OPERATOR_PASSWORD,
    STAFF_PASSWORD,
    add_user,
    auth,
    issue_token,
    login,
    make_operator,
    make_staff_user,
    operator_token,
    password_hash,
    signed_in,
)

__all__ = [
    "CALM_THERAPY_SIGNUP",
    "CLIENT_PASSWORD",
    "OPERATOR_EMAIL",
    "OPERATOR_PASSWORD",
    "STAFF_PASSWORD",
    "CardPaymentRow",
    "ClientRow",
    "PayingClient",
    "Practice",
    "PracticeRow",
    "StripeKeys",
    "add_user",
    "auth",
    "card_payment_intent",
    "card_payments_of",
    "connect_stripe",
    "connect_stripe_with_two_keys",
    "count_payments",
    "date_of",
    "disputes_of",
    "give_portal_access",
    "invoice",
    "invoice_document",
    "invoice_sequences",
    "invoice_state",
    "issue_token",
    "login",
    "make_billable_services_via_api",
    "make_card_payment",
    "make_client",
    "make_client_login",
    "make_client_via_api",
    "make_invoice",
    "make_invoice_with_card_payment",
    "make_many_services",
    "make_operator",
    "make_paying_client",
    "make_practice",
    "make_practice_via_api",
    "make_rate",
    "make_rate_via_api",
    "make_service",
    "make_service_via_api",
    "make_staff_user",
    "mark_paid_by_check",
    "new_keys",
    "operator_token",
    "password_hash",
    "payment_state",
    "pdf_text",
    "reconcile",
    "refunds_of",
    "run_count",
    "service_state",
    "set_partial_payments",
    "signed_in",
    "signup_body",
    "start_run",
    "stored_event",
    "stored_events",
    "stripe_settings",
    "unpaid_invoice_count",
    "wait_for_run",
    "wait_until_processed",
]
