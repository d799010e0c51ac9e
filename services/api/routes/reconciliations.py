"""Staff ask for a reconciliation with Stripe (202, a job to poll) and read its result."""

from __future__ import annotations

from fastapi import APIRouter

from services.api.deps import CurrentStaff, SessionDep
from services.api.lists import PageQuery
from shared.stripe_sync.reconciliation import request_reconciliation
from shared.stripe_sync.reconciliation_repository import ReconciliationRepository
from shared.stripe_sync.schemas import ReconciliationList, ReconciliationOut

router = APIRouter(prefix="/v1/reconciliations", tags=["reconciliations"])


@router.post("", status_code=202, response_model=ReconciliationOut)
def create_reconciliation(actor: CurrentStaff, session: SessionDep) -> ReconciliationOut:
    """Queue a run, or answer the one already queued or running for this practice."""
    rec, _ = request_reconciliation(session, actor, trigger="manual")
    return ReconciliationOut.model_validate(rec)


@router.get("", response_model=ReconciliationList)
def list_reconciliations(actor: CurrentStaff, session: SessionDep, asked: PageQuery) -> ReconciliationList:
    page = ReconciliationRepository.from_session(session).list_page(actor, **asked.kwargs())
    return ReconciliationList(data=[ReconciliationOut.model_validate(r) for r in page.data], has_more=page.has_more)


@router.get("/{reconciliation_id}", response_model=ReconciliationOut)
def get_reconciliation(reconciliation_id: str, actor: CurrentStaff, session: SessionDep) -> ReconciliationOut:
    rec = ReconciliationRepository.from_session(session).get_or_404(actor, reconciliation_id)
    return ReconciliationOut.model_validate(rec)
