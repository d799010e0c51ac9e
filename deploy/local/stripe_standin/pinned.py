"""The stand-in as the pinned API version answers: clinicpay sees Stripe's current shapes, not localstripe's.

localstripe (and our additions beside it) answers as Stripe did around 2017-2019 and accepts what
Stripe now refuses. This layer, the outermost middleware, puts the version the pinned SDK sends
(`stripe.api_version`) between clinicpay and them:

- Requests: a request to an operation the SDK declares is checked against that operation's typed
  params (`stripe.params.*`, the TypedDict its service method takes), nested TypedDicts included.
  A parameter the version does not have is refused as Stripe refuses it (400 `parameter_unknown`);
  `payment_method_types` on a PaymentIntent or SetupIntent as `payment_method_types_no_longer_supported`
  (removed in 2026-09-30.endive). Requests to what the SDK does not declare (localstripe's own test
  routes, Stripe.js's) go through unchecked.
- Responses and events (GET /v1/events, and each webhook the stand-in delivers): every object is
  reduced to the fields its SDK class declares (so no `PaymentIntent.charges`), an expandable field
  (`ExpandableField[...]` in the class) is an id unless the request expanded it, a field Stripe only
  includes when asked (`Charge.refunds`) is left out unless expanded, and an event envelope carries
  the pinned `api_version` (or the version its endpoint pins).

The rules come from the installed SDK, read at the first request to each resource, so upgrading
the SDK upgrades the stand-in's version with it; only what the SDK cannot say is written here.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import sys
import typing
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import stripe
import typing_extensions
from aiohttp import web
from stripe._object_classes import OBJECT_CLASSES
from stripe._request_options import RequestOptions
from stripe._stripe_object import StripeObject
from stripe._stripe_service import StripeService

from .routing import _data, stripe_error

PINNED_VERSION: str = stripe.api_version

# What the SDK cannot declare. Fields Stripe returns only when expanded (the SDK types them as plain
# fields): `Charge.refunds` since 2022-11-15; a Customer's lists since 2020-08-27.
INCLUDABLE_ONLY: dict[str, frozenset[str]] = {
    "charge": frozenset({"refunds"}),
    "customer": frozenset({"sources", "subscriptions", "tax_ids"}),
}
# Parameters removed with their own error code (Stripe changelog, 2026-09-30.endive), by resource.
REMOVED_PARAMS: dict[tuple[str, str], str] = {
    ("payment_intents", "payment_method_types"): "payment_method_types_no_longer_supported",
    ("setup_intents", "payment_method_types"): "payment_method_types_no_longer_supported",
}
# Parameters the pinned version takes that localstripe refuses ("Unexpected …") and that nothing in
# the stand-in acts on: accepted here, then left out of what localstripe sees. (The Payment Element's
# `automatic_payment_methods` and `allowed_payment_method_types` on PaymentIntents, and
# `confirmation_token`, are translated by `payment_intents`.)
_PI_DISPLAY = ("description", "receipt_email", "statement_descriptor", "statement_descriptor_suffix")
_CONFIRMING = ("return_url", "use_stripe_sdk", "mandate_data", "payment_method_options", "setup_future_usage")
NOT_FOR_LOCALSTRIPE: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/v1/payment_intents"): frozenset((*_PI_DISPLAY, *_CONFIRMING)),
    ("POST", "/v1/payment_intents/{intent}"): frozenset((*_PI_DISPLAY, "payment_method_options", "setup_future_usage")),
    ("POST", "/v1/payment_intents/{intent}/confirm"): frozenset((*_CONFIRMING, "receipt_email")),
    ("POST", "/v1/setup_intents"): frozenset(("automatic_payment_methods", *_CONFIRMING)),
    ("POST", "/v1/setup_intents/{intent}/confirm"): frozenset(_CONFIRMING),
}
_REQUEST_OPTIONS = frozenset(RequestOptions.__annotations__)
# Parameters every Stripe.js request carries beside the operation's own (the publishable key).
_CLIENT_PARAMS = frozenset({"key", "payment_user_agent", "referrer"})
_SDK_ROOT = Path(stripe.__file__).parent
_REQUEST_CALL = re.compile(r'self\._request\(\s*"(\w+)",\s*"(/v1/[^"]*)"')


# --- The operations the SDK declares, and their params ---


@dataclass(frozen=True)
class Operation:
    method: str
    template: str  # "/v1/payment_intents/{intent}/confirm"
    pattern: re.Pattern[str]
    params: Any  # a TypedDict class, or None when the operation takes none

    @property
    def resource(self) -> str:
        return self.template.split("/")[2]


def _service_modules(resource_path: list[str]) -> list[str]:
    """The SDK's service modules for /v1/<resource>[/…]: `stripe/_<singular>*_service.py`, or under a
    namespace (`/v1/test_helpers/confirmation_tokens` → `stripe/test_helpers/_confirmation_token…`)."""
    if not resource_path:
        return []
    folder, first = _SDK_ROOT, resource_path[0]
    if (_SDK_ROOT / first).is_dir() and len(resource_path) > 1:
        folder, first = _SDK_ROOT / first, resource_path[1]
    singular = first[:-1] if first.endswith("s") else first
    package = ".".join(("stripe", *folder.relative_to(_SDK_ROOT).parts))
    return sorted(
        f"{package}.{path.stem}"
        for path in folder.glob(f"_{singular}*_service.py")
        if path.stem in (f"_{singular}_service", f"_{first}_service") or path.stem.startswith(f"_{singular}_")
    )


def _params_class(annotation: Any, module: Any) -> Any:
    """The TypedDict behind `params: "XParams"` or `Optional["XParams"]`."""
    text = annotation if isinstance(annotation, str) else repr(annotation)
    match = re.search(r"(\w+Params)\b", text)
    if match is None:
        return None
    name = match.group(1)
    found = getattr(module, name, None)
    if found is None:
        namespace = module.__name__.rsplit(".", 1)[0]
        params_module = importlib.import_module(namespace.replace("stripe", "stripe.params", 1))
        found = getattr(params_module, name, None)
    return found


@cache
def _operations(first_segment: str, second_segment: str) -> tuple[Operation, ...]:
    found: list[Operation] = []
    for module_name in _service_modules([s for s in (first_segment, second_segment) if s]):
        module = importlib.import_module(module_name)
        for cls in vars(module).values():
            if not (inspect.isclass(cls) and issubclass(cls, StripeService) and cls.__module__ == module_name):
                continue
            for name, fn in vars(cls).items():
                if name.endswith("_async") or not inspect.isfunction(fn):
                    continue
                call = _REQUEST_CALL.search(inspect.getsource(fn))
                if call is None:
                    continue
                parameter = inspect.signature(fn).parameters.get("params")
                params = _params_class(parameter.annotation, module) if parameter is not None else None
                template = call.group(2)
                regex = re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template))
                found.append(Operation(call.group(1).upper(), template, re.compile(f"^{regex}$"), params))
    # A literal path before a templated one: /v1/payment_intents/search is not /v1/payment_intents/{intent}.
    return tuple(sorted(found, key=lambda op: op.template.count("{")))


def operation_for(method: str, path: str) -> Operation | None:
    parts = path.strip("/").split("/")
    if len(parts) < 2 or parts[0] != "v1":
        return None
    for op in _operations(parts[1], parts[2] if len(parts) > 2 else ""):
        if op.method == method and op.pattern.match(path):
            return op
    return None


@cache
def _fields_of_params(params: Any) -> dict[str, Any]:
    """{parameter: its TypedDict when it is one, else None}. Read from the annotations as written
    (`NotRequired["PaymentIntentCreateParamsAutomaticPaymentMethods"]`), names looked up in the
    params' own module: the SDK's hints do not all resolve at run time."""
    namespace = vars(sys.modules[params.__module__])
    fields: dict[str, Any] = {}
    for key, hint in params.__annotations__.items():
        if key in _REQUEST_OPTIONS:
            continue
        names = set(re.findall(r"\b([A-Z]\w*Params\w*)\b", str(hint)))
        nested = [namespace[n] for n in names if n in namespace and typing_extensions.is_typeddict(namespace[n])]
        fields[key] = nested[0] if len(nested) == 1 else None
    return fields


def unknown_parameter(params: Any, data: dict[str, Any], prefix: str = "") -> str | None:
    """The first parameter (`a[b]` for a nested one) the pinned version does not have, if any."""
    fields = _fields_of_params(params)
    for key, value in data.items():
        if key not in fields:
            if not prefix and key in _CLIENT_PARAMS:
                continue
            return f"{prefix}[{key}]" if prefix else key
        nested = fields[key]
        if nested is not None and isinstance(value, dict):
            found = unknown_parameter(nested, value, f"{prefix}[{key}]" if prefix else key)
            if found:
                return found
    return None


def refusal(op: Operation, data: dict[str, Any]) -> web.Response | None:
    if op.params is None:
        return None
    unknown = unknown_parameter(op.params, data)
    if unknown is None:
        return None
    code = REMOVED_PARAMS.get((op.resource, unknown))
    if code is not None:
        return stripe_error(
            400,
            f"The `{unknown}` parameter is no longer supported on this API version ({PINNED_VERSION}). Use "
            "dynamic payment methods (`automatic_payment_methods`) or `allowed_payment_method_types`.",
            code=code,
            param=unknown,
        )
    return stripe_error(400, f"Received unknown parameter: {unknown}", code="parameter_unknown", param=unknown)


# --- The objects the SDK declares, and their fields ---


@dataclass(frozen=True)
class Shape:
    fields: frozenset[str]
    expandable: frozenset[str]
    includable: frozenset[str]


def _is_expandable(hint: Any) -> bool:
    """`ExpandableField[X]` is `Union[str, X]`: a union of `str` and an object class (or its forward ref)."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if str not in args:
        return False
    return any(isinstance(a, typing.ForwardRef) or (inspect.isclass(a) and issubclass(a, StripeObject)) for a in args)


@cache
def shape_of(object_name: str) -> Shape | None:
    if object_name not in OBJECT_CLASSES or object_name in ("list", "search_result"):
        return None
    module_name, class_name = OBJECT_CLASSES[object_name]
    cls = getattr(importlib.import_module(module_name), class_name)
    annotations: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        annotations.update(getattr(klass, "__annotations__", {}))
    fields = {
        name
        for name, hint in annotations.items()
        if not name.startswith("_") and "ClassVar" not in repr(hint) and name.islower()
    }
    expandable = {name for name in fields if _is_expandable(annotations[name])}
    return Shape(frozenset(fields), frozenset(expandable), INCLUDABLE_ONLY.get(object_name, frozenset()))


def _below(expand: frozenset[str], key: str) -> frozenset[str]:
    return frozenset(path[len(key) + 1 :] for path in expand if path.startswith(key + "."))


def reshape(value: Any, expand: frozenset[str] = frozenset()) -> Any:
    """`value` as the pinned version returns it, `expand` the paths the request expanded."""
    if isinstance(value, list):
        return [reshape(item, expand) for item in value]
    if not isinstance(value, dict):
        return value
    kind = value.get("object")
    if kind in ("list", "search_result"):
        return {**value, "data": reshape(value.get("data") or [], _below(expand, "data"))}
    if kind == "event":
        return event_envelope(value)
    shape = shape_of(kind) if isinstance(kind, str) else None
    out: dict[str, Any] = {}
    for key, item in value.items():
        if shape is not None:
            if key not in shape.fields and key not in ("id", "object", "deleted"):
                continue  # not in the pinned version (PaymentIntent.charges…)
            if key in shape.includable and key not in expand:
                continue
            if key in shape.expandable and isinstance(item, dict) and key not in expand:
                out[key] = item.get("id")
                continue
        out[key] = reshape(item, _below(expand, key))
    return out


def event_envelope(event: dict[str, Any], api_version: str | None = None) -> dict[str, Any]:
    """An event as an endpoint (or GET /v1/events) gets it: its object in the pinned shape, the
    endpoint's api_version when it pins one, else the pinned one."""
    data = event.get("data") if isinstance(event.get("data"), dict) else {}
    shape = shape_of("event")
    body = {key: item for key, item in event.items() if shape is None or key in shape.fields}
    body["api_version"] = api_version or PINNED_VERSION
    body["data"] = {**data, "object": reshape(data.get("object"))}
    return body


# --- The middleware ---


def _expand_of(data: dict[str, Any]) -> frozenset[str]:
    expand = data.get("expand")
    if isinstance(expand, dict):  # expand[0]=… unflattened by index
        expand = list(expand.values())
    if isinstance(expand, str):
        expand = [expand]
    return frozenset(e for e in expand or [] if isinstance(e, str))


# Read before the first request (a second or so), so no client's first call waits on it; any other
# resource is read at its first request.
_WARM_RESOURCES = (
    "payment_intents",
    "setup_intents",
    "payment_methods",
    "customers",
    "charges",
    "refunds",
    "disputes",
    "events",
    "balance",
    "webhook_endpoints",
    "payment_method_domains",
    "confirmation_tokens",
)


def _warm() -> None:
    for resource in _WARM_RESOURCES:
        for op in _operations(resource, ""):
            if op.params is not None:
                _fields_of_params(op.params)
        shape_of(resource[:-1] if resource.endswith("s") else resource)
    _operations("test_helpers", "confirmation_tokens")
    shape_of("event")


async def _for_localstripe(request: web.Request, op: Operation, data: dict[str, Any]) -> web.Request:
    """The request without the parameters localstripe would refuse (NOT_FOR_LOCALSTRIPE)."""
    dropped = NOT_FOR_LOCALSTRIPE.get((op.method, op.template), frozenset()) & set(data)
    if not dropped or request.content_type != "application/x-www-form-urlencoded":
        return request
    pairs = parse_qsl((await request.read()).decode(), keep_blank_values=True)
    kept = [(key, value) for key, value in pairs if key.split("[", 1)[0] not in dropped]
    # The body is read already (a request cannot be cloned then): replace what read(), post() and
    # json() answer from, for the handlers after us.
    request._read_bytes = urlencode(kept).encode()
    request._post = None
    return request


def middleware() -> Any:
    _warm()

    @web.middleware
    async def pinned(request: web.Request, handler: Any) -> web.StreamResponse:
        if not request.path.startswith("/v1/"):
            return await handler(request)
        op = operation_for(request.method, request.path)
        data = await _data(request)
        if op is not None:
            refused = refusal(op, data)
            if refused is not None:
                return refused
            request = await _for_localstripe(request, op, data)
        try:
            response = await handler(request)
        except web.HTTPNotFound:  # a route localstripe lacks: Stripe's answer, not aiohttp's page
            return stripe_error(404, f"Unrecognized request URL ({request.method}: {request.path}).")
        if not isinstance(response, web.Response) or response.content_type != "application/json":
            return response
        try:
            body = json.loads(response.body or b"null")
        except ValueError:
            return response
        if isinstance(body, dict) and "error" in body:
            return response
        return web.json_response(
            reshape(body, _expand_of(data)),
            status=response.status,
            dumps=lambda x: json.dumps(x, indent=2, sort_keys=True) + "\n",
        )

    return pinned
