"""Invoicing runs, the sweeper that picks up runs whose worker died, and re-rendering an invoice's PDF."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import OperationalError

from shared.db.engine import session_scope
from shared.invoicing import issuing
from shared.invoicing.documents import current_pdf
from shared.invoicing.models import Invoice
from shared.tasks import names
from shared.tasks.celery_app import celery_app
from shared.tasks.decorator import clinicpay_task

# A re-sent run that waits longer than this in the broker is dropped; the next sweep sends it again.
RESEND_EXPIRES_SECONDS = 60


@clinicpay_task(names.RUN_INVOICING, autoretry_for=(OperationalError,), max_retries=8)
def run_invoicing(self, run_id: str) -> str:  # noqa: ANN001
    # The task id is the lease owner: a retry of this message keeps it and may take its lease back.
    return issuing.execute_run(uuid.UUID(run_id), owner=self.request.id or f"local-{uuid.uuid4()}")


@clinicpay_task(names.SWEEP_INVOICING_RUNS, max_retries=0, acks_late=False)
def sweep_stale_runs(self) -> int:  # noqa: ANN001
    return issuing.resend_stale_runs(
        lambda run_id: celery_app.send_task(names.RUN_INVOICING, args=[run_id], expires=RESEND_EXPIRES_SECONDS))


@clinicpay_task(names.RENDER_INVOICE_PDF, autoretry_for=(OperationalError,), max_retries=5)
def render_invoice_pdf(self, invoice_id: str) -> None:  # noqa: ANN001
    """Store the PDF of an invoice as it stands now (readers render lazily too; this just does it ahead)."""
    with session_scope() as session:
        invoice = session.get(Invoice, uuid.UUID(invoice_id))
        if invoice is not None:
            current_pdf(session, invoice)
