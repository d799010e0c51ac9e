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

REPLAYED = "Idempotent-Replayed"

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
    replay: Callable[[dict[str, Any]], Any] | None = None,
) -> Any:
    """Run `write` once per key; a retry with the same key and body gets the stored answer — or what
    `replay` makes of it (the thing as it stands now, say), with `Idempotent-Replayed: true`.

    `operation` should name the target too (e.g. the service id), so one key cannot replay onto another.
    """
    if key is None:
        return write()
    outcome = idempotency.begin(session, actor, key, operation, body.model_dump(mode="json"))
    if isinstance(outcome, idempotency.StoredAnswer):
        response.status_code = outcome.status_code
        response.headers[REPLAYED] = "true"
        return replay(outcome.body) if replay else outcome.body
    answer = write()
    idempotency.finish(session, outcome, status_code, answer.model_dump(mode="json"))
    return answer


def was_replayed(response: Response) -> bool:
    """After `once`: the answer was a retry's, so the route's work after the write is not done again."""
    return response.headers.get(REPLAYED) == "true"
