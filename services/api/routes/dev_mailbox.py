"""The development mailbox (like Mailpit): every message `make run`'s SMTP server received, with its
rendered HTML, plain text, links and attachments. Development and test environments only: in
production every route answers 404, as if it did not exist, and none is in the OpenAPI document."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from shared.config import app_settings
from shared.errors import NotFound
from shared.outbox.dev_mailbox import find_message, list_messages

router = APIRouter(include_in_schema=False)
_PAGES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",)),
)
# The page runs no script; each email's HTML is shown in a sandboxed frame (no scripts, no forms,
# its own opaque origin), so a message cannot act on the page.
_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'; base-uri 'none'"


def _mailbox_dir() -> Path:
    settings = app_settings()
    if settings.is_production:
        raise NotFound("Not Found.", code="resource_missing")
    return Path(settings.dev_mailbox_dir)


@router.get("/dev/mailbox")
def mailbox_root() -> RedirectResponse:
    _mailbox_dir()
    return RedirectResponse("/dev/mailbox/", status_code=308)


@router.get("/dev/mailbox/", response_class=HTMLResponse)
def mailbox_page() -> HTMLResponse:
    messages = list_messages(_mailbox_dir())
    html = _PAGES.get_template("dev_mailbox.html").render(messages=messages)
    return HTMLResponse(html, headers={"Content-Security-Policy": _PAGE_CSP, "Cache-Control": "no-store"})


@router.get("/dev/mailbox/messages")
def mailbox_messages() -> list[dict]:
    """Newest first: id, to, subject, text, html, links, sent_at (and message_id, from, reply_to, attachments)."""
    return [m.as_json() for m in list_messages(_mailbox_dir())]


@router.get("/dev/mailbox/messages/{message_id}/attachments/{index}")
def mailbox_attachment(message_id: str, index: int) -> Response:
    """One file a message carried (the JSON lists them in order), as a download."""
    message = find_message(_mailbox_dir(), message_id)
    if message is None or not 0 <= index < len(message.attachments):
        raise NotFound("No such attachment.", code="resource_missing")
    attachment = message.attachments[index]
    # Whatever the message named it, only a plain name reaches the header.
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", attachment.filename) or "attachment"
    return Response(
        attachment.content,
        media_type=attachment.content_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
