"""Mount the pages: static files, page routers, HTML error pages and the cookie-session principal."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from certbridge.web.errors import install_error_pages
from certbridge.web.session import session_resolver

STATIC = Path(__file__).parent / "static"
# Page routers in mount order; each module exposes `router`.
PAGE_ROUTERS = (
    "certbridge.web.auth_pages",
    "certbridge.web.portal",
)


def install(app: FastAPI) -> None:
    """Install the web pages on the application."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for name in PAGE_ROUTERS:
        app.include_router(import_module(name).router)
    install_error_pages(app)
    app.state.session_principal = session_resolver
