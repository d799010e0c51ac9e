"""Pay links over HTTP: the public pay page's API (no sign-in) and the staff's revoke.

An invoice email's link opens a summary of that one invoice — the practice, number, dates, amounts,
nothing clinical — and pays it through the portal's own Stripe flow. Whatever is wrong with a link
(unknown, altered, revoked, no longer its client's) the answer is one 404 `pay_link_invalid`; a real
link past its expiry answers 410 `pay_link_expired` and can ask for a fresh link, which goes to the
address on file. Everything public is limited per address.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from shared.audit.models import AuditEvent
from shared.db.engine import session_scope
from tests.conftest import poll_until
from tests.factories import make_client_via_api, make_invoice, make_paying_client
from tests.paylinks.helpers import age_link, link_row, links_of, mint_link, now, pay_link_rows, token_of
from tests.security.clinical import CLINICAL, invoice_a_clinical_service
from tests.stripe.browser import DECLINED, confirmation_token

INVALID = "pay_link_invalid"


def _pay(http, token: str, card=None):
    started = http.post(f"/v1/pay/{token}/payments", json={})
    assert started.status_code == 201, started.text
    body = started.json()
    ctoken = confirmation_token(body, card=card) if card else confirmation_token(body)
    return http.post(f"/v1/pay/{token}/payments/{body['payment_id']}/confirm", json={"confirmation_token": ctoken})


def test_the_invoice_email_link_opens_the_invoice_without_a_login_and_pays_it(http, localstripe, worker, mailbox):
    paying = make_paying_client(http, localstripe.url, name="Morgan Client")
    invoice_id = invoice_a_clinical_service(http, paying, amount_cents=14_000)
    [email] = poll_until(lambda: mailbox.to(paying.email), message="the invoice email")
    [link] = [found for found in email.links if "#/pay/" in found][:1]
    assert all(found == link for found in email.links if "#/pay/" in found)  # one link, button and address
    token = token_of(link)
    assert token.startswith("cpl_") and "works until" in email.text
    [row] = links_of(invoice_id)
    assert row.outbox_message_id is not None and row.revoked_at is None
    assert timedelta(days=29, hours=23) < row.expires_at - row.created_at <= timedelta(days=30, minutes=1)

    r = http.get(f"/v1/pay/{token}")  # no Authorization header at all
    assert r.status_code == 200, r.text
    summary = r.json()
    number = http.get(f"/v1/invoices/{invoice_id}", headers=paying.practice.biller).json()["number"]
    assert summary["practice_name"] == paying.practice.name and summary["invoice_number"] == number
    assert (summary["invoiced_date"], summary["amount_due_cents"], summary["status"]) == ("2026-03-31", 14_000, "open")
    assert summary["can_pay"] is True and summary["currency"] == "USD"
    assert "lines" not in summary and not [w for w in CLINICAL if w.lower() in r.text.lower()]
    assert paying.email not in r.text and "Morgan" not in r.text  # nothing about the client either

    declined = _pay(http, token, card=DECLINED)
    assert declined.json()["status"] == "failed", declined.text
    paid = _pay(http, token)
    assert paid.json()["status"] == "succeeded", paid.text
    after = http.get(f"/v1/pay/{token}").json()
    assert (after["status"], after["amount_due_cents"], after["paid_cents"], after["can_pay"]) == (
        "paid",
        0,
        14_000,
        False,
    )
    assert http.post(f"/v1/pay/{token}/payments", json={}).json()["error"]["code"] == "nothing_owed"
    # The portal sees the same ledger: the pay link paid through the same functions.
    portal = http.get(f"/v1/portal/invoices/{invoice_id}", headers=paying.headers).json()
    assert portal["status"] == "paid"
    receipts = poll_until(
        lambda: [m for m in mailbox.to(paying.email) if m.subject.startswith("Receipt")], message="the receipt"
    )
    assert len(receipts) == 1 and "$140.00" in receipts[0].text
    assert link_row(token).last_used_at is not None
    with session_scope() as session:
        kinds = set(
            session.scalars(
                select(AuditEvent.actor_kind).where(
                    AuditEvent.entity == "payment", AuditEvent.action == "payment.started"
                )
            )
        )
    assert kinds == {"pay_link"}  # the trail tells a pay link's payment from a signed-in client's


def test_a_link_that_opens_nothing_is_one_answer_whatever_is_wrong_with_it(http, localstripe):
    paying = make_paying_client(http, localstripe.url)
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id)
    token = mint_link(invoice_id)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    answers = []
    for bad in (tampered, token + "x", token[:-5], "cpl_" + "a" * 43, "nonsense", "%00", token.upper()):
        r = http.get(f"/v1/pay/{bad}")
        answers.append((r.status_code, r.json()))
    assert {status for status, _ in answers} == {404}
    assert len({str(body) for _, body in answers}) == 1 and answers[0][1]["error"]["code"] == INVALID
    assert http.post(f"/v1/pay/{tampered}/payments", json={}).json()["error"]["code"] == INVALID
    assert http.get(f"/v1/pay/{token}").status_code == 200  # the real one still works


def test_a_link_opens_only_its_own_invoice_and_its_payments(http, localstripe):
    paying = make_paying_client(http, localstripe.url)
    first = make_invoice(paying.practice.group_id, paying.client_id, total_cents=5_000)
    second = make_invoice(paying.practice.group_id, paying.client_id, total_cents=7_000)
    first_link, second_link = mint_link(first), mint_link(second)
    assert http.get(f"/v1/pay/{first_link}").json()["amount_due_cents"] == 5_000
    started = http.post(f"/v1/pay/{second_link}/payments", json={}).json()
    assert started["invoice_id"] == second
    # The first invoice's link cannot touch the second invoice's payment, though both are one client's.
    for method, path in (
        ("GET", f"/v1/pay/{first_link}/payments/{started['payment_id']}"),
        ("POST", f"/v1/pay/{first_link}/payments/{started['payment_id']}/confirm"),
        ("POST", f"/v1/pay/{first_link}/payments/{started['payment_id']}/cancel"),
    ):
        r = http.request(method, path)
        assert (r.status_code, r.json()["error"]["code"]) == (404, "resource_missing"), (path, r.text)
    assert http.get(f"/v1/pay/{second_link}/payments/{started['payment_id']}").json()["status"] == "pending"
    # Another practice's invoice: its link opens only it; this practice's staff cannot revoke it.
    other = make_paying_client(http, localstripe.url)
    other_invoice = make_invoice(other.practice.group_id, other.client_id)
    other_link = mint_link(other_invoice)
    r = http.post(f"/v1/invoices/{other_invoice}/pay-links/revoke", headers=paying.practice.biller)
    assert (r.status_code, r.json()["error"]["code"]) == (404, "resource_missing")
    assert http.get(f"/v1/pay/{other_link}").status_code == 200


def test_a_revoked_link_answers_as_one_that_never_existed(http, localstripe):
    paying = make_paying_client(http, localstripe.url)
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id)
    token, spare = mint_link(invoice_id), mint_link(invoice_id)
    assert http.post(f"/v1/invoices/{invoice_id}/pay-links/revoke", headers=paying.headers).status_code == 403
    r = http.post(f"/v1/invoices/{invoice_id}/pay-links/revoke", headers=paying.practice.biller)
    assert (r.status_code, r.json()) == (200, {"revoked": 2}), r.text
    unknown = http.get("/v1/pay/cpl_" + "b" * 43).json()
    for gone in (token, spare):
        r = http.get(f"/v1/pay/{gone}")
        assert (r.status_code, r.json()) == (404, unknown)
    # Revoking again changes nothing, and says so; each revoke is in the audit log.
    assert http.post(f"/v1/invoices/{invoice_id}/pay-links/revoke", headers=paying.practice.admin).json() == {
        "revoked": 0
    }
    with session_scope() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == invoice_id)).all()
    assert actions.count("pay_links.revoked") == 2
    # No fresh link from a revoked one, even once it is past its expiry.
    age_link(token, 31)
    assert http.post(f"/v1/pay/{token}/fresh-link").status_code == 202
    assert pay_link_rows() == []


def test_an_expired_link_says_so_and_a_fresh_one_goes_only_to_the_address_on_file(http, localstripe):
    paying = make_paying_client(http, localstripe.url)
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id)
    token = mint_link(invoice_id)
    assert http.post(f"/v1/pay/{token}/fresh-link").status_code == 202
    assert pay_link_rows() == []  # a working link is not renewed
    age_link(token, 30)
    for method, path in (("GET", f"/v1/pay/{token}"), ("POST", f"/v1/pay/{token}/payments")):
        r = http.request(method, path)
        assert (r.status_code, r.json()["error"]["code"]) == (410, "pay_link_expired"), r.text
        assert paying.practice.name not in r.text  # an expired link tells nothing about the invoice

    same = []
    for ask in (token, token, "cpl_" + "c" * 43, "junk"):
        r = http.post(f"/v1/pay/{ask}/fresh-link", json={"email": "attacker@example.com"})
        same.append((r.status_code, r.json()))
    assert len({str(s) for s in same}) == 1 and same[0][0] == 202
    [row] = pay_link_rows()  # one, however often it is asked the same day
    assert row.to_address == paying.email and row.invoice_id is not None and str(row.invoice_id) == invoice_id
    assert "link" in row.facts and "cpl_" not in str(row.facts)  # the link is minted when it is sent


def test_a_paid_or_void_invoice_shows_so_and_cannot_be_paid(http, localstripe):
    paying = make_paying_client(http, localstripe.url)
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id, total_cents=9_000)
    token = mint_link(invoice_id)
    r = http.post(f"/v1/invoices/{invoice_id}/void", headers=paying.practice.biller, json={})
    assert r.status_code == 200, r.text
    summary = http.get(f"/v1/pay/{token}").json()
    assert (summary["status"], summary["amount_due_cents"], summary["can_pay"]) == ("void", 0, False)
    r = http.post(f"/v1/pay/{token}/payments", json={})
    assert (r.status_code, r.json()["error"]["code"]) == (409, "invoice_void")
    age_link(token, 40)
    http.post(f"/v1/pay/{token}/fresh-link")
    assert pay_link_rows() == []  # nothing owed: nothing to renew

    marked = make_invoice(paying.practice.group_id, paying.client_id, total_cents=3_000)
    marked_link = mint_link(marked)
    r = http.post(
        "/v1/invoices/mark-paid",
        headers=paying.practice.biller,
        json={"invoice_ids": [marked], "received_date": "2026-04-01", "method": "check"},
    )
    assert r.status_code == 200, r.text
    assert http.get(f"/v1/pay/{marked_link}").json()["status"] == "paid"


def test_a_link_stops_working_when_its_invoice_is_no_longer_its_clients(http, localstripe):
    from shared.ledger.invoices import Invoice

    paying = make_paying_client(http, localstripe.url)
    invoice_id = make_invoice(paying.practice.group_id, paying.client_id)
    token = mint_link(invoice_id)
    someone = make_client_via_api(http, paying.practice, name="Sam Other")
    with session_scope() as session:
        session.get(Invoice, link_row(token).invoice_id).client_id = uuid.UUID(someone["id"])
    assert http.get(f"/v1/pay/{token}").json()["error"]["code"] == INVALID


def test_the_practice_sets_how_long_links_work(http, localstripe):
    paying = make_paying_client(http, localstripe.url)
    admin = paying.practice.admin
    assert http.get("/v1/settings", headers=admin).json()["pay_link_expiry_days"] == 30
    for bad in (0, 366, -1, "ten", 7.5):
        r = http.patch("/v1/settings", headers=admin, json={"pay_link_expiry_days": bad})
        assert (r.status_code, r.json()["error"]["param"]) == (422, "pay_link_expiry_days"), (bad, r.text)
    r = http.patch("/v1/settings", headers=admin, json={"pay_link_expiry_days": 7})
    assert r.status_code == 200 and r.json()["pay_link_expiry_days"] == 7
    token = mint_link(make_invoice(paying.practice.group_id, paying.client_id))
    row = link_row(token)
    assert abs((row.expires_at - now()) - timedelta(days=7)) < timedelta(minutes=1)
    age_link(token, 7)
    assert http.get(f"/v1/pay/{token}").status_code == 410


@pytest.mark.parametrize("what", ["unknown tokens", "requests"])
def test_one_address_is_throttled(http, localstripe, what):
    from shared.config import app_settings

    paying = make_paying_client(http, localstripe.url)
    token = mint_link(make_invoice(paying.practice.group_id, paying.client_id))
    settings = app_settings()
    if what == "unknown tokens":
        for n in range(settings.pay_link_max_failures):
            assert http.get(f"/v1/pay/cpl_{n:043d}").status_code == 404
        r = http.get("/v1/pay/cpl_" + "d" * 43)
    else:
        for _ in range(settings.pay_link_max_requests):
            assert http.get(f"/v1/pay/{token}").status_code == 200
        r = http.get(f"/v1/pay/{token}")
    assert (r.status_code, r.json()["error"]["code"]) == (429, "rate_limited"), r.text
    assert http.post(f"/v1/pay/{token}/fresh-link").status_code == 429


def test_a_link_keeps_working_across_key_rotation(http, localstripe, monkeypatch):
    """No server key signs a link: rotating CLINICPAY_SECRET_KEYS (the new key first, `clinicpay
    rotate-secrets`, then the old key dropped) leaves every link sent working, and payable."""
    from shared.config import app_settings, clear_settings_cache
    from shared.security.secrets import reset_cipher
    from tests.deploy.test_cli import clinicpay

    paying = make_paying_client(http, localstripe.url)
    token = mint_link(make_invoice(paying.practice.group_id, paying.client_id, total_cents=4_200))
    old_key, new_key = app_settings().secret_keys, "pay-link-rotation-key-2"
    rotated = clinicpay("rotate-secrets", CLINICPAY_SECRET_KEYS=f"{new_key},{old_key}")
    assert rotated.returncode == 0, rotated.stderr
    monkeypatch.setenv("CLINICPAY_SECRET_KEYS", new_key)  # the old key is gone
    clear_settings_cache()
    reset_cipher()
    try:
        assert http.get(f"/v1/pay/{token}").json()["amount_due_cents"] == 4_200
        assert _pay(http, token).json()["status"] == "succeeded"  # the Stripe key decrypts with the new key
        assert http.get(f"/v1/pay/{token}").json()["status"] == "paid"
    finally:
        monkeypatch.undo()
        clear_settings_cache()
        reset_cipher()
