from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import NotFound
from shared.groups.models import Group


class GroupRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: Session) -> GroupRepository:
        return cls(session)

    def get(self, group_id: uuid.UUID) -> Group:
        group = self.session.get(Group, group_id)
        if group is None:
            raise NotFound("No such group.", code="resource_missing")
        return group

    def get_for_update(self, group_id: uuid.UUID) -> Group:
        group = self.session.scalar(select(Group).where(Group.id == group_id).with_for_update())
        if group is None:
            raise NotFound("No such group.", code="resource_missing")
        return group

    def list(self) -> list[Group]:
        return list(self.session.scalars(select(Group).order_by(Group.created_at.desc())))
