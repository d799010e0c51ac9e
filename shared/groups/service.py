"""Creating practices and changing their settings."""

from __future__ import annotations

from sqlalchemy.orm import Session

from shared.actor import Actor
from shared.audit.service import record
from shared.errors import Conflict, ValidationFailed
from shared.groups.logo import check_logo
from shared.groups.models import Group, InvoiceSequence
from shared.groups.repository import GroupRepository
from shared.groups.schemas import CLEARABLE_FIELDS, GroupCreate, LogoOut, SettingsOut, SettingsPatch
from shared.security.passwords import hash_password
from shared.users.models import User
from shared.users.repository import find_user_by_email

# Stripe offers ACH Direct Debit (us_bank_account) for USD payments only.
ACH_CURRENCY = "USD"


def create_group(session: Session, actor: Actor, data: GroupCreate) -> Group:
    from shared.users.service import check_password_strength

    check_password_strength(data.admin_password, "admin_password", user_inputs=[data.admin_email, data.name])
    if find_user_by_email(session, data.admin_email) is not None:
        raise Conflict("A user with that email already exists.", code="email_taken", param="admin_email")
    group = Group(
        name=data.name,
        currency=data.currency,
        timezone=data.timezone,
        invoice_prefix="INV-",
        allow_partial_payments=False,
        minimum_payment_cents=0,
    )
    session.add(group)
    session.flush()
    session.add(InvoiceSequence(group_id=group.id, next_number=1))
    admin = User(
        group_id=group.id,
        email=data.admin_email.lower(),
        password_hash=hash_password(data.admin_password),
        role="admin",
    )
    session.add(admin)
    session.flush()
    record(session, actor, "group.created", "group", group.id, group_id=group.id, data={"name": group.name})
    record(session, actor, "user.created", "user", admin.id, group_id=group.id, data={"role": "admin"})
    return group


def settings_view(session: Session, group: Group) -> SettingsOut:
    facts = GroupRepository.from_session(session).logo_facts(group.id)
    settings = SettingsOut.model_validate(group)
    settings.logo = LogoOut(**facts._asdict()) if facts is not None else None
    return settings


def update_settings(session: Session, actor: Actor, data: SettingsPatch) -> Group:
    """Only what the body names changes. A letterhead field sent as null (or "", or []) is cleared;
    the other settings cannot be null, so there null means unchanged."""
    changes = {
        field: value
        for field, value in data.model_dump(exclude_unset=True).items()
        if value is not None or field in CLEARABLE_FIELDS
    }
    if "require_staff_totp" in changes and actor.api_key_id is not None:
        from shared.users.service import api_key_refused

        raise api_key_refused()
    group = GroupRepository.from_session(session).get_for_update(actor)
    if "address_lines" in changes and changes["address_lines"] is None:
        changes["address_lines"] = []
    if changes.get("ach_debit_enabled") and group.currency != ACH_CURRENCY:
        raise ValidationFailed(
            f"ACH Direct Debit is offered by Stripe for payments in USD only; this practice bills in {group.currency}.",
            code="ach_requires_usd",
            param="ach_debit_enabled",
        )
    changes = {field: value for field, value in changes.items() if getattr(group, field) != value}
    for field, value in changes.items():
        setattr(group, field, value)
    if changes:
        record(session, actor, "settings.updated", "group", group.id, data=changes)
    session.flush()
    return group


def set_logo(session: Session, actor: Actor, upload: bytes) -> None:
    """Check the upload (413/422 and nothing stored when it is refused), then store its re-encoding."""
    logo = check_logo(upload)
    repo = GroupRepository.from_session(session)
    repo.get_for_update(actor)  # one logo change at a time per practice
    repo.save_logo(
        actor,
        content=logo.content,
        media_type=logo.media_type,
        width=logo.width,
        height=logo.height,
        sha256=logo.sha256,
    )
    facts = {"media_type": logo.media_type, "width": logo.width, "height": logo.height, "sha256": logo.sha256}
    record(session, actor, "settings.logo_updated", "group", actor.group_id, data={**facts, "bytes": len(logo.content)})


def remove_logo(session: Session, actor: Actor) -> None:
    """Idempotent: removing a logo that is not there changes (and records) nothing."""
    if GroupRepository.from_session(session).delete_logo(actor):
        record(session, actor, "settings.logo_removed", "group", actor.group_id, data={})
