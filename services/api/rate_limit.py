"""Login and pay-link throttling, counted in Redis so every API process shares it.

(Pay links, at the end: the same reserve script, per address.)

Three counters, each living `window` seconds from its first failure:

- **account and address** (`CLINICPAY_LOGIN_MAX_FAILURES`, 5): someone guessing at one account from
  one address is stopped after a few tries — and only they are: the real user, signing in from
  anywhere else, is not locked out by it;
- **account** from every address (`CLINICPAY_LOGIN_MAX_ACCOUNT_FAILURES`, 50): the lock that does
  keep everyone out of one account, so it takes ten times as many failures — at least ten
  different addresses, since each one stops at its own 5. Locking a staff member out on purpose
  therefore needs many addresses, each throttled on its own;
- **address** over every account (`CLINICPAY_LOGIN_MAX_ADDRESS_FAILURES`, 20): one address spraying
  a common password over many accounts.

Checking the counters and counting the attempt are one Lua script (atomic on Redis 6.2 and 7
alike): every attempt reserves its place before the password is checked, so a parallel burst
cannot get more tries than the limit allows. A correct password gives its place back and clears
the account-and-address counter; the account-wide counter keeps the other failures, so a
successful sign-in by the real user does not hand an attacker a fresh allowance.

If Redis cannot be reached the limiter lets the attempt through with a warning: the password
(argon2id) still protects, and sign-in does not depend on the broker being up.

The same three counters, under their own names and limits, count the requests for a sign-in email
(`account_email_limiter`: "Forgot password?"), where every request counts and none is given back:
one address asked for too often, one address from everywhere, one caller's IP over every address.
They count whether or not an account uses the address, so a 429 tells nothing about that either.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

import redis

from shared.config import app_settings
from shared.errors import RateLimited
from shared.logging import get_logger
from shared.redis_client import redis_client

log = get_logger(__name__)

# KEYS: the counters (account-and-address, account, address); ARGV: their limits, then the window.
# Refuses (returning which counter is full) or counts the attempt on all three, in one step.
_RESERVE = """
for i = 1, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[i]) then
    return i
  end
end
for i = 1, #KEYS do
  if redis.call('INCR', KEYS[i]) == 1 or redis.call('TTL', KEYS[i]) < 0 then
    redis.call('EXPIRE', KEYS[i], ARGV[#KEYS + 1])
  end
end
return 0
"""
# KEYS as above: the attempt succeeded, so it was not a failure.
_RELEASE = """
redis.call('DEL', KEYS[1])
for i = 2, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then
    redis.call('DECR', KEYS[i])
  end
end
return 0
"""
_COUNTERS = ("account_address", "account", "address")


@dataclass(frozen=True)
class LoginLimits:
    per_account_and_address: int
    per_account: int
    per_address: int
    window_seconds: int


@dataclass(frozen=True)
class Refusal:
    """What a full counter answers, and the name its counters live under in Redis."""

    namespace: str
    message: str
    code: str


SIGN_IN_REFUSAL = Refusal(
    "login-failures",
    "Too many failed sign-in attempts. Wait a few minutes and try again.",
    "too_many_login_attempts",
)
ACCOUNT_EMAIL_REFUSAL = Refusal(
    "account-emails",
    "Too many requests for a sign-in email. Wait a while and try again.",
    "too_many_email_requests",
)


class LoginLimiter:
    def __init__(self, client: redis.Redis, limits: LoginLimits, refusal: Refusal = SIGN_IN_REFUSAL) -> None:
        self.client = client
        self.limits = limits
        self.refusal = refusal
        self._reserve = client.register_script(_RESERVE)
        self._release = client.register_script(_RELEASE)

    @staticmethod
    def _digest(value: str) -> str:
        return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]

    def _keys(self, account: str, address: str) -> list[str]:
        account_key, address_key = self._digest(account), self._digest(address)
        prefix = f"clinicpay:{self.refusal.namespace}"
        return [
            f"{prefix}:account-address:{account_key}:{address_key}",
            f"{prefix}:account:{account_key}",
            f"{prefix}:address:{address_key}",
        ]

    def reserve(self, account: str, address: str) -> None:
        """Count this attempt as a failure unless a limit is already reached (then 429)."""
        limits = self.limits
        try:
            full = int(
                self._reserve(
                    keys=self._keys(account, address),
                    args=[
                        limits.per_account_and_address,
                        limits.per_account,
                        limits.per_address,
                        limits.window_seconds,
                    ],
                )
            )
        except redis.RedisError as exc:
            log.warning("login_limiter_unavailable", error=str(exc))  # fail open: passwords still protect
            return
        if full:
            log.info("login_throttled", counter=_COUNTERS[full - 1], namespace=self.refusal.namespace)
            raise RateLimited(self.refusal.message, code=self.refusal.code)

    def release(self, account: str, address: str) -> None:
        """The attempt reserved for `account` from `address` was not a failure after all."""
        try:
            self._release(keys=self._keys(account, address))
        except redis.RedisError as exc:
            log.warning("login_limiter_unavailable", error=str(exc))


def _limiter_redis() -> redis.Redis:
    return redis_client(app_settings().login_limit_redis_url)


@lru_cache
def account_email_limiter() -> LoginLimiter:
    """Requests for a password-reset email: per address and IP, per address, per IP."""
    settings = app_settings()
    return LoginLimiter(
        _limiter_redis(),
        LoginLimits(
            per_account_and_address=settings.account_email_max_per_address_and_ip,
            per_account=settings.account_email_max_per_address,
            per_address=settings.account_email_max_per_ip,
            window_seconds=settings.account_email_window_seconds,
        ),
        ACCOUNT_EMAIL_REFUSAL,
    )


@lru_cache
def login_limiter() -> LoginLimiter:
    settings = app_settings()
    return LoginLimiter(
        _limiter_redis(),
        LoginLimits(
            per_account_and_address=settings.login_max_failures,
            per_account=settings.login_max_account_failures,
            per_address=settings.login_max_address_failures,
            window_seconds=settings.login_window_seconds,
        ),
    )


# KEYS: counters to give one back to (a reserved failure that was not one). Never below zero.
_GIVE_BACK = """
for i = 1, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then
    redis.call('DECR', KEYS[i])
  end
end
return 0
"""


class PayLinkLimiter:
    """The public pay-link routes, per address: every request counts (a page's few calls stay far below
    the limit), and each is reserved as a failure before its token is looked up, given back when the
    token opened a link — so a burst of guesses, however parallel, gets `max_failures` tries a window.
    Fails open like the login limiter: a token is 256 random bits whatever the counters say."""

    def __init__(self, client: redis.Redis, max_requests: int, max_failures: int, window_seconds: int) -> None:
        self.limits = (max_requests, max_failures, window_seconds)
        self._reserve = client.register_script(_RESERVE)
        self._give_back = client.register_script(_GIVE_BACK)

    @staticmethod
    def _keys(address: str) -> list[str]:
        digest = hashlib.sha256(address.strip().lower().encode()).hexdigest()[:32]
        return [f"clinicpay:pay-link:requests:{digest}", f"clinicpay:pay-link:failures:{digest}"]

    def reserve(self, address: str) -> None:
        """Count the request, and reserve it as a failure; 429 `rate_limited` once either limit is reached."""
        try:
            full = int(self._reserve(keys=self._keys(address), args=list(self.limits)))
        except redis.RedisError as exc:
            log.warning("pay_link_limiter_unavailable", error=str(exc))
            return
        if full:
            log.info("pay_link_throttled", counter=("requests", "failures")[full - 1])
            raise RateLimited("Too many attempts from your network. Wait a few minutes and try again.")

    def opened(self, address: str) -> None:
        """The token opened a link: it was no failure."""
        try:
            self._give_back(keys=self._keys(address)[1:])
        except redis.RedisError as exc:
            log.warning("pay_link_limiter_unavailable", error=str(exc))


@lru_cache
def pay_link_limiter() -> PayLinkLimiter:
    settings = app_settings()
    return PayLinkLimiter(
        _limiter_redis(),
        settings.pay_link_max_requests,
        settings.pay_link_max_failures,
        settings.pay_link_window_seconds,
    )
