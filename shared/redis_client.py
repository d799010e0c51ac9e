"""The one way the application (not Celery) talks to Redis: the login and pay-link counters, the
reports' cache. Short timeouts, because every caller falls back to working without it."""

from __future__ import annotations

from functools import lru_cache

import redis

from shared.config import broker_settings


@lru_cache
def redis_client(url: str | None = None) -> redis.Redis:
    """A client for `url`, the broker's Redis (REDIS_URL) unless given; one per URL per process."""
    url = url or broker_settings().url
    if url.startswith("redis+socket://"):  # Celery's spelling of a unix socket; redis-py reads unix://
        url = "unix://" + url[len("redis+socket://") :]
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
