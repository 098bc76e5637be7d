"""Swagger UI (/docs) and ReDoc (/redoc) served from packaged assets, so they work offline and with no CDN.

The JavaScript and CSS come from the `fastapi-offline` package (a PyPI dependency, not committed here) and
are served under /static-docs; the pages are FastAPI's own, pointed at those files, without Google Fonts.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.staticfiles import StaticFiles

STATIC_URL = "/static-docs"


def assets_dir() -> Path:
    """Return the folder of the packaged Swagger UI and ReDoc files (from the fastapi-offline package)."""
    spec = find_spec("fastapi_offline")
    if spec is None or spec.origin is None:  # pragma: no cover - a declared dependency
        raise RuntimeError("the fastapi-offline package is missing: `uv sync` installs it")
    return Path(spec.origin).parent / "static"


def install(app: FastAPI) -> None:
    """Serve /docs, /docs/oauth2-redirect and /redoc from local assets (FastAPI's CDN pages are turned off)."""
    app.mount(STATIC_URL, StaticFiles(directory=assets_dir()), name="static-docs")
    openapi_url = app.openapi_url or "/openapi.json"
    redirect_url = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request):
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=root + openapi_url, title=f"{app.title} — Swagger UI",
            swagger_js_url=f"{root}{STATIC_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{STATIC_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{STATIC_URL}/favicon.png", oauth2_redirect_url=root + redirect_url,
            init_oauth=app.swagger_ui_init_oauth, swagger_ui_parameters=app.swagger_ui_parameters)

    @app.get(redirect_url, include_in_schema=False)
    async def swagger_ui_redirect():
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request):
        root = request.scope.get("root_path", "")
        return get_redoc_html(openapi_url=root + openapi_url, title=f"{app.title} — ReDoc",
                              redoc_js_url=f"{root}{STATIC_URL}/redoc.standalone.js",
                              redoc_favicon_url=f"{root}{STATIC_URL}/favicon.png", with_google_fonts=False)
