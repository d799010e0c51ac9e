"""Refunds staff asked for that Stripe never answered (unreachable then, or the request died): sent again."""

from __future__ import annotations

from typing import Any

from shared.jobs.refunds import resend_unsent
from shared.tasks import names
from shared.tasks.decorator import clinicpay_task
from shared.tasks.retry import NO_RETRY


@clinicpay_task(names.SEND_UNSENT_REFUNDS, policy=NO_RETRY, acks_late=False)
def send_unsent_refunds(self: Any) -> int:
    return resend_unsent()
