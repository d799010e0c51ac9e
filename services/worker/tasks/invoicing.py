"""Invoicing runs, the sweeper that picks up runs whose worker died, and re-rendering an invoice's PDF."""

from __future__ import annotations

import uuid

from shared.invoicing.documents import current_pdf
from shared.jobs import invoicing_runs, transaction
from shared.ledger.invoices import Invoice
from shared.tasks import names
from shared.tasks.decorator import clinicpay_task
from shared.tasks.retry import DATABASE_UNAVAILABLE, NO_RETRY, PDF_RENDER, TASK


@clinicpay_task(names.RUN_INVOICING, autoretry_for=DATABASE_UNAVAILABLE, policy=TASK)
def run_invoicing(self, run_id: str) -> str:
    # The task id is the lease owner: a retry of this message keeps it and may take its lease back.
    return invoicing_runs.execute_run(uuid.UUID(run_id), owner=self.request.id or f"local-{uuid.uuid4()}")


@clinicpay_task(names.SWEEP_INVOICING_RUNS, policy=NO_RETRY, acks_late=False)
def sweep_stale_runs(self) -> int:
    return invoicing_runs.resend_stale_runs()


@clinicpay_task(names.RENDER_INVOICE_PDF, autoretry_for=DATABASE_UNAVAILABLE, policy=PDF_RENDER)
def render_invoice_pdf(self, invoice_id: str) -> None:
    """Store the PDF of an invoice as it stands now (readers render lazily too; this just does it ahead)."""
    with transaction() as session:
        invoice = session.get(Invoice, uuid.UUID(invoice_id))
        if invoice is not None:
            current_pdf(session, invoice)
