"""The stand-in's own routes, dispatched by one aiohttp middleware in front of localstripe's."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from localstripe.errors import UserError
from localstripe.server import get_post_data, unflatten_data

Handler = Callable[["Call"], Awaitable[web.StreamResponse]]
# A handler that returns None lets the request go on to localstripe.
MaybeHandler = Callable[["Call", Callable[[web.Request], Awaitable[web.StreamResponse]]], Awaitable[web.StreamResponse]]


def json_response(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda x: json.dumps(x, indent=2, sort_keys=True) + "\n")


def stripe_error(
    status: int,
    message: str,
    *,
    code: str | None = None,
    param: str | None = None,
    type_: str = "invalid_request_error",
) -> web.Response:
    """An error in the shape Stripe answers (the SDK turns it into the matching exception)."""
    error: dict[str, Any] = {"type": type_, "message": message}
    if code:
        error["code"] = code
    if param:
        error["param"] = param
    return json_response({"error": error}, status=status)


def secret_key_of(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "").split(" ")
    if len(header) != 2:
        return None
    if header[0] == "Basic":
        key = base64.b64decode(header[1].encode()).decode().split(":")[0]
    elif header[0] == "Bearer":
        key = header[1]
    else:
        return None
    return key if key.startswith(("sk_", "rk_")) and len(key) > 5 else None


@dataclass
class Call:
    request: web.Request
    match: re.Match[str]
    data: dict[str, Any]

    def __getitem__(self, name: str) -> str:
        return self.match.group(name)

    @property
    def secret_key(self) -> str | None:
        return secret_key_of(self.request)

    def publishable_key(self) -> str | None:
        key = self.data.get("key")
        return key if isinstance(key, str) and key.startswith("pk_") else None


@dataclass
class Routes:
    table: list[tuple[str, re.Pattern[str], Any, str]] = field(default_factory=list)

    def add(self, method: str, pattern: str, handler: Handler, *, auth: str = "secret") -> None:
        """auth: "secret" (a secret key), "publishable" (a secret key or `key=pk_…` in the body, as
        Stripe.js sends), "none" (test controls, Stripe.js itself), "wrap" (the handler gets `forward`
        to hand the request on to localstripe)."""
        self.table.append((method, re.compile(f"^{pattern}$"), handler, auth))

    def find(self, request: web.Request) -> tuple[Any, re.Match[str], str] | None:
        for method, pattern, handler, auth in self.table:
            if request.method == method and (m := pattern.match(request.path)):
                return handler, m, auth
        return None


async def _data(request: web.Request) -> dict[str, Any]:
    if request.method in ("POST", "DELETE"):
        data = await get_post_data(request, remove_auth=False)
        data = dict(data or {})
    else:
        data = {}
    data.update(unflatten_data(request.query) or {})
    return data


def standin_middleware(routes: Routes) -> Any:
    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        from . import access

        request = access.as_localstripe_sees_it(request)
        if isinstance(request, web.StreamResponse):
            return request  # refused (a restricted key without the permission)
        found = routes.find(request)
        if found is None:
            return await handler(request)
        route_handler, match, auth = found
        try:
            call = Call(request, match, await _data(request))
            if auth == "wrap":
                return await route_handler(call, handler)
            if auth == "secret" and call.secret_key is None:
                return stripe_error(401, "Invalid API Key provided.", type_="invalid_request_error")
            if auth == "publishable" and call.secret_key is None and call.publishable_key() is None:
                return stripe_error(401, "Invalid API Key provided.", type_="invalid_request_error")
            return await route_handler(call)
        except UserError as exc:
            return exc.to_response()

    return middleware
