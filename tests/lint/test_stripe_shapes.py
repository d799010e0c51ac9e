"""clinicpay's schema of what it reads of a PaymentIntent (shared/stripe_sync/shapes.py) matches the
pinned SDK's own declaration of the object: every field exists, each may hold no value ours cannot
(None included), and the statuses are exactly the SDK's. An SDK upgrade that changes one fails here."""

from __future__ import annotations

import types
import typing
from typing import Any, ForwardRef

import pytest
import stripe

from shared.stripe_sync.shapes import LastPaymentErrorData, PaymentIntentData


def _annotations(cls: type) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        found.update(getattr(klass, "__annotations__", {}))
    return found


def _kinds(annotation: Any) -> set[str]:
    """What a value of this type may be, coarsely: str, int, bool, None, or object (a nested object)."""
    if annotation is None or annotation is type(None):
        return {"None"}
    if annotation in (str, int, bool):
        return {annotation.__name__}
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return {type(v).__name__ for v in typing.get_args(annotation)}
    if origin in (typing.Union, types.UnionType):
        return set().union(*(_kinds(a) for a in typing.get_args(annotation)))
    if origin is typing.NotRequired:
        return _kinds(typing.get_args(annotation)[0])
    if isinstance(annotation, ForwardRef | str) or origin is dict:
        return {"object"}
    for klass in (annotation, origin):  # the SDK's objects (UntypedStripeObject[str] too), our TypedDicts
        if isinstance(klass, type) and issubclass(klass, dict | stripe.StripeObject):
            return {"object"}
    raise AssertionError(f"unknown annotation {annotation!r}")


def _literal_values(annotation: Any) -> set[str]:
    if typing.get_origin(annotation) is typing.Literal:
        return set(typing.get_args(annotation))
    return (
        set().union(*(_literal_values(a) for a in typing.get_args(annotation)))
        if typing.get_args(annotation)
        else set()
    )


OURS_AND_THE_SDKS = [
    (PaymentIntentData, stripe.PaymentIntent),
    (LastPaymentErrorData, stripe.PaymentIntent.LastPaymentError),
]


@pytest.mark.parametrize(("ours", "sdk"), OURS_AND_THE_SDKS, ids=lambda c: c.__qualname__)
def test_every_field_we_read_is_declared_by_the_sdk_with_values_we_accept(ours, sdk):
    declared = _annotations(sdk)
    hints = typing.get_type_hints(ours)
    for field, our_type in hints.items():
        assert field in declared, f"{sdk.__qualname__} has no {field!r} in stripe=={stripe.VERSION}"
        missing = _kinds(declared[field]) - _kinds(our_type)
        assert not missing, f"{field}: the SDK allows {missing} that {ours.__name__} does not"


def test_the_statuses_we_know_are_exactly_the_sdks():
    ours = set(typing.get_args(typing.get_type_hints(PaymentIntentData)["status"]))
    assert ours == _literal_values(_annotations(stripe.PaymentIntent)["status"])


def test_the_check_itself_notices_a_difference():
    class Narrower(typing.TypedDict, total=False):
        client_secret: str  # the SDK's may be None

    class Unknown(typing.TypedDict, total=False):
        charges: dict[str, Any]  # PaymentIntent.charges: gone since 2022-11-15

    with pytest.raises(AssertionError, match="does not"):
        test_every_field_we_read_is_declared_by_the_sdk_with_values_we_accept(Narrower, stripe.PaymentIntent)
    with pytest.raises(AssertionError, match="has no 'charges'"):
        test_every_field_we_read_is_declared_by_the_sdk_with_values_we_accept(Unknown, stripe.PaymentIntent)
