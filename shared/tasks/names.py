"""Every task's dotted name, in one place. Senders use these; the worker registers them."""

RUN_INVOICING = "invoicing.run"
SWEEP_INVOICING_RUNS = "invoicing.sweep_stale_runs"
RENDER_INVOICE_PDF = "invoicing.render_pdf"
APPLY_STRIPE_EVENTS = "payments.apply_stripe_events"  # args: a list of inbox row ids
SWEEP_STRIPE_EVENTS = "payments.sweep_stripe_events"
SEND_UNSENT_REFUNDS = "payments.send_unsent_refunds"
RECONCILE_GROUP = "reconciliation.reconcile_group"
SCHEDULE_RECONCILIATIONS = "reconciliation.schedule_all"
SWEEP_RECONCILIATIONS = "reconciliation.sweep_stale"
SEND_EMAILS = "outbox.send_emails"  # args: a list of outbox row ids
SWEEP_OUTBOX = "outbox.sweep_unsent"
WRITE_DUE_REMINDERS = "reminders.write_due"  # optional arg: the moment to act as (ISO 8601), for tests

QUEUE_DEFAULT = "default"
QUEUE_EVENTS = "events"
