"""Every task module; importing this registers them all."""

from services.worker.tasks import (
    invoicing,  # noqa: F401
    outbox,  # noqa: F401
    reconciliation,  # noqa: F401
    refunds,  # noqa: F401
    reminders,  # noqa: F401
    stripe_events,  # noqa: F401
)
