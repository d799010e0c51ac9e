"""Staff alerts: what a practice's staff must act on — raised once per cause, listed newest first,
resolved by an admin or biller (audited), invisible to another practice and to clients.

The overpayment alert is raised the way a card payment landing after a cheque raises it: through
`apply_payment_intent`, the one function that applies Stripe's word (as the confirm call and
reconciliation call it)."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select

from shared.alerts.models import Alert
from shared.alerts.service import raise_alert
from shared.db.engine import session_scope
from shared.payments.card import apply_payment_intent
from tests.factories import make_card_payment, make_client_login, make_client_via_api, make_invoice, mark_paid_by_check
from tests.stripe_events import payment_intent


def _overpaid_invoice(http, practice, total: int = 15_000) -> tuple[str, uuid.UUID, str]:
    """A card payment on its way, a cheque for the whole invoice recorded meanwhile (what the mark-paid
    race left before finding 4 was fixed), then Stripe's success."""
    gid = uuid.UUID(practice.group_id)
    client = make_client_via_api(http, practice)
    invoice_id = make_invoice(practice.group_id, client["id"], total)
    payment_id, pi_id = make_card_payment(gid, uuid.UUID(invoice_id), total)
    mark_paid_by_check(gid, uuid.UUID(invoice_id), total)
    return invoice_id, payment_id, pi_id


def _succeed(group_id: str, pi_id: str, amount: int) -> str:
    with session_scope() as session:
        pi = payment_intent(pi_id=pi_id, amount=amount, status="succeeded")
        return apply_payment_intent(session, uuid.UUID(group_id), pi, source="webhook").outcome


def _alert(practice, *, key: str | None = None, invoice_id: str | None = None) -> uuid.UUID:
    with session_scope() as session:
        return raise_alert(
            session,
            group_id=uuid.UUID(practice.group_id),
            kind="reconciliation_mismatch",
            dedupe_key=key or f"test:{uuid.uuid4()}",
            message="Stripe holds a charge our books do not show.",
            invoice_id=uuid.UUID(invoice_id) if invoice_id else None,
        )


def _list(http, practice, **params) -> dict:
    r = http.get("/v1/alerts", headers=practice.biller, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_an_overpayment_raises_one_alert_shown_on_the_invoice(http, practice):
    invoice_id, payment_id, pi_id = _overpaid_invoice(http, practice)
    assert _succeed(practice.group_id, pi_id, 15_000) == "applied"
    assert _succeed(practice.group_id, pi_id, 15_000) == "unchanged"  # a retried task, a duplicated event

    invoice = http.get(f"/v1/invoices/{invoice_id}", headers=practice.biller).json()
    assert (invoice["paid_cents"], invoice["overpaid_cents"]) == (30_000, 15_000)
    [alert] = invoice["alerts"]
    assert (alert["kind"], alert["status"], alert["invoice_id"], alert["payment_id"]) == (
        "overpayment",
        "open",
        invoice_id,
        str(payment_id),
    )
    assert "Refund the surplus of $150.00" in alert["message"] and invoice["number"] in alert["message"]
    assert alert["data"] == {
        "amount_cents": 15_000,
        "currency": "USD",
        "payment_amount_cents": 15_000,
        "payment_intent": pi_id,
    }
    assert _list(http, practice)["data"] == [alert]


def test_staff_list_newest_first_and_page_through(http, practice):
    ids = [str(_alert(practice)) for _ in range(3)]
    page = _list(http, practice, limit=2)
    assert [a["id"] for a in page["data"]] == ids[::-1][:2] and page["has_more"] is True
    rest = _list(http, practice, limit=2, starting_after=page["data"][-1]["id"])
    assert [a["id"] for a in rest["data"]] == [ids[0]] and rest["has_more"] is False
    assert _list(http, practice, kind="overpayment")["data"] == []
    for params in ({"status": "closed"}, {"kind": "something"}, {"limit": 0}, {"limit": 201}):
        r = http.get("/v1/alerts", headers=practice.biller, params=params)
        assert r.status_code == 422, (params, r.text)
    assert http.get("/v1/alerts", headers=practice.biller, params={"starting_after": "nope"}).status_code == 404


def test_a_biller_resolves_an_alert_once_and_it_is_audited(http, practice):
    invoice_id, _, pi_id = _overpaid_invoice(http, practice)
    _succeed(practice.group_id, pi_id, 15_000)
    [alert] = _list(http, practice, status="open")["data"]
    me = http.get("/v1/me", headers=practice.biller).json()

    r = http.post(f"/v1/alerts/{alert['id']}/resolve", headers=practice.biller)
    assert r.status_code == 200, r.text
    resolved = r.json()
    assert resolved["status"] == "resolved" and resolved["resolved_at"]
    assert resolved["resolved_by_user_id"] == me["id"]
    again = http.post(f"/v1/alerts/{alert['id']}/resolve", headers=practice.admin)
    assert again.status_code == 409 and again.json()["error"]["code"] == "alert_already_resolved", again.text
    assert again.json()["error"]["resolved_by_user_id"] == me["id"]

    assert _list(http, practice, status="open")["data"] == []
    assert [a["id"] for a in _list(http, practice, status="resolved")["data"]] == [alert["id"]]
    assert http.get(f"/v1/invoices/{invoice_id}", headers=practice.biller).json()["alerts"] == []
    audit = http.get(
        "/v1/audit-events", headers=practice.admin, params={"entity": "alert", "entity_id": alert["id"]}
    ).json()["data"]
    assert [(e["action"], e["actor_kind"]) for e in audit] == [("alert.resolved", "biller"), ("alert.raised", "system")]
    assert audit[0]["actor_user_id"] == me["id"]
    # The same cause reported again after it was resolved opens nothing new.
    assert _succeed(practice.group_id, pi_id, 15_000) == "unchanged"
    assert len(_list(http, practice)["data"]) == 1


def test_two_billers_resolving_at_once(http, practice, api_url):
    alert_id = _alert(practice)
    barrier = threading.Barrier(2)

    def press(headers) -> httpx.Response:
        with httpx.Client(base_url=api_url, timeout=30) as c:
            barrier.wait()
            return c.post(f"/v1/alerts/{alert_id}/resolve", headers=headers)

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(press, [practice.biller, practice.admin]))
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]


def test_the_same_cause_raised_in_two_transactions_at_once_makes_one_alert(practice):
    barrier = threading.Barrier(4)

    def raise_once(_: int) -> uuid.UUID | None:
        with session_scope() as session:
            barrier.wait()
            return raise_alert(
                session,
                group_id=uuid.UUID(practice.group_id),
                kind="stripe_event_failing",
                dedupe_key="stripe_event_failing:evt_1",
                message="A Stripe event keeps failing.",
            )

    with ThreadPoolExecutor(max_workers=4) as pool:
        made = list(pool.map(raise_once, range(4)))
    assert len([m for m in made if m is not None]) == 1
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == 1
    with session_scope() as session, pytest.raises(ValueError):
        raise_alert(session, group_id=uuid.UUID(practice.group_id), kind="nope", dedupe_key="k", message="m")


def test_another_practices_alert_is_unknown_and_clients_see_none(http, practice, other_practice):
    theirs = _alert(other_practice)
    mine = _alert(practice)
    r = http.post(f"/v1/alerts/{theirs}/resolve", headers=practice.admin)
    assert r.status_code == 404 and r.json()["error"]["code"] == "resource_missing", r.text
    assert other_practice.group_id not in r.text
    assert http.get("/v1/alerts", headers=practice.biller, params={"starting_after": str(theirs)}).status_code == 404
    assert [a["id"] for a in _list(http, practice)["data"]] == [str(mine)]
    assert _list(http, other_practice, status="open")["data"][0]["id"] == str(theirs)  # still open
    client = make_client_via_api(http, practice)
    headers = {"Authorization": f"Bearer {make_client_login(practice, client['id'])}"}
    assert http.get("/v1/alerts", headers=headers).status_code == 403
    assert http.post(f"/v1/alerts/{mine}/resolve", headers=headers).status_code == 403
