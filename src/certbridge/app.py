"""The application factory: builds engine, routers and handlers from settings; nothing at import time."""

from __future__ import annotations

from contextlib import asynccontextmanager
from importlib import import_module

from fastapi import FastAPI

from certbridge.api.problems import install_problem_handlers
from certbridge.db import make_engine, make_sessionmaker
from certbridge.settings import Settings

# Each capability contributes a router; order is the order of the OpenAPI document.
API_ROUTERS = (
    "certbridge.certificates.api",
    "certbridge.registry.api",
    "certbridge.auth.api",
    "certbridge.audit.api",
    "certbridge.ledger.api",
    "certbridge.credentials.api",
    "certbridge.supervision.api",
    "certbridge.credit.api",
    "certbridge.licensing.api",
)
# Capabilities that need more than a router (pages, static files, middleware) expose install(app).
INSTALLERS: tuple[str, ...] = ("certbridge.security.install", "certbridge.web.install", "certbridge.supervision.pages", "certbridge.credit.pages", "certbridge.ledger.background")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the certbridge application for one instance."""
    settings = settings or Settings()
    settings.ensure_data_dir()
    engine = make_engine(settings.resolved_database_url(), busy_timeout_ms=settings.sqlite_busy_timeout_ms)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        held = getattr(app.state, "verify_connection", None)  # see certificates.api.loop_connection
        if held:
            held.close()
        readers = getattr(app.state, "verify_readers", None)  # see certificates.api.loop_readers
        if readers is not None:
            readers.close()
        engine.dispose()

    app = FastAPI(
        title="certbridge API",
        version="1",
        description=(
            "认证认可信息公开平台 — verify certificates, read the registries, and (with an API key) issue and "
            "maintain certificates. Errors are application/problem+json in Chinese (default) or English "
            "(Accept-Language: en). Lists paginate with an opaque `cursor`."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine)
    install_problem_handlers(app)
    for name in API_ROUTERS:
        app.include_router(import_module(name).router)
    for name in INSTALLERS:
        import_module(name).install(app)
    return app
