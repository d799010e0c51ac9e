from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.text import Email, text
from shared.users.schemas import Password

INVITATION_SENT = "We emailed the invitation. It tells the address's owner how to sign in."

# The emailed tokens are "cpi_"/"cpr_" and 43 characters; anything much longer is not one.
Token = text(min_length=1, max_length=200)


class PasswordResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email


class PasswordResetComplete(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: Token = Field(description="The token from the emailed link (after `token=`).")
    password: Password


class InvitationAccept(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: Token = Field(description="The token from the emailed invitation link (after `token=`).")
    password: Password


class ClientInvitationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email = Field(description="Where the invitation goes; the client signs in with this address.")


class StaffInvitationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    role: Literal["admin", "biller"]


class EmailSentOut(BaseModel):
    """The same answer whatever the address: whether it has a login is told only to its owner, by email."""

    status: Literal["sent"] = "sent"
    message: str


class InvitationOut(EmailSentOut):
    email: str
    role: str
    client_id: uuid.UUID | None = None


class SignInReadyOut(BaseModel):
    """The login the link was for: sign in with this email and the password just set."""

    email: str
    role: str
