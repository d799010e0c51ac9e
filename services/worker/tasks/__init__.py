"""Every task module; importing this registers them all."""

from services.worker.tasks import invoicing, outbox, reconciliation, refunds, reminders, stripe_events

__all__ = ["invoicing", "outbox", "reconciliation", "refunds", "reminders", "stripe_events"]
