"""Control characters and bidi overrides in any text field: a 422 naming the field, never a 500 or a log line.

The rule is shared/text.py's. Three ways it is held:

- every operation of the live OpenAPI, driven by schemathesis: a request it generates (and the
  API accepts past validation) is sent again with each refused character in each of its string
  fields — body, form or query — and must answer 422 naming that field;
- every string a request schema describes carries a pattern that refuses those characters, so a
  field added without the rule (a plain `str`) fails here, whoever adds it;
- what real names need (ZWJ, ZWNJ, LRM, RLM) is kept, and a database error's text (what reaches
  a log) never carries the values that were bound to its statement.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi.routing import APIRoute, iter_route_contexts
from hypothesis import HealthCheck
from schemathesis import GenerationMode
from sqlalchemy import text as sql
from sqlalchemy.exc import DBAPIError

from services.api.app import app
from services.api.deps import route_access
from shared.db.engine import session_scope
from shared.logging import get_logger
from tests import capture
from tests.factories import make_client_via_api, make_practice_via_api
from tests.security.review import record_finding
from tests.security.world import Tenant, make_tenant

# What a hostile caller puts inside a field, one at a time (in the middle: trimming must not hide it).
REFUSED = {
    "NUL": "\x00",
    "ESC": "\x1b",
    "DEL": "\x7f",
    "C1 NEL": "\x85",
    "RLO override": "\u202e",
    "RLI isolate": "\u2067",
    "newline in a one-line field": "\n",
}
KEPT = {"ZWNJ": "\u200c", "ZWJ": "\u200d", "LRM": "\u200e", "RLM": "\u200f"}


def _caller(tenant: Tenant, method: str, path: str) -> dict[str, str] | None:
    """Headers of someone the route lets in, so the request reaches validation."""
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute) and context.path_format == path and method in context.methods:
            access = route_access(context.dependant)
            break
    else:
        return None
    if not access.signed_in:
        return {}
    roles = access.roles or frozenset({"admin"})
    practice = tenant.practice
    for role, headers in (
        ("admin", practice.admin),
        ("biller", practice.biller),
        ("client", tenant.client),
        ("operator", {"Authorization": f"Bearer {practice.operator_token}"}),
    ):
        if role in roles:
            return headers
    return None


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _is_string(schema: dict[str, Any], node: dict[str, Any]) -> bool:
    node = _resolve(schema, node)
    if node.get("type") == "string":
        return True
    return any(_is_string(schema, n) for n in node.get("anyOf", []) + node.get("oneOf", []))


def _is_string_list(schema: dict[str, Any], node: dict[str, Any]) -> bool:
    node = _resolve(schema, node)
    return node.get("type") == "array" and _is_string(schema, node.get("items", {}))


def _body_fields(schema: dict[str, Any], operation: dict[str, Any]) -> dict[str, str]:
    """Top-level body fields that are text (or lists of text): name -> "one" | "list"."""
    fields: dict[str, str] = {}
    for content in operation.get("requestBody", {}).get("content", {}).values():
        node = _resolve(schema, content.get("schema", {}))
        variants = [_resolve(schema, v) for v in node.get("oneOf", [])] or [node]
        for variant in variants[:1]:  # one shape is enough; the bulk push's items are the single one
            for name, prop in variant.get("properties", {}).items():
                if _is_string(schema, prop):
                    fields[name] = "one"
                elif _is_string_list(schema, prop):
                    fields[name] = "list"
    return fields


def _query_fields(schema: dict[str, Any], operation: dict[str, Any]) -> list[str]:
    return [
        p["name"]
        for p in operation.get("parameters", [])
        if p["in"] == "query" and _is_string(schema, p.get("schema", {})) and "enum" not in p.get("schema", {})
    ]


def _accepted_example(operation: Any, base_url: str, headers: dict[str, str]) -> Any | None:
    """A generated request the API does not refuse at validation: each field then is the only fault."""
    found: list[Any] = []

    @hypothesis.given(case=operation.as_strategy(GenerationMode.POSITIVE))
    @hypothesis.settings(
        max_examples=25,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    def look(case: Any) -> None:
        if found:
            return
        answer = case.call(base_url=base_url, headers=headers, timeout=30)
        # Past validation: anything but a refused body or a schema 422 (a 401 from sign-in, a 422
        # with a code of its own such as password_too_weak, a 404 for a made-up id all are).
        refused = answer.status_code in (400, 413) or (
            answer.status_code == 422 and answer.json()["error"]["code"] == "validation_failed"
        )
        if not refused:
            found.append(case)

    look()
    return found[0] if found else None


def test_every_operation_refuses_control_characters_in_every_text_field(http, localstripe, api_url):
    tenant = make_tenant(http, "Control Character Practice", localstripe.url)
    openapi = http.get("/openapi.json").json()
    loaded = schemathesis.openapi.from_url(f"{api_url}/openapi.json")
    tried, refused, fields_seen = 0, 0, set()
    wrong: list[str] = []
    for result in loaded.get_all_operations():
        operation = result.ok()
        raw = openapi["paths"][operation.path][operation.method.lower()]
        body_fields, query_fields = _body_fields(openapi, raw), _query_fields(openapi, raw)
        if not body_fields and not query_fields:
            continue
        headers = _caller(tenant, operation.method.upper(), operation.path)
        if headers is None:
            continue
        case = _accepted_example(operation, api_url, headers)
        assert case is not None, f"{operation.label}: no generated request got past validation"
        for name, shape in [*body_fields.items(), *((q, "query") for q in query_fields)]:
            fields_seen.add(f"{operation.label} {name}")
            for label, char in REFUSED.items():
                value = f"a{char}b"
                if shape == "query":
                    case.query = {**(case.query or {}), name: value}
                    sent_to = case
                else:
                    sent_to = operation.Case(
                        method=case.method,
                        path_parameters=case.path_parameters,
                        query=case.query,
                        headers=case.headers,
                        body={**(case.body or {}), name: [value] if shape == "list" else value},
                        media_type=case.media_type,
                    )
                answer = sent_to.call(base_url=api_url, headers=headers, timeout=30)
                tried += 1
                error = answer.json().get("error", {}) if answer.status_code < 500 else {}
                expected_param = f"{name}.0" if shape == "list" else name
                if answer.status_code != 422 or error.get("param") != expected_param:
                    wrong.append(f"{operation.label} {name} with {label}: {answer.status_code} {answer.text[:200]}")
                else:
                    refused += 1
                if shape == "query":
                    case.query = {k: v for k, v in case.query.items() if k != name}
    assert not wrong, wrong
    assert len(fields_seen) >= 25, sorted(fields_seen)
    record_finding(
        "control_characters_every_operation",
        "2. Control characters",
        f"every operation's {len(fields_seen)} text fields, each with NUL, ESC, DEL, C1 NEL, RLO, RLI, newline",
        f"{refused} of {tried} requests 422 validation_failed naming the field",
    )


def _logged_during(action: Any) -> str:
    """What the test process (the API included) logged while `action` ran, as production formats it."""
    before = capture.TEST_PROCESS_LOG.stat().st_size
    action()
    for handler in logging.getLogger().handlers:
        handler.flush()
    with capture.TEST_PROCESS_LOG.open("rb") as fh:
        fh.seek(before)
        return fh.read().decode("utf-8", "replace")


def test_sign_in_with_a_nul_in_the_email_is_422_and_logs_nothing_of_it(http):
    answers = []
    logged = _logged_during(
        lambda: answers.append(
            http.post("/v1/auth/token", data={"username": "a\x00b@x.org", "password": "whatever-it-is"})
        )
    )
    r = answers[0]
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "validation_failed"
    assert r.json()["error"]["param"] == "username"
    assert "U+0000" in r.json()["error"]["message"]
    assert "http_request" in logged  # the log was read
    assert "x.org" not in logged and "whatever-it-is" not in logged
    record_finding(
        "sign_in_nul_byte",
        "2. Control characters",
        "POST /v1/auth/token username='a\\x00b@x.org' (not signed in)",
        f"{r.status_code} {r.json()['error']['code']} param=username; nothing of it in the log",
    )


def test_names_keep_the_joiners_and_marks_real_scripts_need(http):
    practice = make_practice_via_api(http)
    names = {
        "ZWNJ": "Mehr\u200cnaz Rahimi",  # Persian: ZWNJ inside a name
        "ZWJ": "\u0d28\u0d3f\u0d24\u0d4d\u200d\u0d2f",  # Malayalam: a chillu with ZWJ
        "LRM/RLM": "\u05d3\u05e0\u05d4 \u200e(2)\u200f",  # Hebrew with a mark around a number
    }
    for label, name in names.items():
        created = make_client_via_api(http, practice, name=name)
        assert created["name"] == name, label
        assert http.get(f"/v1/clients/{created['id']}", headers=practice.biller).json()["name"] == name, label
    bidi = http.post("/v1/clients", headers=practice.biller, json={"name": "Invoice \u202efdp.exe"})
    assert bidi.status_code == 422 and bidi.json()["error"]["param"] == "name", bidi.text
    record_finding(
        "bidi_override_in_a_name",
        "2. Control characters",
        "POST /v1/clients name='Invoice \\u202efdp.exe' (RLO); and names with ZWNJ, ZWJ, LRM, RLM",
        "422 validation_failed param=name; the names with joiners and marks 201, read back unchanged",
    )


def _strings_without_the_rule(schema: dict[str, Any], node: dict[str, Any], where: str, seen: set[str]) -> list[str]:
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        return _strings_without_the_rule(schema, _resolve(schema, node), f"{where}<{name}>", seen | {name})
    missing: list[str] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in node.get(key, []):
            missing += _strings_without_the_rule(schema, sub, where, seen)
    if node.get("type") == "string" and "enum" not in node and "const" not in node:
        pattern = node.get("pattern")
        if node.get("format") in ("date", "date-time", "uuid", "binary"):
            pass
        elif pattern is None or any(re.search(pattern, f"a{c}b") for c in REFUSED.values()):
            missing.append(where)
    for name, prop in node.get("properties", {}).items():
        missing += _strings_without_the_rule(schema, prop, f"{where}.{name}", seen)
    if isinstance(node.get("items"), dict):
        missing += _strings_without_the_rule(schema, node["items"], f"{where}[]", seen)
    return missing


def test_every_text_a_request_can_carry_is_under_the_rule(http):
    """A new field typed plain `str` (not shared.text's `text()`/`Email`) fails here."""
    schema = http.get("/openapi.json").json()
    missing: list[str] = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            label = f"{method.upper()} {path}"
            for content in operation.get("requestBody", {}).get("content", {}).values():
                missing += _strings_without_the_rule(schema, content.get("schema", {}), f"{label} body", set())
            for param in operation.get("parameters", []):
                if param["in"] in ("query", "header"):
                    missing += _strings_without_the_rule(
                        schema, param.get("schema", {}), f"{label} {param['in']} {param['name']}", set()
                    )
    assert not missing, "text fields without shared.text's rule:\n" + "\n".join(missing)


@pytest.mark.parametrize("value", ["Avery \x00 Client", "avery@example.org"])
def test_a_database_error_is_logged_without_the_values_bound_to_it(value):
    """hide_parameters keeps SQLAlchemy from printing them; PostgreSQL's own message can still quote
    one (`invalid input syntax for type uuid: "avery@example.org"`), so no database error is logged
    with its message (shared/logging.py)."""
    failed: list[DBAPIError] = []

    def fail_and_log() -> None:
        try:
            with session_scope() as session:
                session.execute(sql("SELECT CAST(:value AS uuid)"), {"value": value})
        except DBAPIError as exc:
            failed.append(exc)
            get_logger("clinicpay.test").exception("database_error")

    logged = _logged_during(fail_and_log)
    assert failed, "the statement was meant to fail"
    assert "[SQL parameters hidden" in str(failed[0])
    assert '"database_error"' in logged and "sqlstate" in logged, logged
    assert value not in logged and value.split()[0] not in logged, logged
