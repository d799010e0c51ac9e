"""Invitations and "Forgot password?" end to end: the API writes the email, the real worker sends it
to the real SMTP server, and the test follows the link it holds — as the person would.

What an outsider may never learn: whether an address has a login. The answers for a known and an
unknown address are compared byte for byte."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text, update

from shared.accounts.models import AccountToken
from shared.audit.models import AuditEvent
from shared.db.engine import session_scope
from shared.security.tokens import token_digest
from shared.users.models import User
from tests.conftest import poll_until
from tests.factories import STAFF_PASSWORD, auth, give_portal_access, login, make_client_via_api

NEW_PASSWORD = "lantern-orchard-42-violet"
OTHER_PASSWORD = "copper-meadow-77-harbor"


def _email(mailbox, address: str, count: int = 1):
    messages = poll_until(
        lambda: len(mailbox.to(address)) >= count and mailbox.to(address), message=f"mail to {address}"
    )
    return sorted(messages, key=lambda m: m.sent_at)[count - 1]


def _token(message, fragment: str) -> str:
    [link] = [link for link in message.links if fragment in link]
    return link.split("token=", 1)[1]


def _users(email: str) -> int:
    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(User).where(func.lower(User.email) == email.lower()))


def _same_answer(a, b, a_email: str = "", b_email: str = "") -> None:
    """Same status, same headers (but the request id and date), same body once the echoed address is set aside."""
    assert a.status_code == b.status_code
    skip = {"x-request-id", "date", "content-length"}
    assert {k: v for k, v in a.headers.items() if k not in skip} == {
        k: v for k, v in b.headers.items() if k not in skip
    }
    body_a = a.content.replace(a_email.encode(), b"<address>") if a_email else a.content
    body_b = b.content.replace(b_email.encode(), b"<address>") if b_email else b.content
    assert body_a == body_b


# --- clients ------------------------------------------------------------------------------------------


def test_a_client_invited_by_staff_sets_a_password_and_signs_in(http, practice, worker, mailbox):
    client = make_client_via_api(http, practice, name="Robin Example")
    address = f"robin-{uuid.uuid4().hex[:6]}@example.com"
    r = http.post(f"/v1/clients/{client['id']}/invitations", headers=practice.biller, json={"email": address})
    assert r.status_code == 202, r.text
    assert r.json()["email"] == address and r.json()["client_id"] == client["id"] and "token" not in r.text
    assert _users(address) == 0  # nothing made until the client sets a password

    email = _email(mailbox, address)
    assert email.subject == "Calm Therapy invited you to clinicpay"
    assert "Robin" in email.text and "Example" not in email.text
    token = _token(email, "#/set-password?token=")
    assert token.startswith("cpi_")
    with session_scope() as session:  # stored as its digest only, nowhere in the clear
        assert session.scalar(select(AccountToken.digest).where(AccountToken.purpose == "invite")) == token_digest(
            token
        )
        dump = session.execute(text("SELECT facts::text FROM outbox_messages")).scalars().all()
        assert not any(token in row for row in dump)

    weak = http.post("/v1/invitations/accept", json={"token": token, "password": "password1"})
    assert weak.status_code == 422 and weak.json()["error"]["code"] in ("password_too_short", "password_too_weak")
    r = http.post("/v1/invitations/accept", json={"token": token, "password": NEW_PASSWORD})
    assert r.status_code == 200, r.text
    assert r.json() == {"email": address, "role": "client"}

    bearer = login(http, address, NEW_PASSWORD)
    me = http.get("/v1/me", headers=auth(bearer)).json()
    assert me["role"] == "client"
    assert http.get("/v1/portal/invoices", headers=auth(bearer)).status_code == 200
    assert http.get(f"/v1/clients/{client['id']}", headers=practice.biller).json()["portal_email"] == address

    again = http.post("/v1/invitations/accept", json={"token": token, "password": OTHER_PASSWORD})
    assert (again.status_code, again.json()["error"]["code"]) == (422, "token_invalid")
    unknown = http.post("/v1/invitations/accept", json={"token": "cpi_" + "x" * 43, "password": OTHER_PASSWORD})
    assert unknown.content.replace(b"x", b"") == again.content.replace(b"x", b"")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (422, "token_invalid")
    with session_scope() as session:
        actions = set(session.scalars(select(AuditEvent.action)))
    assert {"client.portal_invitation_sent", "user.invitation_accepted"} <= actions


def test_inviting_an_address_that_has_a_login_answers_exactly_like_a_fresh_one(
    http, practice, other_practice, worker, mailbox
):
    client = make_client_via_api(http, practice)
    fresh = f"fresh-{uuid.uuid4().hex[:6]}@example.com"
    taken_elsewhere = other_practice.biller_email  # a login at another practice
    taken_here = f"here-{uuid.uuid4().hex[:6]}@example.com"
    give_portal_access(http, practice, make_client_via_api(http, practice)["id"], email=taken_here)

    answers = {
        address: http.post(f"/v1/clients/{client['id']}/invitations", headers=practice.admin, json={"email": address})
        for address in (fresh, taken_elsewhere, taken_here)
    }
    for address in (taken_elsewhere, taken_here):
        _same_answer(answers[fresh], answers[address], fresh, address)
        assert _users(address) == 1  # no second login
    staff = {
        address: http.post("/v1/users/invitations", headers=practice.admin, json={"email": address, "role": "biller"})
        for address in (f"new-{uuid.uuid4().hex[:6]}@example.com", taken_elsewhere)
    }
    [a, b] = staff.items()
    assert a[1].status_code == 202
    _same_answer(a[1], b[1], a[0], b[0])

    # Only the owner learns which: the email says they have a sign-in already, with no set-password link.
    notice = _email(mailbox, taken_elsewhere)
    assert "already have a clinicpay sign-in" in notice.text
    assert not any("token=" in link for link in notice.links)
    assert any(link.endswith("#/forgot-password") for link in notice.links)
    assert "#/set-password?token=" in " ".join(_email(mailbox, fresh).links)
    # The audit trail the practice's admins read says the same for both.
    with session_scope() as session:
        rows = session.execute(
            select(AuditEvent.action, AuditEvent.data).where(AuditEvent.action == "client.portal_invitation_sent")
        ).all()
    assert len(rows) == 3 and len({str(row.data) for row in rows}) == 1


def test_another_practice_cannot_invite_onto_a_client_and_only_admins_invite_staff(http, practice, other_practice):
    client = make_client_via_api(http, practice)
    r = http.post(
        f"/v1/clients/{client['id']}/invitations", headers=other_practice.admin, json={"email": "a@b.example"}
    )
    assert (r.status_code, r.json()["error"]["code"]) == (404, "resource_missing")
    body = {"email": "new-colleague@example.com", "role": "admin"}
    assert http.post("/v1/users/invitations", headers=practice.biller, json=body).status_code == 403
    key = http.post("/v1/api-keys", headers=practice.admin, json={"name": "k", "role": "admin"}).json()["key"]
    r = http.post("/v1/users/invitations", headers=auth(key), json=body)
    assert (r.status_code, r.json()["error"]["code"]) == (403, "api_key_forbidden")
    assert http.post("/v1/users/invitations", json=body).status_code == 401
    r = http.post("/v1/users/invitations", headers=practice.admin, json={**body, "role": "operator"})
    assert r.status_code == 422
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(AccountToken)) == 0  # nothing was written


def test_an_invited_biller_joins_the_practice_and_a_second_invitation_replaces_the_first(
    http, practice, worker, mailbox
):
    address = f"colleague-{uuid.uuid4().hex[:6]}@example.com"
    for _ in range(2):
        r = http.post("/v1/users/invitations", headers=practice.admin, json={"email": address, "role": "biller"})
        assert r.status_code == 202, r.text
    first, second = _token(_email(mailbox, address, 1), "token="), _token(_email(mailbox, address, 2), "token=")
    r = http.post("/v1/invitations/accept", json={"token": first, "password": NEW_PASSWORD})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "token_invalid")
    r = http.post("/v1/invitations/accept", json={"token": second, "password": NEW_PASSWORD})
    assert r.status_code == 200 and r.json()["role"] == "biller"
    bearer = login(http, address, NEW_PASSWORD)
    assert http.get("/v1/invoices", headers=auth(bearer)).status_code == 200
    listed = http.get("/v1/users", headers=practice.admin).json()["data"]
    assert address in [u["email"] for u in listed]


def test_the_old_portal_access_route_still_works(http, practice):
    client = make_client_via_api(http, practice)
    bearer = give_portal_access(http, practice, client["id"], email="front-desk-made@example.com")
    assert http.get("/v1/portal/invoices", headers=auth(bearer)).status_code == 200


# --- forgot password ------------------------------------------------------------------------------------


def test_a_forgotten_password_is_reset_end_to_end_and_other_sign_ins_end(http, practice, worker, mailbox):
    address = practice.biller_email
    other_device = login(http, address, STAFF_PASSWORD)
    known = http.post("/v1/auth/password-reset", json={"email": address.upper()})
    unknown = http.post("/v1/auth/password-reset", json={"email": f"nobody-{uuid.uuid4().hex[:6]}@example.com"})
    assert known.status_code == 202, known.text
    _same_answer(known, unknown)

    email = _email(mailbox, address)
    assert email.subject == "Reset your clinicpay password"
    token = _token(email, "#/reset-password?token=")
    assert token.startswith("cpr_")
    assert http.get("/v1/me", headers=auth(other_device)).status_code == 200  # asking changes nothing yet

    r = http.post("/v1/auth/password-reset/complete", json={"token": token, "password": NEW_PASSWORD})
    assert r.status_code == 200 and r.json() == {"email": address, "role": "biller"}
    assert http.get("/v1/me", headers=auth(other_device)).status_code == 401
    assert http.get("/v1/me", headers=practice.biller).status_code == 401
    r = http.post("/v1/auth/token", data={"username": address, "password": STAFF_PASSWORD})
    assert r.status_code == 401
    login(http, address, NEW_PASSWORD)

    r = http.post("/v1/auth/password-reset/complete", json={"token": token, "password": OTHER_PASSWORD})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "token_invalid")
    with session_scope() as session:
        assert "user.password_reset" in set(session.scalars(select(AuditEvent.action)))


def test_an_unknown_address_is_told_by_email_that_no_login_uses_it(http, worker, mailbox):
    address = f"stranger-{uuid.uuid4().hex[:6]}@example.com"
    assert http.post("/v1/auth/password-reset", json={"email": address}).status_code == 202
    email = _email(mailbox, address)
    assert email.subject == "Your clinicpay password reset request"
    assert "no active clinicpay sign-in uses this address" in email.text
    assert not any("token=" in link for link in email.links)


def test_a_reset_link_expires_and_a_newer_one_replaces_it(http, practice, worker, mailbox):
    address = practice.admin_email
    for _ in range(2):
        assert http.post("/v1/auth/password-reset", json={"email": address}).status_code == 202
    first, second = _token(_email(mailbox, address, 1), "token="), _token(_email(mailbox, address, 2), "token=")
    r = http.post("/v1/auth/password-reset/complete", json={"token": first, "password": NEW_PASSWORD})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "token_invalid")
    # A weak password is refused and the link stays usable…
    r = http.post("/v1/auth/password-reset/complete", json={"token": second, "password": "short"})
    assert r.status_code == 422
    # …until its hour is up.
    with session_scope() as session:
        session.execute(
            update(AccountToken)
            .where(AccountToken.digest == token_digest(second))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    r = http.post("/v1/auth/password-reset/complete", json={"token": second, "password": NEW_PASSWORD})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "token_invalid")
    login(http, address, STAFF_PASSWORD)  # the password did not change


def test_a_deactivated_login_cannot_be_reset_back_to_life(http, practice):
    biller_id = http.get("/v1/me", headers=practice.biller).json()["id"]
    assert http.patch(f"/v1/users/{biller_id}", headers=practice.admin, json={"is_active": False}).status_code == 200
    assert http.post("/v1/auth/password-reset", json={"email": practice.biller_email}).status_code == 202
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(AccountToken)) == 0


def test_asking_too_often_is_refused_the_same_for_a_known_and_an_unknown_address(http, practice):
    for address in (practice.admin_email, f"nobody-{uuid.uuid4().hex[:6]}@example.com"):
        codes = [http.post("/v1/auth/password-reset", json={"email": address}).status_code for _ in range(6)]
        assert codes == [202] * 5 + [429], (address, codes)
        r = http.post("/v1/auth/password-reset", json={"email": address})
        assert r.json()["error"]["code"] == "too_many_email_requests"


def test_the_answer_takes_as_long_for_a_known_as_for_an_unknown_address(http, practice):
    """Medians of interleaved requests, each address asked once (the limiter counts per address)."""
    from services.api.rate_limit import account_email_limiter

    known = [make_client_via_api(http, practice)["id"] for _ in range(12)]
    addresses = []
    for i, client_id in enumerate(known):
        address = f"timing-{i}-{uuid.uuid4().hex[:6]}@example.com"
        give_portal_access(http, practice, client_id, email=address)
        addresses.append(address)
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    for i, address in enumerate(addresses):
        account_email_limiter().client.flushdb()  # one caller address asks 24 times here
        for kind, email in (("known", address), ("unknown", f"nobody-{i}-{uuid.uuid4().hex[:6]}@example.com")):
            start = time.perf_counter()
            assert http.post("/v1/auth/password-reset", json={"email": email}).status_code == 202
            timings[kind].append(time.perf_counter() - start)
    median = {kind: sorted(values)[len(values) // 2] for kind, values in timings.items()}
    assert abs(median["known"] - median["unknown"]) < 0.5 * max(median.values()) + 0.005, median


def test_one_link_used_by_many_at_once_makes_one_login(http, practice, worker, mailbox):
    """A double-click, or a link forwarded and opened twice at once: one wins, the others are refused."""
    from concurrent.futures import ThreadPoolExecutor

    address = f"racer-{uuid.uuid4().hex[:6]}@example.com"
    client = make_client_via_api(http, practice)
    assert (
        http.post(f"/v1/clients/{client['id']}/invitations", headers=practice.biller, json={"email": address})
    ).status_code == 202
    token = _token(_email(mailbox, address), "token=")
    # A reset endpoint does not take an invitation's token (nor the other way round).
    r = http.post("/v1/auth/password-reset/complete", json={"token": token, "password": NEW_PASSWORD})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "token_invalid")

    def accept(_):
        import httpx

        with httpx.Client(base_url=str(http.base_url), timeout=30) as own:
            return own.post("/v1/invitations/accept", json={"token": token, "password": NEW_PASSWORD}).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = sorted(pool.map(accept, range(6)))
    assert codes == [200] + [422] * 5, codes
    assert _users(address) == 1


def test_an_operator_resets_their_password_too(http, worker, mailbox):
    from tests.factories import OPERATOR_EMAIL, operator_token

    operator_token(http)  # the platform's operator exists
    assert http.post("/v1/auth/password-reset", json={"email": OPERATOR_EMAIL}).status_code == 202
    email = _email(mailbox, OPERATOR_EMAIL)
    assert "clinicpay" in email.headers["From"]
    token = _token(email, "#/reset-password?token=")
    r = http.post("/v1/auth/password-reset/complete", json={"token": token, "password": NEW_PASSWORD})
    assert r.status_code == 200 and r.json()["role"] == "operator"
    login(http, OPERATOR_EMAIL, NEW_PASSWORD)


def test_a_refused_sign_in_email_raises_no_staff_alert(http, practice, worker, mailbox):
    """A bounce of a sign-in email is recorded on its row, but staff hear nothing: which kind bounced
    (an invitation or an "already have a sign-in" note) would tell them whether the address has a login."""
    from tests.outbox.helpers import outbox_rows

    address = f"bounces-{uuid.uuid4().hex[:6]}@example.com"
    mailbox.handler.refuse[address] = "550 5.1.1 no such user"
    client = make_client_via_api(http, practice)
    r = http.post(f"/v1/clients/{client['id']}/invitations", headers=practice.biller, json={"email": address})
    assert r.status_code == 202
    poll_until(lambda: [row.status for row in outbox_rows(to_address=address)] == ["failed"], message="the bounce")
    assert http.get("/v1/alerts", headers=practice.biller).json()["data"] == []
