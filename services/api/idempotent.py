"""`Idempotency-Key` on a create: the first answer is stored with the write and replayed to retries.

A thin wrapper over shared.idempotency for routes whose answer is one pydantic model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from shared.actor import Actor
from shared.idempotency import service as idempotency
from shared.text import text

IdempotencyKey = Annotated[
    # The length has its own error code (shared.idempotency); the cap here only bounds the work.
    text(max_length=1024, strip=False) | None,
    Header(alias="Idempotency-Key", description="Send one to retry this write safely."),
]


def once(
    session: Session,
    actor: Actor,
    response: Response,
    key: str | None,
    operation: str,
    body: BaseModel,
    status_code: int,
    write: Callable[[], BaseModel],
) -> Any:
    """Run `write` once per key; a retry with the same key and body gets the stored answer.

    `operation` should name the target too (e.g. the service id), so one key cannot replay onto another.
    """
    if key is None:
        return write()
    outcome = idempotency.begin(session, actor, key, operation, body.model_dump(mode="json"))
    if isinstance(outcome, idempotency.StoredAnswer):
        response.status_code = outcome.status_code
        response.headers["Idempotent-Replayed"] = "true"
        return outcome.body
    answer = write()
    idempotency.finish(session, outcome, status_code, answer.model_dump(mode="json"))
    return answer
