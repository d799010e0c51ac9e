"""Operators create practices; admins change their settings and letterhead (billers may read)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from services.api.deps import CurrentAdmin, CurrentOperator, CurrentStaff, SessionDep
from shared.bodies import read_at_most
from shared.errors import NotFound, TooLarge
from shared.groups import service
from shared.groups.logo import MAX_LOGO_BYTES
from shared.groups.repository import GroupRepository
from shared.groups.schemas import GroupCreate, GroupOut, LogoOut, SettingsOut, SettingsPatch

router = APIRouter(prefix="/v1", tags=["groups"])

_IMAGE_TYPES = ("image/png", "image/jpeg")
_LOGO_BODY = {
    "requestBody": {
        "required": True,
        "description": "The image itself (not a form): PNG or JPEG, judged by its content, at most 512 KB.",
        "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in _IMAGE_TYPES},
    }
}


@router.post("/groups", status_code=201, response_model=GroupOut)
def create_group(body: GroupCreate, actor: CurrentOperator, session: SessionDep) -> GroupOut:
    group = service.create_group(session, actor, body)
    return GroupOut.model_validate(group)


@router.get("/settings", response_model=SettingsOut)
def get_settings(actor: CurrentStaff, session: SessionDep) -> SettingsOut:
    return service.settings_view(session, GroupRepository.from_session(session).get(actor))


@router.patch("/settings", response_model=SettingsOut)
def patch_settings(body: SettingsPatch, actor: CurrentAdmin, session: SessionDep) -> SettingsOut:
    return service.settings_view(session, service.update_settings(session, actor, body))


@router.put(
    "/settings/logo",
    response_model=LogoOut,
    openapi_extra=_LOGO_BODY,
    responses={413: {"description": "The image is larger than 512 KB."}},
)
async def put_logo(request: Request, actor: CurrentAdmin, session: SessionDep) -> LogoOut:
    """The logo new invoice PDFs print: checked, scaled to at most 600 × 240 px and re-encoded; audited."""
    upload = await read_at_most(request.stream(), MAX_LOGO_BYTES, declared_length=request.headers.get("content-length"))
    if upload is None:
        raise TooLarge(
            f"The logo must be at most {MAX_LOGO_BYTES:,} bytes (512 KB).", code="logo_too_large", param="logo"
        )

    def store() -> LogoOut:
        service.set_logo(session, actor, upload)
        return service.settings_view(session, GroupRepository.from_session(session).get(actor)).logo

    return await run_in_threadpool(store)


@router.get(
    "/settings/logo",
    response_class=Response,
    responses={200: {"content": {media: {} for media in _IMAGE_TYPES}, "description": "The logo as stored."}},
)
def get_logo(actor: CurrentStaff, session: SessionDep, request: Request) -> Response:
    logo = GroupRepository.from_session(session).logo(actor)
    if logo is None:
        raise NotFound("This practice has no logo.", code="resource_missing", param="logo")
    headers = {
        "ETag": f'"{logo.sha256}"',
        "Cache-Control": "private, no-cache",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": 'inline; filename="logo.{}"'.format("png" if logo.media_type == "image/png" else "jpg"),
    }
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    return Response(content=logo.content, media_type=logo.media_type, headers=headers)


@router.delete("/settings/logo", status_code=204, response_class=Response)
def delete_logo(actor: CurrentAdmin, session: SessionDep) -> Response:
    """New invoice PDFs print no logo; issued versions keep theirs. Removing no logo is not an error."""
    service.remove_logo(session, actor)
    return Response(status_code=204)
