"""The clinicpay JSON API (and, under /portal/, the pages built on it)."""

from __future__ import annotations

from fastapi import FastAPI

from services.api.errors import install_error_handlers
from services.api.middleware import RequestContextMiddleware
from services.api.openapi import install_openapi
from services.api.routes import ROUTERS
from shared.config import app_settings
from shared.gc_tuning import freeze_startup_objects
from shared.logging import configure_logging


def create_app() -> FastAPI:
    configure_logging()
    app_settings().check_for_production()
    app = FastAPI(title="clinicpay", version="1",
                  description="Client invoicing and card payments for health and therapy practices.")
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    install_openapi(app)
    app.add_middleware(RequestContextMiddleware)
    freeze_startup_objects()
    return app


app = create_app()
