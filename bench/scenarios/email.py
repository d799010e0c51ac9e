"""Invoice emails: an invoicing run of 2,000 invoices (10,000 services), and its 2,000 invoice emails
from the end of the run to the last one delivered to the mail server (bench/smtp_sink.py).

Each run has a practice of its own. Timed as the invoicing scenario times a run (from the biller's
`POST /v1/invoicing/runs` until polling first answers `succeeded`), then until the mail server has
every one of the run's Message-IDs. The worker (concurrency 2) sends them as it does in production:
batches of 50 leased rows, each over one SMTP connection, a pay link minted per email and each row
marked sent after its 250.

Baselines, in the same run:
- emails: the same messages, already rendered by the application (pay link included), sent by plain
  `smtplib` over one connection to the same server — what sending alone costs on this machine;
- the run: the same invoicing run for a practice whose clients have no email address (the rows are
  written, as `skipped`, and nothing is sent) — what emails add to the biller's wait.
"""

from __future__ import annotations

import smtplib
import time
import uuid
from email.utils import make_msgid
from urllib.parse import urlsplit

from bench.scenarios import invoicing
from bench.scenarios.common import Context, Figure, ScenarioResult, in_turns, median_of, poll


def _setup(ctx: Context, name: str, *, emails: bool) -> dict:
    setup = invoicing._setup(ctx, name)
    if not emails:
        with ctx.db() as conn:
            conn.execute("UPDATE clients SET email = NULL WHERE group_id = %s", (setup["group_id"],))
    return setup


def _message_ids(ctx: Context, group_id: str) -> set[str]:
    with ctx.db() as conn:
        rows = conn.execute(
            "SELECT message_id FROM outbox_messages WHERE group_id = %s AND kind = 'invoice_issued'"
            " AND status <> 'skipped'",
            (group_id,),
        ).fetchall()
    return {row[0] for row in rows}


def _with_emails(ctx: Context, setup: dict) -> dict:
    timed = invoicing.run_and_wait(ctx, setup)
    began, done = timed.began, timed.done
    expected = _message_ids(ctx, setup["group_id"])
    sink = ctx.stack.smtp
    assert sink is not None
    arrivals = poll(
        lambda: (found := sink.arrivals(expected)) and len(found) == len(expected) and found,
        timeout=600,
        interval=0.1,
    )
    last = max(arrivals)
    after_run = max(last - done, 1e-3)
    return {
        "run_s": round(done - began, 3),
        "emails": len(expected),
        "last_email_after_run_s": round(after_run, 3),
        "first_email_after_start_s": round(min(arrivals) - began, 3),
        "emails_per_s": len(expected) / after_run,
    }


def _without_emails(ctx: Context, setup: dict) -> dict:
    timed = invoicing.run_and_wait(ctx, setup)
    return {"run_s": round(timed.done - timed.began, 3)}


def _rendered(ctx: Context, group_id: str) -> list[tuple[str, bytes]]:
    """The run's messages as the worker renders them (with a pay link), each under a new Message-ID."""
    from sqlalchemy import select

    from shared.db.engine import get_sessionmaker
    from shared.outbox.models import OutboxMessage
    from shared.outbox.rendering import build_email

    with get_sessionmaker()() as session:
        rows = list(
            session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.group_id == uuid.UUID(group_id), OutboxMessage.kind == "invoice_issued"
                )
            )
        )
        out = []
        for row in rows:
            message = build_email(row, {"link": f"http://127.0.0.1:8000/portal/#/pay/cpl_{'x' * 43}"})
            message.replace_header("Message-ID", make_msgid(domain="baseline.clinicpay.localhost"))
            # As smtplib's send_message writes it (CRLF line ends), so sending is all the baseline times.
            out.append((row.to_address or "", message.as_bytes(policy=message.policy.clone(linesep="\r\n"))))
    return out


def _baseline(ctx: Context, messages: list[tuple[str, bytes]]) -> dict:
    sink = ctx.stack.smtp
    assert sink is not None
    target = urlsplit(sink.url)
    began = time.perf_counter()
    with smtplib.SMTP(target.hostname, target.port) as smtp:
        for to, content in messages:
            smtp.sendmail("no-reply@clinicpay.localhost", [to], content)
    elapsed = time.perf_counter() - began
    return {"emails": len(messages), "seconds": round(elapsed, 3), "emails_per_s": len(messages) / elapsed}


def run(ctx: Context) -> ScenarioResult:
    sizes, stack = ctx.sizes, ctx.stack
    stack.start("api", "worker")
    invoicing._warm_up(ctx)
    on, off, base = [], [], []
    for i in range(sizes.runs):
        with_setup = _setup(ctx, f"Email on {i}", emails=True)
        without_setup = _setup(ctx, f"Email off {i}", emails=False)
        for which in in_turns(i, ("on", "off")):
            if which == "on":
                result = _with_emails(ctx, with_setup)
                on.append(result)
                ctx.say(
                    f"  email run {i + 1}: run {result['run_s']:.2f} s, then {result['emails']} emails in "
                    f"{result['last_email_after_run_s']:.2f} s ({result['emails_per_s']:.0f}/s)"
                )
            else:
                result = _without_emails(ctx, without_setup)
                off.append(result)
                ctx.say(f"  email run {i + 1}, no addresses: run {result['run_s']:.2f} s")
        result = _baseline(ctx, _rendered(ctx, with_setup["group_id"]))
        base.append(result)
        ctx.say(f"  email baseline {i + 1}: {result['emails']} emails in {result['seconds']:.2f} s over one connection")
    emails = on[0]["emails"] if on else 0
    figures = [
        Figure.compare(
            f"emails/s, from the end of a {emails:,}-invoice run to its last email at the mail server",
            "emails/s",
            "emails_per_s",
            on,
            base,
            "the same messages, already rendered, sent by plain smtplib over one connection",
            "",
            "one API call",
            digits=0,
        ),
        Figure.multiple(
            "emails/s as a multiple of the baseline's",
            "emails_per_s",
            on,
            base,
            "plain smtplib, one connection, same run",
            ">= 0.3",
            "one API call",
            digits=2,
        ),
        Figure.multiple(
            f"invoicing run ({sizes.invoicing_services:,} services → {emails:,} invoices) with emails, as a "
            "multiple of the same run without",
            "run_s",
            on,
            off,
            "the same run for clients without an email address, same run",
            "<= 1.1",
            "one API call",
            lower_is_better=True,
            digits=2,
        ),
    ]
    summary = [
        f"Run wall time with emails {median_of(on, 'run_s')} s, without {median_of(off, 'run_s')} s (medians). "
        f"The first email reached the server {median_of(on, 'first_email_after_start_s')} s after the run was "
        f"asked for (emails of a run's committed chunks go while the rest is still being written); the last "
        f"{median_of(on, 'last_email_after_run_s')} s after the run finished.",
    ]
    return ScenarioResult(
        key="email",
        title="Invoice emails",
        setup=(
            f"{sizes.runs} runs, each two invoicing runs of {sizes.invoicing_services:,} services for "
            f"{sizes.invoicing_clients:,} clients (one practice whose clients have email addresses, one whose "
            "clients have none; which goes first alternates), then the baseline; worker concurrency 2; the mail "
            "server is aiosmtpd in the benchmark's process, storing nothing."
        ),
        figures=figures,
        details={"runs": on, "runs_without_emails": off, "baseline_runs": base, "summary": summary},
    )
