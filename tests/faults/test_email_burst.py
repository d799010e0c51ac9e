"""A burst of 2,000 invoice emails from one invoicing run, and the mail server goes down in the middle
of it for 10 s, as a provider's outage or a rate limit would take it.

The batches that meet the outage keep their rows leased and retry on the task retry policy; beat's
sweeper is running too. When the server is back every invoice's email arrives: none lost, none
failed, and the server sees exactly one distinct Message-ID per email (a batch cut off mid-way may
have delivered a message the worker never heard the 250 for: sent again, with the same Message-ID).
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import String, cast, update

from shared.clients.models import Client
from shared.db.engine import session_scope
from tests import factories as b
from tests.conftest import poll_until
from tests.faults.mail_count import count_arrivals
from tests.faults.record import record_scenario
from tests.outbox.helpers import outbox_rows

INVOICES = 2_000
OUTAGE_AFTER = 300  # messages the server takes before it goes down
OUTAGE_SECONDS = 10
RECOVERY_TIMEOUT = 300


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_burst_of_2000_invoice_emails_survives_the_mail_server_going_down(stack, api, mailbox, clock):
    practice = b.make_practice(staff=True)
    rate = b.make_rate(practice)
    services = b.make_many_services(practice, rate, clients=INVOICES, per_client=1)
    with session_scope() as session:
        session.execute(
            update(Client)
            .where(Client.group_id == practice.group_id)
            .values(email="burst-" + cast(Client.id, String) + "@clients.example")
        )
    stack.beat.start()

    taken = 0
    down = threading.Event()
    back = threading.Event()

    def outage() -> None:
        mailbox.stop()
        time.sleep(OUTAGE_SECONDS)
        mailbox.start()
        back.set()

    def count_and_fail(envelope) -> None:
        nonlocal taken
        taken += 1
        if taken == OUTAGE_AFTER and not down.is_set():
            down.set()
            threading.Thread(target=outage, daemon=True).start()

    mailbox.handler.before_accept = count_and_fail
    started = time.monotonic()
    run = b.invoice(api, practice, services, invoiced_date="2026-04-01")
    assert len(run["invoice_ids"]) == INVOICES
    poll_until(back.is_set, timeout=120, message="the mail server to go down and come back")
    mailbox.handler.before_accept = None

    def all_sent():
        rows = outbox_rows(kind="invoice_issued")
        return rows if len(rows) == INVOICES and {r.status for r in rows} == {"sent"} else None

    rows = poll_until(all_sent, timeout=RECOVERY_TIMEOUT, interval=1.0, message="every invoice email sent")
    elapsed = time.monotonic() - started
    counted = count_arrivals(mailbox.messages(), rows)
    lost, foreign, resent = counted.lost, counted.foreign, counted.resent
    retried = sum(1 for row in rows if row.attempts > 1)
    record_scenario(
        "email_burst_server_down",
        load={"emails": INVOICES},
        faults=[f"the SMTP server stopped after {OUTAGE_AFTER} messages, for {OUTAGE_SECONDS} s"],
        lost={"emails_lost": lost, "distinct_message_ids_beyond_one_per_email": foreign},
        notes=f"{retried} email(s) needed more than one attempt; {resent} delivered twice with the same "
        f"Message-ID; all {INVOICES} sent {elapsed:.0f} s after the run started",
        title="2,000 invoice emails, mail server down mid-burst",
        duration_s=clock.seconds,
    )
    assert lost == 0 and foreign == 0
    assert len(counted.by_id) == INVOICES
    assert retried >= 1, "no email met the outage: the test did not hit it"
    assert all(r.status == "sent" for r in outbox_rows())  # nothing failed, nothing left pending
