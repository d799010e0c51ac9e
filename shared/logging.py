"""One logging setup for every process: structlog, JSON off a terminal, console on one.

The stdlib bridge makes uvicorn's and Celery's own lines come out the same way,
and `merge_contextvars` puts request_id / group_id / task_id on every line.
"""

from __future__ import annotations

import logging
import os
import sys

import structlog

_SECRET_KEYS = {"password", "secret_key", "webhook_secret", "authorization", "access_token", "api_key", "card"}


def _redact_secrets(logger, method_name, event_dict):  # noqa: ANN001
    # A last line of defence: code should never pass these, but if it does they never reach a log.
    for key in list(event_dict):
        if key.lower() in _SECRET_KEYS:
            event_dict[key] = "[redacted]"
    return event_dict


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
    ]
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())

    structlog.configure(
        processors=[*shared_processors, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared_processors,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    *( [structlog.processors.format_exc_info] if json else [] ), renderer],
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
