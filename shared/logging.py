"""One logging setup for every process: structlog, JSON off a terminal, console on one.

The stdlib bridge makes uvicorn's and Celery's own lines come out the same way,
and `merge_contextvars` puts request_id / group_id / task_id on every line.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback

import structlog

_SECRET_KEYS = {"password", "secret_key", "webhook_secret", "authorization", "access_token", "api_key", "card"}


def _redact_secrets(logger, method_name, event_dict):
    # A last line of defence: code should never pass these, but if it does they never reach a log.
    for key in list(event_dict):
        if key.lower() in _SECRET_KEYS:
            event_dict[key] = "[redacted]"
    return event_dict


def _database_error_without_values(logger, method_name, event_dict):
    """A database error's text carries the values bound to its statement in PostgreSQL's own words
    (`invalid input syntax for type uuid: "<value>"`, `Key (email)=(<value>) already exists`): names,
    emails, service descriptions. Logged with a traceback, it is reduced to its class, SQLSTATE and
    the frames it passed through — never its message."""
    exc_info = event_dict.get("exc_info")
    if exc_info is True:
        exc_info = sys.exc_info()
    elif isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    if not isinstance(exc_info, tuple) or exc_info[1] is None:
        return event_dict
    exc = exc_info[1]
    seen = exc
    while seen is not None and not _is_database_error(seen):
        seen = seen.__cause__ or seen.__context__
    if seen is None:
        return event_dict
    event_dict.pop("exc_info")
    orig = getattr(seen, "orig", None) or seen
    event_dict["error"] = type(orig).__name__
    event_dict["sqlstate"] = getattr(orig, "sqlstate", None)
    frames = traceback.extract_tb(exc.__traceback__)[-8:]
    event_dict["where"] = " <- ".join(f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno} {f.name}" for f in reversed(frames))
    return event_dict


def _is_database_error(exc: BaseException) -> bool:
    module = type(exc).__module__
    return module.startswith(("sqlalchemy.", "psycopg", "asyncpg"))


def configure_logging(level: str | None = None, *, json: bool | None = None) -> None:
    level = level or os.environ.get("CLINICPAY_LOG_LEVEL", "INFO")
    if json is None:
        forced = os.environ.get("CLINICPAY_LOG_FORMAT")
        json = forced == "json" if forced else not sys.stderr.isatty()

    shared_processors = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact_secrets,
        _database_error_without_values,
    ]
    renderer = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )

    structlog.configure(
        processors=[*shared_processors, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared_processors,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *([structlog.processors.format_exc_info] if json else []),
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "celery", "celery.task", "celery.worker"):
        lib_logger = logging.getLogger(name)
        if name == "uvicorn.access" and not lib_logger.handlers and not lib_logger.propagate:
            # `--no-access-log` leaves it so (uvicorn decides per request by `hasHandlers()`):
            # re-enabling propagation would log every request again, at a cost the receiver
            # measured as ~1/6 of its request path. The API logs its own `http_request` line.
            continue
        lib_logger.handlers[:] = []
        lib_logger.propagate = True
    # The Stripe SDK logs request bodies at debug level; keep it quiet.
    logging.getLogger("stripe").setLevel(logging.WARNING)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)
