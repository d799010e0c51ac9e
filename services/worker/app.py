"""The Celery worker and beat entry point: `celery -A services.worker.app worker|beat`."""

from __future__ import annotations

from celery.signals import setup_logging, worker_process_init

from services.worker.schedule import BEAT_SCHEDULE
from shared.db.engine import reset_engine
from shared.gc_tuning import freeze_startup_objects
from shared.logging import configure_logging
from shared.tasks.celery_app import celery_app

celery_app.conf.beat_schedule = BEAT_SCHEDULE
celery_app.autodiscover_tasks(["services.worker"], related_name="tasks", force=True)

import services.worker.tasks  # noqa: E402,F401  (registers every task)


@setup_logging.connect
def _configure_logging(**_):  # noqa: ANN001
    configure_logging()


@worker_process_init.connect
def _fresh_engine_in_child(**_):  # noqa: ANN001
    # A forked pool child must not share the parent's database sockets.
    reset_engine()


app = celery_app
freeze_startup_objects()  # here, in the parent: the pool's children fork from it
