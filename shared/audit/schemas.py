from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    action: str
    entity: str
    entity_id: str
    actor_kind: str
    actor_user_id: uuid.UUID | None
    actor_api_key_id: uuid.UUID | None
    request_id: str | None
    data: dict[str, Any]
    created_at: datetime
