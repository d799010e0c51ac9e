"""CLINICPAY_SMTP_URL as an operator writes it, and what the worker's SMTP connection does with a
real server (the tests' aiosmtpd, which offers no STARTTLS)."""

from __future__ import annotations

import os
from email.message import EmailMessage
from unittest import mock

import pytest

from shared.config import clear_settings_cache
from shared.outbox.transport import AddressRefused, SmtpConnection, SmtpUnavailable, parse_target


@pytest.fixture
def smtp_env():
    """The process's environment, as it was again after the test (and the settings read afresh)."""
    with mock.patch.dict(os.environ):
        yield os.environ
    clear_settings_cache()


def test_the_url_names_the_server_tls_and_credentials(smtp_env):
    t = parse_target("smtps://apikey:p%40ss%2Fword@smtp.provider.example")
    assert (t.host, t.port, t.implicit_tls, t.username, t.password) == (
        "smtp.provider.example",
        465,
        True,
        "apikey",
        "p@ss/word",
    )
    t = parse_target("smtp://smtp.provider.example?starttls=required")
    assert (t.port, t.implicit_tls, t.starttls, t.username) == (587, False, "required", None)
    smtp_env["CLINICPAY_SMTP_USERNAME"] = "mailer"
    smtp_env["CLINICPAY_SMTP_PASSWORD"] = "from-settings"
    clear_settings_cache()
    t = parse_target("smtp://relay.internal:2525")
    assert (t.port, t.username, t.password) == (2525, "mailer", "from-settings")
    with pytest.raises(ValueError, match="smtp:// or smtps://"):
        parse_target("http://smtp.provider.example")
    with pytest.raises(ValueError, match="starttls="):
        parse_target("smtp://smtp.provider.example?starttls=maybe")


def _message(to: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "no-reply@clinicpay.localhost"
    message["To"] = to
    message["Subject"] = "hello"
    message["Message-ID"] = "<one@clinicpay.localhost>"
    message.set_content("hello")
    return message


def test_a_server_without_starttls_is_refused_when_the_url_requires_it(mailbox):
    with (
        pytest.raises(SmtpUnavailable, match="does not offer STARTTLS"),
        SmtpConnection(parse_target(f"{mailbox.url}?starttls=required")),
    ):
        pass
    # "auto" sends in the clear to a server that offers nothing better (make run's, on loopback).
    with SmtpConnection(parse_target(mailbox.url)) as smtp:
        smtp.send(_message("ada@clients.example"), "no-reply@clinicpay.localhost", "ada@clients.example")
    assert [m.message_id for m in mailbox.to("ada@clients.example")] == ["<one@clinicpay.localhost>"]


def test_the_servers_answers_are_final_only_for_a_5xx_about_the_address(mailbox):
    mailbox.handler.refuse["gone@clients.example"] = "550 5.1.1 No such user"
    mailbox.handler.refuse["busy@clients.example"] = "452 4.2.2 Mailbox full"
    with SmtpConnection(parse_target(mailbox.url)) as smtp:
        with pytest.raises(AddressRefused) as refused:
            smtp.send(_message("gone@clients.example"), "no-reply@clinicpay.localhost", "gone@clients.example")
        assert (refused.value.code, refused.value.reply) == (550, "5.1.1 No such user")
        with pytest.raises(SmtpUnavailable, match="452"):
            smtp.send(_message("busy@clients.example"), "no-reply@clinicpay.localhost", "busy@clients.example")
        # The connection is still good for the next message.
        smtp.send(_message("ada@clients.example"), "no-reply@clinicpay.localhost", "ada@clients.example")
    assert [m.to for m in mailbox.messages()] == [["ada@clients.example"]]
    mailbox.stop()
    with pytest.raises(SmtpUnavailable, match="cannot reach"), SmtpConnection(parse_target(mailbox.url)):
        pass
