"""Staff alerts: what the practice's staff must act on, and marking one handled."""

from __future__ import annotations

from fastapi import APIRouter

from services.api.deps import CurrentStaff, SessionDep
from services.api.lists import ListOut, PageQuery, listed
from shared.alerts import service
from shared.alerts.models import AlertKind, AlertStatus
from shared.alerts.schemas import AlertOut

router = APIRouter(prefix="/v1/alerts", tags=["alerts"])


@router.get("", response_model=ListOut[AlertOut])
def list_alerts(
    actor: CurrentStaff,
    session: SessionDep,
    asked: PageQuery,
    status: AlertStatus | None = None,
    kind: AlertKind | None = None,
) -> ListOut[AlertOut]:
    """Newest first; `status` open or resolved (both when left out)."""
    page = service.list_alerts(session, actor, status=status, kind=kind, **asked.kwargs())
    return listed(AlertOut, page)


@router.post("/{alert_id}/resolve", response_model=AlertOut)
def resolve_alert(alert_id: str, actor: CurrentStaff, session: SessionDep) -> AlertOut:
    """Say it was handled (audited: who, when). An alert already resolved answers 409."""
    return AlertOut.model_validate(service.resolve_alert(session, actor, alert_id))
