"""Sending the outbox's emails, and the sweeper that picks up what a dead worker or a lost task left."""

from __future__ import annotations

import uuid

from shared.jobs import delivery
from shared.outbox.transport import SmtpUnavailable
from shared.tasks import names
from shared.tasks.decorator import clinicpay_task
from shared.tasks.retry import DATABASE_UNAVAILABLE, NO_RETRY, TASK


@clinicpay_task(names.SEND_EMAILS, autoretry_for=(SmtpUnavailable, *DATABASE_UNAVAILABLE), policy=TASK)
def send_emails(self, message_ids: list[str]) -> int:
    # The task id owns the rows' leases: a retry of this message keeps it and takes them back.
    result = delivery.deliver(
        [uuid.UUID(i) for i in message_ids],
        owner=self.request.id or f"local-{uuid.uuid4()}",
        retries=self.request.retries or 0,
    )
    return len(result.sent)


@clinicpay_task(names.SWEEP_OUTBOX, policy=NO_RETRY, acks_late=False)
def sweep_unsent(self) -> int:
    return delivery.resend_unsent()
