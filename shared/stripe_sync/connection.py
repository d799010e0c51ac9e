"""A practice's Stripe connection: checked against Stripe before saving, secrets encrypted at rest.

The secret key and the webhook signing secret are stored only as MultiFernet tokens
(shared.security.secrets) and are never returned, logged or written to the audit trail:
admins see the last four characters of the key and whether a webhook secret is set.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from shared.audit.service import Actor, record
from shared.config import app_settings
from shared.errors import ValidationFailed
from shared.groups.models import Group
from shared.groups.repository import GroupRepository
from shared.logging import get_logger
from shared.security.secrets import encrypt_secret
from shared.stripe_sync.gateway import StripeGateway, default_api_base
from shared.stripe_sync.schemas import StripeConnectionIn, StripeConnectionOut

log = get_logger(__name__)

_SECRET_KEY = re.compile(r"^(sk|rk)_[A-Za-z0-9_]{4,}$")
_PUBLISHABLE_KEY = re.compile(r"^pk_[A-Za-z0-9_]{4,}$")
_WEBHOOK_SECRET = re.compile(r"^whsec_[A-Za-z0-9+/=_-]{4,}$")


def webhook_url(group_id: object) -> str:
    return f"{app_settings().public_webhook_base_url.rstrip('/')}/v1/stripe/webhooks/{group_id}"


def _mode(key: str) -> str | None:
    if "_live_" in key:
        return "live"
    if "_test_" in key:
        return "test"
    return None


def check_shapes(data: StripeConnectionIn) -> None:
    """Catch the usual paste mistakes (swapped keys, a key from the wrong row) before calling Stripe."""
    if not _SECRET_KEY.match(data.secret_key):
        raise ValidationFailed("The secret key starts with sk_ (or rk_ for a restricted key).",
                               code="invalid_secret_key", param="secret_key")
    if not _PUBLISHABLE_KEY.match(data.publishable_key):
        raise ValidationFailed("The publishable key starts with pk_.", code="invalid_publishable_key",
                               param="publishable_key")
    if not _WEBHOOK_SECRET.match(data.webhook_secret):
        raise ValidationFailed("The webhook signing secret starts with whsec_ (Developers > Webhooks > "
                               "your endpoint > Signing secret).", code="invalid_webhook_secret",
                               param="webhook_secret")
    secret_mode, publishable_mode = _mode(data.secret_key), _mode(data.publishable_key)
    if secret_mode and publishable_mode and secret_mode != publishable_mode:
        raise ValidationFailed("The secret and publishable keys are from different modes (test and live). "
                               "Use both keys from the same mode.", code="stripe_key_mode_mismatch",
                               param="publishable_key")


def _check_api_base(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if app_settings().is_production:
        raise ValidationFailed("api_base may not be set in production.", code="api_base_not_allowed",
                               param="api_base")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationFailed("api_base must be an http(s) URL.", code="invalid_api_base", param="api_base")
    return value.rstrip("/")


def describe(group: Group) -> StripeConnectionOut:
    return StripeConnectionOut(
        publishable_key=group.stripe_publishable_key,
        secret_key_last4=group.stripe_secret_key_last4,
        webhook_secret_set=group.stripe_webhook_secret_encrypted is not None,
        webhook_url=webhook_url(group.id),
        connected=group.stripe_connected,
        connected_at=group.stripe_connected_at,
        livemode=(_mode(group.stripe_publishable_key) == "live") if group.stripe_publishable_key else None,
    )


def connect(session: Session, actor: Actor, data: StripeConnectionIn) -> Group:
    """Check the secret key against Stripe (a refused key saves nothing), then store the connection."""
    check_shapes(data)
    api_base = _check_api_base(data.api_base)
    repo = GroupRepository.from_session(session)
    repo.get(actor.group_id)
    StripeGateway(data.secret_key, api_base or default_api_base()).check_secret_key()

    group = repo.get_for_update(actor.group_id)
    reconnected = group.stripe_connected
    group.stripe_secret_key_encrypted = encrypt_secret(data.secret_key)
    group.stripe_secret_key_last4 = data.secret_key[-4:]
    group.stripe_webhook_secret_encrypted = encrypt_secret(data.webhook_secret)
    group.stripe_publishable_key = data.publishable_key
    group.stripe_api_base = api_base
    group.stripe_connected_at = datetime.now(UTC)
    session.flush()
    audit = {"publishable_key": data.publishable_key, "secret_key_last4": group.stripe_secret_key_last4,
             "webhook_secret_set": True, "reconnected": reconnected}
    if api_base:
        audit["api_base"] = api_base
    record(session, actor, "stripe.connected", "group", group.id, data=audit)
    log.info("stripe_connected", group_id=str(group.id), secret_key_last4=group.stripe_secret_key_last4)
    return group


def disconnect(session: Session, actor: Actor) -> Group:
    """Forget the keys. Card payments stop; invoices and manual payments carry on."""
    group = GroupRepository.from_session(session).get_for_update(actor.group_id)
    was_connected = group.stripe_connected
    group.stripe_secret_key_encrypted = None
    group.stripe_secret_key_last4 = None
    group.stripe_webhook_secret_encrypted = None
    group.stripe_publishable_key = None
    group.stripe_api_base = None
    group.stripe_connected_at = None
    session.flush()
    if was_connected:
        record(session, actor, "stripe.disconnected", "group", group.id)
        log.info("stripe_disconnected", group_id=str(group.id))
    return group
