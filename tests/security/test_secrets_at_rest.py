"""The database keeps Stripe secrets only encrypted, and no password, token, API key, pay link or card number at all.

Two practices connect Stripe (one reconnects with new keys), clients start card payments, staff
sign in and mint API keys, the receiver stores a signed event — then every value of every column
of every table is read back as text (bytea byte for byte, like a dump) and searched.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from shared.db.engine import session_scope
from shared.groups.models import Group
from shared.security.secrets import decrypt_secret
from tests.conftest import TEST_DB_URL
from tests.factories import STAFF_PASSWORD, connect_stripe, login, new_keys
from tests.faults.record import record_scenario
from tests.paylinks.helpers import mint_link
from tests.security.secrets_scan import KNOWN_PASSWORDS, database_text, secrets_in
from tests.security.world import api_key, make_tenant
from tests.stripe_events import deliver, event, payment_intent


def test_the_database_holds_stripe_secrets_only_encrypted_and_no_credentials(http, localstripe, receiver):
    a = make_tenant(http, "Practice A", localstripe.url)
    b = make_tenant(http, "Practice B", localstripe.url)
    old_keys = a.keys
    new = connect_stripe(http, a.practice, localstripe.url, new_keys())  # the admin rotates the keys
    token = login(http, a.practice.admin_email, STAFF_PASSWORD)
    key = api_key(http, a.practice, "biller")
    # Emailed single-use links (an invitation, a password reset): their tokens are in the outbox's
    # rows only encrypted, and in account_tokens only as digests — BEARER finds any cpi_/cpr_ left.
    r = http.post("/v1/users/invitations", headers=a.practice.admin, json={"email": "new@b.example", "role": "biller"})
    assert r.status_code == 202, r.text
    assert http.post("/v1/auth/password-reset", json={"email": a.practice.biller_email}).status_code == 202
    pay_link = mint_link(a.ids["invoice_id"])  # as the worker mints one when an invoice email goes
    assert http.get(f"/v1/pay/{pay_link}").status_code == 200
    r = deliver(
        http,
        receiver.webhook_url(a.practice.group_id),
        event("payment_intent.succeeded", payment_intent(amount=1_000, status="succeeded")),
        new.webhook_secret,
    )
    assert r.status_code == 200, r.text

    secrets = [
        new.secret_key,
        new.webhook_secret,
        old_keys.secret_key,
        old_keys.webhook_secret,
        b.keys.secret_key,
        b.keys.webhook_secret,
        token,
        key,
        a.client_token,
        pay_link,
        *KNOWN_PASSWORDS,
    ]
    findings = []
    values = 0
    for where, text in database_text(TEST_DB_URL):
        values += 1
        findings.extend(secrets_in(text, where, secrets))
    record_scenario(
        "secrets_at_rest",
        load={"database_values_scanned": values},
        faults=["two practices' Stripe keys (one rotated), sign-ins, API keys, card payments, a stored webhook event"],
        lost={"secrets_in_plaintext": len(findings)},
        notes="; ".join(map(str, findings))
        or "Stripe secrets only as Fernet tokens; tokens and keys only as SHA-256; passwords only as argon2id",
        title="Secrets at rest in the database",
    )
    assert values > 200
    assert not findings, [str(f) for f in findings]

    # The secrets are there — encrypted — and the practice's own key opens them.
    with session_scope() as session:
        group = session.scalar(select(Group).where(Group.id == uuid.UUID(a.practice.group_id)))
        assert decrypt_secret(group.stripe_secret_key_encrypted) == new.secret_key
        assert decrypt_secret(group.stripe_webhook_secret_encrypted) == new.webhook_secret
        assert group.stripe_secret_key_last4 == new.secret_key[-4:]
