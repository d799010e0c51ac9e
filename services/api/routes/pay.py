"""Pay links (shared/paylinks): the public pay page's API, no sign-in — the token in the path is the
whole credential — and the staff's revoke.

Every public route is limited per address (services/api/rate_limit.py, `PayLinkLimiter`); the token is
never logged (services/api/middleware.py writes these paths as /v1/pay/{token}). A token that opens nothing
— unknown, tampered, revoked, of an invoice no longer its client's — is one answer: 404
`pay_link_invalid`. A real one past its expiry: 410 `pay_link_expired`, and nothing else about it.

Confirming commits twice, as the portal does: the PaymentIntent's id is committed before it is confirmed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from services.api.deps import CurrentStaff, SessionDep, commit_now
from services.api.openapi import STRIPE_ERROR
from services.api.rate_limit import pay_link_limiter
from shared.db.ids import parse_id
from shared.paylinks import service
from shared.paylinks.models import PayLink
from shared.paylinks.schemas import FreshLinkRequested, PayLinksRevoked, PayLinkSummary
from shared.payments.portal_schemas import CardPaymentConfirm, CardPaymentStart, CardPaymentStarted, CardPaymentState

router = APIRouter(prefix="/v1/pay", tags=["pay links"])
staff_router = APIRouter(prefix="/v1/invoices", tags=["pay links"])

# Small bodies only: an amount, a ConfirmationToken id.
PAY_MAX_BODY_BYTES = 4096
LINK_ERRORS = {
    404: {"description": "`pay_link_invalid`: the link is unknown, altered or revoked (always the same answer)."},
    410: {"description": "`pay_link_expired`: the link is past its expiry; `POST …/fresh-link` sends a new one."},
    429: {"description": "`rate_limited`: too many requests (or links that open nothing) from this address."},
}


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def open_link(token: str, request: Request, session: SessionDep) -> PayLink:
    """The link the path's token opens. Counted against the caller's address first."""
    limiter = pay_link_limiter()
    address = _address(request)
    limiter.reserve(address)
    link = service.find(session, token)
    if link is None:
        raise service.invalid()
    limiter.opened(address)  # a real link (expired or not): no guess
    return service.use(session, link)


Link = Annotated[PayLink, Depends(open_link)]


@router.get("/{token}", response_model=PayLinkSummary, responses=LINK_ERRORS)
def get_summary(link: Link, session: SessionDep) -> PayLinkSummary:
    """The practice, the invoice's number, dates and amounts, and whether it can be paid now. No lines, no
    descriptions, nothing about the client: whoever holds the link sees only this."""
    return service.summary(session, link)


@router.post(
    "/{token}/payments",
    status_code=201,
    response_model=CardPaymentStarted,
    responses={200: {"model": CardPaymentStarted, "description": "the still-pending payment, resumed"}, **LINK_ERRORS},
    max_body_size=PAY_MAX_BODY_BYTES,
)
def start_payment(
    link: Link, session: SessionDep, response: Response, body: CardPaymentStart | None = None
) -> CardPaymentStarted:
    """As `POST /v1/portal/invoices/{id}/payments`, for the link's invoice."""
    started, created = service.start_payment(session, link, body.amount_cents if body else None)
    if not created:
        response.status_code = 200
    return started


@router.post(
    "/{token}/payments/{payment_id}/confirm",
    response_model=CardPaymentState,
    responses={**STRIPE_ERROR, **LINK_ERRORS},
    max_body_size=PAY_MAX_BODY_BYTES,
)
def confirm_payment(
    link: Link, payment_id: str, session: SessionDep, body: CardPaymentConfirm | None = None
) -> CardPaymentState:
    """As `POST /v1/portal/payments/{id}/confirm`, for a payment of the link's invoice."""
    pid = parse_id(payment_id, "payment")
    service.prepare_payment(session, link, pid, body.confirmation_token if body else None)
    commit_now(session)
    return service.confirm_payment(session, link, pid)


@router.get("/{token}/payments/{payment_id}", response_model=CardPaymentState, responses=LINK_ERRORS)
def get_payment(link: Link, payment_id: str, session: SessionDep) -> CardPaymentState:
    return service.get_payment(session, link, parse_id(payment_id, "payment"))


@router.post(
    "/{token}/payments/{payment_id}/cancel",
    response_model=CardPaymentState,
    responses={**STRIPE_ERROR, **LINK_ERRORS},
    max_body_size=PAY_MAX_BODY_BYTES,
)
def cancel_payment(link: Link, payment_id: str, session: SessionDep) -> CardPaymentState:
    return service.cancel_payment(session, link, parse_id(payment_id, "payment"))


@router.post(
    "/{token}/fresh-link",
    status_code=202,
    response_model=FreshLinkRequested,
    responses={429: LINK_ERRORS[429]},
    max_body_size=PAY_MAX_BODY_BYTES,
)
def fresh_link(token: str, request: Request, session: SessionDep) -> FreshLinkRequested:
    """From an expired link: a new one by email, to the address the practice has on file for the client
    (never one given here). The answer is the same whatever the token, and whether anything was sent:
    nothing for an unknown, revoked or still-working link, a paid or void invoice, or a second ask the
    same day."""
    limiter = pay_link_limiter()
    address = _address(request)
    limiter.reserve(address)
    if service.find(session, token) is not None:
        limiter.opened(address)
    service.request_fresh_link(session, token)
    return FreshLinkRequested()


@staff_router.post("/{invoice_id}/pay-links/revoke", response_model=PayLinksRevoked)
def revoke_pay_links(invoice_id: str, actor: CurrentStaff, session: SessionDep) -> PayLinksRevoked:
    """Every pay link sent for this invoice stops working now (404 `pay_link_invalid` from then on, and
    no fresh link can be asked from them). The next invoice email sent for it carries a new one."""
    return PayLinksRevoked(revoked=service.revoke_all(session, actor, parse_id(invoice_id, "invoice")))
