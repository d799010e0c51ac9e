from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from services.api.deps import SessionDep
from services.api.rate_limit import login_limiter
from shared.auth.service import authenticate_password, issue_access_token
from shared.errors import Unauthenticated
from shared.logging import get_logger

router = APIRouter(prefix="/v1/auth", tags=["auth"])
log = get_logger(__name__)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


@router.post("/token", response_model=TokenOut, responses={
    401: {"description": "Wrong email or password."},
    429: {"description": "Too many failed sign-ins for this email or from this address; wait and try again."}})
def issue_token(request: Request, session: SessionDep,
                form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> TokenOut:
    address = request.client.host if request.client else "unknown"
    login_limiter().check(form.username, address)
    user = authenticate_password(session, form.username, form.password)
    if user is None:
        login_limiter().record_failure(form.username, address)
        log.info("login_failed", address=address)
        raise Unauthenticated("Wrong email or password.", code="invalid_credentials", param="username")
    login_limiter().reset(form.username)
    token, ttl = issue_access_token(session, user)
    log.info("login_succeeded", user_id=str(user.id))
    return TokenOut(access_token=token, expires_in=ttl)
