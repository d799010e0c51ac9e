"""Creating practices and changing their settings."""

from __future__ import annotations

from sqlalchemy.orm import Session

from shared.audit.service import Actor, record
from shared.errors import Conflict
from shared.groups.models import Group, InvoiceSequence
from shared.groups.repository import GroupRepository
from shared.groups.schemas import GroupCreate, SettingsPatch
from shared.security.passwords import hash_password
from shared.users.models import User


def create_group(session: Session, actor: Actor, data: GroupCreate) -> Group:
    from shared.auth.service import find_user_by_email  # noqa: PLC0415

    if find_user_by_email(session, data.admin_email) is not None:
        raise Conflict("A user with that email already exists.", code="email_taken", param="admin_email")
    group = Group(name=data.name, currency=data.currency, timezone=data.timezone, invoice_prefix="INV-",
                  allow_partial_payments=False, minimum_payment_cents=0)
    session.add(group)
    session.flush()
    session.add(InvoiceSequence(group_id=group.id, next_number=1))
    admin = User(group_id=group.id, email=data.admin_email.lower(), password_hash=hash_password(data.admin_password),
                 role="admin")
    session.add(admin)
    session.flush()
    record(session, actor, "group.created", "group", group.id, group_id=group.id, data={"name": group.name})
    record(session, actor, "user.created", "user", admin.id, group_id=group.id, data={"role": "admin"})
    return group


def update_settings(session: Session, actor: Actor, data: SettingsPatch) -> Group:
    group = GroupRepository.from_session(session).get_for_update(actor.group_id)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    for field, value in changes.items():
        setattr(group, field, value)
    if changes:
        record(session, actor, "settings.updated", "group", group.id, data=changes)
    session.flush()
    return group
