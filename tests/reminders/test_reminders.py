"""Payment reminders, as a client and a practice live them: on the practice's schedule, once per
step however often (or late, or twice at once) the scheduler runs, with a pay link and a one-click
unsubscribe, never inside quiet hours, never clinical — and stopped by payment, void, a dispute or the
client's opt-out, even when the reminder was already waiting to go. Written by the scheduler beat
runs, sent by the real worker to a real SMTP server, read back from what arrived."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import update

from shared.config import app_settings
from shared.db.engine import session_scope
from shared.ledger.invoices import Invoice
from shared.outbox.models import OutboxMessage
from shared.outbox.schemas import ALLOWED_FACTS
from shared.tasks import names
from shared.tasks.enqueue import send_task_now
from tests.conftest import poll_until
from tests.factories import auth, login, make_client, operator_token
from tests.outbox.helpers import client_email, clinical_text_in, outbox_rows
from tests.reminders.helpers import at, issue, remind, reminding_practice, today


def _reminders_to(mailbox, address):
    return [m for m in mailbox.to(address) if m.subject.startswith("Reminder:")]


def _client_address(client_id) -> str:
    return client_email(client_id)


def test_reminders_follow_the_schedule_once_each_with_a_pay_link_and_a_one_click_unsubscribe(http, worker, mailbox):
    practice = reminding_practice(http, [-3, 0, 7])
    client = make_client(practice, "Ada Lovelace")
    address = _client_address(client.id)
    due = today() + timedelta(days=10)
    [invoice_id] = issue(http, practice, [client], due)
    poll_until(lambda: mailbox.to(address), message="the invoice email")
    number = http.get(f"/v1/invoices/{invoice_id}", headers=practice.biller).json()["number"]

    assert remind(at(due - timedelta(days=4))) == 0  # no step has come yet
    assert remind(at(due - timedelta(days=3))) == 1
    assert remind(at(due - timedelta(days=3), hour=18)) == 0  # the same day again: nothing new
    [first] = poll_until(lambda: _reminders_to(mailbox, address), message="the first reminder")
    assert first.subject == f"Reminder: invoice {number} from Calm Therapy is due in 3 days"
    for body in (first.text, first.html):
        assert "Ada" in body and "Lovelace" not in body and "$120.00" in body and number in body
    pay_links = [link for link in first.links if "#/pay/" in link]
    assert pay_links and all(link.split("#/pay/")[1].startswith("cpl_") for link in pay_links), first.links
    [page_link] = {link for link in first.links if "#/unsubscribe/" in link}
    assert page_link.startswith(app_settings().public_portal_url)
    header = first.headers["List-Unsubscribe"]
    assert header.startswith(f"<{app_settings().api_url}/v1/unsubscribe/cpu_") and header.endswith(">"), header
    assert first.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert page_link.split("#/unsubscribe/")[1] == header[1:-1].rsplit("/", 1)[1]  # one token, two doors
    [row] = outbox_rows(kind="reminder")
    everything = [first.subject, first.text, first.html, *first.headers.values(), *map(str, row.facts.values())]
    assert clinical_text_in(everything) == []
    assert set(row.facts) <= ALLOWED_FACTS["reminder"] and "cpu_" not in str(row.facts) and "cpl_" not in str(row.facts)

    # Beat down for days: on the day after the due date only the latest step (0) goes, not a backlog.
    assert remind(at(due + timedelta(days=1))) == 1
    assert remind(at(due + timedelta(days=5))) == 0
    # Long after the last step (7): it goes once, however many runs.
    assert remind(at(due + timedelta(days=40))) == 1
    assert remind(at(due + timedelta(days=41))) == 0
    poll_until(lambda: len(_reminders_to(mailbox, address)) == 3, message="three reminders")
    subjects = sorted(m.subject for m in _reminders_to(mailbox, address))
    assert subjects == sorted(
        f"Reminder: invoice {number} from Calm Therapy {words}"
        for words in ("is due in 3 days", "was due yesterday", "was due 40 days ago")
    )
    assert len({m.message_id for m in mailbox.to(address)}) == 4  # the invoice email and three reminders

    # Each send is in the invoice's timeline, which the staff console draws.
    timeline = http.get(f"/v1/invoices/{invoice_id}/timeline", headers=practice.biller).json()["data"]
    sent = [e["summary"] for e in timeline if e["action"] == "email.reminder"]
    assert sorted(sent) == sorted(
        f"Payment reminder (invoice {words}) to {address} sent"
        for words in ("is due in 3 days", "was due yesterday", "was due 40 days ago")
    ), sent


def test_payment_void_dispute_and_the_clients_opt_out_stop_reminders(http, worker, mailbox):
    practice = reminding_practice(http, [-3, 0])
    clients = [
        make_client(practice, name) for name in ("Paid Early", "Voided Invoice", "Opted Out", "Disputed", "Still Owes")
    ]
    opted = clients[2]
    due = today() + timedelta(days=10)
    invoices = issue(http, practice, clients, due)
    assert remind(at(due - timedelta(days=3))) == 5
    addresses = [_client_address(c.id) for c in clients]
    poll_until(lambda: all(_reminders_to(mailbox, a) for a in addresses), message="five first reminders")

    r = http.post(
        f"/v1/invoices/{invoices[0]}/payments",
        headers=practice.biller,
        json={"amount_cents": 12_000, "method": "check", "received_date": today().isoformat()},
    )
    assert r.status_code == 201, r.text
    assert http.post(f"/v1/invoices/{invoices[1]}/void", headers=practice.biller).status_code == 200
    # The client's mail program follows the List-Unsubscribe header; a link scanner's GET changes nothing.
    [email] = _reminders_to(mailbox, addresses[2])
    # The header's URL is on the API's public address (CLINICPAY_PUBLIC_API_URL); the tests' API listens here.
    url = urlsplit(email.headers["List-Unsubscribe"][1:-1]).path
    page = http.get(url)
    assert page.status_code == 200 and page.json() == {"practice_name": "Calm Therapy", "reminders_stopped": False}
    one_click = http.post(
        url, content=b"List-Unsubscribe=One-Click", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert one_click.status_code == 200 and one_click.json()["reminders_stopped"] is True, one_click.text
    assert http.post(url).json()["reminders_stopped"] is True  # again: the same, nothing more
    staff_view = http.get(f"/v1/clients/{opted.id}", headers=practice.biller).json()
    assert staff_view["reminders_opted_out_at"] is not None and staff_view["reminders_stopped_by"] == "client"
    # A dispute comes from Stripe (tests/stripe); here the ledger's mark of an open one is what counts.
    with session_scope() as session:
        session.execute(update(Invoice).where(Invoice.id == invoices[3]).values(disputed=True))

    assert remind(at(due)) == 1  # only the invoice still owed
    poll_until(lambda: len(_reminders_to(mailbox, addresses[4])) == 2, message="the second reminder to Still Owes")
    for address in addresses[:4]:
        assert len(_reminders_to(mailbox, address)) == 1, address
    trail = http.get("/v1/audit-events", headers=practice.admin, params={"entity": "client"})
    assert trail.status_code == 200, trail.text
    stopped = [e for e in trail.json()["data"] if e["action"] == "client.reminders_stopped"]
    assert [e["entity_id"] for e in stopped] == [str(opted.id)]  # once, though it was pressed twice


def test_a_reminder_waits_out_quiet_hours_and_is_not_sent_if_paid_meanwhile(http, worker, mailbox):
    hour = datetime.now(UTC).hour
    # Quiet hours around the real clock's hour, which is what delivery reads.
    practice = reminding_practice(http, [0], quiet=(hour, (hour + 2) % 24))
    clients = [make_client(practice, "Pays Overnight"), make_client(practice, "Waits")]
    due = today() + timedelta(days=2)
    invoices = issue(http, practice, clients, due)
    # The scheduler at a moment outside the quiet hours writes both; delivery, inside them, holds both.
    outside = at(due, hour=(hour + 12) % 24)
    assert remind(outside) == 2

    def held():
        rows = [r for r in outbox_rows(kind="reminder") if r.last_error == "quiet_hours"]
        return rows if len(rows) == 2 else None

    rows = poll_until(held, message="both reminders held for quiet hours")
    assert all(r.status == "pending" and r.lease_expires_at > datetime.now(UTC) + timedelta(minutes=50) for r in rows)
    addresses = [_client_address(c.id) for c in clients]
    assert not any(_reminders_to(mailbox, a) for a in addresses)

    r = http.post(
        f"/v1/invoices/{invoices[0]}/payments",
        headers=practice.biller,
        json={"amount_cents": 12_000, "method": "cash", "received_date": today().isoformat()},
    )
    assert r.status_code == 201, r.text
    # The quiet hours end (the practice moves them; the held leases run out) and the sweeper sends again.
    assert (
        http.patch(
            "/v1/settings", headers=practice.admin, json={"reminder_quiet_start_hour": 0, "reminder_quiet_end_hour": 0}
        ).status_code
        == 200
    )
    with session_scope() as session:
        session.execute(
            update(OutboxMessage).where(OutboxMessage.kind == "reminder").values(lease_expires_at=datetime.now(UTC))
        )
    assert send_task_now(names.SWEEP_OUTBOX)
    poll_until(lambda: _reminders_to(mailbox, addresses[1]), message="the reminder after quiet hours")

    def done():
        rows = outbox_rows(kind="reminder")
        return {str(r.invoice_id): r for r in rows} if all(r.status != "pending" for r in rows) else None

    paid_row = poll_until(done, message="both reminders done")[invoices[0]]
    assert (paid_row.status, paid_row.skip_reason) == ("skipped", "invoice_settled")
    assert _reminders_to(mailbox, addresses[0]) == []
    timeline = http.get(f"/v1/invoices/{invoices[0]}/timeline", headers=practice.biller).json()["data"]
    assert any(
        e["action"] == "email.reminder" and "not sent (the invoice was paid or voided before it went)" in e["summary"]
        for e in timeline
    ), timeline


def test_the_scheduler_writes_nothing_in_quiet_hours_and_catches_up_when_they_end(http, worker, mailbox):
    practice = reminding_practice(http, [0], quiet=(20, 8))
    client = make_client(practice, "Night Owl")
    due = today() + timedelta(days=3)
    issue(http, practice, [client], due)
    assert remind(at(due, hour=7)) == 0  # 7 am: quiet
    assert remind(at(due - timedelta(days=1), hour=23)) == 0  # the night before: no step, and quiet
    assert remind(at(due, hour=8)) == 1


def test_a_backdated_invoice_gets_no_reminder_for_days_before_it_was_issued(http, worker, mailbox):
    practice = reminding_practice(http, [0, 7, 30])
    client = make_client(practice, "Backdated")
    invoiced = today() - timedelta(days=20)
    issue(http, practice, [client], due=invoiced, invoiced=invoiced)
    assert remind(at(today())) == 0  # steps 0 and 7 were before the invoice existed
    assert remind(at(today() + timedelta(days=5))) == 0
    assert remind(at(invoiced + timedelta(days=30))) == 1  # the 30-day step came after it was issued


def test_a_schedule_changed_after_todays_reminder_sends_no_second_one(http, worker, mailbox):
    practice = reminding_practice(http, [0, 7])
    client = make_client(practice, "Changed Schedule")
    address = _client_address(client.id)
    due = today() - timedelta(days=7)
    [invoice_id] = issue(http, practice, [client], due=due, invoiced=due - timedelta(days=3))
    with session_scope() as session:  # issued before its steps: the scheduler's today is the real one
        session.execute(
            update(Invoice)
            .where(Invoice.id == uuid.UUID(invoice_id))
            .values(created_at=datetime.now(UTC) - timedelta(days=10))
        )
    assert remind(datetime.now(UTC)) == 1  # the 7-day step, today
    poll_until(lambda: _reminders_to(mailbox, address), message="today's reminder")

    def reschedule(days: list[int]) -> None:
        r = http.patch("/v1/settings", headers=practice.admin, json={"reminder_schedule_days": days})
        assert r.status_code == 200, r.text

    reschedule([0, 6])  # step 6's day has come and it was never sent: it is still covered by today's
    assert remind(datetime.now(UTC)) == 0
    assert remind(at(today() + timedelta(days=1))) == 0  # nor tomorrow
    reschedule([0, 6, 14])
    assert remind(at(today() + timedelta(days=7))) == 1  # a step still to come does go
    poll_until(lambda: len(_reminders_to(mailbox, address)) == 2, message="the 14-day reminder")
    assert sorted(r.dedupe_key.rsplit(":", 1)[1] for r in outbox_rows(kind="reminder")) == ["14", "7"]


def test_a_reminder_skipped_unsent_reminded_nobody(http, worker, mailbox):
    # A card payment was on its way when the reminder was to go, so it was skipped; then the payment
    # failed. The step is done (never written twice), but the client was not reminded that day: a
    # schedule moved to a step already come sends it, where a sent reminder would have covered it.
    hour = datetime.now(UTC).hour
    practice = reminding_practice(http, [0], quiet=(hour, (hour + 2) % 24))
    client = make_client(practice, "Card Declined")
    address = _client_address(client.id)
    due = today()
    [invoice_id] = issue(http, practice, [client], due, invoiced=due - timedelta(days=10))
    with session_scope() as session:  # issued before its steps: the scheduler's today is the real one
        session.execute(
            update(Invoice)
            .where(Invoice.id == uuid.UUID(invoice_id))
            .values(created_at=datetime.now(UTC) - timedelta(days=10))
        )
    outside = at(due, hour=(hour + 12) % 24)  # today, outside the quiet hours
    assert remind(outside) == 1
    poll_until(
        lambda: [r for r in outbox_rows(kind="reminder") if r.last_error == "quiet_hours"],
        message="held for quiet hours",
    )
    with session_scope() as session:  # what a card payment on its way marks on the ledger
        session.execute(update(Invoice).where(Invoice.id == uuid.UUID(invoice_id)).values(processing_cents=12_000))
    r = http.patch(
        "/v1/settings", headers=practice.admin, json={"reminder_quiet_start_hour": 0, "reminder_quiet_end_hour": 0}
    )
    assert r.status_code == 200, r.text
    with session_scope() as session:
        session.execute(
            update(OutboxMessage).where(OutboxMessage.kind == "reminder").values(lease_expires_at=datetime.now(UTC))
        )
    assert send_task_now(names.SWEEP_OUTBOX)
    [skipped] = poll_until(
        lambda: [r for r in outbox_rows(kind="reminder") if r.status == "skipped"] or None,
        message="the skipped reminder",
    )
    assert skipped.skip_reason == "payment_processing"
    with session_scope() as session:  # the payment failed: the invoice is owed again
        session.execute(update(Invoice).where(Invoice.id == uuid.UUID(invoice_id)).values(processing_cents=0))

    assert remind(outside) == 0  # the step's message exists
    r = http.patch("/v1/settings", headers=practice.admin, json={"reminder_schedule_days": [-1]})
    assert r.status_code == 200, r.text
    assert remind(outside) == 1  # yesterday's step: nobody was reminded today
    assert remind(outside) == 0
    poll_until(lambda: _reminders_to(mailbox, address), message="the reminder after the failed payment")
    assert len(_reminders_to(mailbox, address)) == 1


def test_two_schedulers_at_once_and_beats_task_write_each_step_once(http, worker, mailbox):
    practice = reminding_practice(http, [0])
    clients = [make_client(practice, f"Client {n}") for n in range(20)]
    due = today() + timedelta(days=1)
    issue(http, practice, clients, due)
    moment = at(due)
    results: list[int] = []
    barrier = threading.Barrier(3)

    def run() -> None:
        barrier.wait()
        results.append(remind(moment))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 20, results
    # Beat's own task, on the worker, twice: nothing more.
    assert send_task_now(names.WRITE_DUE_REMINDERS, moment.isoformat())
    assert send_task_now(names.WRITE_DUE_REMINDERS, (moment + timedelta(hours=3)).isoformat())
    poll_until(
        lambda: len([m for m in mailbox.messages() if m.subject.startswith("Reminder:")]) >= 20, message="20 reminders"
    )
    keys = [r.dedupe_key for r in outbox_rows(kind="reminder")]
    assert len(keys) == len(set(keys)) == 20


def test_a_new_practice_reminds_by_default_and_bad_schedules_change_nothing(http):
    created = http.post(
        "/v1/groups",
        headers=auth(operator_token()),
        json={"name": "New Practice", "admin_email": "admin@new.example", "admin_password": "velvet-canyon-mosaic"},
    )
    assert created.status_code == 201, created.text
    admin = auth(login(http, "admin@new.example", "velvet-canyon-mosaic"))
    before = http.get("/v1/settings", headers=admin).json()
    assert before["reminder_schedule_days"] == [-3, 0, 7, 14, 30]
    assert (before["reminder_quiet_start_hour"], before["reminder_quiet_end_hour"]) == (20, 8)
    practice = reminding_practice(http, [-3, 0, 7, 14, 30], quiet=(20, 8))
    before = http.get("/v1/settings", headers=practice.admin).json()
    for body, param in [
        ({"reminder_schedule_days": [7, 7]}, "reminder_schedule_days"),
        ({"reminder_schedule_days": list(range(11))}, "reminder_schedule_days"),
        ({"reminder_schedule_days": [-31]}, "reminder_schedule_days"),
        ({"reminder_schedule_days": [400]}, "reminder_schedule_days"),
        ({"reminder_schedule_days": ["7"]}, "reminder_schedule_days"),
        ({"reminder_schedule_days": [1.5]}, "reminder_schedule_days"),
        ({"reminder_quiet_start_hour": 24}, "reminder_quiet_start_hour"),
        ({"reminder_quiet_end_hour": -1}, "reminder_quiet_end_hour"),
    ]:
        r = http.patch("/v1/settings", headers=practice.admin, json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["error"]["param"].startswith(param), (body, r.json())
    assert http.get("/v1/settings", headers=practice.admin).json() == before
    r = http.patch("/v1/settings", headers=practice.admin, json={"reminder_schedule_days": [30, -3]})
    assert r.json()["reminder_schedule_days"] == [-3, 30]  # stored in order
    r = http.patch("/v1/settings", headers=practice.biller, json={"reminder_schedule_days": []})
    assert r.status_code == 403
    r = http.patch("/v1/settings", headers=practice.admin, json={"reminder_schedule_days": []})
    assert r.status_code == 200 and r.json()["reminder_schedule_days"] == []  # reminders off


def test_an_unsubscribe_link_that_opens_nothing_is_one_answer_and_changes_nothing(http):
    answers = {
        (r.status_code, r.json()["error"]["code"])
        for r in (
            http.get("/v1/unsubscribe/cpu_" + "z" * 43),
            http.post("/v1/unsubscribe/cpu_" + "z" * 43),
            http.post("/v1/unsubscribe/cpl_" + "z" * 43),
            http.post("/v1/unsubscribe/short"),
        )
    }
    assert answers == {(404, "unsubscribe_link_invalid")}


def test_staff_stop_and_resume_a_clients_reminders_once_each(http):
    practice = reminding_practice(http, [0])
    client = make_client(practice, "Asked At The Desk")
    answers = [
        http.post(f"/v1/clients/{client.id}/{action}-reminders", headers=practice.biller)
        for action in ("stop", "stop", "resume", "resume")
    ]
    assert [r.status_code for r in answers] == [200] * 4, [r.text for r in answers]
    stopped_at = [r.json()["reminders_opted_out_at"] for r in answers]
    assert stopped_at[0] is not None and stopped_at[1] == stopped_at[0]  # asked twice: the first time stays
    assert stopped_at[2:] == [None, None]
    assert [r.json()["reminders_stopped_by"] for r in answers] == ["staff", "staff", None, None]
    trail = http.get(
        "/v1/audit-events", headers=practice.admin, params={"entity": "client", "entity_id": str(client.id)}
    ).json()["data"]
    assert sorted(e["action"] for e in trail if "reminders" in e["action"]) == [
        "client.reminders_resumed",
        "client.reminders_stopped",
    ]
    r = http.post("/v1/clients/not-a-client/stop-reminders", headers=practice.biller)
    assert (r.status_code, r.json()["error"]["param"]) == (404, "id")
