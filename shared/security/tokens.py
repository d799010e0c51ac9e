"""Opaque bearer tokens and API keys. Only their SHA-256 is stored."""

import hashlib
import secrets

ACCESS_TOKEN_PREFIX = "cpt_"
API_KEY_PREFIX = "cpk_"


def new_access_token() -> str:
    return ACCESS_TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
