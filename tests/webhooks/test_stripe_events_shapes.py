"""The events our tests build are in the pinned API version's shapes, as the pinned SDK declares them:
a builder drifting back to an old shape (an embedded refunds list, an expanded object, a field the
version dropped) fails here rather than testing handlers against a Stripe that no longer exists."""

from __future__ import annotations

import importlib
import inspect
import typing
from typing import Any

import pytest
import stripe
from stripe._object_classes import OBJECT_CLASSES
from stripe._stripe_object import StripeObject

from tests.stripe_events import OLD_API_VERSION, PINNED_API_VERSION, charge, dispute, event, payment_intent, refund


def _declared(object_name: str) -> tuple[set[str], set[str]]:
    """(fields, expandable fields) of the SDK's class for `object_name`."""
    module_name, class_name = OBJECT_CLASSES[object_name]
    cls = getattr(importlib.import_module(module_name), class_name)
    hints: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        hints.update(getattr(klass, "__annotations__", {}))
    fields = {k for k, v in hints.items() if k.islower() and not k.startswith("_") and "ClassVar" not in repr(v)}

    def expandable(hint: Any) -> bool:
        args = typing.get_args(hint)
        return str in args and any(
            isinstance(a, typing.ForwardRef) or (inspect.isclass(a) and issubclass(a, StripeObject)) for a in args
        )

    return fields, {k for k in fields if expandable(hints[k])}


def _check(obj: dict[str, Any]) -> None:
    fields, expandable = _declared(obj["object"])
    assert set(obj) <= fields, f"{obj['object']}: not in {PINNED_API_VERSION}: {sorted(set(obj) - fields)}"
    for key in expandable & set(obj):
        assert obj[key] is None or isinstance(obj[key], str), f"{obj['object']}.{key} must be an id unless expanded"


BUILT = {
    "payment_intent": lambda: payment_intent(amount=1_000, status="succeeded", latest_charge="ch_x"),
    "refund": lambda: refund(amount=500, payment_intent="pi_x"),
    "charge": lambda: charge(amount=1_000, payment_intent="pi_x"),
    "dispute": lambda: dispute(amount=1_000, payment_intent="pi_x"),
}


@pytest.mark.parametrize("name", sorted(BUILT))
def test_each_builder_makes_the_pinned_versions_object(name):
    obj = BUILT[name]()
    _check(obj)
    envelope = event(f"{name}.updated", obj)
    assert envelope["api_version"] == PINNED_API_VERSION == stripe.api_version
    assert set(envelope) <= _declared("event")[0]


def test_the_charge_builder_embeds_refunds_only_for_an_old_version_on_purpose():
    assert "refunds" not in charge(amount=1_000, payment_intent="pi_x")
    old = charge(amount=1_000, payment_intent="pi_x", refunds=[refund(amount=100, payment_intent="pi_x")])
    assert old["refunds"]["total_count"] == 1
    assert OLD_API_VERSION != PINNED_API_VERSION
