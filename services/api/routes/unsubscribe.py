"""The one-click opt-out in a payment reminder (shared/reminders/service.py), no sign-in: the token in
the path is the credential, for that one client's reminders at that one practice.

`POST` stops the reminders. It is what a mail program sends for the email's List-Unsubscribe header
(RFC 8058: a form body `List-Unsubscribe=One-Click`, read by no one here) and what the portal's
"Stop reminders" button sends. `GET` only tells the page whose reminders and whether they are stopped:
link scanners fetch every link in an email, and must not unsubscribe anyone by it.

Limited per address like pay links (the same limiter: guesses count against the caller); the token is
never logged (services/api/middleware.py writes these paths as /v1/unsubscribe/{token}). A token that
opens nothing is always the same answer: 404 `unsubscribe_link_invalid`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.api.deps import SessionDep
from services.api.rate_limit import pay_link_limiter
from shared.reminders import service
from shared.reminders.models import UnsubscribeLink
from shared.reminders.schemas import UnsubscribeState

router = APIRouter(prefix="/v1/unsubscribe", tags=["reminders"])

# A mail program's one-click body is 26 bytes; nothing in it is read.
UNSUBSCRIBE_MAX_BODY_BYTES = 1024
LINK_ERRORS = {
    404: {"description": "`unsubscribe_link_invalid`: the link is unknown or altered (always the same answer)."},
    429: {"description": "`rate_limited`: too many requests (or links that open nothing) from this address."},
}


def open_link(token: str, request: Request, session: SessionDep) -> UnsubscribeLink:
    limiter = pay_link_limiter()
    address = request.client.host if request.client else "unknown"
    limiter.reserve(address)
    link = service.find(session, token)
    if link is None:
        raise service.invalid()
    limiter.opened(address)
    return link


Link = Annotated[UnsubscribeLink, Depends(open_link)]


@router.get("/{token}", response_model=UnsubscribeState, responses=LINK_ERRORS)
def get_state(link: Link, session: SessionDep) -> UnsubscribeState:
    """Whose reminders the link stops, and whether they are stopped already. Changes nothing."""
    return service.state(session, link)


@router.post(
    "/{token}", response_model=UnsubscribeState, responses=LINK_ERRORS, max_body_size=UNSUBSCRIBE_MAX_BODY_BYTES
)
def stop_reminders(link: Link, session: SessionDep) -> UnsubscribeState:
    """Stop this client's payment reminders from this practice (invoice emails and receipts still come).
    Pressing it again changes nothing."""
    return service.stop_reminders(session, link)
