"""The Clients page's list: search by any part of a name or email, each client's balance (equal to
what their open invoices owe), open invoice count and last activity, and one client's payments —
within the practice only."""

from __future__ import annotations

import uuid

from sqlalchemy import update

from shared.db.engine import session_scope
from shared.ledger.invoices import Invoice
from tests.factories import make_client_via_api, make_invoice, make_practice_via_api


def _pay(http, practice, invoice_id: str, amount: int) -> dict:
    r = http.post(
        f"/v1/invoices/{invoice_id}/payments",
        headers=practice.biller,
        json={"amount_cents": amount, "method": "check", "received_date": "2026-04-05"},
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_search_finds_any_part_of_a_name_or_email_and_wildcards_are_literal(http):
    practice = make_practice_via_api(http)
    make_client_via_api(http, practice, name="Ada Lovelace", email="ada@analytical.example")
    make_client_via_api(http, practice, name="Grace Hopper", email="grace@navy.example")
    make_client_via_api(http, practice, name="100% Sure_Name", email=None)

    def names(q: str) -> list[str]:
        r = http.get("/v1/clients", headers=practice.biller, params={"q": q})
        assert r.status_code == 200, r.text
        return sorted(c["name"] for c in r.json()["data"])

    assert names("love") == ["Ada Lovelace"]
    assert names("NAVY") == ["Grace Hopper"]
    assert names("%") == ["100% Sure_Name"]  # a literal percent sign, not "everything"
    assert names("_") == ["100% Sure_Name"]
    assert names("e") == ["100% Sure_Name", "Ada Lovelace", "Grace Hopper"]
    assert names("nobody") == []
    # Another practice's clients are never found.
    other = make_practice_via_api(http)
    assert http.get("/v1/clients", headers=other.biller, params={"q": "Ada"}).json()["data"] == []
    assert http.get("/v1/clients", headers=practice.biller, params={"q": "a\u0000b"}).status_code == 422


def test_each_client_shows_what_they_owe_and_their_last_activity(http):
    practice = make_practice_via_api(http)
    ada = make_client_via_api(http, practice, name="Ada Lovelace")
    grace = make_client_via_api(http, practice, name="Grace Hopper")
    first = make_invoice(practice.group_id, ada["id"], 12_000)
    make_invoice(practice.group_id, ada["id"], 8_000)
    voided = make_invoice(practice.group_id, ada["id"], 5_000)
    assert http.post(f"/v1/invoices/{voided}/void", headers=practice.biller).status_code == 200
    payment = _pay(http, practice, first, 2_000)

    listed = {c["name"]: c for c in http.get("/v1/clients", headers=practice.biller).json()["data"]}
    assert (listed["Ada Lovelace"]["balance_cents"], listed["Ada Lovelace"]["open_invoice_count"]) == (18_000, 2)
    assert listed["Ada Lovelace"]["last_activity_at"] >= payment["created_at"][:19]
    assert (listed["Grace Hopper"]["balance_cents"], listed["Grace Hopper"]["open_invoice_count"]) == (0, 0)
    assert listed["Grace Hopper"]["last_activity_at"] is None
    # The same on the client's own record, and to the cent what the ledger says Ada owes.
    one = http.get(f"/v1/clients/{ada['id']}", headers=practice.biller).json()
    assert one["balance_cents"] == 18_000
    with session_scope() as session:
        session.execute(update(Invoice).where(Invoice.id == uuid.UUID(first)).values(status="paid", balance_cents=0))
    assert http.get(f"/v1/clients/{ada['id']}", headers=practice.biller).json()["balance_cents"] == 8_000
    assert http.get(f"/v1/clients/{grace['id']}", headers=practice.biller).json()["balance_cents"] == 0


def test_a_clients_payments_and_no_one_elses(http):
    practice = make_practice_via_api(http)
    ada = make_client_via_api(http, practice, name="Ada Lovelace")
    grace = make_client_via_api(http, practice, name="Grace Hopper")
    ada_invoice = make_invoice(practice.group_id, ada["id"], 12_000)
    grace_invoice = make_invoice(practice.group_id, grace["id"], 9_000)
    older = _pay(http, practice, ada_invoice, 2_000)
    newer = _pay(http, practice, ada_invoice, 3_000)
    _pay(http, practice, grace_invoice, 9_000)

    r = http.get("/v1/payments", headers=practice.biller, params={"client_id": ada["id"]})
    assert r.status_code == 200, r.text
    assert [p["id"] for p in r.json()["data"]] == [newer["id"], older["id"]]
    assert {p["invoice_id"] for p in r.json()["data"]} == {ada_invoice}
    assert len(http.get("/v1/payments", headers=practice.biller).json()["data"]) == 3
    page = http.get("/v1/payments", headers=practice.biller, params={"client_id": ada["id"], "limit": 1}).json()
    assert page["has_more"] is True and [p["id"] for p in page["data"]] == [newer["id"]]

    other = make_practice_via_api(http)
    assert http.get("/v1/payments", headers=other.biller, params={"client_id": ada["id"]}).status_code == 404
    assert http.get("/v1/payments", headers=other.biller).json()["data"] == []
    assert http.get("/v1/payments", headers=practice.biller, params={"client_id": "nope"}).status_code == 404
