"""Group API keys for server-to-server pushes. The key is shown once, at creation."""

from __future__ import annotations

from fastapi import APIRouter

from services.api.deps import CurrentAdmin, CurrentAdminPerson, SessionDep
from services.api.lists import ListOut, PageQuery, listed
from shared.db.ids import parse_id
from shared.users import service
from shared.users.repository import ApiKeyRepository
from shared.users.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut

router = APIRouter(prefix="/v1/api-keys", tags=["api keys"])


@router.get("", response_model=ListOut[ApiKeyOut])
def list_api_keys(actor: CurrentAdmin, session: SessionDep, asked: PageQuery) -> ListOut[ApiKeyOut]:
    page = ApiKeyRepository.from_session(session).list_page(actor, **asked.kwargs())
    return listed(ApiKeyOut, page)


@router.post("", status_code=201, response_model=ApiKeyCreated)
def create_api_key(body: ApiKeyCreate, actor: CurrentAdminPerson, session: SessionDep) -> ApiKeyCreated:
    """Admins only, signed in as themselves: an API key may not mint keys (403 `api_key_forbidden`)."""
    key, secret = service.create_api_key(session, actor, body)
    return ApiKeyCreated(**ApiKeyOut.model_validate(key).model_dump(exclude={"revoked"}), key=secret)


@router.delete("/{key_id}", response_model=ApiKeyOut)
def revoke_api_key(key_id: str, actor: CurrentAdmin, session: SessionDep) -> ApiKeyOut:
    key = service.revoke_api_key(session, actor, parse_id(key_id, "API key", "id"))
    return ApiKeyOut.model_validate(key)
