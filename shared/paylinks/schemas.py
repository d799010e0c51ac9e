"""What the public pay page is told: the practice, the invoice's number, dates and amounts. Nothing
clinical (no lines, no descriptions, no client details): whoever holds the link sees only this."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class PayLinkSummary(BaseModel):
    practice_name: str
    invoice_number: str
    invoiced_date: date
    due_date: date
    currency: str
    total_cents: int
    paid_cents: int
    # What is still owed (the invoice's balance); 0 once paid or void.
    amount_due_cents: int
    # Card or bank payments sent but not settled yet (an ACH debit takes days).
    processing_cents: int
    status: str = Field(description="open, partially_paid, paid or void")
    # Whether the page offers "Pay": something is owed, the invoice is not void, the practice takes cards.
    can_pay: bool
    allow_partial_payments: bool
    minimum_payment_cents: int


class FreshLinkRequested(BaseModel):
    status: str = "requested"
    message: str = "If this link can be renewed, a new one is on its way to the email address the practice has on file."


class PayLinksRevoked(BaseModel):
    revoked: int = Field(description="How many links of this invoice stopped working now.")
