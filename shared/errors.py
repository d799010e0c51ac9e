"""Domain errors with the stable codes of the HTTP contract, and the one error body.

Domain code raises these; the API turns them into
`{"error": {"code", "message", "param"}}` with the status each class names. Every error body
the API and the webhooks receiver send is built by `error_body`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Self


def error_body(
    code: str, message: str, param: str | None = None, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """`{"error": {"code", "message", "param", ...extra}}`: the one error shape on the wire."""
    return {"error": {"code": code, "message": message, "param": param, **(extra or {})}}


class ClinicpayError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(
        self, message: str, *, code: str | None = None, param: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.param = param
        self.details = details or {}

    @classmethod
    def naming(
        cls, what: str, shown: Sequence[object], *, code: str, param: str, ids: Sequence[object] | None = None
    ) -> Self:
        """A refusal of part of a selection: `what: a, b, c and 4 more.` for a person (`shown`: ids, or the
        invoice numbers a clerk knows), and every id for software in `details`, under the plural of `param`."""
        key = param if param.endswith("s") else f"{param}s"
        every = [str(i) for i in (shown if ids is None else ids)]
        return cls(f"{what}: {a_few(shown)}.", code=code, param=param, details={key: every})

    def to_dict(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.param, self.details)


def a_few(items: Sequence[object], most: int = 5) -> str:
    """`a, b, c, d, e and 3 more`: a list a message can hold whatever its length."""
    shown = ", ".join(str(i) for i in items[:most])
    return shown + (f" and {len(items) - most} more" if len(items) > most else "")


class Unauthenticated(ClinicpayError):
    status_code = 401
    code = "unauthenticated"


class Forbidden(ClinicpayError):
    status_code = 403
    code = "forbidden"


class ValidationFailed(ClinicpayError):
    status_code = 422
    code = "validation_failed"


class NotFound(ClinicpayError):
    status_code = 404
    code = "not_found"


class Conflict(ClinicpayError):
    status_code = 409
    code = "conflict"


class TooLarge(ClinicpayError):
    status_code = 413
    code = "body_too_large"


class RateLimited(ClinicpayError):
    status_code = 429
    code = "rate_limited"


class DependencyUnavailable(ClinicpayError):
    status_code = 503
    code = "service_unavailable"


class TryAgainLater(DependencyUnavailable):
    """A service we depend on did not answer now and nothing was decided: safe to try again
    (shared/tasks/retry.py counts it transient). Not a missing dependency that a retry won't fix."""


class Gone(ClinicpayError):
    status_code = 410
    code = "gone"
