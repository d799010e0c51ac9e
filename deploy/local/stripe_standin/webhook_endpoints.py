"""/v1/webhook_endpoints: create, retrieve, update, delete, list — and deliveries to them.

The create answer carries the signing `secret` (only the create answer, as at Stripe). Every event
goes to every registered endpoint whose `enabled_events` include its type (`*` for all), signed
`t=…,v1=…` with that endpoint's secret, in the pinned version's shapes (`pinned`), stamped with the
endpoint's `api_version` when it pins one, else the pinned one.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import secrets
import time
from typing import Any

import aiohttp
from aiohttp import web
from localstripe import webhooks as localstripe_webhooks

from . import access, pinned
from .routing import Call, Routes, json_response, stripe_error

ENDPOINTS: dict[str, dict[str, Any]] = {}
_SECRETS: dict[str, str] = {}
log = logging.getLogger("aiohttp.access")


def _public(endpoint: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in endpoint.items() if k != "secret"}


def _events_of(data: dict[str, Any]) -> list[str] | None:
    events = data.get("enabled_events")
    if isinstance(events, str):
        events = [events]
    if not isinstance(events, list) or not events or not all(isinstance(e, str) and e for e in events):
        return None
    return events


def _register(endpoint: dict[str, Any]) -> None:
    events = endpoint["enabled_events"]
    localstripe_webhooks.register_webhook(
        endpoint["id"], endpoint["url"], _SECRETS[endpoint["id"]], None if "*" in events else list(events)
    )


def forget_all() -> None:
    for endpoint_id in list(ENDPOINTS):
        _unregister(endpoint_id)
    ENDPOINTS.clear()
    _SECRETS.clear()


def _unregister(endpoint_id: str) -> None:
    localstripe_webhooks._webhooks.pop(endpoint_id, None)


def _check_url(url: Any) -> web.Response | None:
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return stripe_error(400, "Invalid URL: must be an http(s) URL.", code="url_invalid", param="url")
    if access.refuses_url(url):
        return stripe_error(
            400,
            "Invalid URL: URL must be publicly accessible. Consider using a tool like the Stripe CLI to "
            "test webhooks locally.",
            code="url_invalid",
            param="url",
        )
    return None


async def _create(call: Call) -> web.StreamResponse:
    data = call.data
    refused = _check_url(data.get("url"))
    if refused is not None:
        return refused
    events = _events_of(data)
    if events is None:
        return stripe_error(
            400, "Missing required param: enabled_events.", code="parameter_missing", param="enabled_events"
        )
    endpoint_id = "we_" + secrets.token_hex(12)
    secret = "whsec_" + secrets.token_urlsafe(24)
    endpoint = {
        "id": endpoint_id,
        "object": "webhook_endpoint",
        "api_version": data.get("api_version"),
        "application": None,
        "created": int(time.time()),
        "description": data.get("description"),
        "enabled_events": events,
        "livemode": False,
        "metadata": data.get("metadata") or {},
        "status": "enabled",
        "url": data["url"],
    }
    ENDPOINTS[endpoint_id] = endpoint
    _SECRETS[endpoint_id] = secret
    _register(endpoint)
    return json_response({**endpoint, "secret": secret})


def _get(endpoint_id: str) -> dict[str, Any] | None:
    return ENDPOINTS.get(endpoint_id)


def _missing(endpoint_id: str) -> web.Response:
    return stripe_error(404, f"No such webhook endpoint: '{endpoint_id}'", code="resource_missing", param="id")


async def _retrieve(call: Call) -> web.StreamResponse:
    endpoint = _get(call["id"])
    return json_response(_public(endpoint)) if endpoint else _missing(call["id"])


async def _update(call: Call) -> web.StreamResponse:
    endpoint = _get(call["id"])
    if endpoint is None:
        return _missing(call["id"])
    data = call.data
    if "url" in data:
        refused = _check_url(data["url"])
        if refused is not None:
            return refused
        endpoint["url"] = data["url"]
    if "enabled_events" in data:
        events = _events_of(data)
        if events is None:
            return stripe_error(400, "Invalid enabled_events.", code="parameter_invalid_empty", param="enabled_events")
        endpoint["enabled_events"] = events
    if "disabled" in data:
        endpoint["status"] = "disabled" if str(data["disabled"]).lower() == "true" else "enabled"
    for key in ("description", "metadata"):
        if key in data:
            endpoint[key] = data[key]
    if endpoint["status"] == "enabled":
        _register(endpoint)
    else:
        _unregister(endpoint["id"])
    return json_response(_public(endpoint))


async def _delete(call: Call) -> web.StreamResponse:
    endpoint = ENDPOINTS.pop(call["id"], None)
    if endpoint is None:
        return _missing(call["id"])
    _SECRETS.pop(call["id"], None)
    _unregister(call["id"])
    return json_response({"id": call["id"], "object": "webhook_endpoint", "deleted": True})


async def _list(call: Call) -> web.StreamResponse:
    data = [_public(e) for e in ENDPOINTS.values()]
    return json_response({"object": "list", "url": "/v1/webhook_endpoints", "has_more": False, "data": data})


def register(routes: Routes) -> None:
    routes.add("POST", "/v1/webhook_endpoints", _create)
    routes.add("GET", "/v1/webhook_endpoints", _list)
    routes.add("GET", r"/v1/webhook_endpoints/(?P<id>[^/]+)", _retrieve)
    routes.add("POST", r"/v1/webhook_endpoints/(?P<id>[^/]+)", _update)
    routes.add("DELETE", r"/v1/webhook_endpoints/(?P<id>[^/]+)", _delete)


# --- Delivery: localstripe's sender, with each endpoint's api_version ---


async def _send_webhook(event: Any) -> None:
    exported = event._export()
    await asyncio.sleep(1)  # as localstripe: a delivery arrives about a second after the call
    for name, webhook in list(localstripe_webhooks._webhooks.items()):
        if webhook.events is not None and event.type not in webhook.events:
            continue
        body = pinned.event_envelope(exported, (ENDPOINTS.get(name) or {}).get("api_version"))
        payload = json.dumps(body, indent=2, sort_keys=True).encode("utf-8")
        signed = b"%d.%s" % (event.created, payload)
        signature = hmac.new(webhook.secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": f"t={event.created},v1={signature}",
        }
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.post(webhook.url, data=payload, headers=headers) as r,
            ):
                log.info('webhook "%s" to %s answered %d', event.type, name, r.status)
        except aiohttp.ClientError as exc:
            log.info('webhook "%s" to %s failed: %s', event.type, name, exc)


def replace_delivery() -> None:
    localstripe_webhooks._send_webhook = _send_webhook
