"""The development mailbox: what the embedded SMTP server received, for /dev/mailbox/.

Development and tests only. `MailboxHandler` is an aiosmtpd handler (deploy/local/mail_server.py
under `make run`, tests/mail.py in tests) that stores each message as one file — the bytes as they
arrived, behind a `Delivered-To` line per envelope recipient and the arrival time — written to a
temporary name and renamed, so a reader never sees half a message. `list_messages` reads them back,
newest first, for the API's mailbox page and JSON.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

RECEIVED_HEADER = "X-Mailbox-Received-At"
_SAFE_ID = re.compile(r"^[0-9]{19}-[0-9a-f]{32}$")
_URL = re.compile(r"https?://[^\s<>\"')]+")


def store(directory: Path, envelope_to: list[str], data: bytes) -> str:
    """Write one arrived message; returns its mailbox id (arrival time first, so names sort by it)."""
    directory.mkdir(parents=True, exist_ok=True)
    message_id = f"{time.time_ns():019d}-{uuid.uuid4().hex}"
    received = datetime.now(UTC).isoformat()
    head = "".join(f"Delivered-To: {address}\r\n" for address in envelope_to) + f"{RECEIVED_HEADER}: {received}\r\n"
    tmp = directory / f".{message_id}.tmp"
    tmp.write_bytes(head.encode() + data)
    os.replace(tmp, directory / f"{message_id}.eml")
    return message_id


class MailboxHandler:
    """aiosmtpd's handler interface: accept every message and store it."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    async def handle_DATA(self, server, session, envelope) -> str:
        store(self.directory, list(envelope.rcpt_tos), envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


@dataclass(frozen=True)
class MailboxAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class MailboxMessage:
    id: str
    to: list[str]
    subject: str
    text: str
    html: str
    links: list[str]
    sent_at: str
    message_id: str | None
    headers: dict[str, str]
    attachments: list[MailboxAttachment]

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "to": self.to,
            "subject": self.subject,
            "text": self.text,
            "html": self.html,
            "links": self.links,
            "sent_at": self.sent_at,
            "message_id": self.message_id,
            "from": self.headers.get("From"),
            "reply_to": self.headers.get("Reply-To"),
            "attachments": [
                {"filename": a.filename, "content_type": a.content_type, "size": len(a.content)}
                for a in self.attachments
            ],
        }


def _part(message: EmailMessage, subtype: str) -> str:
    body = message.get_body(preferencelist=(subtype,))
    if body is None or body.get_content_subtype() != subtype:
        return ""
    return body.get_content()


def parse(message_id: str, raw: bytes) -> MailboxMessage:
    message: EmailMessage = message_from_bytes(raw, policy=policy.default)  # type: ignore[assignment]
    text = _part(message, "plain")
    html = _part(message, "html")
    parser = _Links()
    parser.feed(html)
    links = list(dict.fromkeys(parser.links + _URL.findall(text)))
    return MailboxMessage(
        id=message_id,
        to=[str(v) for v in message.get_all("Delivered-To", [])],
        subject=str(message.get("Subject", "")),
        text=text,
        html=html,
        links=links,
        sent_at=str(message.get(RECEIVED_HEADER, "")),
        message_id=str(message["Message-ID"]).strip() if message["Message-ID"] else None,
        headers={k: str(v).strip() for k, v in message.items() if k not in ("Delivered-To", RECEIVED_HEADER)},
        attachments=[
            MailboxAttachment(
                part.get_filename() or "attachment", part.get_content_type(), part.get_payload(decode=True)
            )
            for part in message.iter_attachments()
        ],
    )


def list_messages(directory: Path, limit: int = 200) -> list[MailboxMessage]:
    if not directory.is_dir():
        return []
    names = sorted((p.stem for p in directory.glob("*.eml") if _SAFE_ID.match(p.stem)), reverse=True)[:limit]
    return [message for name in names if (message := find_message(directory, name)) is not None]


def find_message(directory: Path, message_id: str) -> MailboxMessage | None:
    if not _SAFE_ID.match(message_id):  # the id names a file: nothing else gets near the path
        return None
    try:
        return parse(message_id, (directory / f"{message_id}.eml").read_bytes())
    except FileNotFoundError:  # emptied meanwhile
        return None


def clear(directory: Path) -> None:
    if directory.is_dir():
        for path in directory.glob("*.eml"):
            path.unlink(missing_ok=True)
