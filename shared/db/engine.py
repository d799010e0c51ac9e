"""One engine per process; sessions never commit inside domain code.

The unit of work is `session_scope()`, and only the boundary opens one: the API's session
dependency per request (`services/api/deps.py`), `shared.jobs.transaction()` per step of a job,
the CLI per command (tests/lint/test_commit_boundary.py holds it). It sends the tasks enqueued
meanwhile (`shared/tasks/enqueue.py`) only after its COMMIT.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from shared.config import database_settings


@lru_cache
def get_engine() -> Engine:
    settings = database_settings()
    engine = create_engine(
        settings.url,
        pool_size=settings.pool_size,
        max_overflow=settings.pool_size,
        pool_pre_ping=True,
        pool_recycle=1800,
        # A dead database must fail a request quickly (503), not hang it.
        connect_args={"connect_timeout": 5},
        # An error's text never carries the values bound to its statement (names, emails,
        # service descriptions): errors end up in logs, and those values must not.
        hide_parameters=True,
    )
    return engine


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False, autoflush=True)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A unit of work: commit on success, roll back on error."""
    from shared.tasks.enqueue import discard_pending, flush_after_commit

    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        discard_pending()
        raise
    finally:
        session.close()
    flush_after_commit()


def reset_engine() -> None:
    """Forget the engine (tests that switch databases, forked processes)."""
    if get_engine.cache_info().currsize:
        get_engine().dispose(close=False)
    get_engine.cache_clear()
    get_sessionmaker.cache_clear()
