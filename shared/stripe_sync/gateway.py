"""The only code that talks to Stripe.

Every call goes through the official SDK with no SDK retries (a person is waiting, and our
own records plus idempotency keys decide what may be sent again), the short timeout from
`stripe_settings()`, and the group's own secret key. Transient failures — Stripe
unreachable, rate limited, or a 5xx — come out as `StripeUnavailable` (HTTP 503, and the
worker's retry trigger); every other Stripe error (a declined card, a refused key, an
unknown object) passes through as the SDK raised it, for the caller to judge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any, TypeVar

import stripe

from shared.config import app_settings, stripe_settings
from shared.errors import Conflict, DependencyUnavailable, ValidationFailed
from shared.groups.models import Group
from shared.logging import get_logger
from shared.security.secrets import decrypt_secret

log = get_logger(__name__)
T = TypeVar("T")

BUSY_MESSAGE = "Payment service is busy, please try again"


class StripeUnavailable(DependencyUnavailable):
    """Stripe could not answer now (network, 429, 5xx). Safe to try again: nothing was decided."""

    code = "stripe_unavailable"

    def __init__(self, message: str = BUSY_MESSAGE, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)


def is_transient(exc: stripe.StripeError) -> bool:
    if isinstance(exc, (stripe.APIConnectionError, stripe.RateLimitError)):
        return True
    status = exc.http_status
    # A 409 on an idempotency key means the first request with that key is still in flight.
    if isinstance(exc, stripe.IdempotencyError) and status == 409:
        return True
    return isinstance(exc, stripe.APIError) and (status is None or status >= 500)


def default_api_base() -> str:
    """The configured Stripe (localstripe in development and tests), else Stripe itself."""
    return stripe_settings().api_base or stripe.DEFAULT_API_BASE


def api_base_for(group: Group | None) -> str:
    """Where this group's Stripe is: its own stand-in (never in production), else the default."""
    if group is not None and group.stripe_api_base and not app_settings().is_production:
        return group.stripe_api_base
    return default_api_base()


def js_url_for(group: Group) -> str:
    """Where the browser loads Stripe.js: from the group's own stand-in when it has one (its fake
    Stripe.js talks to the server it was served from), else the configured Stripe.js."""
    if group.stripe_api_base and not app_settings().is_production:
        return f"{group.stripe_api_base.rstrip('/')}/js.stripe.com/v3/"
    return stripe_settings().js_url


@lru_cache
def _http_client(timeout: float) -> stripe.HTTPClient:
    # One requests-based client per process; it keeps a session per thread, so it is shared safely.
    return stripe.RequestsClient(timeout=timeout)


def _client(secret_key: str, api_base: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        secret_key,
        base_addresses={"api": api_base},
        max_network_retries=0,
        http_client=_http_client(stripe_settings().timeout_seconds),
    )


def _call(what: str, fn: Callable[[], T], **ids: Any) -> T:
    try:
        return fn()
    except stripe.StripeError as exc:
        if is_transient(exc):
            log.warning("stripe_unavailable", call=what, error_type=type(exc).__name__,
                        http_status=exc.http_status, stripe_request_id=exc.request_id, **ids)
            raise StripeUnavailable() from exc
        raise


class StripeGateway:
    """One group's Stripe account. Build it with `for_group`; it holds the key only in memory."""

    def __init__(self, secret_key: str, api_base: str) -> None:
        self._client = _client(secret_key, api_base)
        self.api_base = api_base

    @classmethod
    def for_group(cls, group: Group) -> StripeGateway:
        if group.stripe_secret_key_encrypted is None:
            raise Conflict("This practice does not take card payments: Stripe is not connected.",
                           code="stripe_not_connected")
        return cls(decrypt_secret(group.stripe_secret_key_encrypted), api_base_for(group))

    # --- Connection check ---

    def check_secret_key(self) -> None:
        """Read the balance: the cheapest call that proves the key works. Refused → 422, down → 503."""
        try:
            _call("balance.retrieve", lambda: self._client.v1.balance.retrieve())
        except stripe.AuthenticationError:
            raise ValidationFailed("Stripe refused this secret key. Copy it again from Developers > API keys.",
                                   code="stripe_key_invalid", param="secret_key") from None
        except stripe.PermissionError:
            raise ValidationFailed("This restricted key may not read the balance. Give it read access to "
                                   "Balance and write access to Customers, SetupIntents and PaymentIntents.",
                                   code="stripe_key_permissions", param="secret_key") from None

    # --- Customers and card collection ---

    def create_customer(self, *, name: str, email: str | None, idempotency_key: str) -> str:
        params: dict[str, Any] = {"name": name}
        if email:
            params["email"] = email
        customer = _call("customers.create", lambda: self._client.v1.customers.create(
            params=params, options={"idempotency_key": idempotency_key}))
        return customer.id

    def create_setup_intent(self, *, customer: str, idempotency_key: str) -> dict[str, Any]:
        seti = _call("setup_intents.create", lambda: self._client.v1.setup_intents.create(
            params={"customer": customer, "usage": "off_session", "payment_method_types": ["card"]},
            options={"idempotency_key": idempotency_key}), customer=customer)
        return seti.to_dict(for_json=True)

    def retrieve_setup_intent(self, setup_intent_id: str) -> dict[str, Any]:
        seti = _call("setup_intents.retrieve", lambda: self._client.v1.setup_intents.retrieve(setup_intent_id),
                     setup_intent=setup_intent_id)
        return seti.to_dict(for_json=True)

    def cancel_setup_intent(self, setup_intent_id: str) -> None:
        _call("setup_intents.cancel", lambda: self._client.v1.setup_intents.cancel(setup_intent_id),
              setup_intent=setup_intent_id)

    # --- PaymentIntents: created, then confirmed, in two steps (an error on confirm=True loses the id) ---

    def create_payment_intent(self, *, amount: int, currency: str, customer: str | None, payment_method: str,
                              metadata: dict[str, str], idempotency_key: str) -> dict[str, Any]:
        params: dict[str, Any] = {
            "amount": amount,
            "currency": currency.lower(),
            "payment_method": payment_method,
            "payment_method_types": ["card"],
            "metadata": metadata,
        }
        if customer:
            params["customer"] = customer
        pi = _call("payment_intents.create", lambda: self._client.v1.payment_intents.create(
            params=params, options={"idempotency_key": idempotency_key}), payment_id=metadata.get("payment_id"))
        return pi.to_dict(for_json=True)

    def confirm_payment_intent(self, payment_intent_id: str, *, idempotency_key: str) -> dict[str, Any]:
        """Raises stripe.CardError on a decline (the PI is then `requires_payment_method`)."""
        pi = _call("payment_intents.confirm", lambda: self._client.v1.payment_intents.confirm(
            payment_intent_id, options={"idempotency_key": idempotency_key}), payment_intent=payment_intent_id)
        return pi.to_dict(for_json=True)

    def retrieve_payment_intent(self, payment_intent_id: str) -> dict[str, Any]:
        pi = _call("payment_intents.retrieve", lambda: self._client.v1.payment_intents.retrieve(payment_intent_id),
                   payment_intent=payment_intent_id)
        return pi.to_dict(for_json=True)

    def cancel_payment_intent(self, payment_intent_id: str, *, idempotency_key: str) -> dict[str, Any]:
        pi = _call("payment_intents.cancel", lambda: self._client.v1.payment_intents.cancel(
            payment_intent_id, options={"idempotency_key": idempotency_key}), payment_intent=payment_intent_id)
        return pi.to_dict(for_json=True)

    # --- Catching up on events ---

    def iter_events(self, *, event_type: str, created_gte: int, created_lt: int | None = None,
                    page_size: int = 100) -> Iterator[dict[str, Any]]:
        """Events of one exact type created in [created_gte, created_lt). Order is not relied on:
        Stripe lists newest first, the stand-in oldest first."""
        created: dict[str, int] = {"gte": created_gte}
        if created_lt is not None:
            created["lt"] = created_lt
        page = _call("events.list", lambda: self._client.v1.events.list(
            params={"type": event_type, "created": created, "limit": page_size}))
        while True:
            for event in page.data:
                yield event.to_dict(for_json=True)
            if not page.has_more or not page.data:
                return
            last_id = page.data[-1].id
            page = _call("events.list", lambda: self._client.v1.events.list(
                params={"type": event_type, "created": created, "limit": page_size, "starting_after": last_id}))
