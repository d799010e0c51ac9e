"""A/R aging: what each client owes by days past due, with totals equal to the ledger's open balance,
as JSON and as a CSV a spreadsheet opens safely; only the practice's own staff see it."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, timedelta

from sqlalchemy import func, select

from shared.db.engine import session_scope
from shared.ledger.due import practice_today
from shared.ledger.invoices import Invoice
from tests.factories import auth, make_client_login, make_client_via_api, make_practice_via_api


def _invoice(practice, client_id: str, due: date, balance: int, status: str = "open", total: int | None = None) -> None:
    total = total if total is not None else balance
    with session_scope() as session:
        gid = uuid.UUID(practice.group_id)
        sequence = (session.scalar(select(func.max(Invoice.sequence)).where(Invoice.group_id == gid)) or 0) + 1
        session.add(
            Invoice(
                group_id=gid,
                client_id=uuid.UUID(client_id),
                sequence=sequence,
                number=f"INV-{sequence:06d}",
                invoiced_date=due - timedelta(days=30),
                due_date=due,
                currency=practice.currency,
                total_cents=total,
                paid_cents=total - balance,
                balance_cents=balance,
                overpaid_cents=0,
                status=status,
            )
        )


def _ledger_open_balance(group_id: str) -> int:
    with session_scope() as session:
        return session.scalar(
            select(func.coalesce(func.sum(Invoice.balance_cents), 0)).where(
                Invoice.group_id == uuid.UUID(group_id), Invoice.status.in_(("open", "partially_paid"))
            )
        )


def _practice_with_balances(http):
    practice = make_practice_via_api(http)  # America/New_York
    today = practice_today("America/New_York")
    ada = make_client_via_api(http, practice, name="Ada Lovelace")
    grace = make_client_via_api(http, practice, name="Grace Hopper")
    hostile = make_client_via_api(http, practice, name='=HYPERLINK("http://evil.example","click")')
    _invoice(practice, ada["id"], today, 10_000)  # due today: current
    _invoice(practice, ada["id"], today - timedelta(days=1), 20_000)  # 1-30
    _invoice(practice, grace["id"], today - timedelta(days=30), 30_000)  # 1-30
    _invoice(practice, grace["id"], today - timedelta(days=31), 40_000)  # 31-60
    _invoice(practice, grace["id"], today - timedelta(days=61), 50_000)  # 61-90
    _invoice(practice, hostile["id"], today - timedelta(days=91), 60_000)  # over 90
    _invoice(practice, hostile["id"], today - timedelta(days=200), 5_000, "partially_paid", total=9_000)  # over 90
    _invoice(practice, ada["id"], today - timedelta(days=400), 0, "paid", total=7_000)  # owes nothing
    _invoice(practice, grace["id"], today - timedelta(days=400), 8_000, "void")  # withdrawn
    return practice, today, {"ada": ada, "grace": grace, "hostile": hostile}


def test_the_buckets_by_client_add_up_to_the_ledgers_open_balance(http):
    practice, today, clients = _practice_with_balances(http)
    other = make_practice_via_api(http)
    other_client = make_client_via_api(http, other, name="Someone Else")
    _invoice(other, other_client["id"], today - timedelta(days=5), 99_900)

    r = http.get("/v1/reports/aging", headers=practice.biller)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["as_of"] == today.isoformat() and report["currency"] == "USD"
    assert report["totals"] == {
        "current": 10_000,
        "days_1_30": 50_000,
        "days_31_60": 40_000,
        "days_61_90": 50_000,
        "days_over_90": 65_000,
        "total": 215_000,
        "invoice_count": 7,
    }
    assert report["totals"]["total"] == _ledger_open_balance(practice.group_id)
    rows = {row["client_name"]: row for row in report["clients"]}
    assert [row["client_name"] for row in report["clients"]] == [
        "Grace Hopper",  # 120,000 owed, the largest first
        clients["hostile"]["name"],  # 65,000
        "Ada Lovelace",  # 30,000
    ]
    assert (rows["Ada Lovelace"]["current"], rows["Ada Lovelace"]["days_1_30"], rows["Ada Lovelace"]["total"]) == (
        10_000,
        20_000,
        30_000,
    )
    assert rows["Grace Hopper"]["oldest_due_date"] == (today - timedelta(days=61)).isoformat()
    assert "Someone Else" not in rows  # another practice's client is not here

    # The other practice's report holds only its own.
    theirs = http.get("/v1/reports/aging", headers=other.admin).json()
    assert theirs["totals"]["total"] == 99_900 and [c["client_name"] for c in theirs["clients"]] == ["Someone Else"]


def test_the_csv_opens_in_a_spreadsheet_as_text_never_as_a_formula(http):
    practice, today, clients = _practice_with_balances(http)
    r = http.get("/v1/reports/aging.csv", headers=practice.admin)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert f'filename="aging-{today.isoformat()}.csv"' in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == [
        "Client",
        "Current (USD)",
        "1-30 days (USD)",
        "31-60 days (USD)",
        "61-90 days (USD)",
        "Over 90 days (USD)",
        "Total (USD)",
        "Invoices",
        "Oldest due date",
    ]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Grace Hopper"][1:7] == ["0.00", "300.00", "400.00", "500.00", "0.00", "1200.00"]
    hostile = "'" + clients["hostile"]["name"]
    assert by_name[hostile][5:8] == ["650.00", "650.00", "2"]
    assert not any(row[0].startswith("=") for row in rows)
    assert by_name["All clients"][6] == "2150.00"


def test_an_empty_practice_owes_nothing(http):
    practice = make_practice_via_api(http)
    report = http.get("/v1/reports/aging", headers=practice.biller).json()
    assert report["clients"] == [] and report["totals"]["total"] == 0
    rows = list(csv.reader(io.StringIO(http.get("/v1/reports/aging.csv", headers=practice.biller).text)))
    assert rows[1] == ["All clients", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0", ""]


def test_clients_and_strangers_do_not_see_it(http):
    practice, _, clients = _practice_with_balances(http)
    client_headers = auth(make_client_login(practice, clients["ada"]["id"]))
    for path in ("/v1/reports/aging", "/v1/reports/aging.csv"):
        assert http.get(path, headers=client_headers).status_code == 403
        assert http.get(path).status_code == 401


def test_the_answer_lists_the_largest_balances_and_totals_every_client(http):
    practice = make_practice_via_api(http)
    today = practice_today("America/New_York")
    owing = {f"Client {n}": 1_000 * n for n in range(1, 8)}  # seven clients, 10.00 … 70.00
    for name, balance in owing.items():
        client = make_client_via_api(http, practice, name=name)
        _invoice(practice, client["id"], today - timedelta(days=40), balance)
    report = http.get("/v1/reports/aging", headers=practice.biller, params={"limit": 3}).json()
    assert [c["client_name"] for c in report["clients"]] == ["Client 7", "Client 6", "Client 5"]
    assert (report["client_count"], report["has_more"]) == (7, True)
    # The totals are every client's, to the cent the ledger's open balance.
    assert report["totals"]["total"] == sum(owing.values()) == _ledger_open_balance(practice.group_id)
    assert report["totals"]["days_31_60"] == sum(owing.values()) and report["totals"]["invoice_count"] == 7
    whole = http.get("/v1/reports/aging", headers=practice.biller).json()  # 100 unless asked
    assert len(whole["clients"]) == 7 and whole["has_more"] is False and whole["totals"] == report["totals"]
    rows = list(csv.reader(io.StringIO(http.get("/v1/reports/aging.csv", headers=practice.biller).text)))
    assert len(rows) == 1 + 7 + 1  # the header, every client, the totals
    for bad in (0, 1001, "ten"):
        r = http.get("/v1/reports/aging", headers=practice.biller, params={"limit": bad})
        assert (r.status_code, r.json()["error"]["param"]) == (422, "limit"), r.text
