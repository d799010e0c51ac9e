"""The ledger: invoices and the payments, refunds and disputes against them, and the rule that derives an
invoice's paid amount, balance and status from those rows (`balances.py`). Below invoicing (which issues
invoices) and payments (which takes and returns money): both write the ledger's rows, neither imports
the other's internals for them."""
