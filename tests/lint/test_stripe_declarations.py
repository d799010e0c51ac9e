"""What clinicpay sends Stripe as plain strings is one of the values the pinned SDK declares.

The webhook endpoint's `api_version` and `enabled_events` are Literals in the SDK's typed params, but
ours are str (the pinned version is `stripe.api_version`, the event types are our handlers' keys), so
shared/stripe_sync/gateway.py keeps a narrow `type: ignore` on each; this test stands in for mypy there.
The version clinicpay is written against is the pinned SDK's, and the README says which it is."""

from __future__ import annotations

import typing

import stripe

from shared.stripe_sync.api_version import pinned_api_version
from shared.stripe_sync.connection import handled_event_types
from tests.stack import REPO_ROOT


def _literals(annotation: object) -> set[str]:
    if typing.get_origin(annotation) is typing.Literal:
        return {str(v) for v in typing.get_args(annotation)}
    found: set[str] = set()
    for arg in typing.get_args(annotation):
        found |= _literals(arg)
    return found


def _declared(params: type, key: str) -> set[str]:
    # The key's own annotation (typing.get_type_hints would also resolve RequestOptions' forward refs).
    return _literals(params.__annotations__[key])


def test_the_pinned_version_is_the_sdks_and_one_an_endpoint_may_be_made_with():
    assert pinned_api_version() == stripe.api_version == stripe._api_version._ApiVersion.CURRENT
    assert pinned_api_version() in _declared(stripe.params.WebhookEndpointCreateParams, "api_version")


def test_every_event_type_we_subscribe_to_is_one_stripe_declares():
    for params in (stripe.params.WebhookEndpointCreateParams, stripe.params.WebhookEndpointUpdateParams):
        declared = _declared(params, "enabled_events")
        assert len(declared) > 100  # the SDK's list itself, not an empty reading of it
        assert set(handled_event_types()) <= declared, set(handled_event_types()) - declared


def test_the_readme_names_the_pinned_version_and_how_to_upgrade():
    readme = (REPO_ROOT / "README.md").read_text()
    assert f"`{pinned_api_version()}`" in readme
    assert f"stripe=={stripe.VERSION}" in readme and "make lint" in readme
