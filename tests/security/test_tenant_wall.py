"""The tenant wall and the role matrix, for every route the API serves — read from the app's own route table.
(test_tenant_wall_in_code.py reads the code itself: every query of a practice's table is scoped, or named.)

Each route's roles come from its `RequireRoles` guard (services/api/deps.py). A route without one
must be on an explicit list here — public, or open to any signed-in caller — so a new route
cannot slip past these tests: it is classified, or `test_every_route_is_classified` fails.

For every guarded route: no token, an expired token, a tampered token and a revoked API key
answer 401; every role the route does not allow answers 403; an API key on a route only people
may use (what changes who can sign in) answers 403 `api_key_forbidden`, whatever its role; a
staff token that may only enrol a second factor (its practice requires one) answers 403
`totp_enrollment_required` everywhere but the few routes listed for it. For every route with ids
in its path: another practice's object answers 404 to a caller the route allows, and under
/v1/portal another client's object of the same practice answers 404 too. Ids inside bodies and
list cursors of another practice answer 404 as well.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount

from services.api.app import app
from services.api.deps import RouteAccess, route_access
from tests.factories import auth
from tests.faults.record import record_scenario
from tests.security.world import Tenant, api_key, expired_token, make_tenant, revoked_api_key, tampered

PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("POST", "/v1/auth/token"),
    # "Forgot password?" and the emailed links: the same answer for any address (docs/API.md).
    ("POST", "/v1/auth/password-reset"),
    ("POST", "/v1/auth/password-reset/complete"),
    ("POST", "/v1/invitations/accept"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
    ("GET", "/portal"),
    ("MOUNT", "/portal"),  # the portal's static pages; their data comes from the API
    ("MOUNT", "/docs/assets"),  # Swagger UI's own files (services/api/docs.py)
    # The development mailbox: development and test environments only, 404 in production
    # (tests/outbox/test_delivery.py); it holds what the development SMTP server received.
    ("GET", "/dev/mailbox"),
    ("GET", "/dev/mailbox/"),
    ("GET", "/dev/mailbox/messages"),
    ("GET", "/dev/mailbox/messages/{message_id}/attachments/{index}"),
    # Pay links: the token in the path is the credential, for its one invoice (tests/security/test_pay_links.py).
    ("GET", "/v1/pay/{token}"),
    ("POST", "/v1/pay/{token}/payments"),
    ("GET", "/v1/pay/{token}/payments/{payment_id}"),
    ("POST", "/v1/pay/{token}/payments/{payment_id}/confirm"),
    ("POST", "/v1/pay/{token}/payments/{payment_id}/cancel"),
    ("POST", "/v1/pay/{token}/fresh-link"),
    # A reminder's one-click opt-out: the token is the credential, for one client's reminders (tests/reminders).
    ("GET", "/v1/unsubscribe/{token}"),
    ("POST", "/v1/unsubscribe/{token}"),
}
ANY_SIGNED_IN = {("GET", "/v1/me")}
# Refused to API keys whatever their role: what makes or changes who can sign in, and signing out.
PEOPLE_ONLY = {
    ("POST", "/v1/users"),
    ("POST", "/v1/users/invitations"),
    ("PATCH", "/v1/users/{user_id}"),
    ("DELETE", "/v1/users/{user_id}/totp"),
    ("POST", "/v1/api-keys"),
    ("POST", "/v1/auth/logout"),
    ("POST", "/v1/me/password"),
    ("POST", "/v1/me/totp"),
    ("POST", "/v1/me/totp/confirm"),
    ("POST", "/v1/me/totp/disable"),
}
# What a sign-in that may only enrol a second factor can still do (and the public routes).
WHILE_ENROLLING_TOTP = {
    ("GET", "/v1/me"),
    ("POST", "/v1/auth/logout"),
    ("POST", "/v1/me/password"),
    ("POST", "/v1/me/totp"),
    ("POST", "/v1/me/totp/confirm"),
    ("POST", "/v1/me/totp/disable"),
}
ROLES = ("operator", "admin", "biller", "client")
# Callers and the role each acts with.
CALLERS = {
    "operator": "operator",
    "admin": "admin",
    "biller": "biller",
    "client": "client",
    "admin API key": "admin",
    "biller API key": "biller",
}
# A valid body for each route that takes one and has ids in its path: a junk body would be refused
# with 422 before the id is looked up, and prove nothing about the wall.
SAMPLE_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/v1/clients/{client_id}"): {"name": "Renamed Client"},
    ("POST", "/v1/clients/{client_id}/portal-access"): {
        "email": "someone@example.com",
        "password": "long-enough-password",
    },
    ("POST", "/v1/clients/{client_id}/invitations"): {"email": "someone@example.com"},
    ("PATCH", "/v1/billing-rates/{rate_id}"): {"needs_billing": True},
    ("PATCH", "/v1/services/{service_id}"): {"description": "Edited"},
    ("POST", "/v1/services/{service_id}/payments"): {"amount_cents": 100, "received_date": "2026-03-05"},
    ("POST", "/v1/invoices/{invoice_id}/payments"): {
        "amount_cents": 100,
        "method": "cash",
        "received_date": "2026-03-05",
    },
    ("POST", "/v1/payments/{payment_id}/reverse"): {"reason": "entered twice"},
    ("POST", "/v1/payments/{payment_id}/refunds"): {"amount_cents": 100, "reason": "duplicate"},
    ("POST", "/v1/portal/invoices/{invoice_id}/payments"): {},
    ("POST", "/v1/portal/payments/{payment_id}/confirm"): {"confirmation_token": "ctoken_tenantwall0000"},
    ("PATCH", "/v1/users/{user_id}"): {"role": "biller"},
}
# What a list pages through, for `?starting_after=` with another practice's id of that kind.
LIST_KINDS = {
    "/v1/clients": "client_id",
    "/v1/billing-rates": "rate_id",
    "/v1/services": "service_id",
    "/v1/invoices": "invoice_id",
    "/v1/api-keys": "key_id",
    "/v1/users": "user_id",
    "/v1/reconciliations": "reconciliation_id",
    "/v1/portal/invoices": "invoice_id",
    "/v1/invoicing/queue": "service_id",
    "/v1/alerts": "alert_id",
}
_PARAM = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class RouteRow:
    method: str
    path: str
    access: RouteAccess | None  # None: not an API route (static files, the docs)
    takes_body: bool
    query: frozenset[str]

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def path_params(self) -> list[str]:
        return _PARAM.findall(self.path)

    @property
    def allowed(self) -> set[str]:
        assert self.access is not None
        return set(ROLES) if self.access.roles is None else set(self.access.roles)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def route_table() -> list[RouteRow]:
    rows = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount):
            rows.append(RouteRow("MOUNT", route.path, None, False, frozenset()))
            continue
        api = isinstance(route, APIRoute)
        access = route_access(context.dependant) if api else None
        query = frozenset(p.alias for p in context.dependant.query_params) if api else frozenset()
        for method in sorted((context.methods or set()) - {"HEAD"}):
            rows.append(RouteRow(method, context.path_format, access, api and context.body_field is not None, query))
    return rows


def _guarded(rows: list[RouteRow]) -> list[RouteRow]:
    return [r for r in rows if r.key not in PUBLIC]


def test_every_route_is_classified():
    rows = route_table()
    keys = {r.key for r in rows}
    assert len(rows) > 50
    unclassified = [
        str(r)
        for r in rows
        if r.key not in PUBLIC
        and (r.access is None or not r.access.signed_in or (r.access.roles is None and r.key not in ANY_SIGNED_IN))
    ]
    assert not unclassified, (
        f"routes with no RequireRoles guard and not on the public or any-signed-in list in {__file__}: {unclassified}"
    )
    for listed in PUBLIC | ANY_SIGNED_IN:
        assert listed in keys, f"{listed} is listed here but the API no longer serves it"
    for key in ANY_SIGNED_IN:
        row = next(r for r in rows if r.key == key)
        assert row.access is not None and row.access.signed_in, f"{key} is listed as signed-in but lets anyone in"
    guarded = [r for r in _guarded(rows) if r.access is not None]
    assert {r.key for r in guarded if r.access.people_only} == PEOPLE_ONLY
    assert {r.key for r in guarded if r.access.while_enrolling_totp} == WHILE_ENROLLING_TOTP


def test_every_id_in_a_path_has_an_object_to_aim_at():
    known = {
        "client_id",
        "rate_id",
        "service_id",
        "invoice_id",
        "payment_id",
        "run_id",
        "key_id",
        "reconciliation_id",
        "user_id",
        "alert_id",
    }  # what tests/security/world.py makes in each practice
    for row in _guarded(route_table()):
        missing = set(row.path_params) - known
        assert not missing, f"{row}: add an object of kind {missing} to tests/security/world.py"
        if row.path_params and row.takes_body:
            assert row.key in SAMPLE_BODIES, f"{row}: add a valid body to SAMPLE_BODIES"


# --- over HTTP -------------------------------------------------------------------------------------


# Routes whose object must be in another state than the world's card payment (still pending): only a
# received payment has a receipt, so they aim at the client's check payment.
ID_FOR_ROUTE = {
    ("GET", "/v1/payments/{payment_id}/receipt"): {"payment_id": "manual_payment_id"},
    ("GET", "/v1/portal/payments/{payment_id}/receipt"): {"payment_id": "manual_payment_id"},
}


def _path(row: RouteRow, ids: dict[str, str]) -> str:
    aliases = ID_FOR_ROUTE.get(row.key, {})
    return _PARAM.sub(lambda m: ids[aliases.get(m.group(1), m.group(1))], row.path)


def _body(row: RouteRow) -> dict[str, Any] | None:
    if not row.takes_body:
        return None
    return SAMPLE_BODIES.get(row.key, {})


@pytest.fixture
def a_and_b(http, localstripe) -> tuple[Tenant, Tenant]:
    return make_tenant(http, "Practice A", localstripe.url), make_tenant(http, "Practice B", localstripe.url)


def _callers(http, a: Tenant) -> dict[str, dict[str, str]]:
    return {
        "operator": a.practice.operator,
        "admin": a.practice.admin,
        "biller": a.practice.biller,
        "client": a.client,
        "admin API key": auth(api_key(http, a.practice, "admin")),
        "biller API key": auth(api_key(http, a.practice, "biller")),
    }


def _refusals(http, a: Tenant) -> dict[str, dict[str, str]]:
    return {
        "no token": {},
        "expired token": auth(expired_token(a.practice.admin_email)),
        "tampered token": auth(tampered(a.practice.admin_token)),
        "revoked API key": auth(revoked_api_key(http, a.practice)),
        "not a bearer token": {"Authorization": "Basic YWRtaW46YWRtaW4="},
    }


def _unauthenticated(r: Any) -> str | None:
    if r.headers.get("www-authenticate") != "Bearer":
        return "no WWW-Authenticate: Bearer"
    return None if r.json()["error"]["code"] in ("not_authenticated", "invalid_token") else r.text


def _refused(code: str) -> Callable[[Any], str | None]:
    return lambda r: None if r.json()["error"]["code"] == code else r.text


_role_forbidden = _refused("role_forbidden")
_API_KEYS = {who for who in CALLERS if who.endswith("API key")}


def test_the_wall_holds_on_every_route(http, a_and_b, subtests):
    a, b = a_and_b
    callers, refusals = _callers(http, a), _refusals(http, a)
    # Practice B now requires a second factor its admin does not have: their sign-in may only enrol one.
    assert http.patch("/v1/settings", headers=b.practice.admin, json={"require_staff_totp": True}).status_code == 200
    enrolling = b.practice.admin
    rows = _guarded(route_table())
    requests = 0
    breaches: list[str] = []
    started = time.perf_counter()

    def expect(
        row: RouteRow,
        who: str,
        headers: dict[str, str],
        path: str,
        statuses: tuple[int, ...],
        check: Callable[[Any], str | None] | None = None,
    ) -> None:
        nonlocal requests
        r = http.request(row.method, path, headers=headers, json=_body(row))
        requests += 1
        problem = None if r.status_code in statuses else f"answered {r.status_code}: {r.text[:200]}"
        if problem is None and check is not None:
            problem = check(r)
        if problem is None and who.endswith("practice B's ids") and b.practice.group_id in r.text:
            problem = "the refusal names practice B"
        if problem:
            breaches.append(f"{row} as {who}: {problem}")

    for row in rows:
        with subtests.test(msg=str(row)):
            before = len(breaches)
            own = _path(row, a.ids)
            for who, headers in refusals.items():
                expect(row, who, headers, own, (401,), _unauthenticated)
            for who, role in CALLERS.items():
                if role not in row.allowed:
                    expect(row, who, callers[who], own, (403,), _role_forbidden)
                elif who in _API_KEYS and row.access.people_only:
                    expect(row, who, callers[who], own, (403,), _refused("api_key_forbidden"))
            if "admin" in row.allowed and not row.access.while_enrolling_totp:
                refusal = _refused("totp_enrollment_required")
                expect(row, "admin yet to enrol TOTP", enrolling, _path(row, b.ids), (403,), refusal)
            if row.path_params:
                for who, role in CALLERS.items():
                    if role in row.allowed and not (who in _API_KEYS and row.access.people_only):
                        expect(row, f"{who} with practice B's ids", callers[who], _path(row, b.ids), (404,))
                if "client" in row.allowed:
                    others = {**a.ids, **a.other_client_ids}
                    expect(row, "client with another client's ids", callers["client"], _path(row, others), (404,))
                if row.method == "GET":  # the control: the same route finds the caller's own object
                    who = next(w for w, role in CALLERS.items() if role in row.allowed)
                    expect(row, f"{who} with own ids", callers[who], own, (200, 304))
            assert len(breaches) == before, breaches[before:]

    elapsed = time.perf_counter() - started
    print(f"\n{len(rows)} guarded routes, {requests} requests in {elapsed:.1f}s")
    record_scenario(
        "tenant_wall",
        load={"routes": len(rows), "requests": requests},
        faults=[
            "no, expired or tampered token; revoked API key; every role a route does not allow; "
            "API keys where only people may act; a sign-in that may only enrol TOTP; "
            "another practice's ids; another client's ids"
        ],
        lost={"requests_let_through": len(breaches)},
        notes="; ".join(breaches) or "every refusal as the contract says (401, 403, 404)",
        title="Tenant wall and role matrix, every route",
        duration_s=elapsed,
    )
    assert not breaches, breaches


def test_another_practices_ids_inside_bodies_and_cursors_are_unknown(http, a_and_b):
    a, b = a_and_b
    biller = a.practice.biller

    def push(external_id: str, *, client_of: Tenant, rate_of: Tenant) -> Any:
        ids = {"client_id": client_of.ids["client_id"], "billing_rate_id": rate_of.ids["rate_id"]}
        body = {"external_id": external_id, **ids, "service_date": "2026-03-02"}
        return http.post("/v1/services", headers=biller, json=body)

    refusals = {
        "push a service for B's client": push("wall-1", client_of=b, rate_of=a),
        "push a service on B's rate": push("wall-2", client_of=a, rate_of=b),
        "invoice B's service": http.post(
            "/v1/invoicing/runs",
            headers=biller,
            json={"service_ids": [b.ids["service_id"]], "invoiced_date": "2026-03-31"},
        ),
        "mark B's invoice paid": http.post(
            "/v1/invoices/mark-paid",
            headers=biller,
            json={"invoice_ids": [b.ids["invoice_id"]], "received_date": "2026-03-31", "method": "check"},
        ),
        "list services of B's client": http.get(
            "/v1/services", headers=biller, params={"client_id": b.ids["client_id"]}
        ),
    }
    for what, r in refusals.items():
        assert r.status_code == 404, (what, r.status_code, r.text)
    for what, r in {
        "invoices of B's client": http.get("/v1/invoices", headers=biller, params={"client_id": b.ids["client_id"]}),
        "queue of B's client": http.get(
            "/v1/invoicing/queue", headers=biller, params={"client_id": b.ids["client_id"]}
        ),
    }.items():
        assert r.status_code == 404 or (r.status_code == 200 and r.json()["data"] == []), (what, r.text)

    for row in route_table():
        kind = LIST_KINDS.get(row.path)
        if row.method != "GET" or "starting_after" not in row.query or kind is None:
            continue
        headers = a.client if row.path.startswith("/v1/portal/") else a.practice.admin
        r = http.get(row.path, headers=headers, params={"starting_after": b.ids[kind]})
        assert r.status_code == 404, (str(row), r.status_code, r.text)
