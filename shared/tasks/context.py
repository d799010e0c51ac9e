"""Carry the HTTP request id into Celery tasks and bind it on the worker's log lines."""

from __future__ import annotations

import structlog
from celery.signals import before_task_publish, task_postrun, task_prerun

REQUEST_ID_HEADER = "clinicpay_request_id"


@before_task_publish.connect
def _add_request_id_header(headers=None, **_):
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if headers is not None and request_id:
        headers[REQUEST_ID_HEADER] = request_id


@task_prerun.connect
def _bind_task_context(task_id=None, task=None, **_):
    structlog.contextvars.clear_contextvars()
    request_id = getattr(task.request, REQUEST_ID_HEADER, None) if task else None
    if request_id is None and task is not None:
        request_id = (task.request.headers or {}).get(REQUEST_ID_HEADER) if task.request.headers else None
    structlog.contextvars.bind_contextvars(task_id=task_id, task=task.name if task else None, request_id=request_id)


@task_postrun.connect
def _clear_task_context(**_):
    structlog.contextvars.clear_contextvars()
