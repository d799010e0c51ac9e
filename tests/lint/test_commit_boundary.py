"""Transactions belong to the boundary, read from the code's structure.

A request commits through its session dependency (services/api/deps.py), a job's step through
`shared.jobs.transaction()`, a command through the CLI. Domain code takes a session and never
commits: this test walks every module of shared/ and services/ and fails on a call that opens or
ends a transaction anywhere else — `session_scope()`, `.commit()`, `.begin()` — naming the file and
line. The allow-list is short and says why each entry may.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.stack import REPO_ROOT

# `.commit()` and `.begin()` without arguments (a session's, a connection's, an engine's; a savepoint,
# `begin_nested()`, ends no transaction). `idempotency.begin(session, …)` takes arguments: not one.
TRANSACTION_CALLS = frozenset({"session_scope", "commit", "begin"})

# module → the calls it may make, and why.
ALLOWED: dict[str, tuple[frozenset[str], str]] = {
    "shared/db/engine.py": (frozenset({"commit"}), "session_scope itself: the one unit of work"),
    "shared/db/lease.py": (
        frozenset({"begin"}),
        "a lease's statements commit on their own (a heartbeat must not wait for the work), and the advisory lock's",
    ),
    "shared/jobs/__init__.py": (frozenset({"session_scope"}), "transaction(): the task boundary"),
    "services/api/deps.py": (frozenset({"session_scope", "commit"}), "the request boundary and commit_now"),
    "shared/cli.py": (frozenset({"session_scope"}), "the command boundary"),
    "shared/demo.py": (frozenset({"session_scope"}), "`clinicpay seed-demo`, a command's body"),
}


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _transaction_calls(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        (node.lineno, name)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (name := _called_name(node)) in TRANSACTION_CALLS
        and (name == "session_scope" or not (node.args or node.keywords))
    ]


def _modules() -> list[Path]:
    return sorted(
        p for root in ("shared", "services") for p in (REPO_ROOT / root).rglob("*.py") if "migrations" not in p.parts
    )


def test_only_the_boundary_opens_or_commits_a_transaction():
    offences = []
    for path in _modules():
        rel = path.relative_to(REPO_ROOT).as_posix()
        allowed = ALLOWED.get(rel, (frozenset(), ""))[0]
        offences += [f"{rel}:{line} {name}()" for line, name in _transaction_calls(path) if name not in allowed]
    assert not offences, "a transaction opened or committed outside the boundary:\n" + "\n".join(offences)


def test_the_allow_list_names_only_modules_that_exist_and_use_it():
    # An entry that outlived its reason would let the next offender in unnoticed.
    for rel, (allowed, _why) in ALLOWED.items():
        path = REPO_ROOT / rel
        assert path.exists(), rel
        assert {name for _, name in _transaction_calls(path)} & allowed, f"{rel} no longer needs its entry"


def test_the_walk_finds_a_commit_where_one_is_written(tmp_path):
    # The check cannot pass by reading nothing: a domain function that commits is seen.
    probe = tmp_path / "domain.py"
    probe.write_text("def pay(session):\n    session.add(object())\n    session.commit()\n")
    assert _transaction_calls(probe) == [(3, "commit")]
