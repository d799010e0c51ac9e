"""The audit trail of a practice (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.api.deps import CurrentAdmin, SessionDep
from services.api.lists import ListOut, PageQuery, listed
from shared.audit.repository import AuditEventRepository
from shared.audit.schemas import AuditEventOut
from shared.text import text

router = APIRouter(prefix="/v1/audit-events", tags=["audit"])


@router.get("", response_model=ListOut[AuditEventOut])
def list_audit_events(
    actor: CurrentAdmin,
    session: SessionDep,
    asked: PageQuery,
    entity: Annotated[text(max_length=32) | None, Query(examples=["service"])] = None,
    entity_id: Annotated[text(max_length=64) | None, Query()] = None,
) -> ListOut[AuditEventOut]:
    page = AuditEventRepository.from_session(session).list_page(
        actor, **asked.kwargs(), entity=entity, entity_id=entity_id
    )
    return listed(AuditEventOut, page)
