"""The stand-in answers as the API version the pinned SDK sends, not as localstripe (Stripe around 2019):
a handler written against the old shapes fails here as it would on today's Stripe, and a request
today's Stripe refuses is refused here, in Stripe's error shape, changing nothing."""

from __future__ import annotations

import uuid

import httpx
import pytest
import stripe
from sqlalchemy import select

from shared.db.engine import session_scope
from shared.stripe_sync.gateway import StripeGateway
from shared.stripe_sync.models import StripeEvent
from tests.conftest import poll_until

SECRET_KEY = "sk_test_pinned0001"


def _client(localstripe) -> stripe.StripeClient:
    # Straight to the stand-in, past the recording hop: these requests are the test's own (some send
    # what clinicpay never does, on purpose), and the recorder's allow-list judges only what our
    # servers send to Stripe (tests/security/test_zz_no_secrets_leak.py).
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": localstripe.direct_url}, max_network_retries=0)


def _paid(client: stripe.StripeClient, amount: int = 2_000, **extra) -> stripe.PaymentIntent:
    pi = client.v1.payment_intents.create(
        params={
            "amount": amount,
            "currency": "usd",
            "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
            "allowed_payment_method_types": ["card"],
            "metadata": {"payment_id": str(uuid.uuid4())},
            **extra,
        }
    )
    token = client.v1.test_helpers.confirmation_tokens.create(params={"payment_method": "pm_card_visa"})
    pi = client.v1.payment_intents.confirm(pi.id, params={"confirmation_token": token.id})
    assert pi.status == "succeeded"
    return pi


def _legacy_first_charge(pi: dict) -> str:
    """How a handler read the charge before 2022-11-15."""
    return pi["charges"]["data"][0]["id"]


def _legacy_refunds(charge: dict) -> list:
    return charge["refunds"]["data"]


def test_a_payment_intent_has_no_charges_and_its_latest_charge_is_an_id(localstripe):
    client = _client(localstripe)
    pi = _paid(client)
    with pytest.raises(AttributeError):
        pi.charges  # noqa: B018 — the SDK object has no such field at the pinned version
    read = StripeGateway(SECRET_KEY, localstripe.url).retrieve_payment_intent(pi.id)
    with pytest.raises(KeyError):
        _legacy_first_charge(read)
    assert isinstance(read["latest_charge"], str) and read["latest_charge"].startswith("ch_")

    expanded = client.v1.payment_intents.retrieve(pi.id, params={"expand": ["latest_charge"]})
    charge = expanded.to_dict()["latest_charge"]
    assert charge["id"] == read["latest_charge"] and charge["payment_intent"] == pi.id
    assert isinstance(charge["balance_transaction"], str)  # expandable, not expanded: an id


def test_a_charge_embeds_its_refunds_only_when_expanded(localstripe):
    client = _client(localstripe)
    pi = _paid(client, 3_000)
    refund = client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 1_000})
    charge_id = pi.latest_charge
    assert isinstance(charge_id, str)

    plain = client.v1.charges.retrieve(charge_id).to_dict()
    assert "refunds" not in plain and plain["amount_refunded"] == 1_000
    with pytest.raises(KeyError):
        _legacy_refunds(plain)
    expanded = client.v1.charges.retrieve(charge_id, params={"expand": ["refunds"]}).to_dict()
    assert [r["id"] for r in _legacy_refunds(expanded)] == [refund.id]


def test_events_listed_and_delivered_carry_the_pinned_version_and_shapes(localstripe, paying, webhooks_to):
    webhooks_to(paying)
    client = stripe.StripeClient(
        paying.keys.secret_key, base_addresses={"api": localstripe.direct_url}, max_network_retries=0
    )
    pi = _paid(client, 2_200, metadata={"group_id": paying.practice.group_id})

    (listed,) = client.v1.events.list(params={"type": "payment_intent.succeeded"}).data
    assert listed.api_version == stripe.api_version
    obj = listed.to_dict()["data"]["object"]
    assert obj["id"] == pi.id and "charges" not in obj and isinstance(obj["latest_charge"], str)

    payload = poll_until(
        lambda: _stored_payload(uuid.UUID(paying.practice.group_id), listed.id),
        message="the stand-in to deliver payment_intent.succeeded",
    )
    assert payload["api_version"] == stripe.api_version
    assert "charges" not in payload["data"]["object"] and isinstance(payload["data"]["object"]["latest_charge"], str)


def _stored_payload(group_id: uuid.UUID, stripe_event_id: str) -> dict | None:
    """The event as the receiver stored it: the body the stand-in delivered."""
    with session_scope() as session:
        return session.scalar(
            select(StripeEvent.payload).where(
                StripeEvent.group_id == group_id, StripeEvent.stripe_event_id == stripe_event_id
            )
        )


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/payment_intents", {"amount": 1_000, "currency": "usd", "payment_method_types": ["card"]}),
        ("/v1/setup_intents", {"payment_method_types": ["card"]}),
    ],
)
def test_payment_method_types_is_refused_as_the_pinned_version_refuses_it(localstripe, path, params):
    client = _client(localstripe)
    before = len(client.v1.payment_intents.list().data)
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.raw_request("post", path, **params)
    assert refused.value.http_status == 400
    assert refused.value.code == "payment_method_types_no_longer_supported"
    assert refused.value.param == "payment_method_types"
    assert len(client.v1.payment_intents.list().data) == before  # nothing was made


def test_payment_method_types_is_refused_on_update_too(localstripe):
    client = _client(localstripe)
    pi = client.v1.payment_intents.create(params={"amount": 1_500, "currency": "usd"})
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.raw_request("post", f"/v1/payment_intents/{pi.id}", payment_method_types=["card"])
    assert refused.value.code == "payment_method_types_no_longer_supported"


def test_an_unknown_parameter_gets_stripes_error_shape_and_changes_nothing(localstripe):
    r = httpx.post(
        f"{localstripe.direct_url}/v1/customers",
        auth=(SECRET_KEY, ""),
        data={"name": "Ann", "favourite_colour": "teal"},
        timeout=10,
    )
    assert r.status_code == 400
    assert r.json() == {
        "error": {
            "type": "invalid_request_error",
            "code": "parameter_unknown",
            "param": "favourite_colour",
            "message": "Received unknown parameter: favourite_colour",
        }
    }
    client = _client(localstripe)
    assert client.v1.customers.list().data == []
    with pytest.raises(stripe.InvalidRequestError) as nested:
        client.raw_request(
            "post",
            "/v1/payment_intents",
            amount=1_000,
            currency="usd",
            automatic_payment_methods={"enabled": True, "redirects": "never"},
        )
    assert (nested.value.code, nested.value.param) == ("parameter_unknown", "automatic_payment_methods[redirects]")


def test_a_route_stripe_has_but_the_stand_in_lacks_answers_in_stripes_shape(localstripe):
    with pytest.raises(stripe.InvalidRequestError) as missing:
        _client(localstripe).v1.disputes.retrieve("dp_nothere")
    assert missing.value.http_status == 404


def test_what_the_pinned_version_takes_and_localstripe_refuses_is_accepted(localstripe):
    client = _client(localstripe)
    token = client.v1.test_helpers.confirmation_tokens.create(params={"payment_method": "pm_card_visa"})
    pi = client.v1.payment_intents.create(
        params={
            "amount": 1_800,
            "currency": "usd",
            "automatic_payment_methods": {"enabled": True},
            "confirm": True,
            "confirmation_token": token.id,
            "return_url": "https://portal.example/return",
            "receipt_email": "client@example.com",
        }
    )
    assert pi.status == "succeeded"
    later = client.v1.payment_intents.create(
        params={"amount": 900, "currency": "usd", "payment_method": "pm_card_visa", "setup_future_usage": "off_session"}
    )
    confirmed = client.v1.payment_intents.confirm(later.id, params={"return_url": "https://portal.example/return"})
    assert confirmed.status == "succeeded"
    setup = client.v1.setup_intents.create(params={"automatic_payment_methods": {"enabled": True}})
    assert setup.status == "requires_payment_method"
