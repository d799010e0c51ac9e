"""Rows the benchmarks stand on, written with plain SQL (`INSERT … SELECT generate_series`).

Setup, not what is measured: a practice, its staff and client logins (bearer tokens issued
directly), clients, billing rates, services, invoices and card payments — in the shapes
the application itself writes, so its queries see what production would hold.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import psycopg

from shared.security.secrets import encrypt_secret
from shared.security.tokens import new_access_token, token_digest

INVOICED_DATE = "2026-03-31"
# Never verified: every bench login uses a token issued here, not a password.
NOT_A_PASSWORD_HASH = "bench-login-uses-issued-tokens-only"


def practice(
    conn: psycopg.Connection,
    name: str,
    *,
    webhook_secret: str | None = None,
    stripe_secret_key: str | None = None,
    stripe_api_base: str | None = None,
) -> uuid.UUID:
    group_id = uuid.uuid4()
    conn.execute(
        "INSERT INTO groups (id, name, currency, timezone, invoice_prefix, allow_partial_payments,"
        " minimum_payment_cents, stripe_webhook_secret_encrypted, stripe_secret_key_encrypted,"
        " stripe_secret_key_last4, stripe_publishable_key, stripe_connected_at, stripe_api_base)"
        " VALUES (%s, %s, 'USD', 'America/New_York', 'INV-', false, 0, %s, %s, %s, %s, %s, %s)",
        (
            group_id,
            name,
            encrypt_secret(webhook_secret) if webhook_secret else None,
            encrypt_secret(stripe_secret_key) if stripe_secret_key else None,
            stripe_secret_key[-4:] if stripe_secret_key else None,
            "pk_test_bench" if stripe_secret_key else None,
            datetime.now(UTC) if stripe_secret_key else None,
            stripe_api_base,
        ),
    )
    conn.execute("INSERT INTO invoice_sequences (group_id, next_number) VALUES (%s, 1)", (group_id,))
    return group_id


def login(conn: psycopg.Connection, group_id: uuid.UUID, role: str, client_id: uuid.UUID | None = None) -> str:
    """A user of `role` and a bearer token for it, valid for a day."""
    user_id = uuid.uuid4()
    conn.execute(
        "INSERT INTO users (id, group_id, email, password_hash, role, client_id, is_active)"
        " VALUES (%s, %s, %s, %s, %s, %s, true)",
        (user_id, group_id, f"{role}-{user_id.hex[:12]}@bench.example", NOT_A_PASSWORD_HASH, role, client_id),
    )
    token = new_access_token()
    conn.execute(
        "INSERT INTO access_tokens (id, user_id, token_hash, expires_at) VALUES (%s, %s, %s, %s)",
        (uuid.uuid4(), user_id, token_digest(token), datetime.now(UTC) + timedelta(days=1)),
    )
    return token


def billing_rate(
    conn: psycopg.Connection, group_id: uuid.UUID, name: str, *, invoiced: bool = True, amount_cents: int = 12_000
) -> uuid.UUID:
    rate_id = uuid.uuid4()
    conn.execute(
        "INSERT INTO billing_rates (id, group_id, name, amount_cents, needs_billing, is_invoiced, payer)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s)",
        (rate_id, group_id, name, amount_cents, invoiced, invoiced, "self_pay" if invoiced else "insurance"),
    )
    return rate_id


def clients(conn: psycopg.Connection, group_id: uuid.UUID, count: int) -> list[uuid.UUID]:
    """`count` clients named "Client 000001"…, returned in name order."""
    rows = conn.execute(
        "INSERT INTO clients (id, group_id, name, email, created_at, updated_at)"
        " SELECT gen_random_uuid(), %s, 'Client ' || lpad(i::text, 6, '0'), 'client' || i || '@bench.example',"
        "        now() + i * interval '1 microsecond', now()"
        " FROM generate_series(1, %s) AS i RETURNING id, name",
        (group_id, count),
    ).fetchall()
    return [row[0] for row in sorted(rows, key=lambda r: r[1])]


def services_to_invoice(
    conn: psycopg.Connection, group_id: uuid.UUID, rate_id: uuid.UUID, per_client: int
) -> list[uuid.UUID]:
    """`per_client` uninvoiced services for every client of the group, on `rate_id`."""
    rows = conn.execute(
        "INSERT INTO services (id, group_id, client_id, billing_rate_id, external_id, service_date, description,"
        "  amount_cents, amount_explicit, description_explicit, insurance_paid_cents, created_at, updated_at)"
        " SELECT gen_random_uuid(), c.group_id, c.id, %s, 'ext-' || c.id || '-' || k, date '2026-03-01' + k,"
        "        'Individual session (self-pay)', 12000, false, false, (k %% 3) * 1000,"
        "        now() + (c.n * %s + k) * interval '1 microsecond', now()"
        " FROM (SELECT id, group_id, row_number() OVER (ORDER BY name) AS n FROM clients WHERE group_id = %s) AS c,"
        "      generate_series(1, %s) AS k"
        " RETURNING id",
        (rate_id, per_client, group_id, per_client),
    ).fetchall()
    return [row[0] for row in rows]


def open_invoices_with_card_payments(
    conn: psycopg.Connection,
    group_id: uuid.UUID,
    client_ids: list[uuid.UUID],
    count: int,
    *,
    amount_cents: int,
    status: str,
    pi_prefix: str,
    first_sequence: int = 1,
) -> list[tuple[uuid.UUID, uuid.UUID, str]]:
    """`count` open invoices, each with one card payment in `status` linked to PaymentIntent
    `<pi_prefix><n>`, created in that order (invoice n+1 is newer). Returns (invoice, payment, pi) by n."""
    conn.execute("CREATE TEMP TABLE bench_clients (n int, id uuid) ON COMMIT DROP")
    with conn.cursor().copy("COPY bench_clients (n, id) FROM STDIN") as copy:
        for n, client_id in enumerate(client_ids):
            copy.write_row((n, client_id))
    invoices = conn.execute(
        "INSERT INTO invoices (id, group_id, client_id, sequence, number, invoiced_date, due_date, currency,"
        "  total_cents, paid_cents, balance_cents, overpaid_cents, status, disputed, ledger_version, created_at,"
        "  updated_at)"
        " SELECT gen_random_uuid(), %(g)s, c.id, %(first)s + i - 1, 'INV-' || lpad((%(first)s + i - 1)::text, 6, '0'),"
        "        %(d)s::date, %(d)s::date, 'USD', %(amount)s, 0, %(amount)s, 0, 'open', false, 1,"
        "        now() + i * interval '1 microsecond', now()"
        " FROM generate_series(1, %(count)s) AS i"
        " JOIN bench_clients AS c ON c.n = (i - 1) %% %(clients)s"
        " RETURNING id, sequence",
        {
            "g": group_id,
            "first": first_sequence,
            "d": INVOICED_DATE,
            "amount": amount_cents,
            "count": count,
            "clients": len(client_ids),
        },
    ).fetchall()
    conn.execute(
        "UPDATE invoice_sequences SET next_number = %s WHERE group_id = %s", (first_sequence + count, group_id)
    )
    by_n = {seq - first_sequence + 1: inv_id for inv_id, seq in invoices}
    out = []
    with conn.cursor() as cur:
        rows = []
        for n in range(1, count + 1):
            payment_id = uuid.uuid4()
            pi = f"{pi_prefix}{n}"
            rows.append((payment_id, group_id, by_n[n], amount_cents, status, pi))
            out.append((by_n[n], payment_id, pi))
        cur.executemany(
            "INSERT INTO payments (id, group_id, invoice_id, method, amount_cents, currency, status, refunded_cents,"
            "  overpayment_cents, stripe_payment_intent_id) VALUES (%s, %s, %s, 'card', %s, 'USD', %s, 0, 0, %s)",
            rows,
        )
    return out


def at_scale(
    conn: psycopg.Connection,
    group_id: uuid.UUID,
    *,
    clients: int,
    invoices: int,
    services: int,
    queued_services: int,
    rate_invoiced: uuid.UUID,
    rate_insurance: uuid.UUID,
) -> None:
    """A practice years into using clinicpay: `invoices` invoices (paid, open, partly paid, a few void)
    over `clients` clients, `services` services of which `queued_services` wait in the queue and the
    rest of the uninvoiced ones are on an insurance rate (not invoiced). Written oldest first."""
    per_invoice = (services - 2 * queued_services) // invoices
    conn.execute(
        "INSERT INTO clients (id, group_id, name, email, created_at, updated_at)"
        " SELECT gen_random_uuid(), %s, 'Client ' || lpad(i::text, 6, '0'), 'client' || i || '@scale.example',"
        "        now() - interval '3 years' + i * interval '1 second', now()"
        " FROM generate_series(1, %s) AS i",
        (group_id, clients),
    )
    conn.execute(
        "CREATE TEMP TABLE scale_clients AS SELECT id, row_number() OVER (ORDER BY created_at) - 1 AS n"
        " FROM clients WHERE group_id = %s",
        (group_id,),
    )
    conn.execute("CREATE INDEX ON scale_clients (n)")
    conn.execute(
        "INSERT INTO invoices (id, group_id, client_id, sequence, number, invoiced_date, due_date, currency,"
        "  total_cents, paid_cents, balance_cents, overpaid_cents, status, disputed, ledger_version, voided_at,"
        "  created_at, updated_at)"
        " SELECT gen_random_uuid(), %(g)s, c.id, i, 'INV-' || lpad(i::text, 6, '0'),"
        "        (date '2023-01-01' + (i * 1095 / %(n)s)), (date '2023-01-31' + (i * 1095 / %(n)s)), 'USD', 36000,"
        "        CASE WHEN i %% 10 < 6 THEN 36000 WHEN i %% 10 < 8 THEN 12000 ELSE 0 END,"
        "        CASE WHEN i %% 10 < 6 THEN 0 WHEN i %% 10 < 8 THEN 24000 WHEN i %% 50 = 9 THEN 0 ELSE 36000 END,"
        "        0,"
        "        CASE WHEN i %% 10 < 6 THEN 'paid' WHEN i %% 10 < 8 THEN 'partially_paid'"
        "             WHEN i %% 50 = 9 THEN 'void' ELSE 'open' END,"
        "        false, 1, CASE WHEN i %% 50 = 9 THEN now() END,"
        "        now() - interval '3 years' + i * (interval '1095 days' / %(n)s), now()"
        " FROM generate_series(1, %(n)s) AS i JOIN scale_clients AS c ON c.n = i %% %(clients)s",
        {"g": group_id, "n": invoices, "clients": clients},
    )
    conn.execute("UPDATE invoice_sequences SET next_number = %s WHERE group_id = %s", (invoices + 1, group_id))
    # What paid them: one payment per paid or part-paid invoice, received 10 days after it was invoiced,
    # by card, check or insurance in turn (what the collections report sums, month by month).
    conn.execute(
        "INSERT INTO payments (id, group_id, invoice_id, method, amount_cents, currency, status, received_date,"
        "  refunded_cents, overpayment_cents, created_at, updated_at)"
        " SELECT gen_random_uuid(), group_id, id,"
        "        CASE sequence %% 3 WHEN 0 THEN 'card' WHEN 1 THEN 'check' ELSE 'insurance' END,"
        "        paid_cents, 'USD', 'succeeded', invoiced_date + 10, 0, 0,"
        "        created_at + interval '10 days', created_at + interval '10 days'"
        " FROM invoices WHERE group_id = %s AND paid_cents > 0",
        (group_id,),
    )
    # Invoiced services: `per_invoice` per invoice, dated and created before it.
    conn.execute(
        "INSERT INTO services (id, group_id, client_id, billing_rate_id, external_id, service_date, description,"
        "  amount_cents, amount_explicit, description_explicit, insurance_paid_cents, invoice_id, created_at,"
        "  updated_at)"
        " SELECT gen_random_uuid(), %(g)s, inv.client_id, %(rate)s, 'ext-' || inv.sequence || '-' || k,"
        "        inv.invoiced_date - k, 'Individual session (self-pay)', 12000, false, false, 0,"
        "        CASE WHEN inv.status = 'void' THEN NULL ELSE inv.id END,"
        "        inv.created_at - k * interval '1 day', now()"
        " FROM invoices AS inv, generate_series(1, %(per)s) AS k WHERE inv.group_id = %(g)s",
        {"g": group_id, "rate": rate_invoiced, "per": per_invoice},
    )
    # Waiting: half in the queue (invoiced rate), half on the insurance rate (never on an invoice).
    for offset, rate in ((0, rate_invoiced), (1, rate_insurance)):
        conn.execute(
            "INSERT INTO services (id, group_id, client_id, billing_rate_id, external_id, service_date,"
            "  description, amount_cents, amount_explicit, description_explicit, insurance_paid_cents, created_at,"
            "  updated_at)"
            " SELECT gen_random_uuid(), %(g)s, c.id, %(rate)s, 'wait-' || %(o)s || '-' || i,"
            "        date '2026-01-01' + (i %% 90), 'Individual session', 12000, false, false, 0,"
            "        now() - interval '90 days' + i * interval '1 second', now()"
            " FROM generate_series(1, %(n)s) AS i JOIN scale_clients AS c ON c.n = i %% %(clients)s",
            {"g": group_id, "rate": rate, "o": offset, "n": queued_services, "clients": clients},
        )
    conn.execute("DROP TABLE scale_clients")


def portal_logins_for_every_client(conn: psycopg.Connection, group_id: uuid.UUID) -> None:
    """A portal login and one issued token for every client of the group (the tables a bearer
    token is looked up in, at the size such a practice has; these tokens are never used)."""
    conn.execute(
        "INSERT INTO users (id, group_id, email, password_hash, role, client_id, is_active)"
        " SELECT gen_random_uuid(), group_id, 'portal-' || id || '@scale.example', %s, 'client', id, true"
        " FROM clients WHERE group_id = %s",
        (NOT_A_PASSWORD_HASH, group_id),
    )
    conn.execute(
        "INSERT INTO access_tokens (id, user_id, token_hash, expires_at)"
        " SELECT gen_random_uuid(), id, encode(sha256(id::text::bytea), 'hex'), now() + interval '1 day'"
        " FROM users WHERE group_id = %s AND role = 'client'",
        (group_id,),
    )
