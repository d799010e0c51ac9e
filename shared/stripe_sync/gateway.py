"""The only code that talks to Stripe.

Every call goes through the official SDK with no SDK retries (a person is waiting, and our
own records plus idempotency keys decide what may be sent again), the short timeout from
`stripe_settings()`, and the group's own secret key. Transient failures — Stripe
unreachable, rate limited, or a 5xx — come out as `StripeUnavailable` (HTTP 503, and the
worker's retry trigger); every other Stripe error (a declined card, a refused key, an
unknown object) passes through as the SDK raised it, for the caller to judge. One that no
caller expected reaches the API's error handler, which answers it as `UnexpectedStripeError`
(502 `stripe_error`, with Stripe's request id).

Every request is built from the pinned SDK's own typed params (`stripe.params.*`), so a
parameter that the SDK's API version no longer has fails `make lint` (mypy), not a payment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from functools import lru_cache, partial
from typing import Any, Literal, TypeVar, cast

import stripe

from shared.config import app_settings, stripe_settings
from shared.errors import ClinicpayError, Conflict, TryAgainLater, ValidationFailed
from shared.groups.models import Group
from shared.logging import get_logger
from shared.security.secrets import decrypt_secret
from shared.stripe_sync.shapes import PaymentIntentData

log = get_logger(__name__)
T = TypeVar("T")

BUSY_MESSAGE = "Payment service is busy, please try again"


class StripeUnavailable(TryAgainLater):
    """Stripe could not answer now (network, 429, 5xx). Safe to try again: nothing was decided."""

    code = "stripe_unavailable"

    def __init__(self, message: str = BUSY_MESSAGE, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)


class UnexpectedStripeError(ClinicpayError):
    """Stripe refused a request in a way no caller handles (an error code we do not know, a key that
    lost a permission mid-way). Our transaction is rolled back, so nothing changed on our side and
    whatever was pending stays resumable; Stripe's request id lets the practice (and Stripe's
    support) find the request."""

    status_code = 502
    code = "stripe_error"

    @classmethod
    def of(cls, exc: stripe.StripeError) -> UnexpectedStripeError:
        return cls(
            "The payment service refused this request with an error we did not expect. Nothing was "
            "charged or changed; try again, and if it keeps happening give the practice this request id.",
            details={"stripe_request_id": exc.request_id},
        )


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
            log.warning(
                "stripe_unavailable",
                call=what,
                error_type=type(exc).__name__,
                http_status=exc.http_status,
                stripe_request_id=exc.request_id,
                **ids,
            )
            raise StripeUnavailable() from exc
        raise


def _payment_intent_data(pi: stripe.PaymentIntent) -> PaymentIntentData:
    # The SDK's typed object as the plain dict the ledger reads (the shape a webhook payload has);
    # shared/stripe_sync/shapes.py is checked against stripe.PaymentIntent, so the cast is sound.
    return cast(PaymentIntentData, pi.to_dict(for_json=True))


class StripeGateway:
    """One group's Stripe account. Build it with `for_group`; it holds the key only in memory."""

    def __init__(self, secret_key: str, api_base: str) -> None:
        self._client = _client(secret_key, api_base)
        self.api_base = api_base
        # Tells two keys apart (in idempotency keys) without holding the key itself anywhere visible.
        self.key_digest = hashlib.sha256(secret_key.encode()).hexdigest()[:16]

    @classmethod
    def for_group(cls, group: Group) -> StripeGateway:
        if group.stripe_secret_key_encrypted is None:
            raise Conflict(
                "This practice does not take card payments: Stripe is not connected.", code="stripe_not_connected"
            )
        return cls(decrypt_secret(group.stripe_secret_key_encrypted), api_base_for(group))

    # --- Connection check ---

    def check_secret_key(self) -> None:
        """Read the balance: the cheapest call that proves the key works. Refused → 422, down → 503."""
        try:
            _call("balance.retrieve", lambda: self._client.v1.balance.retrieve())
        except stripe.AuthenticationError:
            raise ValidationFailed(
                "Stripe refused this secret key. Copy it again from Developers > API keys.",
                code="stripe_key_invalid",
                param="secret_key",
            ) from None
        except stripe.PermissionError:
            raise ValidationFailed(
                "This restricted key may not read the balance. Give it read access to "
                "Balance and write access to Customers and PaymentIntents.",
                code="stripe_key_permissions",
                param="secret_key",
            ) from None

    # --- The webhook endpoint clinicpay keeps at Stripe for the practice ---

    def create_webhook_endpoint(
        self, *, url: str, enabled_events: list[str], api_version: str, idempotency_key: str
    ) -> stripe.WebhookEndpoint:
        """The create answer is the only one that carries the signing `secret`."""
        # The two ignores are narrow on purpose: the SDK declares both keys as Literals but our values
        # as plain str (the event types are our handlers' keys; `stripe.api_version` is a str attribute).
        # tests/lint/test_stripe_declarations.py checks each value is one of the SDK's literals.
        params: stripe.params.WebhookEndpointCreateParams = {
            "url": url,
            "enabled_events": enabled_events,  # type: ignore[typeddict-item]
            "api_version": api_version,  # type: ignore[typeddict-item]
        }
        return _call(
            "webhook_endpoints.create",
            lambda: self._client.v1.webhook_endpoints.create(
                params=params, options={"idempotency_key": idempotency_key}
            ),
        )

    def retrieve_webhook_endpoint(self, endpoint_id: str) -> stripe.WebhookEndpoint:
        return _call(
            "webhook_endpoints.retrieve",
            lambda: self._client.v1.webhook_endpoints.retrieve(endpoint_id),
            webhook_endpoint=endpoint_id,
        )

    def update_webhook_endpoint(
        self, endpoint_id: str, *, url: str, enabled_events: list[str]
    ) -> stripe.WebhookEndpoint:
        params: stripe.params.WebhookEndpointUpdateParams = {
            "url": url,
            "enabled_events": enabled_events,  # type: ignore[typeddict-item]  # as in create_webhook_endpoint
            "disabled": False,
        }
        return _call(
            "webhook_endpoints.update",
            lambda: self._client.v1.webhook_endpoints.update(endpoint_id, params=params),
            webhook_endpoint=endpoint_id,
        )

    def delete_webhook_endpoint(self, endpoint_id: str) -> None:
        _call(
            "webhook_endpoints.delete",
            lambda: self._client.v1.webhook_endpoints.delete(endpoint_id),
            webhook_endpoint=endpoint_id,
        )

    # --- The portal's domain, registered so the Payment Element may show wallets and Link ---

    def ensure_payment_method_domain(self, domain_name: str, *, idempotency_key: str) -> stripe.PaymentMethodDomain:
        """The account's registration of `domain_name`, made (or re-enabled) when missing."""
        listed: stripe.params.PaymentMethodDomainListParams = {"domain_name": domain_name, "limit": 1}
        page = _call("payment_method_domains.list", lambda: self._client.v1.payment_method_domains.list(params=listed))
        existing = page.data[0] if page.data else None
        if existing is not None:
            if existing.enabled:
                return existing
            enable: stripe.params.PaymentMethodDomainUpdateParams = {"enabled": True}
            return _call(
                "payment_method_domains.update",
                lambda: self._client.v1.payment_method_domains.update(existing.id, params=enable),
            )
        created: stripe.params.PaymentMethodDomainCreateParams = {"domain_name": domain_name, "enabled": True}
        return _call(
            "payment_method_domains.create",
            lambda: self._client.v1.payment_method_domains.create(
                params=created, options={"idempotency_key": idempotency_key}
            ),
        )

    # --- Customers ---

    def create_customer(self, *, name: str, email: str | None, idempotency_key: str) -> str:
        params: stripe.params.CustomerCreateParams = {"name": name}
        if email:
            params["email"] = email
        customer = _call(
            "customers.create",
            lambda: self._client.v1.customers.create(params=params, options={"idempotency_key": idempotency_key}),
        )
        return customer.id

    # --- Payments: the browser's ConfirmationToken, then a PaymentIntent created and confirmed here ---

    def retrieve_confirmation_token(self, token_id: str) -> stripe.ConfirmationToken:
        return _call(
            "confirmation_tokens.retrieve",
            lambda: self._client.v1.confirmation_tokens.retrieve(token_id),
            confirmation_token=token_id,
        )

    def create_payment_intent(
        self,
        *,
        amount: int,
        currency: str,
        customer: str | None,
        allowed_payment_method_types: list[str],
        metadata: dict[str, str],
        idempotency_key: str,
    ) -> PaymentIntentData:
        """Created unconfirmed, so its id is ours to keep before anything can be charged (an error on
        confirm=True would lose it). Dynamic payment methods, narrowed to what the portal offers; never a
        redirect (the portal pays in a dialog, so no `return_url` is needed on confirm)."""
        params: stripe.params.PaymentIntentCreateParams = {
            "amount": amount,
            "currency": currency.lower(),
            "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
            "allowed_payment_method_types": allowed_payment_method_types,
            "metadata": metadata,
        }
        if customer:
            params["customer"] = customer
        pi = _call(
            "payment_intents.create",
            lambda: self._client.v1.payment_intents.create(params=params, options={"idempotency_key": idempotency_key}),
            payment_id=metadata.get("payment_id"),
        )
        return _payment_intent_data(pi)

    def confirm_payment_intent(
        self, payment_intent_id: str, *, confirmation_token: str, idempotency_key: str
    ) -> PaymentIntentData:
        """Raises stripe.CardError on a decline (the PI is then `requires_payment_method`)."""
        params: stripe.params.PaymentIntentConfirmParams = {"confirmation_token": confirmation_token}
        pi = _call(
            "payment_intents.confirm",
            lambda: self._client.v1.payment_intents.confirm(
                payment_intent_id, params=params, options={"idempotency_key": idempotency_key}
            ),
            payment_intent=payment_intent_id,
        )
        return _payment_intent_data(pi)

    def retrieve_payment_intent(self, payment_intent_id: str) -> PaymentIntentData:
        pi = _call(
            "payment_intents.retrieve",
            lambda: self._client.v1.payment_intents.retrieve(payment_intent_id),
            payment_intent=payment_intent_id,
        )
        return _payment_intent_data(pi)

    def cancel_payment_intent(self, payment_intent_id: str, *, idempotency_key: str) -> PaymentIntentData:
        pi = _call(
            "payment_intents.cancel",
            lambda: self._client.v1.payment_intents.cancel(
                payment_intent_id, options={"idempotency_key": idempotency_key}
            ),
            payment_intent=payment_intent_id,
        )
        return _payment_intent_data(pi)

    # --- An event's object read again at our API version (the event was rendered at another) ---

    def retrieve_current(self, object_type: str, object_id: str) -> dict[str, Any] | None:
        """The object as Stripe returns it now; None for a type no handler of ours reads. A Charge comes
        with its refunds expanded: `charge.refunded` is applied from them, and the pinned version embeds
        them only when asked."""
        v1 = self._client.v1
        if object_type == "payment_intent":
            return dict(self.retrieve_payment_intent(object_id))
        if object_type not in ("charge", "refund", "dispute"):
            return None

        def fetch() -> stripe.StripeObject:
            if object_type == "charge":
                expand: stripe.params.ChargeRetrieveParams = {"expand": ["refunds"]}
                return v1.charges.retrieve(object_id, params=expand)
            if object_type == "refund":
                return v1.refunds.retrieve(object_id)
            return v1.disputes.retrieve(object_id)

        found = _call(f"{object_type}s.retrieve", fetch, object_id=object_id)
        current: dict[str, Any] = found.to_dict(for_json=True)
        return current

    # --- Refunds asked for in clinicpay ---

    def create_refund(
        self,
        *,
        payment_intent: str,
        amount: int,
        reason: Literal["duplicate", "fraudulent", "requested_by_customer"],
        metadata: dict[str, str],
        idempotency_key: str,
    ) -> stripe.Refund:
        """Refund part or all of a PaymentIntent's charge. `metadata` carries our ids only: the staff's
        note never leaves clinicpay. Stripe refuses (InvalidRequestError) what it cannot refund."""
        params: stripe.params.RefundCreateParams = {
            "payment_intent": payment_intent,
            "amount": amount,
            "reason": reason,
            "metadata": metadata,
        }
        return _call(
            "refunds.create",
            lambda: self._client.v1.refunds.create(params=params, options={"idempotency_key": idempotency_key}),
            payment_intent=payment_intent,
            refund_id=metadata.get("refund_id"),
        )

    # --- Catching up on events ---

    def iter_events(
        self, *, event_type: str, created_gte: int, created_lt: int | None = None, page_size: int = 100
    ) -> Iterator[dict[str, Any]]:
        """Events of one exact type created in [created_gte, created_lt). Order is not relied on:
        Stripe lists newest first, the stand-in oldest first."""
        created: stripe.params.EventListParamsCreated = {"gte": created_gte}
        if created_lt is not None:
            created["lt"] = created_lt
        first: stripe.params.EventListParams = {"type": event_type, "created": created, "limit": page_size}
        page = _call("events.list", lambda: self._client.v1.events.list(params=first))
        while True:
            for event in page.data:
                yield event.to_dict(for_json=True)
            if not page.has_more or not page.data:
                return
            following: stripe.params.EventListParams = {**first, "starting_after": page.data[-1].id}
            page = _call("events.list", partial(self._client.v1.events.list, params=following))
