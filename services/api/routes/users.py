"""Staff of a practice: admins add them, change their role, deactivate them and reset their second
factor; billers may see who they are. Clients' portal logins are not staff: they are managed with
their client (POST /v1/clients/{id}/portal-access) and answer 404 here."""

from __future__ import annotations

from fastapi import APIRouter

from services.api.deps import CurrentAdminPerson, CurrentStaff, SessionDep
from services.api.lists import ListOut, PageQuery, listed
from shared.accounts import service as accounts
from shared.accounts.schemas import INVITATION_SENT, InvitationOut, StaffInvitationIn
from shared.auth import totp
from shared.users import service
from shared.users.repository import UserRepository
from shared.users.schemas import ApiKeySummary, StaffUserChanged, StaffUserCreate, StaffUserPatch, UserOut

router = APIRouter(prefix="/v1", tags=["users"])


@router.get("/users", response_model=ListOut[UserOut])
def list_users(actor: CurrentStaff, session: SessionDep, asked: PageQuery) -> ListOut[UserOut]:
    page = UserRepository.from_session(session).list_page(actor, **asked.kwargs())
    return listed(UserOut, page)


@router.post("/users", status_code=201, response_model=UserOut)
def create_user(body: StaffUserCreate, actor: CurrentAdminPerson, session: SessionDep) -> UserOut:
    return UserOut.model_validate(service.create_staff_user(session, actor, body))


@router.post("/users/invitations", status_code=202, response_model=InvitationOut)
def invite_user(body: StaffInvitationIn, actor: CurrentAdminPerson, session: SessionDep) -> InvitationOut:
    """Invite a colleague as an admin or a biller: the address is emailed a single-use link to set a
    password (7 days). An address that already has a login, here or at another practice, is answered
    the same; its owner is emailed to sign in instead (logins are unique across the platform)."""
    accounts.invite_staff(session, actor, body.email, body.role)
    return InvitationOut(
        message=INVITATION_SENT,
        email=body.email.strip().lower(),
        role=body.role,
    )


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(user_id: str, actor: CurrentStaff, session: SessionDep) -> UserOut:
    return UserOut.model_validate(UserRepository.from_session(session).get_staff(actor, user_id))


@router.patch("/users/{user_id}", response_model=StaffUserChanged)
def update_user(user_id: str, body: StaffUserPatch, actor: CurrentAdminPerson, session: SessionDep) -> StaffUserChanged:
    """Change a colleague's `role` (admin | biller) or deactivate them (`is_active: false`: every sign-in
    of theirs ends at once). 409 `last_admin` when the practice would have no active admin left. The
    answer lists the API keys the user created: they stay the practice's, revoke any they may have kept."""
    user, keys = service.update_staff_user(session, actor, user_id, body)
    return StaffUserChanged(
        **UserOut.model_validate(user).model_dump(),
        api_keys_created=[ApiKeySummary.model_validate(k) for k in keys],
    )


@router.delete("/users/{user_id}/totp", response_model=UserOut)
def reset_user_totp(user_id: str, actor: CurrentAdminPerson, session: SessionDep) -> UserOut:
    """Recovery for a colleague who lost their authenticator: their second factor goes and every sign-in
    of theirs ends; they sign in with their password (and enrol again if the practice requires it).
    409 `cannot_reset_own_totp` for yourself."""
    return UserOut.model_validate(totp.reset_for(session, actor, user_id))
