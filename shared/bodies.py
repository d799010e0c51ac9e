"""Reading a request body up to a limit: the one reader for the routes that take raw bytes (a
practice's logo, a Stripe event). Past the limit nothing more is read or kept, so a huge body is
never held whole. (Every API route's body is also bounded, before the route runs, by
services/api/body_guard.py; this reader is for a route's own, smaller limit and its own refusal.)"""

from __future__ import annotations

from collections.abc import AsyncIterable


async def read_at_most(chunks: AsyncIterable[bytes], limit: int, *, declared_length: str | None = None) -> bytes | None:
    """The body, or None when it is longer than `limit` bytes: at once when its Content-Length
    (`declared_length`) says so, else as soon as the bytes read pass the limit (a missing or lying
    Content-Length)."""
    if declared_length is not None and declared_length.isdigit() and int(declared_length) > limit:
        return None
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)
