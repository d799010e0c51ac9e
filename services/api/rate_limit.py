"""Login throttling per account and per address, counted in Redis so every API process shares it."""

from __future__ import annotations

import hashlib
from functools import lru_cache

import redis

from shared.config import app_settings, broker_settings
from shared.errors import RateLimited
from shared.logging import get_logger

log = get_logger(__name__)


class LoginLimiter:
    def __init__(self, client: redis.Redis, max_failures: int, window_seconds: int) -> None:
        self.client = client
        self.max_failures = max_failures
        # An address may try more accounts than one account may be tried.
        self.max_address_failures = max_failures * 4
        self.window = window_seconds

    @staticmethod
    def _key(kind: str, value: str) -> str:
        return f"clinicpay:login-failures:{kind}:{hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]}"

    def check(self, account: str, address: str) -> None:
        try:
            account_count, address_count = self.client.mget(self._key("account", account), self._key("address", address))
        except redis.RedisError as exc:
            log.warning("login_limiter_unavailable", error=str(exc))  # fail open: passwords still protect
            return
        if int(account_count or 0) >= self.max_failures or int(address_count or 0) >= self.max_address_failures:
            raise RateLimited("Too many failed sign-in attempts. Wait a few minutes and try again.",
                              code="too_many_login_attempts")

    def record_failure(self, account: str, address: str) -> None:
        try:
            pipe = self.client.pipeline()
            for key in (self._key("account", account), self._key("address", address)):
                pipe.incr(key)
                pipe.expire(key, self.window, nx=True)
            pipe.execute()
        except redis.RedisError as exc:
            log.warning("login_limiter_unavailable", error=str(exc))

    def reset(self, account: str) -> None:
        try:
            self.client.delete(self._key("account", account))
        except redis.RedisError:
            pass


@lru_cache
def login_limiter() -> LoginLimiter:
    url = broker_settings().url
    if url.startswith("redis+socket://"):
        url = "unix://" + url[len("redis+socket://"):]
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    settings = app_settings()
    return LoginLimiter(client, settings.login_max_failures, settings.login_window_seconds)
