"""/v1/payment_method_domains: the domains the Payment Element may show wallets and Link on."""

from __future__ import annotations

import secrets
import time
from typing import Any

from aiohttp import web

from . import access
from .routing import Call, Routes, json_response, stripe_error

DOMAINS: dict[str, dict[str, Any]] = {}


def _status(enabled: bool) -> dict[str, str]:
    return {"status": "active" if enabled else "inactive"}


def _shaped(domain: dict[str, Any]) -> dict[str, Any]:
    enabled = bool(domain["enabled"])
    return {**domain, **{k: _status(enabled) for k in ("apple_pay", "google_pay", "link", "paypal", "amazon_pay")}}


def _enabled(value: Any, default: bool = True) -> bool:
    return default if value is None else value is True or str(value).lower() == "true"


async def _create(call: Call) -> web.StreamResponse:
    name = call.data.get("domain_name")
    if not isinstance(name, str) or not name:
        return stripe_error(400, "Missing required param: domain_name.", code="parameter_missing", param="domain_name")
    if access.refuses_domain(name):
        return stripe_error(
            400,
            f"The domain '{name}' is not a valid public domain name.",
            code="payment_method_domain_invalid",
            param="domain_name",
        )
    if any(d["domain_name"] == name for d in DOMAINS.values()):
        return stripe_error(400, f"The domain '{name}' is already registered.", param="domain_name")
    domain = {
        "id": "pmd_" + secrets.token_hex(12),
        "object": "payment_method_domain",
        "created": int(time.time()),
        "domain_name": name,
        "enabled": _enabled(call.data.get("enabled")),
        "livemode": False,
    }
    DOMAINS[domain["id"]] = domain
    return json_response(_shaped(domain))


async def _list(call: Call) -> web.StreamResponse:
    name = call.data.get("domain_name")
    data = [_shaped(d) for d in DOMAINS.values() if name is None or d["domain_name"] == name]
    return json_response({"object": "list", "url": "/v1/payment_method_domains", "has_more": False, "data": data})


async def _retrieve(call: Call) -> web.StreamResponse:
    domain = DOMAINS.get(call["id"])
    if domain is None:
        return stripe_error(404, f"No such payment method domain: '{call['id']}'", code="resource_missing", param="id")
    return json_response(_shaped(domain))


async def _update(call: Call) -> web.StreamResponse:
    domain = DOMAINS.get(call["id"])
    if domain is None:
        return stripe_error(404, f"No such payment method domain: '{call['id']}'", code="resource_missing", param="id")
    if "enabled" in call.data:
        domain["enabled"] = _enabled(call.data["enabled"])
    return json_response(_shaped(domain))


def register(routes: Routes) -> None:
    routes.add("POST", "/v1/payment_method_domains", _create)
    routes.add("GET", "/v1/payment_method_domains", _list)
    routes.add("GET", r"/v1/payment_method_domains/(?P<id>[^/]+)", _retrieve)
    routes.add("POST", r"/v1/payment_method_domains/(?P<id>[^/]+)", _update)
