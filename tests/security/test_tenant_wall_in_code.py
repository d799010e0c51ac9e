"""The tenant wall, read from the code's structure (test_tenant_wall.py tries it over HTTP).

A practice's table is one whose rows carry `group_id`. Every function in shared/ and services/ that
queries one (`select`, `update`, `delete`, `session.get`) must scope it to a practice: through a
repository's `scoped()` (shared/db/repository.py) or a `group_id` condition of its own. What does not
is named below, each with why, in three kinds:

- CROSS_PRACTICE: on purpose — beat's sweeps and the worker's jobs (which take rows by id from a
  message or a lease, every practice's), the operator's counts, the inbox;
- BY_SECRET: a lookup by a value only its holder has (a token's digest, a login's email): the row
  found names its practice, and the caller acts only for that one;
- UNDER_A_SCOPED_PARENT: children read by the id of a parent the caller already read within its
  practice. It was a debt of 28 and is empty now: a child read takes the parent row and filters by
  its group_id, as `payments_of(invoice)` does. It stays for a case that truly cannot.

A new function that queries a practice's table without a scope fails here, and so does an entry whose
function no longer needs it (so the lists only shrink).
"""

from __future__ import annotations

import ast
from pathlib import Path

import shared.db.models  # noqa: F401 — every mapper, to know which tables are a practice's
from shared.db.base import Base
from tests.stack import REPO_ROOT

CROSS_PRACTICE = {
    "services/worker/tasks/invoicing.py::render_invoice_pdf": "a task: the invoice id is from our own message",
    "shared/outbox/repository.py::mark_sent": "the delivery job's leased row",
    "shared/outbox/repository.py::mark_skipped": "the delivery job's leased row",
    "shared/platform/overview.py::platform_health": "the operator's platform-wide counts (never a practice's records)",
    "shared/stripe_sync/inbox_repository.py::claim": "the inbox: rows of every practice, by the ids the relay sent",
    "shared/stripe_sync/inbox_repository.py::by_stripe_event_id": "replay: an operator names an event, every practice's copy",
    "shared/stripe_sync/inbox_repository.py::lock_for_sweep": "the inbox sweeper",
    "shared/stripe_sync/inbox_repository.py::mark_dispatched": "the inbox sweeper",
    "shared/stripe_sync/inbox_repository.py::reset_for_replay": "replay, by the operator",
    "shared/demo.py::_find_user": "`clinicpay seed-demo`, the operator's command",
}

BY_SECRET = {
    "shared/accounts/service.py::_take": "an emailed link's token digest",
    "shared/accounts/service.py::_end_unused": "the links of the account the token named",
    "shared/users/repository.py::find_user_by_email": "signing in: the login's email",
    "shared/auth/totp.py::accept_code": "the signed-in user's own row",
    "shared/auth/totp.py::_me": "the signed-in user's own row",
    "shared/users/service.py::change_password": "the signed-in user's own row",
    "shared/paylinks/service.py::use": "the pay link found by its token's digest",
    "shared/paylinks/service.py::request_fresh_link": "the invoice of the pay link found by its token's digest",
    "shared/reminders/service.py::find": "an unsubscribe token's digest",
    "shared/payments/portal_repository.py::payment_by_confirmation_token": "Stripe's ConfirmationToken id",
    "shared/ledger/stripe_repository.py::payment_by_intent": "a Stripe id, from an event of the practice's account",
    "shared/ledger/stripe_repository.py::refund_by_stripe_id": "a Stripe id, from an event of the practice's account",
    "shared/ledger/stripe_repository.py::dispute_by_stripe_id": "a Stripe id, from an event of the practice's account",
}

UNDER_A_SCOPED_PARENT: dict[str, str] = {}

ALLOWED = CROSS_PRACTICE | BY_SECRET | UNDER_A_SCOPED_PARENT
QUERIES = frozenset({"select", "update", "delete"})
# Whole modules that are cross-practice by design: the worker's jobs (every practice's rows, by id from
# a message or a lease), the webhooks receiver and relay (raw drivers, no practice yet), migrations.
CROSS_PRACTICE_MODULES = ("shared/jobs/", "services/webhooks/", "shared/db/")


def practice_tables() -> frozenset[str]:
    return frozenset(m.class_.__name__ for m in Base.registry.mappers if "group_id" in m.columns)


def _queried_models(fn: ast.AST, practice: frozenset[str]) -> set[str]:
    found: set[str] = set()
    for call in ast.walk(fn):
        if not isinstance(call, ast.Call):
            continue
        f = call.func
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
        args: list[ast.expr] = []
        if name in QUERIES:
            args = list(call.args)
        elif name in ("get", "get_one") and isinstance(f, ast.Attribute) and getattr(f.value, "id", None) == "session":
            args = call.args[:1]
        for arg in args:
            found |= {n.id for n in ast.walk(arg) if isinstance(n, ast.Name) and n.id in practice}
    return found


def unscoped_queries(path: Path, rel: str, practice: frozenset[str]) -> dict[str, set[str]]:
    """{"file::function": the practice tables it queries} for functions with no scope of their own."""
    source = path.read_text()
    functions = [fn for fn in ast.walk(ast.parse(source)) if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)]
    scoped_text = {fn.name for fn in functions if _scoped_text(ast.get_source_segment(source, fn) or "")}
    out: dict[str, set[str]] = {}
    for fn in functions:
        if fn.name in scoped_text:
            continue
        # Each query statement may instead call one of the module's own scoping helpers (e.g. the
        # condition a repository's updates share): only then is the function scoped without naming it.
        unscoped = set()
        for stmt in (node for node in ast.walk(fn) if isinstance(node, ast.stmt) and node is not fn):
            models = _queried_models(stmt, practice)
            if models and not _calls_any(stmt, scoped_text):
                unscoped |= models
        if unscoped:
            out[f"{rel}::{fn.name}"] = unscoped
    return out


def _scoped_text(body: str) -> bool:
    return "group_id" in body or "scoped(" in body or "practice_of(" in body


def _calls_any(node: ast.AST, names: set[str]) -> bool:
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            f = call.func
            if (f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None) in names:
                return True
    return False


def _whole_tree() -> dict[str, set[str]]:
    practice = practice_tables()
    found: dict[str, set[str]] = {}
    for root in ("shared", "services"):
        for path in sorted((REPO_ROOT / root).rglob("*.py")):
            rel = path.relative_to(REPO_ROOT).as_posix()
            if not rel.startswith(CROSS_PRACTICE_MODULES):
                found |= unscoped_queries(path, rel, practice)
    return found


def test_every_query_of_a_practices_table_is_scoped_or_named_with_why():
    unnamed = {where: sorted(tables) for where, tables in _whole_tree().items() if where not in ALLOWED}
    assert not unnamed, (
        "these query a practice's table without scoping it to the practice (a repository's scoped(), or "
        f"a group_id condition); scope them, or name them here with why: {unnamed}"
    )


def test_every_named_exception_still_exists_and_still_needs_naming():
    stale = sorted(set(ALLOWED) - set(_whole_tree()))
    assert not stale, f"scoped now, or gone: take them off the lists: {stale}"


def test_the_reading_sees_an_unscoped_query_and_a_scoped_one(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "def leaky(session, invoice_id):\n"
        "    return session.scalar(select(Invoice).where(Invoice.id == invoice_id))\n\n"
        "def walled(session, group_id, invoice_id):\n"
        "    return session.scalar(select(Invoice).where(Invoice.group_id == group_id, Invoice.id == invoice_id))\n\n"
        "def by_repository(repo, group_id):\n"
        "    return repo.scoped(group_id)\n\n"
        "def _of_practice(rate):\n"
        "    return Service.group_id == rate.group_id\n\n"
        "def through_a_helper(session, rate):\n"
        "    return session.scalars(select(Service).where(_of_practice(rate), Service.billing_rate_id == rate.id))\n\n"
        "def helper_beside_the_query(session, rate):\n"
        "    check = _of_practice(rate)\n"
        "    return session.scalars(select(Service).where(Service.billing_rate_id == rate.id))\n"
    )
    assert unscoped_queries(probe, "probe.py", practice_tables()) == {
        "probe.py::leaky": {"Invoice"},
        "probe.py::helper_beside_the_query": {"Service"},
    }
