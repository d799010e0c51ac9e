"""Staff alerts as the API shows them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from shared.alerts.models import AlertKind, AlertStatus


class AlertOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    object: Literal["alert"] = "alert"
    kind: AlertKind
    status: AlertStatus
    message: str
    invoice_id: uuid.UUID | None
    payment_id: uuid.UUID | None
    data: dict[str, Any]
    created_at: datetime
    resolved_at: datetime | None
    resolved_by_user_id: uuid.UUID | None
    resolved_by_api_key_id: uuid.UUID | None
