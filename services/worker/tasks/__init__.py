"""Every task module; importing this registers them all."""

from services.worker.tasks import stripe_events  # noqa: E402,F401
from services.worker.tasks import invoicing  # noqa: E402,F401
from services.worker.tasks import reconciliation  # noqa: E402,F401
