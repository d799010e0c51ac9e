from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert

from shared.db.pagination import Page, paginate
from shared.db.repository import Repository, Whose, practice_of
from shared.errors import NotFound
from shared.groups.models import Group, GroupLogo


class GroupRepository(Repository):
    def get(self, whose: Whose) -> Group:
        group_id = practice_of(whose)
        group = self.session.get(Group, group_id)
        if group is None:
            raise NotFound("No such group.", code="resource_missing")
        return group

    def get_for_update(self, whose: Whose) -> Group:
        group_id = practice_of(whose)
        group = self.session.scalar(select(Group).where(Group.id == group_id).with_for_update())
        if group is None:
            raise NotFound("No such group.", code="resource_missing")
        return group

    def page_all(self, *, limit: int, starting_after: str | None) -> Page:
        """Every practice, newest first: the operator's list (cross-practice on purpose: the operator runs the platform)."""
        return paginate(self.session, select(Group), Group, limit=limit, starting_after=starting_after)

    def list(self) -> list[Group]:
        return list(self.session.scalars(select(Group).order_by(Group.created_at.desc())))

    # --- the logo ---

    def logo_facts(self, whose: Whose):
        """media_type, width, height, sha256, size and updated_at of the group's logo, or None; not its bytes."""
        group_id = practice_of(whose)
        return self.session.execute(
            select(
                GroupLogo.media_type,
                GroupLogo.width,
                GroupLogo.height,
                GroupLogo.sha256,
                func.length(GroupLogo.content).label("bytes"),
                GroupLogo.updated_at,
            ).where(GroupLogo.group_id == group_id)
        ).one_or_none()

    def logo(self, whose: Whose) -> GroupLogo | None:
        group_id = practice_of(whose)
        return self.session.get(GroupLogo, group_id)

    def save_logo(self, whose: Whose, *, content: bytes, media_type: str, width: int, height: int, sha256: str):
        group_id = practice_of(whose)
        values = {"content": content, "media_type": media_type, "width": width, "height": height, "sha256": sha256}
        self.session.execute(
            insert(GroupLogo)
            .values(group_id=group_id, **values)
            .on_conflict_do_update(index_elements=["group_id"], set_={**values, "updated_at": func.now()})
        )

    def delete_logo(self, whose: Whose) -> bool:
        group_id = practice_of(whose)
        return bool(self.session.execute(delete(GroupLogo).where(GroupLogo.group_id == group_id)).rowcount)
