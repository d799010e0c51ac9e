"""The SMTP connection the worker sends through (stdlib smtplib), and what each answer means.

Only a 5xx about the address (RCPT TO) or the message itself (DATA) is final. A refused connection,
a timeout, a dropped connection, any 4xx, and a 5xx about our own sender or login (a configuration
the operator fixes) are transient: the message is tried again until the server takes it.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from shared.config import smtp_settings


class SmtpUnavailable(Exception):
    """Transient: retry later (the text says why, without credentials)."""


class AddressRefused(Exception):
    """Final: the server refused this recipient or this message with a 5xx."""

    def __init__(self, code: int, reply: str) -> None:
        super().__init__(f"{code} {reply}")
        self.code = code
        self.reply = reply


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    implicit_tls: bool
    starttls: str  # "auto" | "required" | "off"
    username: str | None
    password: str | None


def parse_target(url: str | None = None) -> SmtpTarget:
    settings = smtp_settings()
    parts = urlsplit(url or settings.url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError("CLINICPAY_SMTP_URL must start with smtp:// or smtps://")
    implicit = parts.scheme == "smtps"
    starttls = parse_qs(parts.query).get("starttls", ["auto"])[0]
    if starttls not in ("auto", "required", "off"):
        raise ValueError("CLINICPAY_SMTP_URL's starttls= is auto, required or off")
    return SmtpTarget(
        host=parts.hostname or "localhost",
        port=parts.port or (465 if implicit else 587),
        implicit_tls=implicit,
        starttls="off" if implicit else starttls,
        username=unquote(parts.username) if parts.username else settings.username,
        password=unquote(parts.password) if parts.password else settings.password,
    )


def _reply(raw: bytes | str) -> str:
    text = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())[:300]


class SmtpConnection:
    """One connection for a batch of messages: `with SmtpConnection() as smtp: smtp.send(message)`."""

    def __init__(self, target: SmtpTarget | None = None) -> None:
        self.target = target or parse_target()
        self.timeout = smtp_settings().timeout_seconds
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpConnection:
        t = self.target
        try:
            if t.implicit_tls:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    t.host, t.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(t.host, t.port, timeout=self.timeout)
            smtp.ehlo()
            if t.starttls != "off" and smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            elif t.starttls == "required":
                smtp.close()
                raise SmtpUnavailable(f"{t.host}:{t.port} does not offer STARTTLS, which the settings require")
            if t.username:
                smtp.login(t.username, t.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise SmtpUnavailable(f"the SMTP server refused our login: {exc.smtp_code}") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise SmtpUnavailable(f"cannot reach the SMTP server {t.host}:{t.port}: {type(exc).__name__}") from None
        self._smtp = smtp
        return self

    def send(self, message: EmailMessage, sender: str, recipient: str) -> None:
        assert self._smtp is not None
        try:
            refused = self._smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            if code >= 500:
                raise AddressRefused(code, _reply(reply)) from None
            raise SmtpUnavailable(f"{code} {_reply(reply)}") from None
        except smtplib.SMTPDataError as exc:
            if exc.smtp_code >= 500:
                raise AddressRefused(exc.smtp_code, _reply(exc.smtp_error)) from None
            raise SmtpUnavailable(f"{exc.smtp_code} {_reply(exc.smtp_error)}") from None
        except smtplib.SMTPNotSupportedError:
            # An address outside ASCII and a server without SMTPUTF8: no retry will change that.
            raise AddressRefused(553, "the server does not accept this address (no SMTPUTF8)") from None
        except smtplib.SMTPSenderRefused as exc:
            # About our From address, not the client's: fix the settings; the message waits.
            raise SmtpUnavailable(f"sender refused: {exc.smtp_code} {_reply(exc.smtp_error)}") from None
        except smtplib.SMTPResponseException as exc:
            raise SmtpUnavailable(f"{exc.smtp_code} {_reply(exc.smtp_error)}") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise SmtpUnavailable(f"the SMTP connection failed: {type(exc).__name__}") from None
        if refused:  # only with several recipients; one recipient refused raises above
            code, reply = next(iter(refused.values()))
            raise AddressRefused(code, _reply(reply))

    def __exit__(self, *exc: object) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
