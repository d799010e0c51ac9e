"""A client pays an invoice in the portal with Stripe's Payment Element ("finalize payments on the server").

1. `start_card_payment`: a pending Payment for the invoice (or the one already pending: a closed
   dialog never locks the client out), and what the browser's Payment Element needs — amount,
   currency, the payment method types this practice offers. No Stripe call: nothing exists at
   Stripe until the client has entered their details.
2. The browser: `elements.submit()` → `stripe.createConfirmationToken()`; card and bank details go
   to Stripe, never to us. It sends us the ConfirmationToken's id.
3. `prepare_payment_intent`: the token is checked (this practice's Stripe account knows it, it is
   unused, unexpired, of a type offered, and no other payment of ours used it), the client's Stripe
   customer made once, and the PaymentIntent created once (idempotency key from our payment id)
   with the token's id stored beside it. The caller COMMITS before step 4, so a crash between
   creating and confirming can never create a second PaymentIntent.
4. `confirm_card_payment`: the PaymentIntent is confirmed with the stored token (once: a payment
   already past `pending` only re-reads Stripe) and Stripe's answer is applied through
   `shared.payments.card.apply_payment_intent`, the one function that moves the ledger. On
   `requires_action` (3-D Secure) the browser runs `stripe.handleNextAction()` and calls confirm
   again, which re-reads Stripe. An ACH debit answers `processing` and settles (or fails) days later,
   by webhook or reconciliation.

Every step locks the invoice first (`lock_invoice`): concurrent requests on one invoice — ten
clicks on "Pay", a double confirm, a webhook arriving mid-confirm — run one after another.
The browser's word never changes the ledger; only what Stripe answers does.
"""

from __future__ import annotations

import re
import time
import uuid

import stripe
from sqlalchemy.orm import Session

from shared.actor import Actor
from shared.audit.service import record
from shared.db.base import new_id
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.groups.models import Group
from shared.groups.repository import GroupRepository
from shared.groups.service import ACH_CURRENCY
from shared.ledger.balances import lock_invoice
from shared.ledger.invoices import Invoice
from shared.ledger.payments import Payment
from shared.logging import get_logger
from shared.payments.card import apply_payment_intent
from shared.payments.portal_repository import PortalPaymentRepository
from shared.payments.portal_schemas import CardPaymentStarted, CardPaymentState
from shared.payments.repository import PaymentRepository
from shared.stripe_sync.gateway import StripeGateway, StripeUnavailable, js_url_for
from shared.stripe_sync.shapes import PaymentIntentData

log = get_logger(__name__)

IN_FLIGHT = ("requires_action", "processing")
_TOKEN_ID = re.compile(r"^ctoken_[A-Za-z0-9_]{1,200}$")

# What the portal's Payment Element offers. Apple Pay and Google Pay are cards (wallets), and so are
# HSA/FSA cards; Link is Stripe's saved-details wallet. None of them redirects away from the dialog.
BASE_PAYMENT_METHOD_TYPES = ("card", "link")
BANK_DEBIT = "us_bank_account"


def offered_payment_method_types(group: Group) -> list[str]:
    """The types the Payment Element shows and the PaymentIntent allows: ACH only where the practice
    turned it on and Stripe offers it (USD)."""
    types = list(BASE_PAYMENT_METHOD_TYPES)
    if group.ach_debit_enabled and group.currency == ACH_CURRENCY:
        types.append(BANK_DEBIT)
    return types


def _client_id(actor: Actor) -> uuid.UUID:
    if actor.client_id is None:
        raise NotFound("No such invoice.", code="resource_missing")
    return actor.client_id


def _connected_group(session: Session, group_id: uuid.UUID) -> Group:
    group = GroupRepository.from_session(session).get(group_id)
    if not group.stripe_connected or not group.stripe_publishable_key:
        raise Conflict(
            "This practice does not take card payments online yet. Contact the practice to pay.",
            code="stripe_not_connected",
        )
    return group


def _lock_client_invoice(session: Session, actor: Actor, invoice_id: uuid.UUID) -> Invoice:
    invoice = lock_invoice(session, invoice_id, actor.practice_id)
    if invoice.client_id != _client_id(actor):
        raise NotFound("No such invoice.", code="resource_missing", param="invoice_id")
    return invoice


def _amount_to_charge(group: Group, invoice: Invoice, requested: int | None) -> int:
    balance = invoice.balance_cents
    if requested is None or requested == balance:
        return balance
    if requested > balance:
        raise ValidationFailed(
            f"The amount is more than the {balance} cents still owed.",
            code="amount_exceeds_balance",
            param="amount_cents",
        )
    if not group.allow_partial_payments:
        raise ValidationFailed(
            "This practice takes the whole balance only.", code="partial_payments_not_allowed", param="amount_cents"
        )
    if requested < group.minimum_payment_cents:
        raise ValidationFailed(
            f"The smallest payment this practice takes is {group.minimum_payment_cents} cents.",
            code="amount_below_minimum",
            param="amount_cents",
        )
    return requested


# --- 1. Start (or resume) a payment ---


def start_card_payment(
    session: Session, actor: Actor, invoice_id: uuid.UUID, amount_cents: int | None
) -> tuple[CardPaymentStarted, bool]:
    """The pending payment for this invoice, created if there is none. Returns (answer, created)."""
    invoice = _lock_client_invoice(session, actor, invoice_id)
    group = _connected_group(session, actor.practice_id)
    if invoice.status == "void":
        raise Conflict("This invoice was voided; nothing is owed on it.", code="invoice_void")
    if invoice.balance_cents <= 0:
        raise Conflict("Nothing is owed on this invoice.", code="nothing_owed")
    open_payments = PaymentRepository.from_session(session).open_card_payments(invoice)
    in_flight = next((p for p in open_payments if p.status in IN_FLIGHT), None)
    if in_flight is not None:
        message = (
            "A bank payment for this invoice is being processed; it takes up to four business days."
            if in_flight.status == "processing" and in_flight.stripe_payment_method_type == BANK_DEBIT
            else "A payment for this invoice is already being processed."
        )
        raise Conflict(
            message,
            code="payment_in_flight",
            details={"payment_id": str(in_flight.id), "payment_status": in_flight.status},
        )
    amount = _amount_to_charge(group, invoice, amount_cents)

    pending = next((p for p in open_payments if p.status == "pending"), None)
    if pending is not None:
        _resume(session, actor, pending, amount)
        return _started(group, pending), False

    payment = Payment(
        id=new_id(),
        group_id=group.id,
        invoice_id=invoice.id,
        method="card",
        amount_cents=amount,
        currency=invoice.currency,
        status="pending",
        refunded_cents=0,
        overpayment_cents=0,
        created_by_user_id=actor.user_id,
    )
    session.add(payment)
    session.flush()
    record(
        session,
        actor,
        "payment.started",
        "payment",
        payment.id,
        data={"invoice_id": str(invoice.id), "method": "card", "amount_cents": amount},
    )
    log.info("card_payment_started", payment_id=str(payment.id), invoice_id=str(invoice.id))
    return _started(group, payment), True


def _resume(session: Session, actor: Actor, payment: Payment, amount: int) -> None:
    """A closed dialog never locks the client out: the same payment comes back (with the new amount
    as long as nothing exists at Stripe for it yet)."""
    if payment.amount_cents != amount and payment.stripe_payment_intent_id is None:
        _change_amount(session, actor, payment, amount)
        session.flush()


def _change_amount(session: Session, actor: Actor, payment: Payment, amount: int, **why: str) -> None:
    """A card payment's amount before anything exists at Stripe for it, audited from and to."""
    record(
        session,
        actor,
        "payment.amount_changed",
        "payment",
        payment.id,
        data={"from": payment.amount_cents, "to": amount, **why},
    )
    payment.amount_cents = amount


def _started(group: Group, payment: Payment) -> CardPaymentStarted:
    return CardPaymentStarted(
        payment_id=payment.id,
        invoice_id=payment.invoice_id,
        amount_cents=payment.amount_cents,
        currency=payment.currency,
        status=payment.status,
        publishable_key=group.stripe_publishable_key or "",
        stripe_js_url=js_url_for(group),
        payment_method_types=offered_payment_method_types(group),
    )


def _ensure_customer(session: Session, gateway: StripeGateway, client_id: uuid.UUID, group_id: uuid.UUID) -> str:
    """The client's Stripe customer (name and email only — nothing clinical), created on first payment."""
    client = PortalPaymentRepository.from_session(session).lock_client(client_id, group_id)
    if client.stripe_customer_id:
        return client.stripe_customer_id
    client.stripe_customer_id = gateway.create_customer(
        name=client.name, email=client.email, idempotency_key=f"cus-create-{client.id}"
    )
    session.flush()
    return client.stripe_customer_id


# --- 2. Check the browser's ConfirmationToken, create the PaymentIntent once ---


def _locked_client_payment(session: Session, actor: Actor, payment_id: uuid.UUID) -> Payment:
    repo = PortalPaymentRepository.from_session(session)
    payment = repo.client_card_payment(payment_id, actor.practice_id, _client_id(actor))
    if payment is None:
        raise NotFound("No such payment.", code="resource_missing", param="payment_id")
    lock_invoice(session, payment.invoice_id, actor.practice_id)
    return repo.reload(payment)


def _refuse_canceled(session: Session, payment: Payment) -> None:
    """A canceled payment is never confirmed: the client canceled it, or the practice closed it when the
    invoice was paid another way (a manual payment, with the card payment canceled first if needed)."""
    if payment.status != "canceled":
        return
    invoice = PaymentRepository.from_session(session).invoice_of(payment)
    if invoice.balance_cents <= 0:
        raise Conflict(
            "Nothing is owed on this invoice any more. Nothing was charged on this payment.",
            code="nothing_owed",
            details={"payment_id": str(payment.id), "payment_status": payment.status},
        )
    raise Conflict(
        "This payment was canceled. Nothing was charged; start a new payment to pay the invoice.",
        code="payment_canceled",
        details={"payment_id": str(payment.id), "payment_status": payment.status},
    )


def _details_missing() -> Conflict:
    return Conflict(
        "The payment details are not entered yet. Enter them and try again.", code="payment_details_missing"
    )


def _checked_token(session: Session, gateway: StripeGateway, group: Group, payment: Payment, token_id: str) -> str:
    """The ConfirmationToken's payment method type, once the token is fit to pay this payment."""
    if not _TOKEN_ID.match(token_id):
        raise ValidationFailed(
            "confirmation_token must be the id of a ConfirmationToken (ctoken_…) made by Stripe.js.",
            code="invalid_confirmation_token",
            param="confirmation_token",
        )
    other = PortalPaymentRepository.from_session(session).payment_by_confirmation_token(token_id)
    if other is not None and other.id != payment.id:
        raise Conflict(
            "These payment details were already used for another payment. Enter them again.",
            code="confirmation_token_used",
            param="confirmation_token",
        )
    try:
        token = gateway.retrieve_confirmation_token(token_id)
    except stripe.InvalidRequestError:
        # Unknown to this practice's Stripe account: made with another account's key, or made up.
        raise ValidationFailed(
            "These payment details are not known to this practice's payment processor. Enter them again.",
            code="confirmation_token_invalid",
            param="confirmation_token",
        ) from None
    if token.payment_intent or token.setup_intent:
        raise Conflict(
            "These payment details were already used. Enter them again.",
            code="confirmation_token_used",
            param="confirmation_token",
        )
    if token.expires_at is not None and token.expires_at <= int(time.time()):
        raise ValidationFailed(
            "These payment details expired. Enter them again.",
            code="confirmation_token_expired",
            param="confirmation_token",
        )
    preview = token.payment_method_preview
    kind = preview.type if preview is not None else None
    if kind not in offered_payment_method_types(group):
        raise ValidationFailed(
            "This practice does not take that kind of payment. Choose another.",
            code="payment_method_not_offered",
            param="confirmation_token",
        )
    return str(kind)


def prepare_payment_intent(
    session: Session, actor: Actor, payment_id: uuid.UUID, confirmation_token: str | None
) -> None:
    """Make sure a pending payment has its ConfirmationToken and its PaymentIntent. Commit after this.

    A payment that already holds a token keeps it: a second click's token is not used (one payment,
    one PaymentIntent, one confirmation, whatever the clicks)."""
    payment = _locked_client_payment(session, actor, payment_id)
    _refuse_canceled(session, payment)
    if payment.status != "pending" or payment.stripe_confirmation_token_id is not None:
        return
    if confirmation_token is None:
        if payment.stripe_payment_intent_id is None:
            raise _details_missing()
        return
    group = _connected_group(session, actor.practice_id)
    gateway = StripeGateway.for_group(group)
    kind = _checked_token(session, gateway, group, payment, confirmation_token)
    invoice = PaymentRepository.from_session(session).invoice_of(payment)
    if invoice.balance_cents <= 0:
        raise Conflict("Nothing is owed on this invoice any more.", code="nothing_owed")
    if payment.stripe_payment_intent_id is None:
        _create_payment_intent(session, actor, gateway, group, invoice, payment)
    payment.stripe_confirmation_token_id = confirmation_token
    payment.stripe_payment_method_type = kind
    session.flush()


def _create_payment_intent(
    session: Session, actor: Actor, gateway: StripeGateway, group: Group, invoice: Invoice, payment: Payment
) -> None:
    if payment.amount_cents > invoice.balance_cents:
        # Paid in part meanwhile (e.g. a cheque recorded by the biller): charge no more than what is owed.
        _change_amount(session, actor, payment, invoice.balance_cents, reason="balance_dropped")
    customer = _ensure_customer(session, gateway, invoice.client_id, group.id)
    # Our ids and the invoice number only: nothing clinical goes to Stripe.
    metadata = {
        "group_id": str(group.id),
        "invoice_id": str(invoice.id),
        "payment_id": str(payment.id),
        "invoice_number": invoice.number,
    }
    try:
        pi = gateway.create_payment_intent(
            amount=payment.amount_cents,
            currency=payment.currency,
            customer=customer,
            allowed_payment_method_types=offered_payment_method_types(group),
            metadata=metadata,
            idempotency_key=f"pi-create-{payment.id}",
        )
    except stripe.InvalidRequestError as exc:
        if exc.code == "amount_too_small":
            raise ValidationFailed(
                "This amount is below the smallest card payment Stripe takes.",
                code="amount_too_small",
                param="amount_cents",
            ) from None
        raise
    payment.stripe_payment_intent_id = pi["id"]
    session.flush()
    record(
        session,
        actor,
        "payment.intent_created",
        "payment",
        payment.id,
        data={"payment_intent": pi["id"], "amount_cents": payment.amount_cents},
    )
    log.info("payment_intent_created", payment_id=str(payment.id), payment_intent=pi["id"])


# --- 3. Confirm once, apply what Stripe answers ---


def confirm_card_payment(session: Session, actor: Actor, payment_id: uuid.UUID) -> CardPaymentState:
    payment = _locked_client_payment(session, actor, payment_id)
    pi_id = payment.stripe_payment_intent_id
    if pi_id is None:
        if payment.status == "pending":
            raise _details_missing()
        return state_of(payment)
    group = GroupRepository.from_session(session).get(actor)
    gateway = StripeGateway.for_group(group)
    decline: str | None = None
    if payment.status == "pending":
        token = payment.stripe_confirmation_token_id
        if token is None:
            raise _details_missing()
        pi, decline = _confirm_once(gateway, payment, pi_id, token)
        if pi.get("status") in ("requires_payment_method", "requires_confirmation") and not pi.get(
            "last_payment_error"
        ):
            # Stripe refused the token itself (expired, say) and nothing was attempted: the client enters
            # their details again, on the same payment and PaymentIntent.
            payment.stripe_confirmation_token_id = None
            session.flush()
            log.info("confirmation_token_refused", payment_id=str(payment.id), payment_intent=pi_id)
            return state_of(payment, details_refused=True)
    else:
        # Already confirmed by an earlier call: only re-read Stripe. Nothing is sent twice.
        pi = gateway.retrieve_payment_intent(pi_id)
    result = apply_payment_intent(session, group.id, pi, source="confirm")
    payment = PortalPaymentRepository.from_session(session).reload(payment)
    log.info(
        "card_payment_confirmed",
        payment_id=str(payment.id),
        outcome=result.outcome,
        status=payment.status,
        stripe_status=pi.get("status"),
        payment_method_type=payment.stripe_payment_method_type,
    )
    return state_of(payment, pi=pi, decline=decline)


def _confirm_once(
    gateway: StripeGateway, payment: Payment, pi_id: str, token: str
) -> tuple[PaymentIntentData, str | None]:
    try:
        confirmed = gateway.confirm_payment_intent(
            pi_id, confirmation_token=token, idempotency_key=f"pi-confirm-{payment.id}-{token}"
        )
        return confirmed, None
    except stripe.CardError as exc:
        # A decline: the PaymentIntent went back to requires_payment_method. Apply its state.
        log.info("card_declined", payment_id=str(payment.id), decline_code=exc.code)
        return gateway.retrieve_payment_intent(pi_id), exc.user_message or None
    except (stripe.InvalidRequestError, stripe.IdempotencyError) as exc:
        # Confirmed already (a retry after a lost answer: Stripe refuses a second confirm), or the token
        # refused. Read the PaymentIntent's own state; the caller tells the two apart.
        log.info(
            "payment_intent_confirm_refused",
            payment_id=str(payment.id),
            payment_intent=pi_id,
            stripe_code=exc.code,
            http_status=exc.http_status,
        )
        return gateway.retrieve_payment_intent(pi_id), None


def _failure_text(payment: Payment, decline: str | None) -> str:
    if payment.stripe_payment_method_type == BANK_DEBIT:
        reason = (payment.failure_message or "Your bank did not accept the debit.").rstrip(".")
        return f"Your bank payment did not go through: {reason}. Nothing was taken; you can pay again."
    reason = (payment.failure_message or decline or "Your card was declined.").rstrip(".")
    return f"{reason}. Nothing was charged; you can try again with another card."


DETAILS_REFUSED = "payment_details_refused"


def state_of(
    payment: Payment,
    *,
    pi: PaymentIntentData | None = None,
    decline: str | None = None,
    client_secret: str | None = None,
    details_refused: bool = False,
) -> CardPaymentState:
    if client_secret is None and pi is not None and payment.status == "requires_action":
        client_secret = pi.get("client_secret")
    failed = payment.status == "failed"
    if details_refused:
        failure_code: str | None = DETAILS_REFUSED
        failure_message: str | None = "The payment details could not be used. Enter them again; nothing was charged."
    else:
        failure_code = payment.failure_code if failed else None
        failure_message = _failure_text(payment, decline) if failed else None
    return CardPaymentState(
        payment_id=payment.id,
        invoice_id=payment.invoice_id,
        amount_cents=payment.amount_cents,
        currency=payment.currency,
        status=payment.status,
        payment_method_type=payment.stripe_payment_method_type,
        payment_intent_client_secret=(
            client_secret if payment.status == "requires_action" and not details_refused else None
        ),
        failure_code=failure_code,
        failure_message=failure_message,
        created_at=payment.created_at,
    )


def get_card_payment(session: Session, actor: Actor, payment_id: uuid.UUID) -> CardPaymentState:
    """The payment as our ledger has it. While the bank wants authentication, the secret to resume it."""
    payment = PortalPaymentRepository.from_session(session).client_card_payment(
        payment_id, actor.practice_id, _client_id(actor)
    )
    if payment is None:
        raise NotFound("No such payment.", code="resource_missing", param="payment_id")
    if payment.status != "requires_action" or not payment.stripe_payment_intent_id:
        return state_of(payment)
    group = GroupRepository.from_session(session).get(actor)
    secret = None
    try:
        secret = (
            StripeGateway.for_group(group)
            .retrieve_payment_intent(payment.stripe_payment_intent_id)
            .get("client_secret")
        )
    except (StripeUnavailable, Conflict, stripe.StripeError) as exc:
        log.warning("payment_intent_secret_unavailable", payment_id=str(payment.id), error_type=type(exc).__name__)
    state = state_of(payment, client_secret=secret)
    return state.model_copy(
        update={"publishable_key": group.stripe_publishable_key, "stripe_js_url": js_url_for(group)}
    )


# --- Giving up on a payment, so the client can start another ---


def cancel_card_payment(session: Session, actor: Actor, payment_id: uuid.UUID) -> CardPaymentState:
    """Cancel a payment not yet charged: pending (details never sent) or requires_action (3-D Secure
    abandoned). A `processing` bank debit cannot be cancelled: it settles or fails at the bank."""
    payment = _locked_client_payment(session, actor, payment_id)
    if payment.status not in ("pending", "requires_action"):
        raise Conflict(
            "This payment can no longer be canceled.",
            code="payment_not_cancelable",
            details={"payment_status": payment.status},
        )
    if payment.stripe_payment_intent_id is None:
        # Nothing exists at Stripe that could move money: our own record is the whole story.
        payment.status = "canceled"
        session.flush()
        record(session, actor, "payment.canceled", "payment", payment.id, data={"source": "portal"})
        return state_of(payment)
    group = GroupRepository.from_session(session).get(actor)
    gateway = StripeGateway.for_group(group)
    pi_id = payment.stripe_payment_intent_id
    try:
        pi = gateway.cancel_payment_intent(pi_id, idempotency_key=f"pi-cancel-{payment.id}")
    except stripe.InvalidRequestError:
        pi = gateway.retrieve_payment_intent(pi_id)  # it moved on (succeeded, processing): apply that instead
    apply_payment_intent(session, group.id, pi, source="portal_cancel")
    payment = PortalPaymentRepository.from_session(session).reload(payment)
    return state_of(payment, pi=pi)
