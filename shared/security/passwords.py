"""Password hashing with argon2id (argon2-cffi's defaults), and how guessable a password is (zxcvbn)."""

import re
from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

_hasher = PasswordHasher()
# Verified against when an email is unknown, so a miss costs as long as a hit.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# zxcvbn's scale: 3 is "safely unguessable" (about 10^8 to 10^10 guesses), 4 "very unguessable".
MIN_PASSWORD_SCORE = 3
# zxcvbn's own cap on what it reads; a longer password is at least as strong as its first 72 characters.
_ZXCVBN_MAX_LENGTH = 72


def password_weakness(password: str, user_inputs: Sequence[str] = ()) -> str | None:
    """Why `password` is easy to guess (zxcvbn's own words), or None when it is strong enough."""
    if not password.strip():
        return "it is only spaces."
    # An email or a practice's name counts whole and by its parts ("harborview.clinic@example.com"
    # makes "harborview.clinic", "harborview" and "clinic" known words).
    known: set[str] = set()
    for value in filter(None, user_inputs):
        value = value.lower()
        known |= {value, value.split("@")[0], *re.split(r"[^0-9a-z]+", value)}
    result = zxcvbn(password[:_ZXCVBN_MAX_LENGTH], user_inputs=sorted(w for w in known if len(w) > 2))
    if result["score"] >= MIN_PASSWORD_SCORE:
        return None
    warning = result["feedback"].get("warning") or "it is short for what it is made of."
    return warning if warning.endswith(".") else warning + "."
