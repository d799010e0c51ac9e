"""Domain errors with the stable codes of the HTTP contract.

Domain code raises these; the API turns them into
`{"error": {"code", "message", "param"}}` with the status each class names.
"""

from __future__ import annotations

from typing import Any


class ClinicpayError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, param: str | None = None,
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.param = param
        self.details = details or {}

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message, "param": self.param}
        body.update(self.details)
        return {"error": body}


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
