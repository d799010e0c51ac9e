"""Staff of a practice: admins add them, billers may see who they are."""

from __future__ import annotations

from fastapi import APIRouter

from services.api.deps import CurrentAdmin, CurrentStaff, SessionDep
from services.api.lists import DEFAULT_LIMIT, Limit, ListOut, StartingAfter
from shared.db.pagination import paginate
from shared.users import service
from shared.users.models import User
from shared.users.repository import UserRepository
from shared.users.schemas import StaffUserCreate, UserOut

router = APIRouter(prefix="/v1", tags=["users"])


@router.get("/users", response_model=ListOut[UserOut])
def list_users(actor: CurrentStaff, session: SessionDep, limit: Limit = DEFAULT_LIMIT,
               starting_after: StartingAfter = None) -> ListOut[UserOut]:
    stmt = UserRepository.from_session(session).staff_stmt(actor.group_id)
    page = paginate(session, stmt, User, limit=limit, starting_after=starting_after)
    return ListOut[UserOut](data=[UserOut.model_validate(u) for u in page.data], has_more=page.has_more)


@router.post("/users", status_code=201, response_model=UserOut)
def create_user(body: StaffUserCreate, actor: CurrentAdmin, session: SessionDep) -> UserOut:
    return UserOut.model_validate(service.create_staff_user(session, actor, body))
