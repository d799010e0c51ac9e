"""How domain code counts a sign-in secret's checks: a protocol the API fills with its login limiter
(services/api/deps.py `LimitedSignInAttempts`), so the rules in shared/ never import the API."""

from __future__ import annotations

from typing import Protocol


class SignInAttempts(Protocol):
    """The login limiter, as domain code sees it: every check of a password or a one-time code,
    at sign-in or later (changing a password, enrolling TOTP), counts against the same account."""

    def check(self, account: str) -> None:
        """Count this attempt as a failure in one atomic step, or raise (429) when the account or the
        caller's address has failed too often already — so a parallel burst cannot get past the limit."""

    def failed(self, account: str) -> None:
        """The attempt failed: it stays counted (nothing more to do; said for the reader)."""

    def succeeded(self, account: str) -> None:
        """The attempt was right after all: give back the place `check` took."""
