"""A practice's payment terms: how many days after the invoiced date its invoices are due."""

from __future__ import annotations

from typing import Literal, get_args

PaymentTerms = Literal["due_on_receipt", "net_7", "net_15", "net_30"]
PAYMENT_TERMS: tuple[str, ...] = get_args(PaymentTerms)
DEFAULT_TERMS: PaymentTerms = "due_on_receipt"
DAYS_TO_PAY = {"due_on_receipt": 0, "net_7": 7, "net_15": 15, "net_30": 30}
