"""What the public unsubscribe page is told: whose reminders, and whether they are stopped. Nothing
about the client or any invoice: whoever holds the link sees only this."""

from __future__ import annotations

from pydantic import BaseModel, Field


class UnsubscribeState(BaseModel):
    practice_name: str
    reminders_stopped: bool = Field(description="true once the client has stopped this practice's reminders.")
