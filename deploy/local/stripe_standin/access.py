"""What real Stripe refuses that localstripe would let through: restricted keys without a permission,
and URLs or domains that are not public.

- `POST /_standin/restricted_keys {"key": "rk_test_…", "deny": ["webhook_endpoints", …]}` makes a
  restricted key the stand-in accepts (localstripe itself takes only sk_ keys) that may do anything
  but the resources named; those answer 403 as Stripe does (the SDK raises PermissionError).
- `POST /_standin/config {"public_urls_only": true}` makes webhook endpoint URLs and payment method
  domains on loopback, private addresses or bare host names refused, as Stripe refuses what it cannot
  reach from the internet. Off by default, so development and tests can deliver to 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from .routing import Call, Routes, json_response, secret_key_of, stripe_error

_RESTRICTED: dict[str, set[str]] = {}
CONFIG: dict[str, Any] = {"public_urls_only": False}

# The permission Stripe's error names for each resource (Developers › API keys › restricted key).
_PERMISSIONS = {
    "webhook_endpoints": "rak_webhook_write",
    "payment_method_domains": "rak_payment_method_domain_write",
    "payment_intents": "rak_payment_intent_write",
    "customers": "rak_customer_write",
    "events": "rak_event_read",
    "balance": "rak_balance_read",
}


def is_public_host(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost" or host.endswith((".localhost", ".local")) or "." not in host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True
    return not (address.is_private or address.is_loopback or address.is_link_local or address.is_unspecified)


def refuses_url(url: str) -> bool:
    return bool(CONFIG["public_urls_only"]) and not is_public_host(urlsplit(url).hostname)


def refuses_domain(domain: str) -> bool:
    return bool(CONFIG["public_urls_only"]) and not is_public_host(domain)


def as_localstripe_sees_it(request: web.Request) -> web.Request | web.StreamResponse:
    """A registered restricted key: refused where it lacks the permission, else passed on as a secret
    key (localstripe accepts only sk_ keys)."""
    key = secret_key_of(request)
    if key is None or not key.startswith("rk_") or key not in _RESTRICTED:
        return request
    parts = request.path.strip("/").split("/")
    resource = parts[1] if len(parts) > 1 and parts[0] == "v1" else ""
    if resource in _RESTRICTED[key]:
        permission = _PERMISSIONS.get(resource, f"rak_{resource}_write")
        return stripe_error(
            403,
            f"The provided key '{key[:8]}***{key[-4:]}' does not have the required permissions for this "
            f"endpoint on account 'acct_standin'. Having the '{permission}' permission would allow this "
            "request to continue.",
        )
    headers = request.headers.copy()
    headers["Authorization"] = "Bearer sk_" + key[3:]
    return request.clone(headers=headers)


async def _restricted_key(call: Call) -> web.StreamResponse:
    key, deny = call.data.get("key"), call.data.get("deny") or []
    if not isinstance(key, str) or not key.startswith("rk_") or not isinstance(deny, list):
        return stripe_error(400, "Give key (rk_…) and deny (a list of resources).")
    _RESTRICTED[key] = {str(d) for d in deny}
    return json_response({"key": key[:8] + "***", "deny": sorted(_RESTRICTED[key])})


async def _config(call: Call) -> web.StreamResponse:
    if "public_urls_only" in call.data:
        value = call.data["public_urls_only"]
        CONFIG["public_urls_only"] = value is True or str(value).lower() == "true"
    return json_response(dict(CONFIG))


def register(routes: Routes) -> None:
    routes.add("POST", "/_standin/restricted_keys", _restricted_key, auth="none")
    routes.add("POST", "/_standin/config", _config, auth="none")
    register_flush(routes)


async def _flush(call: Call, forward: Any) -> web.StreamResponse:
    """`DELETE /_config/data` (a test's fresh start) also forgets what the stand-in's additions hold."""
    from . import confirmation_tokens, payment_method_domains, refunds, webhook_endpoints

    confirmation_tokens.TOKENS.clear()
    refunds.forget_all()
    payment_method_domains.DOMAINS.clear()
    webhook_endpoints.forget_all()
    return await forward(call.request)


def register_flush(routes: Routes) -> None:
    routes.add("DELETE", "/_config/data", _flush, auth="wrap")
