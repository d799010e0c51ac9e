"""A row's facts → the email: subject, plain text and HTML from Jinja2 templates (HTML autoescaped),
and the MIME message with the row's own Message-ID, so every attempt sends the same message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from shared.config import smtp_settings
from shared.outbox.models import OutboxMessage
from shared.outbox.schemas import ALLOWED_FACTS, SUBJECTS
from shared.security.secrets import decrypt_secret

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class Attachment:
    """A file an email carries (shared/jobs/attachments.py draws them)."""

    filename: str
    content: bytes
    maintype: str = "application"
    subtype: str = "pdf"


@lru_cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        # HTML escaped, plain text not (it is text); undefined names fail loudly instead of printing "".
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(kind: str, facts: dict) -> Rendered:
    # Every allowed fact is defined (None when absent), so a template may test any of them.
    values = dict.fromkeys(ALLOWED_FACTS[kind]) | facts
    if values.get("link_token"):  # a single-use link: its token is stored encrypted, and only here put back
        values["link"] = f"{values['link']}{decrypt_secret(values['link_token'].encode())}"
    values["link_token"] = None
    subject = SUBJECTS[kind].format_map({k: ("" if v is None else v) for k, v in values.items()})
    subject = " ".join(subject.split())  # one line, whatever a practice's name holds
    env = _environment()
    text = env.get_template(f"{kind}.txt").render(subject=subject, **values)
    html = env.get_template(f"{kind}.html").render(subject=subject, **values)
    return Rendered(subject, text, html)


def _sender(display_name: str | None) -> Address:
    sender = smtp_settings().sender
    local, _, domain = sender.rpartition("@")
    return Address(display_name=display_name or "", username=local, domain=domain)


def build_email(
    row: OutboxMessage, sent_facts: dict | None = None, attachments: Sequence[Attachment] = ()
) -> EmailMessage:
    """`sent_facts`: what is known only as the message is sent and never stored with the row (a pay
    link minted for this send, shared/paylinks/service.py); they replace the row's own. `attachments`:
    files drawn for this send (a receipt's PDF, shared/jobs/attachments.py)."""
    rendered = render(row.kind, row.facts | (sent_facts or {}))
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = _sender(row.facts.get("practice_name"))
    message["To"] = row.to_address
    if row.facts.get("reply_to"):
        message["Reply-To"] = row.facts["reply_to"]
    # Both fixed when the row was written: a resend is the same message (with a pay link, one of its own).
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = row.message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to a notification
    unsubscribe = (sent_facts or {}).get("unsubscribe_url")
    if unsubscribe:
        # RFC 8058 one-click: the mail program POSTs "List-Unsubscribe=One-Click" to the URL (a GET of
        # it changes nothing). Gmail and Yahoo ask it of bulk senders.
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    for attachment in attachments:
        message.add_attachment(
            attachment.content, maintype=attachment.maintype, subtype=attachment.subtype, filename=attachment.filename
        )
    return message
