"""A client pays an invoice by card in the portal — a flow that works on Stripe and on localstripe.

1. `start_card_payment`: a pending Payment and a SetupIntent for the client's Stripe customer.
   The browser collects the card with Stripe.js (`confirmCardSetup`); card data never reaches us.
2. `prepare_payment_intent`: the PaymentIntent is created once (idempotency key from our payment
   id) and its id stored; the caller COMMITS before step 3, so a crash between creating and
   confirming can never create a second PaymentIntent — the next attempt reuses the stored one.
3. `confirm_card_payment`: the PaymentIntent is confirmed (once: a payment already past
   `pending` only re-reads Stripe) and Stripe's answer is applied through
   `shared.payments.card.apply_payment_intent`, the one function that moves the ledger.

Every step locks the invoice first (`lock_invoice`): concurrent requests on one invoice — ten
clicks on "Pay", a double confirm, a webhook arriving mid-confirm — run one after another.
The browser's word never changes the ledger; only what Stripe answers does.
"""

from __future__ import annotations

import uuid
from typing import Any

import stripe
from sqlalchemy.orm import Session

from shared.audit.service import Actor, record
from shared.db.base import new_id
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.groups.models import Group
from shared.groups.repository import GroupRepository
from shared.invoicing.models import Invoice
from shared.logging import get_logger
from shared.payments.card import apply_payment_intent
from shared.payments.ledger import lock_invoice
from shared.payments.models import Payment
from shared.payments.portal_repository import PortalPaymentRepository
from shared.payments.portal_schemas import CardPaymentStarted, CardPaymentState
from shared.stripe_sync.gateway import StripeGateway, StripeUnavailable, js_url_for

log = get_logger(__name__)

IN_FLIGHT = ("requires_action", "processing")
NOTHING_CHARGED = "Nothing was charged; you can try again with another card."


def _client_id(actor: Actor) -> uuid.UUID:
    if actor.client_id is None:
        raise NotFound("No such invoice.", code="resource_missing")
    return actor.client_id


def _connected_group(session: Session, group_id: uuid.UUID) -> Group:
    group = GroupRepository.from_session(session).get(group_id)
    if not group.stripe_connected or not group.stripe_publishable_key:
        raise Conflict("This practice does not take card payments online yet. Contact the practice to pay.",
                       code="stripe_not_connected")
    return group


def _lock_client_invoice(session: Session, actor: Actor, invoice_id: uuid.UUID) -> Invoice:
    invoice = lock_invoice(session, invoice_id, actor.group_id)
    if invoice.client_id != _client_id(actor):
        raise NotFound("No such invoice.", code="resource_missing", param="invoice_id")
    return invoice


def _amount_to_charge(group: Group, invoice: Invoice, requested: int | None) -> int:
    balance = invoice.balance_cents
    if requested is None or requested == balance:
        return balance
    if requested > balance:
        raise ValidationFailed(f"The amount is more than the {balance} cents still owed.",
                               code="amount_exceeds_balance", param="amount_cents")
    if not group.allow_partial_payments:
        raise ValidationFailed("This practice takes the whole balance only.", code="partial_payments_not_allowed",
                               param="amount_cents")
    if requested < group.minimum_payment_cents:
        raise ValidationFailed(f"The smallest payment this practice takes is {group.minimum_payment_cents} cents.",
                               code="amount_below_minimum", param="amount_cents")
    return requested


# --- 1. Start (or resume) a payment ---

def start_card_payment(session: Session, actor: Actor, invoice_id: uuid.UUID,
                       amount_cents: int | None) -> tuple[CardPaymentStarted, bool]:
    """The pending payment for this invoice, created if there is none. Returns (answer, created)."""
    invoice = _lock_client_invoice(session, actor, invoice_id)
    group = _connected_group(session, actor.group_id)
    if invoice.status == "void":
        raise Conflict("This invoice was voided; nothing is owed on it.", code="invoice_void")
    if invoice.balance_cents <= 0:
        raise Conflict("Nothing is owed on this invoice.", code="nothing_owed")
    repo = PortalPaymentRepository.from_session(session)
    open_payments = repo.open_card_payments(invoice.id)
    in_flight = next((p for p in open_payments if p.status in IN_FLIGHT), None)
    if in_flight is not None:
        raise Conflict("A card payment for this invoice is already being processed.", code="payment_in_flight",
                       details={"payment_id": str(in_flight.id), "payment_status": in_flight.status})
    amount = _amount_to_charge(group, invoice, amount_cents)
    gateway = StripeGateway.for_group(group)

    pending = next((p for p in open_payments if p.status == "pending"), None)
    if pending is not None:
        return _resume(session, actor, gateway, group, pending, amount), False

    payment = Payment(id=new_id(), group_id=group.id, invoice_id=invoice.id, method="card", amount_cents=amount,
                      currency=invoice.currency, status="pending", refunded_cents=0, overpayment_cents=0,
                      created_by_user_id=actor.user_id)
    customer = _ensure_customer(session, gateway, invoice.client_id, group.id)
    seti = _create_setup_intent(session, gateway, invoice.client_id, group.id, customer,
                                idempotency_key=f"seti-create-{payment.id}")
    payment.stripe_setup_intent_id = seti["id"]
    session.add(payment)
    session.flush()
    record(session, actor, "payment.started", "payment", payment.id,
           data={"invoice_id": str(invoice.id), "method": "card", "amount_cents": amount})
    log.info("card_payment_started", payment_id=str(payment.id), invoice_id=str(invoice.id))
    return _started(group, payment, seti), True


def _resume(session: Session, actor: Actor, gateway: StripeGateway, group: Group, payment: Payment,
            amount: int) -> CardPaymentStarted:
    """A closed dialog never locks the client out: the same payment and SetupIntent come back."""
    if payment.amount_cents != amount and payment.stripe_payment_intent_id is None:
        record(session, actor, "payment.amount_changed", "payment", payment.id,
               data={"from": payment.amount_cents, "to": amount})
        payment.amount_cents = amount
    seti = gateway.retrieve_setup_intent(payment.stripe_setup_intent_id) if payment.stripe_setup_intent_id else None
    if seti is None or (seti.get("status") == "canceled" and payment.stripe_payment_intent_id is None):
        # The stand-in cancels a SetupIntent whose card was refused; give the client a fresh one.
        invoice = session.get(Invoice, payment.invoice_id)
        customer = _ensure_customer(session, gateway, invoice.client_id, group.id)
        seti = _create_setup_intent(session, gateway, invoice.client_id, group.id, customer,
                                    idempotency_key=f"seti-create-{payment.id}-{uuid.uuid4().hex[:8]}")
        payment.stripe_setup_intent_id = seti["id"]
    session.flush()
    return _started(group, payment, seti)


def _started(group: Group, payment: Payment, seti: dict[str, Any]) -> CardPaymentStarted:
    return CardPaymentStarted(
        payment_id=payment.id, invoice_id=payment.invoice_id, amount_cents=payment.amount_cents,
        currency=payment.currency, status=payment.status, publishable_key=group.stripe_publishable_key or "",
        stripe_js_url=js_url_for(group), setup_intent_client_secret=seti["client_secret"],
        setup_intent_status=seti.get("status") or "requires_payment_method",
    )


def _ensure_customer(session: Session, gateway: StripeGateway, client_id: uuid.UUID, group_id: uuid.UUID) -> str:
    """The client's Stripe customer (name and email only — nothing clinical), created on first payment."""
    client = PortalPaymentRepository.from_session(session).lock_client(client_id, group_id)
    if client.stripe_customer_id:
        return client.stripe_customer_id
    client.stripe_customer_id = gateway.create_customer(name=client.name, email=client.email,
                                                        idempotency_key=f"cus-create-{client.id}")
    session.flush()
    return client.stripe_customer_id


def _create_setup_intent(session: Session, gateway: StripeGateway, client_id: uuid.UUID, group_id: uuid.UUID,
                         customer: str, *, idempotency_key: str) -> dict[str, Any]:
    try:
        return gateway.create_setup_intent(customer=customer, idempotency_key=idempotency_key)
    except stripe.InvalidRequestError as exc:
        if exc.code != "resource_missing" and exc.http_status != 404:
            raise
    # The stored customer is gone (deleted, or the practice connected another Stripe account): make a new one.
    client = PortalPaymentRepository.from_session(session).lock_client(client_id, group_id)
    log.warning("stripe_customer_missing", client_id=str(client_id), customer=customer)
    client.stripe_customer_id = gateway.create_customer(name=client.name, email=client.email,
                                                        idempotency_key=f"cus-create-{client.id}-{customer}")
    session.flush()
    return gateway.create_setup_intent(customer=client.stripe_customer_id, idempotency_key=f"{idempotency_key}-r")


# --- 2. Create the PaymentIntent once ---

def _locked_client_payment(session: Session, actor: Actor, payment_id: uuid.UUID) -> Payment:
    repo = PortalPaymentRepository.from_session(session)
    payment = repo.client_card_payment(payment_id, actor.group_id, _client_id(actor))
    if payment is None:
        raise NotFound("No such payment.", code="resource_missing", param="payment_id")
    lock_invoice(session, payment.invoice_id, actor.group_id)
    return repo.reload(payment.id)


def prepare_payment_intent(session: Session, actor: Actor, payment_id: uuid.UUID) -> None:
    """Make sure a pending payment whose card is confirmed has its PaymentIntent. Commit after this."""
    payment = _locked_client_payment(session, actor, payment_id)
    if payment.stripe_payment_intent_id is not None or payment.status != "pending":
        return
    group = _connected_group(session, actor.group_id)
    gateway = StripeGateway.for_group(group)
    seti = gateway.retrieve_setup_intent(payment.stripe_setup_intent_id or "")
    payment_method = _id_of(seti.get("payment_method"))
    if seti.get("status") != "succeeded" or not payment_method:
        raise Conflict("The card is not confirmed yet. Enter the card details and try again.",
                       code="card_not_confirmed")
    invoice = session.get(Invoice, payment.invoice_id)
    if invoice.balance_cents <= 0:
        raise Conflict("Nothing is owed on this invoice any more.", code="nothing_owed")
    if payment.amount_cents > invoice.balance_cents:
        # Paid in part meanwhile (e.g. a cheque recorded by the biller): charge no more than what is owed.
        record(session, actor, "payment.amount_changed", "payment", payment.id,
               data={"from": payment.amount_cents, "to": invoice.balance_cents, "reason": "balance_dropped"})
        payment.amount_cents = invoice.balance_cents
    metadata = {"group_id": str(group.id), "invoice_id": str(invoice.id), "payment_id": str(payment.id),
                "invoice_number": invoice.number}
    try:
        pi = gateway.create_payment_intent(amount=payment.amount_cents, currency=payment.currency,
                                           customer=_id_of(seti.get("customer")), payment_method=payment_method,
                                           metadata=metadata, idempotency_key=f"pi-create-{payment.id}")
    except stripe.InvalidRequestError as exc:
        if exc.code == "amount_too_small":
            raise ValidationFailed("This amount is below the smallest card payment Stripe takes.",
                                   code="amount_too_small", param="amount_cents") from None
        raise
    payment.stripe_payment_intent_id = pi["id"]
    payment.stripe_payment_method_id = payment_method
    session.flush()
    record(session, actor, "payment.intent_created", "payment", payment.id,
           data={"payment_intent": pi["id"], "amount_cents": payment.amount_cents})
    log.info("payment_intent_created", payment_id=str(payment.id), payment_intent=pi["id"])


# --- 3. Confirm once, apply what Stripe answers ---

def confirm_card_payment(session: Session, actor: Actor, payment_id: uuid.UUID) -> CardPaymentState:
    payment = _locked_client_payment(session, actor, payment_id)
    pi_id = payment.stripe_payment_intent_id
    if pi_id is None:
        if payment.status == "pending":
            raise Conflict("The card is not confirmed yet. Enter the card details and try again.",
                           code="card_not_confirmed")
        return state_of(payment)
    group = GroupRepository.from_session(session).get(actor.group_id)
    gateway = StripeGateway.for_group(group)
    decline: str | None = None
    if payment.status == "pending":
        pi, decline = _confirm_once(gateway, payment, pi_id)
    else:
        # Already confirmed by an earlier call: only re-read Stripe. Nothing is sent twice.
        pi = gateway.retrieve_payment_intent(pi_id)
    result = apply_payment_intent(session, group.id, pi, source="confirm")
    payment = PortalPaymentRepository.from_session(session).reload(payment.id)
    log.info("card_payment_confirmed", payment_id=str(payment.id), outcome=result.outcome, status=payment.status,
             stripe_status=pi.get("status"))
    return state_of(payment, pi=pi, decline=decline)


def _confirm_once(gateway: StripeGateway, payment: Payment, pi_id: str) -> tuple[dict[str, Any], str | None]:
    try:
        return gateway.confirm_payment_intent(pi_id, idempotency_key=f"pi-confirm-{payment.id}"), None
    except stripe.CardError as exc:
        # A decline: the PaymentIntent went back to requires_payment_method. Apply its state.
        log.info("card_declined", payment_id=str(payment.id), decline_code=exc.code)
        return gateway.retrieve_payment_intent(pi_id), exc.user_message or None
    except stripe.InvalidRequestError as exc:
        # Confirmed already (a retry after a lost answer): Stripe refuses a second confirm. Read its state.
        pi = gateway.retrieve_payment_intent(pi_id)
        if pi.get("status") == "requires_confirmation":
            log.error("payment_intent_confirm_refused", payment_id=str(payment.id), payment_intent=pi_id,
                      stripe_code=exc.code, http_status=exc.http_status)
            raise StripeUnavailable() from exc
        return pi, None


def state_of(payment: Payment, *, pi: dict[str, Any] | None = None, decline: str | None = None,
             client_secret: str | None = None) -> CardPaymentState:
    if client_secret is None and pi is not None and payment.status == "requires_action":
        client_secret = pi.get("client_secret")
    failure = None
    if payment.status == "failed":
        reason = (payment.failure_message or decline or "Your card was declined.").rstrip(".")
        failure = f"{reason}. {NOTHING_CHARGED}"
    return CardPaymentState(payment_id=payment.id, invoice_id=payment.invoice_id, amount_cents=payment.amount_cents,
                            currency=payment.currency, status=payment.status,
                            payment_intent_client_secret=client_secret if payment.status == "requires_action" else None,
                            failure_message=failure, created_at=payment.created_at)


def get_card_payment(session: Session, actor: Actor, payment_id: uuid.UUID) -> CardPaymentState:
    """The payment as our ledger has it. While the bank wants authentication, the secret to resume it."""
    payment = PortalPaymentRepository.from_session(session).client_card_payment(
        payment_id, actor.group_id, _client_id(actor))
    if payment is None:
        raise NotFound("No such payment.", code="resource_missing", param="payment_id")
    secret = None
    if payment.status == "requires_action" and payment.stripe_payment_intent_id:
        group = GroupRepository.from_session(session).get(actor.group_id)
        try:
            secret = StripeGateway.for_group(group).retrieve_payment_intent(
                payment.stripe_payment_intent_id).get("client_secret")
        except (StripeUnavailable, Conflict, stripe.StripeError) as exc:
            log.warning("payment_intent_secret_unavailable", payment_id=str(payment.id), error_type=type(exc).__name__)
    return state_of(payment, client_secret=secret)


# --- Giving up on a payment, so the client can start another ---

def cancel_card_payment(session: Session, actor: Actor, payment_id: uuid.UUID) -> CardPaymentState:
    """Cancel a payment not yet charged: pending (card entry abandoned) or requires_action (3-D Secure abandoned)."""
    payment = _locked_client_payment(session, actor, payment_id)
    if payment.status not in ("pending", "requires_action"):
        raise Conflict("This payment can no longer be canceled.", code="payment_not_cancelable",
                       details={"payment_status": payment.status})
    if payment.stripe_payment_intent_id is None:
        # Nothing exists at Stripe that could move money: our own record is the whole story.
        # Canceling the SetupIntent too is only tidiness, so Stripe being down does not stop it.
        if payment.stripe_setup_intent_id:
            try:
                StripeGateway.for_group(GroupRepository.from_session(session).get(actor.group_id)) \
                    .cancel_setup_intent(payment.stripe_setup_intent_id)
            except (StripeUnavailable, Conflict, stripe.StripeError) as exc:
                log.info("setup_intent_cancel_skipped", payment_id=str(payment.id), error_type=type(exc).__name__)
        payment.status = "canceled"
        session.flush()
        record(session, actor, "payment.canceled", "payment", payment.id, data={"source": "portal"})
        return state_of(payment)
    group = GroupRepository.from_session(session).get(actor.group_id)
    gateway = StripeGateway.for_group(group)
    pi_id = payment.stripe_payment_intent_id
    try:
        pi = gateway.cancel_payment_intent(pi_id, idempotency_key=f"pi-cancel-{payment.id}")
    except stripe.InvalidRequestError:
        pi = gateway.retrieve_payment_intent(pi_id)  # it moved on (succeeded, processing): apply that instead
    apply_payment_intent(session, group.id, pi, source="portal_cancel")
    payment = PortalPaymentRepository.from_session(session).reload(payment.id)
    return state_of(payment, pi=pi)


def _id_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return value.get("id")
    return None
