"""Opaque bearer tokens and API keys. Only their SHA-256 is stored."""

import hashlib
import secrets

ACCESS_TOKEN_PREFIX = "cpt_"
API_KEY_PREFIX = "cpk_"
# The single-use links emailed to a person (shared/accounts): an invitation, a password reset.
INVITE_TOKEN_PREFIX = "cpi_"
RESET_TOKEN_PREFIX = "cpr_"
# Pay links (shared/paylinks): the token in the link of an invoice email.
PAY_LINK_PREFIX = "cpl_"
# The one-click opt-out in a reminder (shared/reminders): stops that client's reminders, nothing else.
UNSUBSCRIBE_PREFIX = "cpu_"


def new_access_token() -> str:
    return ACCESS_TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def new_account_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def new_pay_link_token() -> str:
    return PAY_LINK_PREFIX + secrets.token_urlsafe(32)


def new_unsubscribe_token() -> str:
    return UNSUBSCRIBE_PREFIX + secrets.token_urlsafe(32)


_URL_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
# token_urlsafe(32): 43 characters.
_TOKEN_BODY_LENGTH = 43


def is_well_formed(token: str, prefix: str) -> bool:
    """The shape of an emailed link's token: the prefix and 43 url-safe characters. Anything else is
    refused before the database."""
    body = token[len(prefix) :]
    return token.startswith(prefix) and len(body) == _TOKEN_BODY_LENGTH and set(body) <= _URL_SAFE


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
