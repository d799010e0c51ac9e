"""The clinicpay JSON API (and, under /portal/, the pages built on it)."""

from __future__ import annotations

from fastapi import FastAPI

from services.api.body_guard import BodyGuardMiddleware
from services.api.docs import install_docs
from services.api.errors import install_error_handlers
from services.api.middleware import RequestContextMiddleware
from services.api.openapi import install_openapi
from services.api.routes import ROUTERS
from shared.config import app_settings, check_settings
from shared.gc_tuning import freeze_startup_objects
from shared.logging import configure_logging
from shared.stripe_sync.api_version import log_pinned_api_version


def create_app() -> FastAPI:
    configure_logging()
    check_settings()
    log_pinned_api_version("api")
    settings = app_settings()
    app = FastAPI(
        title="clinicpay",
        version="1",
        description="Client invoicing and card payments for health and therapy practices.",
        docs_url=None,  # served by services/api/docs.py from local assets
    )
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    install_openapi(app)
    install_docs(app)
    # Bodies: read after sign-in, up to CLINICPAY_MAX_BODY_BYTES (or the route's own limit), within a deadline.
    app.add_middleware(
        BodyGuardMiddleware, max_body_bytes=settings.max_body_bytes, timeout_seconds=settings.body_timeout_seconds
    )
    app.add_middleware(RequestContextMiddleware)  # outermost: it sees (and logs) everything
    freeze_startup_objects()
    return app


app = create_app()
