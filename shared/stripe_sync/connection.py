"""A practice's Stripe connection: two keys from the admin, the rest made by clinicpay.

On connect the secret key is checked against Stripe (a refused key saves nothing), then
clinicpay creates its own webhook endpoint at Stripe — our receiver's URL, the pinned
`api_version`, exactly the event types we handle — and keeps the signing secret Stripe
answers, and registers the portal's domain (payment method domains) so the Payment
Element may offer Apple Pay, Google Pay and Link. Connecting again keeps an endpoint that
is still right, and replaces one that is gone or wrong (the old one is deleted).

Connect survives what Stripe refuses about our side: an endpoint URL it cannot reach from
the internet, a domain that is not public, a restricted key that may not manage either.
The keys are saved; the answer says what is missing and why (`webhook_problem`,
`payment_method_domain_problem`); until webhooks flow, reconciliation keeps payments in
step. A restricted key that may not manage webhooks can come with the signing secret of
an endpoint the admin made in Stripe (`webhook_secret`, the fallback).

The secret key and the signing secret are stored only as MultiFernet tokens
(shared.security.secrets) and are never returned, logged or written to the audit trail.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urlsplit

import stripe
from sqlalchemy.orm import Session

from shared.actor import Actor
from shared.audit.service import record
from shared.config import app_settings
from shared.errors import ValidationFailed
from shared.groups.models import Group
from shared.groups.repository import GroupRepository
from shared.logging import get_logger
from shared.security.secrets import decrypt_secret, encrypt_secret
from shared.stripe_sync.api_version import pinned_api_version as pinned_api_version  # re-exported: its old home
from shared.stripe_sync.event_types import HANDLED_EVENT_TYPES
from shared.stripe_sync.gateway import StripeGateway, StripeUnavailable, api_base_for, default_api_base
from shared.stripe_sync.schemas import ConnectionProblemOut, StripeConnectionIn, StripeConnectionOut

log = get_logger(__name__)

_SECRET_KEY = re.compile(r"^(sk|rk)_[A-Za-z0-9_]{4,}$")
_PUBLISHABLE_KEY = re.compile(r"^pk_[A-Za-z0-9_]{4,}$")
_WEBHOOK_SECRET = re.compile(r"^whsec_[A-Za-z0-9+/=_-]{4,}$")

# Why clinicpay could not make its webhook endpoint or register the portal's domain (stable codes,
# stored on the group; the messages are written when the connection is described).
WEBHOOK_URL_NOT_PUBLIC = "webhook_url_not_public"
WEBHOOK_PERMISSION_MISSING = "webhook_permission_missing"
WEBHOOK_ENDPOINT_REFUSED = "webhook_endpoint_refused"
DOMAIN_NOT_PUBLIC = "payment_method_domain_not_public"
DOMAIN_PERMISSION_MISSING = "payment_method_domain_permission_missing"
DOMAIN_REFUSED = "payment_method_domain_refused"


def webhook_url(group_id: object) -> str:
    return f"{app_settings().public_webhook_base_url.rstrip('/')}/v1/stripe/webhooks/{group_id}"


def handled_event_types() -> list[str]:
    """Exactly the event types the worker applies (shared/payments/stripe_events.py `HANDLERS`)."""
    return sorted(HANDLED_EVENT_TYPES)


def portal_domain() -> str:
    return urlsplit(app_settings().public_portal_url).hostname or ""


def _mode(key: str) -> str | None:
    if "_live_" in key:
        return "live"
    if "_test_" in key:
        return "test"
    return None


def check_shapes(data: StripeConnectionIn) -> None:
    """Catch the usual paste mistakes (swapped keys, a key from the wrong row) before calling Stripe."""
    if not _SECRET_KEY.match(data.secret_key):
        raise ValidationFailed(
            "The secret key starts with sk_ (or rk_ for a restricted key).",
            code="invalid_secret_key",
            param="secret_key",
        )
    if not _PUBLISHABLE_KEY.match(data.publishable_key):
        raise ValidationFailed(
            "The publishable key starts with pk_.", code="invalid_publishable_key", param="publishable_key"
        )
    if data.webhook_secret is not None and not _WEBHOOK_SECRET.match(data.webhook_secret):
        raise ValidationFailed(
            "The webhook signing secret starts with whsec_ (Developers > Webhooks > your endpoint > Signing secret).",
            code="invalid_webhook_secret",
            param="webhook_secret",
        )
    secret_mode, publishable_mode = _mode(data.secret_key), _mode(data.publishable_key)
    if secret_mode and publishable_mode and secret_mode != publishable_mode:
        raise ValidationFailed(
            "The secret and publishable keys are from different modes (test and live). "
            "Use both keys from the same mode.",
            code="stripe_key_mode_mismatch",
            param="publishable_key",
        )


def _check_api_base(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if app_settings().is_production:
        raise ValidationFailed("api_base may not be set in production.", code="api_base_not_allowed", param="api_base")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationFailed("api_base must be an http(s) URL.", code="invalid_api_base", param="api_base")
    if not _is_development_stripe(parts.hostname or ""):
        # The API calls this address with the practice's secret key: anything but a stand-in on
        # this machine (or the compose dev profile's) would let an admin aim those calls elsewhere.
        raise ValidationFailed(
            "api_base may only name a loopback address or the compose dev profile's localstripe.",
            code="api_base_not_allowed",
            param="api_base",
        )
    return value.rstrip("/")


# --- What the admin sees ---

_RECONCILIATION_NOTE = "Until then, payments are kept in step by reconciliation with Stripe (every five minutes)."


def _problem_message(code: str, group: Group) -> str:
    url = webhook_url(group.id)
    if code == WEBHOOK_URL_NOT_PUBLIC:
        return (
            f"Stripe could not create the webhook endpoint: it cannot reach {url} from the internet. "
            "Webhooks need a public receiver URL: set CLINICPAY_PUBLIC_WEBHOOK_BASE_URL to the receiver's "
            "public https address and connect again — or create the endpoint in Stripe yourself and paste "
            f"its signing secret (whsec_…). {_RECONCILIATION_NOTE}"
        )
    if code == WEBHOOK_PERMISSION_MISSING:
        return (
            "This restricted key may not manage webhook endpoints: it needs write access to "
            "'Webhook Endpoints' (Developers › API keys › edit the key). Give it that permission and "
            f"connect again — or add an endpoint for {url} in Stripe (Developers › Webhooks) and paste "
            f"its signing secret (whsec_…). {_RECONCILIATION_NOTE}"
        )
    if code == WEBHOOK_ENDPOINT_REFUSED:
        return (
            "Stripe refused to create the webhook endpoint. Connect again later, or create the endpoint "
            f"for {url} in Stripe yourself and paste its signing secret (whsec_…). {_RECONCILIATION_NOTE}"
        )
    domain = portal_domain()
    if code == DOMAIN_NOT_PUBLIC:
        return (
            f"Apple Pay, Google Pay and Link need the portal on a public domain; Stripe cannot register "
            f"{domain!r} (set CLINICPAY_PUBLIC_PORTAL_URL to the portal's public address and connect again). "
            "Cards and bank debits work without it."
        )
    if code == DOMAIN_PERMISSION_MISSING:
        return (
            "This restricted key may not register the portal's domain: it needs write access to "
            "'Payment Method Domains'. Apple Pay, Google Pay and Link stay off until then; cards and bank "
            "debits work without it."
        )
    return (
        f"Stripe refused to register the portal's domain {domain!r}; Apple Pay, Google Pay and Link stay off. "
        "Cards and bank debits work without it."
    )


def _problem(code: str | None, group: Group) -> ConnectionProblemOut | None:
    return ConnectionProblemOut(code=code, message=_problem_message(code, group)) if code else None


WebhookMode = Literal["endpoint", "pasted", "none"]


def _webhook_mode(group: Group) -> WebhookMode:
    if group.stripe_webhook_endpoint_id:
        return "endpoint"
    if group.stripe_webhook_secret_encrypted is not None:
        return "pasted"
    return "none"


# The host names the compose `dev` profile gives its Stripe stand-in (docker-compose.yml).
DEVELOPMENT_STRIPE_HOSTS = frozenset({"localstripe", "localhost"})


def _is_development_stripe(host: str) -> bool:
    if host.lower() in DEVELOPMENT_STRIPE_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def describe(group: Group) -> StripeConnectionOut:
    return StripeConnectionOut(
        publishable_key=group.stripe_publishable_key,
        secret_key_last4=group.stripe_secret_key_last4,
        webhook_secret_set=group.stripe_webhook_secret_encrypted is not None,
        webhook_url=webhook_url(group.id),
        webhook_mode=_webhook_mode(group) if group.stripe_connected else "none",
        webhook_endpoint_id=group.stripe_webhook_endpoint_id,
        webhook_problem=_problem(group.stripe_webhook_problem, group) if group.stripe_connected else None,
        api_version=pinned_api_version(),
        payment_method_domain=portal_domain() if group.stripe_payment_method_domain_id else None,
        payment_method_domain_problem=_problem(group.stripe_payment_method_domain_problem, group)
        if group.stripe_connected
        else None,
        connected=group.stripe_connected,
        connected_at=group.stripe_connected_at,
        livemode=(_mode(group.stripe_publishable_key) == "live") if group.stripe_publishable_key else None,
    )


# --- Connecting ---


@dataclass(frozen=True)
class _Previous:
    """What the group was connected with before this change (to clean up what it leaves behind)."""

    secret_key: str | None
    api_base: str | None
    endpoint_id: str | None

    @classmethod
    def of(cls, group: Group) -> _Previous:
        key = decrypt_secret(group.stripe_secret_key_encrypted) if group.stripe_secret_key_encrypted else None
        return cls(key, api_base_for(group) if key else None, group.stripe_webhook_endpoint_id)

    def gateway(self) -> StripeGateway | None:
        return StripeGateway(self.secret_key, self.api_base or default_api_base()) if self.secret_key else None


def connect(session: Session, actor: Actor, data: StripeConnectionIn) -> Group:
    """Check the secret key (a refused key saves nothing), save the keys, then make what Stripe
    needs for webhooks and wallets; their refusals are recorded, not raised."""
    check_shapes(data)
    api_base = _check_api_base(data.api_base)
    repo = GroupRepository.from_session(session)
    repo.get(actor)
    gateway = StripeGateway(data.secret_key, api_base or default_api_base())
    gateway.check_secret_key()

    group = repo.get_for_update(actor)
    previous = _Previous.of(group)
    reconnected = group.stripe_connected
    group.stripe_secret_key_encrypted = encrypt_secret(data.secret_key)
    group.stripe_secret_key_last4 = data.secret_key[-4:]
    group.stripe_publishable_key = data.publishable_key
    group.stripe_api_base = api_base
    group.stripe_connected_at = datetime.now(UTC)
    if data.webhook_secret is not None:
        _use_pasted_secret(group, data.webhook_secret, previous)
    else:
        _ensure_webhook_endpoint(group, gateway, previous, same_account=previous.secret_key == data.secret_key)
    _ensure_portal_domain(group, gateway)
    session.flush()
    audit: dict[str, object] = {
        "publishable_key": data.publishable_key,
        "secret_key_last4": group.stripe_secret_key_last4,
        "webhook_mode": _webhook_mode(group),
        "webhook_endpoint_id": group.stripe_webhook_endpoint_id,
        "webhook_problem": group.stripe_webhook_problem,
        "payment_method_domain_problem": group.stripe_payment_method_domain_problem,
        "reconnected": reconnected,
    }
    if api_base:
        audit["api_base"] = api_base
    record(session, actor, "stripe.connected", "group", group.id, data=audit)
    log.info(
        "stripe_connected",
        group_id=str(group.id),
        secret_key_last4=group.stripe_secret_key_last4,
        webhook_mode=_webhook_mode(group),
        webhook_problem=group.stripe_webhook_problem,
    )
    return group


def refresh_webhook_endpoint(session: Session, actor: Actor, group_id: uuid.UUID) -> Group:
    """Make the group's endpoint again when Stripe no longer has it (the stand-in forgets everything on
    each start of the dev stack; PostgreSQL remembers the endpoint). A pasted secret is left alone."""
    repo = GroupRepository.from_session(session)
    group = repo.get_for_update(group_id)
    if not group.stripe_connected or _webhook_mode(group) == "pasted":
        return group
    previous = _Previous.of(group)
    gateway = previous.gateway()
    if gateway is None:
        return group
    before = group.stripe_webhook_endpoint_id
    _ensure_webhook_endpoint(group, gateway, previous, same_account=True)
    if group.stripe_payment_method_domain_id is None and group.stripe_payment_method_domain_problem is None:
        _ensure_portal_domain(group, gateway)
    session.flush()
    if group.stripe_webhook_endpoint_id != before:
        record(
            session,
            actor,
            "stripe.webhook_endpoint_replaced",
            "group",
            group.id,
            data={"from": before, "to": group.stripe_webhook_endpoint_id, "problem": group.stripe_webhook_problem},
        )
    return group


def _use_pasted_secret(group: Group, webhook_secret: str, previous: _Previous) -> None:
    """The fallback: the admin made the endpoint in Stripe. Any endpoint we made before goes."""
    group.stripe_webhook_secret_encrypted = encrypt_secret(webhook_secret)
    group.stripe_webhook_endpoint_id = None
    group.stripe_webhook_problem = None
    _delete_endpoint_quietly(previous.gateway(), previous.endpoint_id, group)


def _ensure_webhook_endpoint(group: Group, gateway: StripeGateway, previous: _Previous, *, same_account: bool) -> None:
    url, events, version = webhook_url(group.id), handled_event_types(), pinned_api_version()
    if same_account and previous.endpoint_id and group.stripe_webhook_secret_encrypted is not None:
        kept = _keep_endpoint(gateway, previous.endpoint_id, url, events, version)
        if kept:
            group.stripe_webhook_problem = None
            return
    # Idempotency keys are per account; ours names the group, the endpoint it replaces and the key's digest.
    key_tag = hashlib.sha256(f"{gateway.api_base}|{gateway.key_digest}".encode()).hexdigest()[:16]
    try:
        endpoint = gateway.create_webhook_endpoint(
            url=url,
            enabled_events=events,
            api_version=version,
            idempotency_key=f"we-create-{group.id}-{previous.endpoint_id or 'first'}-{key_tag}",
        )
    except stripe.PermissionError:
        _webhooks_off(group, WEBHOOK_PERMISSION_MISSING, previous)
        return
    except stripe.InvalidRequestError as exc:
        code = WEBHOOK_URL_NOT_PUBLIC if exc.param == "url" else WEBHOOK_ENDPOINT_REFUSED
        log.warning("webhook_endpoint_refused", group_id=str(group.id), stripe_code=exc.code, param=exc.param)
        _webhooks_off(group, code, previous)
        return
    if not endpoint.secret:
        _webhooks_off(group, WEBHOOK_ENDPOINT_REFUSED, previous)
        return
    group.stripe_webhook_secret_encrypted = encrypt_secret(endpoint.secret)
    group.stripe_webhook_endpoint_id = endpoint.id
    group.stripe_webhook_problem = None
    log.info("webhook_endpoint_created", group_id=str(group.id), webhook_endpoint=endpoint.id)
    if previous.endpoint_id and previous.endpoint_id != endpoint.id:
        _delete_endpoint_quietly(previous.gateway(), previous.endpoint_id, group)


def _keep_endpoint(gateway: StripeGateway, endpoint_id: str, url: str, events: list[str], version: str) -> bool:
    """True when our endpoint still exists at Stripe at our version (brought up to date if its URL or
    events drifted); False when it must be made again."""
    try:
        endpoint = gateway.retrieve_webhook_endpoint(endpoint_id)
    except stripe.InvalidRequestError:
        return False  # gone (deleted in the Dashboard, or a stand-in that restarted)
    except stripe.PermissionError:
        return False
    if endpoint.api_version != version:
        return False  # the version of an endpoint cannot be changed: make a new one
    if endpoint.url != url or sorted(endpoint.enabled_events or []) != events or endpoint.status != "enabled":
        gateway.update_webhook_endpoint(endpoint_id, url=url, enabled_events=events)
    return True


def _webhooks_off(group: Group, problem: str, previous: _Previous) -> None:
    group.stripe_webhook_secret_encrypted = None
    group.stripe_webhook_endpoint_id = None
    group.stripe_webhook_problem = problem
    log.warning("webhooks_not_set_up", group_id=str(group.id), problem=problem)
    if previous.endpoint_id:
        _delete_endpoint_quietly(previous.gateway(), previous.endpoint_id, group)


def _delete_endpoint_quietly(gateway: StripeGateway | None, endpoint_id: str | None, group: Group) -> bool:
    """Tidy up an endpoint we no longer use. Failing to is logged, never fatal: the receiver refuses
    its deliveries (no secret matches), and Stripe disables an endpoint that keeps failing."""
    if gateway is None or not endpoint_id:
        return True
    try:
        gateway.delete_webhook_endpoint(endpoint_id)
    except stripe.InvalidRequestError:
        return True  # already gone
    except (StripeUnavailable, stripe.StripeError) as exc:
        log.warning(
            "webhook_endpoint_left_behind",
            group_id=str(group.id),
            webhook_endpoint=endpoint_id,
            error_type=type(exc).__name__,
        )
        return False
    log.info("webhook_endpoint_deleted", group_id=str(group.id), webhook_endpoint=endpoint_id)
    return True


def _ensure_portal_domain(group: Group, gateway: StripeGateway) -> None:
    domain = portal_domain()
    try:
        registered = gateway.ensure_payment_method_domain(domain, idempotency_key=f"pmd-{group.id}-{domain}")
    except stripe.PermissionError:
        group.stripe_payment_method_domain_id, group.stripe_payment_method_domain_problem = (
            None,
            DOMAIN_PERMISSION_MISSING,
        )
        return
    except stripe.InvalidRequestError as exc:
        problem = DOMAIN_NOT_PUBLIC if exc.param == "domain_name" else DOMAIN_REFUSED
        log.warning("payment_method_domain_refused", group_id=str(group.id), stripe_code=exc.code, param=exc.param)
        group.stripe_payment_method_domain_id, group.stripe_payment_method_domain_problem = None, problem
        return
    group.stripe_payment_method_domain_id = registered.id
    group.stripe_payment_method_domain_problem = None


# --- Disconnecting ---


def disconnect(session: Session, actor: Actor) -> Group:
    """Forget the keys and delete our webhook endpoint. Card payments stop; invoices and manual payments
    carry on. (The portal's domain registration stays: it is the account's, harmless, and may serve others.)"""
    group = GroupRepository.from_session(session).get_for_update(actor)
    was_connected = group.stripe_connected
    previous = _Previous.of(group)
    deleted = _delete_endpoint_quietly(previous.gateway(), previous.endpoint_id, group)
    group.stripe_secret_key_encrypted = None
    group.stripe_secret_key_last4 = None
    group.stripe_webhook_secret_encrypted = None
    group.stripe_webhook_endpoint_id = None
    group.stripe_webhook_problem = None
    group.stripe_payment_method_domain_id = None
    group.stripe_payment_method_domain_problem = None
    group.stripe_publishable_key = None
    group.stripe_api_base = None
    group.stripe_connected_at = None
    session.flush()
    if was_connected:
        data: dict[str, object] = {"webhook_endpoint_deleted": deleted}
        if not deleted:
            data["webhook_endpoint_left"] = previous.endpoint_id
        record(session, actor, "stripe.disconnected", "group", group.id, data=data)
        log.info("stripe_disconnected", group_id=str(group.id), webhook_endpoint_deleted=deleted)
    return group
