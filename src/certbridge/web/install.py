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
    "certbridge.web.public_pages",
    "certbridge.web.directories",
    "certbridge.web.account",
    "certbridge.web.cb_issue",  # before console_cb: /cb/certificates/new is not a certificate id
    "certbridge.web.cb_import",
    "certbridge.web.console_cb",
    "certbridge.web.cb_lifecycle",
    "certbridge.web.console_regulator",
    "certbridge.web.regulator_registry",
    "certbridge.web.regulator_lists",
)


def install(app: FastAPI) -> None:
    """Install the web pages on the application."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for name in PAGE_ROUTERS:
        app.include_router(import_module(name).router)
    install_error_pages(app)
    app.state.session_principal = session_resolver
