"""Reports for a practice's staff: what is owed and for how long (A/R aging), and what was collected
each month, as JSON and CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.api.deps import CurrentStaff, SessionDep
from shared.reports.aging import DEFAULT_CLIENTS, MAX_CLIENTS, AgingReportOut, cached_aging_csv, cached_aging_json
from shared.reports.collections import CollectionsReportOut, cached_collections
from shared.text import text

router = APIRouter(prefix="/v1/reports", tags=["reports"])


@router.get("/aging", response_model=AgingReportOut)
def get_aging(
    actor: CurrentStaff,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=MAX_CLIENTS)] = DEFAULT_CLIENTS,
) -> Response:
    """Open balances by days past due as of today in the practice's time zone: the totals over every
    client who owes, and the `limit` clients with the largest balances (`has_more` when there are more;
    `aging.csv` lists all). Computed once per state of the practice's ledger (shared/reports/cache.py)."""
    return Response(content=cached_aging_json(session, actor, limit), media_type="application/json")


@router.get(
    "/aging.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The aging report as CSV."}},
)
def get_aging_csv(actor: CurrentStaff, session: SessionDep) -> Response:
    content, as_of = cached_aging_csv(session, actor)
    return Response(
        content=content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="aging-{as_of.isoformat()}.csv"'},
    )


Month = Annotated[text(max_length=7) | None, Query(examples=["2026-03"])]


@router.get("/collections", response_model=CollectionsReportOut)
def get_collections(
    actor: CurrentStaff, session: SessionDep, from_: Annotated[Month, Query(alias="from")] = None, to: Month = None
) -> Response:
    """Money received per month (card, bank debit, by hand, insurance) less refunds, from `from` to `to`
    (YYYY-MM, at most 24 months; by default the last 12 up to this month in the practice's time zone)."""
    content, _first, _last = cached_collections(session, actor, from_, to)
    return Response(content=content, media_type="application/json")


@router.get(
    "/collections.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "Collected per month as CSV."}},
)
def get_collections_csv(
    actor: CurrentStaff, session: SessionDep, from_: Annotated[Month, Query(alias="from")] = None, to: Month = None
) -> Response:
    content, first, last = cached_collections(session, actor, from_, to, as_csv=True)
    return Response(
        content=content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="collections-{first}-to-{last}.csv"'},
    )
