"""Payment reminders on the pages (issue 13, item 4): an admin sets the days and quiet hours on the
practice settings page, read back in words; a client opens the "Stop reminders" link of a reminder
with no sign-in, and opening it changes nothing until they press the button; staff see on the
client's page that reminders were stopped, and stop them or send them again for a client who asks. Photographed at 1280 and 375 px."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from shared.clients.models import Client
from shared.db.engine import session_scope
from tests.browser.portal import sign_in, toast
from tests.conftest import poll_until
from tests.factories import STAFF_PASSWORD, make_client, make_staff_user
from tests.outbox.helpers import client_email
from tests.reminders.helpers import at, issue, remind, reminding_practice, today

pytestmark = pytest.mark.browser


def test_an_admin_sets_the_reminder_schedule_and_quiet_hours(http, new_page, screenshots):
    practice = reminding_practice(http, [-3, 0, 7, 14, 30], quiet=(20, 8))
    make_staff_user(str(practice.group_id), "owner@calm.example", role="admin")
    page = sign_in(new_page(), "owner@calm.example", STAFF_PASSWORD)
    page.goto("/portal/#/settings/practice")
    days = page.get_by_label("Remind on these days (from the due date)")
    expect(days).to_have_value("-3, 0, 7, 14, 30")
    expect(page.get_by_text("Reminders go 3 days before, on the due date, 7 days after")).to_be_visible()
    expect(page.get_by_label("No reminders from")).to_have_value("20")

    days.fill("soon")
    expect(page.get_by_text("Write whole numbers separated by commas")).to_be_visible()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert")).to_contain_text("whole numbers")
    expect(days).to_be_focused()
    days.fill("400")
    page.get_by_role("button", name="Save changes").click()  # the server's refusal, said and focused
    expect(page.get_by_role("alert")).to_contain_text("365")
    expect(days).to_be_focused()
    assert http.get("/v1/settings", headers=practice.admin).json()["reminder_schedule_days"] == [-3, 0, 7, 14, 30]

    days.fill("10, -5, 0")
    expect(page.get_by_text("Reminders go 5 days before, on the due date, 10 days after")).to_be_visible()
    page.get_by_label("No reminders from").select_option("21")
    page.get_by_label("until").select_option("7")
    page.get_by_role("button", name="Save changes").click()
    expect(toast(page)).to_contain_text("Saved (3 changes).")
    saved = http.get("/v1/settings", headers=practice.admin).json()
    assert saved["reminder_schedule_days"] == [-5, 0, 10]
    assert (saved["reminder_quiet_start_hour"], saved["reminder_quiet_end_hour"]) == (21, 7)
    expect(days).to_have_value("-5, 0, 10")
    page.get_by_role("group", name="Payment reminders").scroll_into_view_if_needed()
    screenshots(page, "reminder-settings-1280", full_page=False)
    phone = sign_in(new_page(width=375, height=812), "owner@calm.example", STAFF_PASSWORD)
    phone.goto("/portal/#/settings/practice")
    phone.get_by_role("group", name="Payment reminders").scroll_into_view_if_needed()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshots(phone, "reminder-settings-375", full_page=False)


def test_a_client_stops_reminders_from_the_link_in_one(http, worker, mailbox, new_page, screenshots):
    practice = reminding_practice(http, [0])
    client = make_client(practice, "Robin Client")
    address = client_email(client.id)
    due = today() + timedelta(days=3)
    issue(http, practice, [client], due)
    assert remind(at(due)) == 1
    [reminder] = poll_until(
        lambda: [m for m in mailbox.to(address) if m.subject.startswith("Reminder:")], message="the reminder"
    )
    [link] = {found for found in reminder.links if "#/unsubscribe/" in found}

    for width in (1280, 375):
        page = new_page(width=width, height=812 if width == 375 else 860)
        page.goto("/portal/" + link[link.index("#") :])
        expect(page.get_by_role("heading", name="Stop payment reminders from Calm Therapy?")).to_be_visible()
        assert page.url.endswith("#/unsubscribe")  # the token left the address bar
        expect(page.get_by_role("navigation", name="Main")).to_be_hidden()  # nobody is signed in
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshots(page, f"unsubscribe-{width}")
    # Opening the page (twice) stopped nothing.
    assert http.get(f"/v1/clients/{client.id}", headers=practice.biller).json()["reminders_opted_out_at"] is None

    page.get_by_role("button", name="Stop reminders").click()
    expect(page.get_by_role("heading", name="Reminders stopped")).to_be_visible()
    expect(page.get_by_text("no more payment reminders from Calm Therapy")).to_be_visible()
    screenshots(page, "unsubscribe-done-375")
    page.reload()  # the token stayed in this tab only; the page now says it is done
    expect(page.get_by_role("heading", name="Reminders stopped")).to_be_visible()

    make_staff_user(str(practice.group_id), "desk@calm.example", role="biller")
    staff = sign_in(new_page(), "desk@calm.example", STAFF_PASSWORD)
    staff.goto(f"/portal/#/clients/{client.id}")
    expect(staff.get_by_test_id("reminders-stopped")).to_contain_text(
        "The client stopped payment reminders with the link in one on"
    )
    screenshots(staff, "client-reminders-stopped-1280")
    bad = new_page()
    bad.goto("/portal/#/unsubscribe/cpu_" + "x" * 43)
    expect(bad.get_by_role("heading", name="This link isn’t valid")).to_be_visible()


def test_staff_send_reminders_again_for_a_client_who_asked_and_stop_them_for_one_who_asks(
    http, worker, mailbox, new_page, screenshots
):
    practice = reminding_practice(http, [0, 7])
    robin, sam = make_client(practice, "Robin Client"), make_client(practice, "Sam Client")
    due = today() + timedelta(days=3)
    issue(http, practice, [robin, sam], due)
    with session_scope() as session:  # Robin stopped them with the link in a reminder, earlier
        session.execute(
            update(Client)
            .where(Client.id == robin.id)
            .values(reminders_opted_out_at=datetime.now(UTC), reminders_stopped_by="client")
        )
    assert remind(at(due)) == 1  # Sam's only

    make_staff_user(str(practice.group_id), "desk@calm.example", role="biller")
    staff = sign_in(new_page(), "desk@calm.example", STAFF_PASSWORD)
    staff.goto(f"/portal/#/clients/{robin.id}")
    expect(staff.get_by_test_id("reminders-stopped")).to_contain_text("The client stopped payment reminders")
    staff.get_by_role("button", name="Send reminders again").click()
    dialog = staff.get_by_role("dialog", name="Send Robin Client payment reminders again?")
    expect(dialog).to_contain_text("Only when they asked for them back: they stopped them with the link")
    screenshots(staff, "client-reminders-resume-1280")
    dialog.get_by_role("button", name="Send reminders again").click()
    expect(toast(staff)).to_contain_text("Robin Client gets payment reminders again.")
    expect(staff.get_by_text("Gets payment reminders on the practice’s schedule.")).to_be_visible()
    robin_view = http.get(f"/v1/clients/{robin.id}", headers=practice.biller).json()
    assert robin_view["reminders_opted_out_at"] is None
    # The schedule's next run sends Robin the step that has come, once; Sam's was sent already.
    assert remind(at(due, hour=13)) == 1
    poll_until(
        lambda: [m for m in mailbox.to(client_email(robin.id)) if m.subject.startswith("Reminder:")],
        message="Robin's reminder",
    )

    phone = sign_in(new_page(width=375, height=812), "desk@calm.example", STAFF_PASSWORD)
    phone.goto(f"/portal/#/clients/{sam.id}")
    phone.get_by_role("button", name="Stop reminders").click()
    phone.get_by_role("dialog", name="Stop Sam Client’s payment reminders?").get_by_role(
        "button", name="Stop reminders"
    ).click()
    expect(phone.get_by_test_id("reminders-stopped")).to_contain_text(
        "Staff stopped payment reminders, at the client’s request, on"
    )
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshots(phone, "client-reminders-stopped-by-staff-375")
    phone.get_by_role("button", name="Send reminders again").click()
    expect(phone.get_by_role("dialog", name="Send Sam Client payment reminders again?")).to_contain_text(
        "Only when the client asked for them back: staff stopped them at their request"
    )
    phone.keyboard.press("Escape")
    assert remind(at(due + timedelta(days=7))) == 1  # Robin's 7-day step; none for Sam

    trail = http.get(
        "/v1/audit-events", headers=practice.admin, params={"entity": "client", "entity_id": str(sam.id)}
    ).json()["data"]
    assert [(e["action"], e["data"]) for e in trail if "reminders" in e["action"]] == [
        ("client.reminders_stopped", {"via": "staff"})
    ]
