"""HTML error pages for browsers; the JSON API keeps its problem+json answers."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from certbridge.errors import DomainError, Unauthenticated
from certbridge.i18n.catalog import render as render_message
from certbridge.web.csrf import CsrfRefused
from certbridge.web.i18n import request_language
from certbridge.web.templating import render, t


def is_page(request: Request) -> bool:
    """Tell whether a request is for a page (not the JSON API, docs or static files)."""
    path = request.url.path
    return not (path.startswith("/api/") or path.startswith("/static/") or path in ("/openapi.json", "/docs",
                                                                                        "/redoc"))


def error_page(request: Request, status: int, detail: str):
    """Render the error page with a status, its title and what went wrong, in the user's language.

    Rendering may look up the sign-in session (the header shows who is signed in, forms carry its CSRF token):
    the handlers below call it through `_page`, in a worker thread, never on the event loop.
    """
    lang = request_language(request)
    return render(request, "error.html", {"status": status, "title": render_message(f"title.{status}", lang),
                                          "detail": detail}, status_code=status)


async def _page(request: Request, status: int, detail: str):
    return await run_in_threadpool(error_page, request, status, detail)


def install_error_pages(app: FastAPI) -> None:
    """Answer page requests with HTML error pages, delegating API requests to the problem+json handlers."""
    domain_json = app.exception_handlers[DomainError]
    http_json = app.exception_handlers[StarletteHTTPException]
    validation_json = app.exception_handlers[RequestValidationError]

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError):
        if not is_page(request):
            return await domain_json(request, exc)
        if isinstance(exc, Unauthenticated) and exc.code == "auth.required":
            here = request.url.path + (("?" + request.url.query) if request.url.query else "")
            return RedirectResponse("/login?next=" + quote(here, safe=""), status_code=303)
        return await _page(request, exc.status, exc.message(request_language(request)))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if not is_page(request):
            return await http_json(request, exc)
        code = {404: "not_found", 405: "method_not_allowed", 429: "rate_limited"}.get(exc.status_code, "http_error")
        return await _page(request, exc.status_code, render_message(code, request_language(request)))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        if not is_page(request):
            return await validation_json(request, exc)
        # A malformed id or query in a page address: nothing there to show.
        return await _page(request, 404, render_message("not_found", request_language(request)))

    @app.exception_handler(CsrfRefused)
    async def _csrf(request: Request, exc: CsrfRefused):
        message = t(request, "This form has expired or did not come from this site, so nothing was changed. "
                             "Go back, reload the page and submit it again.")
        return await _page(request, 403, message)
