"""Runs last: over everything the whole run saw, no secret anywhere it should not be.

tests/capture.py kept every log line of the test process (the API runs in it), the logs of
every child process the fixtures started (worker, beat, receiver, relay…), every answer of our
services the tests received, and every password and Stripe key the tests sent. Here:

- no Stripe secret key, webhook secret, password or card number in any log line or any answer;
- no access token or API key in any log line, and in answers only once each: in the one answer
  that issued it (POST /v1/auth/token, POST /v1/api-keys);
- no pay link token in any log line or any answer, but in the development mailbox's (the emails that
  carry the links, as the client's mail app shows them);
- no TOTP secret in any log line, and in answers only in the one that showed it at enrolment
  (POST /v1/me/totp);
- every call our servers made to Stripe carried only allow-listed fields (tests/stripe_recorder.py).

Run alone it checks whatever the run contained; the suite gives it the whole run.
"""

from __future__ import annotations

import json
from collections import defaultdict
from urllib.parse import urlsplit

import pytest

from tests import capture
from tests.faults.record import record_scenario
from tests.security.secrets_scan import BEARER, KNOWN_PASSWORDS, secrets_in
from tests.stripe_recorder import phi_violations, recorded_calls

pytestmark = pytest.mark.last

ISSUERS = {("POST", "/v1/auth/token"), ("POST", "/v1/api-keys")}
TOTP_ENROLMENT = ("POST", "/v1/me/totp")
# An emailed link's token (an invitation, a password reset, a pay link) is meant to be read in the
# inbox only: in development and tests, the development mailbox — never an answer of the API itself.
EMAILED_TOKEN_PREFIXES = ("cpi_", "cpr_", "cpu_")
MAILBOX = {("GET", "/dev/mailbox"), ("GET", "/dev/mailbox/"), ("GET", "/dev/mailbox/messages")}
# The stand-in plays Stripe, which is where card numbers are meant to go: its own log is not ours.
NOT_OURS = ("localstripe",)


def _totp_secrets_shown(answers: list[dict]) -> set[str]:
    shown = set()
    for answer in answers:
        if (answer["method"], urlsplit(answer["url"]).path) == TOTP_ENROLMENT and answer["status"] == 201:
            shown.add(json.loads(answer["body"])["secret"])
    return shown


def test_no_secret_leaked_anywhere_during_the_run():
    known = sorted(capture.secrets_sent | set(KNOWN_PASSWORDS))
    answers = capture.responses()
    totp_secrets = _totp_secrets_shown(answers)
    findings = []
    logs = {path: text for path, text in capture.system_logs().items() if not path.name.startswith(NOT_OURS)}
    for path, text in logs.items():
        where = str(path.relative_to(capture.ARTIFACTS))
        findings.extend(secrets_in(text, where, [*known, *totp_secrets]))

    seen_in: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for n, answer in enumerate(answers):
        route = (answer["method"], urlsplit(answer["url"]).path)
        where = f"answer #{n} to {route[0]} {route[1]} ({answer['status']})"
        in_mailbox = route in MAILBOX
        findings.extend(secrets_in(answer["body"], where, known, bearer=False, pay_links=not in_mailbox))
        for match in BEARER.finditer(answer["body"]):
            seen_in[match.group()].append(route)
        for secret in totp_secrets:
            if secret in answer["body"]:
                seen_in[secret].append(route)
    for credential, routes in seen_in.items():
        issued_once = len(routes) == 1 and routes[0] in (ISSUERS | {TOTP_ENROLMENT})
        in_the_inbox = credential.startswith(EMAILED_TOKEN_PREFIXES) and set(routes) <= MAILBOX
        if not (issued_once or in_the_inbox):
            findings.append(f"{credential[:10]}… appears in {len(routes)} answer(s): {sorted(set(routes))}")

    calls = recorded_calls()
    stripe_findings = phi_violations(calls)
    lines = sum(text.count("\n") for text in logs.values())
    print(
        f"\nscanned {lines} log lines in {len(logs)} files, {len(answers)} answers ({len(seen_in)} credentials "
        f"issued), {len(totp_secrets)} TOTP secrets, {len(calls)} Stripe calls; {len(known)} known secrets"
    )
    record_scenario(
        "secrets_in_logs_and_answers",
        load={"log_lines": lines, "log_files": len(logs), "api_answers": len(answers), "stripe_calls": len(calls)},
        faults=[
            "every log line and API answer of the run searched for keys, webhook secrets, "
            "passwords, card numbers, tokens, API keys and pay link tokens"
        ],
        lost={"secrets_found": len(findings), "stripe_fields_not_allowed": len(stripe_findings)},
        notes="; ".join(map(str, findings + stripe_findings))[:2000]
        or f"{len(known)} known secrets and every secret shape: none found",
        title="Secrets in logs and API answers (whole run)",
    )
    assert not findings, [str(f) for f in findings]
    assert not stripe_findings, stripe_findings
