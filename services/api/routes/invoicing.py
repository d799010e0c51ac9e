"""The Invoices tab: the queue of services waiting to be invoiced, and invoicing runs (202 + a job to poll)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from services.api.deps import CurrentStaff, SessionDep
from services.api.idempotent import IdempotencyKey, once
from services.api.lists import ListOut, PageQuery, list_response
from shared.fields import IsoDate
from shared.invoicing import service
from shared.invoicing.schemas import QueueItemOut, RunCreate, RunOut
from shared.text import text

router = APIRouter(prefix="/v1/invoicing", tags=["invoicing"])


@router.get("/queue", response_model=ListOut[QueueItemOut])
def queue(
    actor: CurrentStaff,
    session: SessionDep,
    asked: PageQuery,
    client_id: Annotated[text(max_length=64) | None, Query()] = None,
    date_from: Annotated[IsoDate | None, Query(alias="from", description="Service date, YYYY-MM-DD.")] = None,
    date_to: Annotated[IsoDate | None, Query(alias="to", description="Service date, YYYY-MM-DD.")] = None,
) -> Response:
    """Uninvoiced services, not in a run, whose billing rate needs billing and is invoiced."""
    page = service.list_queue(
        session,
        actor,
        client_id=client_id,
        date_from=date_from,
        date_to=date_to,
        **asked.kwargs(),
    )
    return list_response(QueueItemOut, page)


@router.post("/runs", status_code=202, response_model=RunOut)
def create_run(
    body: RunCreate,
    actor: CurrentStaff,
    session: SessionDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Validate and claim the selected services, then invoice them in the background (one invoice per client).

    Send an `Idempotency-Key` to retry safely: the same key and body answer the same run."""

    def located(run_id: object) -> None:
        response.headers["Location"] = f"/v1/invoicing/runs/{run_id}"

    def write() -> RunOut:
        run = service.create_run(session, actor, body)
        located(run.id)
        return service.run_view(session, run)

    def replay(stored: dict[str, Any]) -> dict[str, Any]:
        located(stored["id"])
        return stored

    return once(session, actor, response, idempotency_key, "invoicing.create_run", body, 202, write, replay)


@router.get("/runs/{run_id}", response_model=RunOut)
def get_run(run_id: str, actor: CurrentStaff, session: SessionDep) -> RunOut:
    return service.run_view(session, service.get_run(session, actor, run_id))
