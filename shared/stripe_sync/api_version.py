"""The Stripe API version clinicpay is written against: the one the pinned SDK sends.

Nothing else decides it: every request carries the SDK's version, clinicpay's webhook endpoint is
made with it, sync health shows it, and each process logs it once at start, so an operator reading
any log knows which of Stripe's versions the running code expects. (Imports only the SDK and
logging: the webhook receiver logs it too, without loading the ledger.)"""

from __future__ import annotations

import stripe

from shared.logging import get_logger


def pinned_api_version() -> str:
    return str(stripe.api_version)


def log_pinned_api_version(service: str) -> None:
    get_logger(__name__).info(
        "stripe_api_version", service=service, api_version=pinned_api_version(), stripe_sdk=stripe.VERSION
    )
