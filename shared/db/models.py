"""Imports every model so Alembic and the mapper registry see the whole schema."""

from shared.accounts.models import AccountToken
from shared.alerts.models import Alert
from shared.audit.models import AuditEvent
from shared.billing.models import BillingRate, Service, ServicePayment
from shared.clients.models import Client
from shared.groups.models import Group, InvoiceSequence
from shared.idempotency.models import IdempotencyRecord
from shared.invoicing.models import InvoicePdf, InvoicingRun
from shared.ledger.invoices import Invoice, InvoiceLine
from shared.ledger.payments import Dispute, Payment, Refund
from shared.outbox.models import OutboxMessage
from shared.paylinks.models import PayLink
from shared.reminders.models import UnsubscribeLink
from shared.reports.models import LedgerVersion
from shared.stripe_sync.models import Reconciliation, StripeEvent
from shared.users.models import AccessToken, ApiKey, User

__all__ = [
    "AccessToken",
    "AccountToken",
    "Alert",
    "ApiKey",
    "AuditEvent",
    "BillingRate",
    "Client",
    "Dispute",
    "Group",
    "IdempotencyRecord",
    "Invoice",
    "InvoiceLine",
    "InvoicePdf",
    "InvoiceSequence",
    "InvoicingRun",
    "LedgerVersion",
    "OutboxMessage",
    "PayLink",
    "Payment",
    "Reconciliation",
    "Refund",
    "Service",
    "ServicePayment",
    "StripeEvent",
    "UnsubscribeLink",
    "User",
]
