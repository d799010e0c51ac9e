from __future__ import annotations

import uuid

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from shared.db.ids import parse_id
from shared.db.repository import PracticeRepository, Whose, practice_of
from shared.errors import NotFound
from shared.users.models import STAFF_ROLES, AccessToken, ApiKey, User


def _active_admins(group_id: uuid.UUID) -> Select[tuple[uuid.UUID]]:
    return select(User.id).where(User.group_id == group_id, User.role == "admin", User.is_active.is_(True))


class UserRepository(PracticeRepository[User]):
    model = User
    noun = "user"

    def list_stmt(self, whose: Whose) -> Select:
        """The practice's staff (its clients' logins are not listed)."""
        return self.scoped(whose).where(User.role.in_(STAFF_ROLES))

    def portal_user_of(self, whose: Whose, client_id: uuid.UUID, *, for_update: bool = False) -> User | None:
        group_id = practice_of(whose)
        stmt = select(User).where(User.group_id == group_id, User.client_id == client_id, User.role == "client")
        if for_update:
            stmt = stmt.with_for_update()
        return self.session.scalar(stmt.order_by(User.created_at).limit(1))

    def portal_emails(self, whose: Whose, client_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Each client's portal login email, for the clients that have one (one query for a page)."""
        group_id = practice_of(whose)
        if not client_ids:
            return {}
        rows = self.session.execute(
            select(User.client_id, User.email).where(
                User.group_id == group_id,
                User.client_id.in_(client_ids),
                User.role == "client",
                User.is_active.is_(True),
            )
        )
        return {client_id: email for client_id, email in rows}

    def get_staff(self, whose: Whose, user_id: str | uuid.UUID, *, for_update: bool = False) -> User:
        """A staff member of the group. Another practice's user, a client's portal login or an
        operator is not one: 404, as if it did not exist."""
        stmt = self.list_stmt(whose).where(User.id == parse_id(user_id, "staff user", "id"))
        if for_update:
            stmt = stmt.with_for_update()
        user = self.session.scalar(stmt)
        if user is None:
            raise NotFound("No such staff user.", code="resource_missing", param="id")
        return user

    def active_admin_ids(self, whose: Whose) -> set[uuid.UUID]:
        group_id = practice_of(whose)
        return set(self.session.scalars(_active_admins(group_id)))

    def lock_active_admin_ids(self, whose: Whose) -> set[uuid.UUID]:
        """The practice's active admins, their rows locked in id order (so two staff changes never deadlock)
        and read as they are once the lock is ours: whoever changed them first has committed."""
        group_id = practice_of(whose)
        return set(self.session.scalars(_active_admins(group_id).order_by(User.id).with_for_update()))

    def revoke_access_tokens(self, user_id: uuid.UUID, *, keep: uuid.UUID | None = None) -> int:
        """End every sign-in of a user — but the token `keep` (the caller's own). Returns how many ended."""
        stmt = delete(AccessToken).where(AccessToken.user_id == user_id)
        if keep is not None:
            stmt = stmt.where(AccessToken.id != keep)
        return self.session.execute(stmt).rowcount or 0


class ApiKeyRepository(PracticeRepository[ApiKey]):
    model = ApiKey
    noun = "API key"
    param = "id"

    def list_stmt(self, whose: Whose) -> Select:
        return self.scoped(whose)

    def created_by(self, whose: Whose, user_id: uuid.UUID) -> list[ApiKey]:
        """The group's keys a user created, newest first (they belong to the practice, not to the user)."""
        stmt = self.list_stmt(whose).where(ApiKey.created_by_user_id == user_id)
        return list(self.session.scalars(stmt.order_by(ApiKey.created_at.desc(), ApiKey.id.desc())))


# Across practices on purpose: an email address signs in to one account, whichever practice it is in.
def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
