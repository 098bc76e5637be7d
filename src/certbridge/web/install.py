"""Mount the page kit: static files, the language switch, the regulator dashboard and HTML error pages.

The capabilities' pages are mounted by their own install(app), listed once in app.py.
"""

from __future__ import annotations

from fastapi import FastAPI

from certbridge.api.routing import add_routes
from certbridge.web import api_docs, dashboard, language
from certbridge.web.errors import install_error_pages
from certbridge.web.static_assets import STATIC, HashedStaticFiles


def install(app: FastAPI) -> None:
    """Install the page kit on the application."""
    app.mount("/static", HashedStaticFiles(directory=STATIC), name="static")
    api_docs.install(app)
    add_routes(app, language.router)
    add_routes(app, dashboard.router)
    install_error_pages(app)
