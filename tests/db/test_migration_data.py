"""Migrations that fill a new column from rows already there: run down and up again on a database
holding such rows, and read what they filled in."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from shared.db.engine import session_scope
from shared.db.migrate import alembic_config
from tests.factories import make_client, make_practice


def test_0015_takes_who_stopped_a_clients_reminders_from_the_audit_trail(http):
    practice = make_practice(staff=True, name="Calm Therapy")
    by_staff, by_link, getting_them = (make_client(practice, name) for name in ("At The Desk", "By Link", "Gets Them"))
    r = http.post(f"/v1/clients/{by_staff.id}/stop-reminders", headers=practice.biller)
    assert r.status_code == 200 and r.json()["reminders_stopped_by"] == "staff", r.text
    config = alembic_config()
    command.downgrade(config, "0014")
    try:
        with session_scope() as session:  # before 0015: the link stopped them, audited without `via: staff`
            session.execute(
                text("UPDATE clients SET reminders_opted_out_at = now() WHERE id = :id"), {"id": by_link.id}
            )
    finally:
        command.upgrade(config, "head")
    with session_scope() as session:
        found = dict(
            session.execute(
                text("SELECT id, reminders_stopped_by FROM clients WHERE group_id = :g"), {"g": practice.group_id}
            ).all()
        )
    assert found == {by_staff.id: "staff", by_link.id: "client", getting_them.id: None}
