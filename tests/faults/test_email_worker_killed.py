"""SIGKILL the worker between the SMTP server's acceptance of a message and the row's `sent` mark.

SMTP cannot promise exactly once: the server has the message, the worker never learned it did.
The row's lease expires, beat's sweeper sends it again, and the resend carries the same
Message-ID — one message to the receiving side. Nothing is lost: every message of the run arrives,
and the server sees exactly one distinct Message-ID per message. An invoice email's pay link is minted
per attempt (no row holds one), so the copy sent twice carries two links: each one works.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from tests import factories as b
from tests.conftest import poll_until
from tests.faults.mail_count import count_arrivals
from tests.faults.record import record_scenario
from tests.outbox.helpers import outbox_rows

CLIENTS = 5
# A lease (30 s), a sweep (every 15 s) and the send, on a busy machine.
RECOVERY_TIMEOUT = 150


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_a_worker_killed_after_the_servers_250_resends_with_the_same_message_id(stack, api, mailbox, clock):
    practice = b.make_practice(staff=True)
    rate = b.make_rate(practice)
    clients = [b.make_client(practice, f"Client {i}") for i in range(CLIENTS)]
    services = [b.make_service(practice, c, rate) for c in clients]
    stack.beat.start()

    killed = threading.Event()
    worker_group = stack.worker.proc.pid

    def kill_before_the_250(envelope) -> None:
        # The message is stored (the server has it); the worker dies before it reads the reply.
        if not killed.is_set():
            killed.set()
            os.killpg(worker_group, signal.SIGKILL)

    mailbox.handler.before_accept = kill_before_the_250
    r = b.start_run(api, practice, services)
    assert r.status_code == 202, r.text
    poll_until(killed.is_set, timeout=60, message="the worker to reach the SMTP server")
    killed_at = time.monotonic()
    mailbox.handler.before_accept = None
    stack.worker.kill()  # reap what is left of the group
    assert {row.status for row in outbox_rows()} == {"pending"}, "a row was marked though the worker died first"
    stack.restart_worker()

    poll_until(
        lambda: (rows := outbox_rows()) and len(rows) == CLIENTS and {row.status for row in rows} == {"sent"},
        timeout=RECOVERY_TIMEOUT,
        message="every message sent after the restart",
    )
    recovery_s = time.monotonic() - killed_at
    rows = outbox_rows()
    arrived = mailbox.messages()
    counted = count_arrivals(arrived, rows)
    by_id, lost, foreign, resent = counted.by_id, counted.lost, counted.foreign, counted.resent
    record_scenario(
        "email_worker_killed",
        load={"emails": CLIENTS},
        faults=["worker SIGKILLed after the SMTP server stored a message, before the 250 reached it"],
        lost={"emails_lost": lost, "distinct_message_ids_beyond_one_per_email": foreign},
        notes=f"{resent} message(s) delivered twice with the same Message-ID; recovered in {recovery_s:.0f}s",
        title="Worker killed mid-send (email)",
        duration_s=clock.seconds,
    )
    assert lost == 0 and foreign == 0, by_id
    assert len(by_id) == CLIENTS
    assert resent >= 1, "the killed send was not sent again: the test did not hit the window"
    assert max(row.attempts for row in rows) >= 2
    links = [link for message in arrived for link in message.links if "#/pay/" in link]
    tokens = {link.split("#/pay/", 1)[1] for link in links}
    assert len(tokens) == len(arrived), links  # one pay link per message that arrived, twice-sent included
    for token in tokens:
        assert api.get(f"/v1/pay/{token}").status_code == 200
