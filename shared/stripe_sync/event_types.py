"""The Stripe event types clinicpay applies, by name: what a practice's webhook endpoint subscribes to
(connection.py). The worker's handler for each is shared/payments/stripe_events.py `HANDLERS`, which has
exactly these keys (tests/stripe/test_webhook_endpoint.py holds the two together)."""

HANDLED_EVENT_TYPES = (
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.processing",
    "payment_intent.canceled",
    "payment_intent.requires_action",
    "charge.refunded",
    "charge.refund.updated",
    "refund.created",
    "refund.updated",
    "refund.failed",
    "charge.dispute.created",
    "charge.dispute.updated",
    "charge.dispute.closed",
    "charge.dispute.funds_withdrawn",
    "charge.dispute.funds_reinstated",
)
