"""The whole API, from its own OpenAPI description, fuzzed with schemathesis as every kind of caller.

The description is read from the live API (`/openapi.json`). For each role — admin, biller,
client, and nobody signed in — every operation gets a bounded number of generated requests,
valid and invalid, derandomized so a run is repeatable. Path ids are sometimes the caller's own
real objects (and so are ids inside bodies), so generated requests reach past the 404 into the
code behind it. Every answer must be below 500 and match the description: a declared status, the
declared content type, a body matching the declared schema; invalid input must be refused.

(schemathesis' lazy pytest integration does not run on pytest 9 — it writes a node attribute
pytest no longer has — so operations are driven through their Hypothesis strategies, one
subtest each.)
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select, update

from shared.db.engine import session_scope
from shared.groups.models import Group
from shared.security.tokens import token_digest
from shared.users.models import AccessToken
from tests import capture
from tests.factories import auth, issue_token
from tests.faults.record import record_scenario
from tests.security.world import Tenant, make_tenant

ROLES = ["client", "anonymous", "biller", "admin"]
MAX_EXAMPLES = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# Body fields that name another object, sometimes filled with one of the caller's own.
_BODY_IDS = {"client_id": "client_id", "billing_rate_id": "rate_id"}
_BODY_ID_LISTS = {"service_ids": "service_id", "invoice_ids": "invoice_id"}


def _headers(tenant: Tenant, role: str) -> dict[str, str]:
    return {"admin": tenant.practice.admin, "biller": tenant.practice.biller, "client": tenant.client, "anonymous": {}}[
        role
    ]


# Operations whose success ends the caller's sign-in: each example gets a sign-in of its own, so the
# role's other operations are still fuzzed signed in.
ENDS_THE_SIGN_IN = {"POST /v1/auth/logout"}
# Operations that may turn on the practice's second-factor rule, which would leave the rest of the
# role's operations refused (403 totp_enrollment_required): it is turned off again after each example.
MAY_REQUIRE_TOTP = {"PATCH /v1/settings"}


def _another_sign_in(headers: dict[str, str]) -> dict[str, str]:
    """A new token for the user behind `headers` (none for an anonymous caller)."""
    if not headers:
        return headers
    with session_scope() as session:
        digest = token_digest(headers["Authorization"].removeprefix("Bearer "))
        user_id = session.scalar(select(AccessToken.user_id).where(AccessToken.token_hash == digest))
    return auth(issue_token(str(user_id)))


def _no_totp_rule(tenant: Tenant) -> None:
    with session_scope() as session:
        session.execute(update(Group).where(Group.id == tenant.practice.group_id).values(require_staff_totp=False))


def _with_own_ids(case: Any, ids: dict[str, str]) -> Any:
    if isinstance(case.body, dict):
        body = dict(case.body)
        for name, kind in _BODY_IDS.items():
            if isinstance(body.get(name), str):
                body[name] = ids[kind]
        for name, kind in _BODY_ID_LISTS.items():
            if isinstance(body.get(name), list) and body[name]:
                body[name] = [ids[kind]]
        case.body = body
    return case


def _strategy(operation: Any, ids: dict[str, str]) -> st.SearchStrategy:
    names = [p.name for p in operation.path_parameters]
    strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
    if names and all(n in ids for n in names):
        own = {n: ids[n] for n in names}
        strategies.append(
            operation.as_strategy(GenerationMode.POSITIVE, path_parameters=own).map(
                lambda case: _with_own_ids(case, ids)
            )
        )
    else:
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE).map(lambda case: _with_own_ids(case, ids)))
    strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))
    return st.one_of(strategies)


def test_every_operation_answers_as_described(http, localstripe, api_url, subtests):
    tenant = make_tenant(http, "Fuzzed Practice", localstripe.url)
    schema = schemathesis.openapi.from_url(f"{api_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 50, "the API describes fewer operations than it has"
    failures: list[str] = []
    for role in ROLES:  # staff last: their requests may reset the client's portal login
        failures += _fuzz_as(role, tenant, operations, api_url, subtests)
    assert not failures, failures


def _fuzz_as(role: str, tenant: Tenant, operations: list[Any], api_url: str, subtests: Any) -> list[str]:
    headers = _headers(tenant, role)
    stats: Counter[str] = Counter()
    failures: list[str] = []
    started = time.perf_counter()
    for operation in operations:

        @hypothesis.given(case=_strategy(operation, tenant.ids))
        @hypothesis.settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            print_blob=False,
        )
        def exercise(case: Any) -> None:
            sent = _another_sign_in(headers) if case.operation.label in ENDS_THE_SIGN_IN else headers
            response = case.call(base_url=api_url, headers=sent, timeout=30)
            if case.operation.label in MAY_REQUIRE_TOTP:
                _no_totp_rule(tenant)
            capture.record_response(
                case.method,
                response.request.url,
                response.status_code,
                response.headers.get("content-type", ""),
                response.content,
            )
            stats["requests"] += 1
            stats[f"{response.status_code // 100}xx"] += 1
            case.validate_response(response, checks=CHECKS, headers=sent)

        with subtests.test(msg=f"{operation.label} as {role}"):
            try:
                exercise()
            except Exception:
                failures.append(f"{operation.label} as {role}")
                raise

    elapsed = time.perf_counter() - started
    print(f"\nfuzzed {len(operations)} operations as {role}: {dict(stats)} in {elapsed:.0f}s")
    record_scenario(
        f"openapi_fuzz_{role}",
        load={"operations": len(operations), "requests": stats["requests"]},
        faults=[
            f"schemathesis-generated valid and invalid requests as {role}, derandomized, up to "
            f"{MAX_EXAMPLES} per operation"
        ],
        lost={"server_errors": stats["5xx"], "operations_failing_checks": len(failures)},
        notes=f"answers {dict(sorted((k, v) for k, v in stats.items() if k.endswith('xx')))}"
        + (f"; failing: {', '.join(failures)}" if failures else ""),
        title=f"API fuzzed from its OpenAPI ({role})",
        duration_s=elapsed,
    )
    return failures


def test_what_the_fuzzer_found_stays_fixed(http):
    """Each input schemathesis once answered with a 500, kept as a plain regression test."""
    from tests.factories import make_practice_via_api

    practice = make_practice_via_api(http)
    # A minimum payment beyond the 32-bit column was a database error (500); now a 422 like any amount.
    r = http.patch("/v1/settings", headers=practice.admin, json={"minimum_payment_cents": 6471496651858383759998976})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["param"] == "minimum_payment_cents"
