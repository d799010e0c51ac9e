"""A user's authenticator app, for tests: enrols over HTTP and makes codes the way a phone does.

The API accepts a code of the current 30-second step or the one before or after, once each (a
code of a step already used is a replay). `code()` gives the next one the API has not seen from
this user — the earliest unused step of those three — so a test can sign in several times in a
row without waiting. Near the end of a step it first waits for the next one to begin (at most
three seconds), so a code never goes stale between being made and being checked.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp

STEP_SECONDS = 30


@dataclass
class Authenticator:
    secret: str
    otpauth_uri: str = ""
    last_step: int | None = field(default=None)

    @property
    def totp(self) -> pyotp.TOTP:
        return pyotp.TOTP(self.secret)

    def _now(self) -> float:
        now = time.time()
        if now % STEP_SECONDS > STEP_SECONDS - 3:
            time.sleep(STEP_SECONDS - now % STEP_SECONDS + 0.05)
            now = time.time()
        return now

    def code(self) -> str:
        """A fresh code: valid now and of a step newer than any used before."""
        step = self.totp.timecode(self._now())
        for candidate in (step - 1, step, step + 1):
            if self.last_step is None or candidate > self.last_step:
                self.last_step = candidate
                return self.totp.generate_otp(candidate)
        time.sleep(STEP_SECONDS - time.time() % STEP_SECONDS + 0.05)  # all three used: the next step
        return self.code()

    def used_code(self) -> str:
        """The code used last: the API must refuse it now."""
        assert self.last_step is not None
        return self.totp.generate_otp(self.last_step)

    def wrong_code(self) -> str:
        """Six digits that are none of the codes the API would accept now."""
        step = self.totp.timecode(time.time())
        valid = {self.totp.generate_otp(s) for s in range(step - 2, step + 3)}
        return next(c for c in (f"{n:06d}" for n in range(1_000_000)) if c not in valid)


def start_enrolment(http: httpx.Client, headers: dict[str, str]) -> Authenticator:
    r = http.post("/v1/me/totp", headers=headers)
    assert r.status_code == 201, r.text
    body = r.json()
    assert parse_qs(urlsplit(body["otpauth_uri"]).query)["secret"] == [body["secret"]]
    return Authenticator(body["secret"], body["otpauth_uri"])


def enrol(http: httpx.Client, headers: dict[str, str]) -> Authenticator:
    """Start and confirm, as a person with their phone would."""
    app = start_enrolment(http, headers)
    r = http.post("/v1/me/totp/confirm", headers=headers, json={"code": app.code()})
    assert r.status_code == 200, r.text
    assert r.json()["totp_enabled"] is True
    return app
