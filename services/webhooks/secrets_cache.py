"""Each group's webhook signing secret, decrypted once and kept in memory for a short while.

The hot path then costs no database read and no decryption. A rotated secret is picked
up at once: when a signature fails against a cached secret, the caller asks again with
`fresh=True` (see app.py). Those forced reads are limited to one per group per second,
so a flood of forged requests costs the database next to nothing.
"""

from __future__ import annotations

import time
import uuid

import asyncpg

from shared.security.secrets import decrypt_secret

TTL_SECONDS = 30.0
# At most one forced re-read per group in this interval.
FORCED_REFRESH_INTERVAL_SECONDS = 1.0


class UnknownGroup(Exception):
    """No such group, or a group with no webhook secret: the URL is not a live endpoint."""


class SecretCache:
    def __init__(self, ttl: float = TTL_SECONDS) -> None:
        self.ttl = ttl
        self._entries: dict[uuid.UUID, tuple[str, float]] = {}
        self._forced_at: dict[uuid.UUID, float] = {}

    async def get(self, pool: asyncpg.Pool, group_id: uuid.UUID, *, fresh: bool = False) -> str:
        now = time.monotonic()
        entry = self._entries.get(group_id)
        if entry is not None and not fresh and now - entry[1] < self.ttl:
            return entry[0]
        if fresh:
            self._forced_at[group_id] = now
        async with pool.acquire(timeout=5) as conn:
            encrypted = await conn.fetchval(
                "SELECT stripe_webhook_secret_encrypted FROM groups WHERE id = $1", group_id
            )
        if encrypted is None:
            self._entries.pop(group_id, None)
            raise UnknownGroup(str(group_id))
        secret = decrypt_secret(encrypted)
        self._entries[group_id] = (secret, now)
        return secret

    def may_refresh(self, group_id: uuid.UUID) -> bool:
        forced = self._forced_at.get(group_id)
        return forced is None or time.monotonic() - forced >= FORCED_REFRESH_INTERVAL_SECONDS

    def forget(self, group_id: uuid.UUID) -> None:
        self._entries.pop(group_id, None)
