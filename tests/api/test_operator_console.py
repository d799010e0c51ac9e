"""The operator's console: every practice with its counts, Stripe connection and sync health, and the
platform's background work — and never a client's name, an invoice or a payment (the boundary in
docs/API.md). Only the operator may read it."""

from __future__ import annotations

import uuid

from shared.db.engine import session_scope
from shared.outbox.models import OutboxMessage
from shared.stripe_sync.models import StripeEvent
from tests.factories import auth, make_client_via_api, make_invoice, make_practice_via_api, operator_token

CLIENT_NAME = "Ada Lovelace-Byron"


def _failing_event(group_id: str) -> None:
    with session_scope() as session:
        session.add(
            StripeEvent(
                group_id=uuid.UUID(group_id),
                stripe_event_id=f"evt_{uuid.uuid4().hex}",
                type="payment_intent.succeeded",
                stripe_created=1_700_000_000,
                payload={"id": "evt_x", "data": {"object": {"description": CLIENT_NAME}}},
                attempts=3,
                last_error="the payment's invoice is locked",
            )
        )


def test_the_operator_sees_each_practices_counts_and_health_and_nothing_of_its_clients(http):
    operator = auth(operator_token(http))
    busy = make_practice_via_api(http, name="Busy Practice")
    quiet = make_practice_via_api(http, name="Quiet Practice")
    ada = make_client_via_api(http, busy, name=CLIENT_NAME)
    make_client_via_api(http, busy, name="Grace Hopper")
    make_invoice(busy.group_id, ada["id"], 12_000)
    make_invoice(busy.group_id, ada["id"], 8_000)
    _failing_event(busy.group_id)

    r = http.get("/v1/operator/practices", headers=operator)
    assert r.status_code == 200, r.text
    found = {p["name"]: p for p in r.json()["data"]}
    assert [p["name"] for p in r.json()["data"]][:2] == ["Quiet Practice", "Busy Practice"]  # newest first
    b, q = found["Busy Practice"], found["Quiet Practice"]
    assert (b["staff_count"], b["client_count"], b["open_invoice_count"]) == (2, 2, 2)  # the admin and the biller
    assert (b["events_failing"], b["events_unapplied"]) == (1, 1) and b["oldest_unapplied_event_at"]
    assert (q["client_count"], q["open_invoice_count"], q["events_failing"]) == (0, 0, 0)
    assert b["stripe_connected"] is False and b["last_reconciliation_status"] is None
    # The boundary: no client, invoice or event content in anything the operator reads.
    health = http.get("/v1/operator/health", headers=operator)
    assert health.status_code == 200, health.text
    for answer in (r.text, health.text):
        assert CLIENT_NAME not in answer and "Grace Hopper" not in answer and "INV-" not in answer
    assert health.json()["events_failing"] >= 1 and health.json()["practice_count"] >= 2
    assert quiet.group_id in {p["id"] for p in r.json()["data"]}

    page = http.get("/v1/operator/practices", headers=operator, params={"limit": 1}).json()
    assert page["has_more"] is True and len(page["data"]) == 1


def test_the_platform_health_counts_emails_waiting(http):
    operator = auth(operator_token(http))
    practice = make_practice_via_api(http)
    before = http.get("/v1/operator/health", headers=operator).json()
    with session_scope() as session:
        session.add(
            OutboxMessage(
                group_id=uuid.UUID(practice.group_id),
                kind="invoice_issued",
                dedupe_key=f"test:{uuid.uuid4()}",
                to_address="someone@example.com",
                message_id=f"<{uuid.uuid4()}@test>",
                facts={},
                status="pending",
            )
        )
    after = http.get("/v1/operator/health", headers=operator).json()
    assert after["emails_pending"] == before["emails_pending"] + 1
    assert after["oldest_pending_email_at"] is not None


def test_only_the_operator_reads_the_console(http):
    practice = make_practice_via_api(http)
    for headers in (practice.admin, practice.biller):
        assert http.get("/v1/operator/practices", headers=headers).status_code == 403
        assert http.get("/v1/operator/health", headers=headers).status_code == 403
    assert http.get("/v1/operator/practices").status_code == 401
