"""The Celery worker and beat entry point: `celery -A services.worker.app worker|beat`."""

from __future__ import annotations

from celery.signals import beat_init, setup_logging, worker_process_init, worker_ready

from services.worker.schedule import BEAT_SCHEDULE
from shared.config import check_settings
from shared.db.engine import reset_engine
from shared.gc_tuning import freeze_startup_objects
from shared.logging import configure_logging
from shared.stripe_sync.api_version import log_pinned_api_version
from shared.tasks.celery_app import celery_app

check_settings()  # the worker and beat refuse to start on settings that cannot be right
celery_app.conf.beat_schedule = BEAT_SCHEDULE
celery_app.autodiscover_tasks(["services.worker"], related_name="tasks", force=True)

import services.worker.tasks  # noqa: E402,F401  (registers every task)


@setup_logging.connect
def _configure_logging(**_):
    configure_logging()


@worker_ready.connect
def _log_api_version_worker(**_):
    log_pinned_api_version("worker")  # once, in the parent (the pool's children do not send worker_ready)


@beat_init.connect
def _log_api_version_beat(**_):
    log_pinned_api_version("beat")


@worker_process_init.connect
def _fresh_engine_in_child(**_):
    # A forked pool child must not share the parent's database sockets.
    reset_engine()


app = celery_app
freeze_startup_objects()  # here, in the parent: the pool's children fork from it
