"""Events Stripe emitted whose webhook never arrived: listed by GET /v1/events, delivered to no one.

`POST /_standin/events {"type": "charge.refunded", "object_id": "ch_…"}` records an event carrying
the stand-in's own object as it is now (a Charge, Refund or PaymentIntent localstripe holds), or
`{"type": …, "object": {…}}` one carrying the object given (a dispute: localstripe has none). The
answer is the event as GET /v1/events lists it. Reconciliation's catch-up is tested with these:
the endpoint was down, the event is only in Stripe's list.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from localstripe.resources import Charge, Event, PaymentIntent, Refund

from . import pinned
from .routing import Call, Routes, json_response, stripe_error

_BY_PREFIX = {"ch_": Charge, "py_": Charge, "re_": Refund, "pi_": PaymentIntent}


class _Given:
    """An object given whole, as localstripe's Event takes its object (anything with `_export`)."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body

    def _export(self) -> dict[str, Any]:
        return self.body


async def _record(call: Call) -> web.StreamResponse:
    event_type, object_id, given = call.data.get("type"), call.data.get("object_id"), call.data.get("object")
    if not isinstance(event_type, str) or not event_type:
        return stripe_error(400, "Give type.", param="type")
    if isinstance(object_id, str):
        kind = next((cls for prefix, cls in _BY_PREFIX.items() if object_id.startswith(prefix)), None)
        if kind is None:
            return stripe_error(400, f"No stand-in object for {object_id!r}.", param="object_id")
        obj: Any = kind._api_retrieve(object_id)
    elif isinstance(given, dict) and isinstance(given.get("object"), str):
        obj = _Given(given)
    else:
        return stripe_error(400, "Give object_id or object.", param="object")
    event = Event(event_type, obj)  # stored, so listed; not scheduled, so never delivered
    return json_response(pinned.event_envelope(event._export()))


def register(routes: Routes) -> None:
    routes.add("POST", "/_standin/events", _record, auth="none")
