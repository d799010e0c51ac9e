"""The operator's console: practices with their Stripe connection and sync health, and the platform's
background work. Counts and health only: never a practice's clients, invoices or payments."""

from __future__ import annotations

from fastapi import APIRouter

from services.api.deps import CurrentOperator, SessionDep
from services.api.lists import ListOut, PageQuery
from shared.groups.repository import GroupRepository
from shared.platform.overview import PlatformHealth, PracticeSummary, platform_health, practice_summaries

router = APIRouter(prefix="/v1/operator", tags=["operator"])


@router.get("/practices", response_model=ListOut[PracticeSummary])
def list_practices(actor: CurrentOperator, session: SessionDep, asked: PageQuery) -> ListOut[PracticeSummary]:
    """Every practice, newest first, with its staff, client and open-invoice counts, whether Stripe is
    connected, its last reconciliation and its Stripe events waiting or failing."""
    page = GroupRepository.from_session(session).page_all(**asked.kwargs())
    return ListOut[PracticeSummary](data=practice_summaries(session, page.data), has_more=page.has_more)


@router.get("/health", response_model=PlatformHealth)
def get_platform_health(actor: CurrentOperator, session: SessionDep) -> PlatformHealth:
    """The platform's background work: Stripe events failing, invoicing runs failed or stuck, emails
    waiting or undeliverable, reconciliations failed — across every practice, as counts."""
    return platform_health(session)
