"""The OpenAPI description, completed with the error answers each route really gives.

FastAPI documents only the success answer and its own 422 shape, which is not ours: every error
leaves the API as `{"error": {"code", "message", "param"}}` (services/api/errors.py). Which errors
a route can answer follows from what it depends on, so they are derived here from the route's
dependencies rather than repeated on every decorator: a route that needs a sign-in can answer 401
(and 404 for an id it cannot see), one with a role guard 403, one that writes 409, one with input
422, one with a JSON body 400, one that uses the database 503. A route may still declare an answer
of its own (the token endpoint's 429); only the missing body schema is filled in for it.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, ConfigDict, Field

from services.api.deps import route_access

_REF = "#/components/schemas/{model}"


class ErrorDetail(BaseModel):
    # Some errors name the objects at fault too (e.g. `service_ids`), hence extra fields.
    model_config = ConfigDict(extra="allow")

    code: str = Field(description="Stable and machine-readable, e.g. `invoice_already_paid`.")
    message: str = Field(description="For a person: what went wrong and what to do.")
    param: str | None = Field(description="The field at fault, when one is.")


class ErrorOut(BaseModel):
    error: ErrorDetail


_DESCRIPTIONS = {
    400: "The body is not valid JSON.",
    401: "No credentials, or they are wrong, expired or revoked.",
    403: "Your role may not do this.",
    404: "No such object — or it belongs to another practice.",
    409: "The object's state forbids this (already invoiced, already paid, payment in flight…).",
    422: "A field fails validation.",
    429: "Too many attempts; wait and try again.",
    503: "A dependency (the database, Stripe) is unavailable; try again shortly.",
}


# The routes that call Stripe name this answer on their decorator (services/api/errors.py gives it).
STRIPE_ERROR: dict[int | str, dict[str, Any]] = {
    502: {
        "description": "Stripe refused the request in a way clinicpay does not expect (`stripe_error`, with "
        "`stripe_request_id`). Nothing was charged or changed; try again."
    }
}


def _error_content() -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": _REF.format(model="Error")}}}


def _statuses(method: str, operation: dict[str, Any], access: Any) -> set[int]:
    statuses: set[int] = set()
    body = operation.get("requestBody", {}).get("content", {})
    if operation.get("parameters") or body:
        statuses.add(422)
    if "application/json" in body:
        statuses.add(400)
    if access.signed_in:
        statuses |= {401, 404}
        if method != "get":
            statuses.add(409)
    if access.roles is not None:
        statuses.add(403)
    if access.uses_database:
        statuses.add(503)
    return statuses


def document_errors(schema: dict[str, Any], app: FastAPI) -> None:
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute) or not context.include_in_schema:
            continue
        access = route_access(context.dependant)
        for method in context.methods or ():
            operation = schema["paths"].get(context.path_format, {}).get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for status in sorted(_statuses(method.lower(), operation, access)):
                responses.setdefault(str(status), {"description": _DESCRIPTIONS[status]})
            for status, response in responses.items():
                declared_error = status.isdigit() and int(status) >= 400
                if status == "422":  # FastAPI's own, describing a shape we never send
                    response.update(description=_DESCRIPTIONS[422], content=_error_content())
                elif declared_error and "content" not in response:
                    response["content"] = _error_content()
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    error_schema = ErrorOut.model_json_schema(ref_template=_REF)
    components.update(error_schema.pop("$defs", {}))
    components["Error"] = error_schema
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)


def install_openapi(app: FastAPI) -> None:
    """Wrap `app.openapi` so the cached description is completed once, however often it is rebuilt."""
    build = app.openapi
    completed: set[int] = set()

    def openapi() -> dict[str, Any]:
        schema = build()
        if id(schema) not in completed:
            document_errors(schema, app)
            completed.add(id(schema))
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
