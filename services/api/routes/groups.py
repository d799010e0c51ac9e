"""Operators create practices; admins change their settings (billers may read)."""

from __future__ import annotations

from fastapi import APIRouter

from services.api.deps import CurrentAdmin, CurrentOperator, CurrentStaff, SessionDep
from shared.groups import service
from shared.groups.repository import GroupRepository
from shared.groups.schemas import GroupCreate, GroupOut, SettingsOut, SettingsPatch

router = APIRouter(prefix="/v1", tags=["groups"])


@router.post("/groups", status_code=201, response_model=GroupOut)
def create_group(body: GroupCreate, actor: CurrentOperator, session: SessionDep) -> GroupOut:
    group = service.create_group(session, actor, body)
    return GroupOut.model_validate(group)


@router.get("/settings", response_model=SettingsOut)
def get_settings(actor: CurrentStaff, session: SessionDep) -> SettingsOut:
    return SettingsOut.model_validate(GroupRepository.from_session(session).get(actor.group_id))


@router.patch("/settings", response_model=SettingsOut)
def patch_settings(body: SettingsPatch, actor: CurrentAdmin, session: SessionDep) -> SettingsOut:
    return SettingsOut.model_validate(service.update_settings(session, actor, body))
