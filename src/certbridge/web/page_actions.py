"""What every capability's page module (supervision, credit …) needs to answer a page or a form the same way."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from certbridge.errors import DomainError, Forbidden, NotFound, Unauthenticated
from certbridge.i18n.catalog import render as message
from certbridge.web import csrf, i18n, templating

# Refusals are answered with their status (a 403/404 page), never flashed over a redirect.
REFUSALS = (Forbidden, Unauthenticated, NotFound)


async def require_form_token(request: Request) -> None:
    """Refuse a form sent without this session's CSRF token."""
    await csrf.require_csrf(request)


def page_language(request: Request) -> str:
    """Return the language the page is shown in."""
    return i18n.request_language(request)


def render_page(request: Request, template: str, **context: Any):
    """Render a template of the web shell with its context."""
    return templating.render(request, template, context)


def form_done(request: Request, url: str, exc: DomainError | None = None):
    """Redirect after a form: "done", or the domain error as a flash; a refusal is raised to answer 403/404."""
    if isinstance(exc, REFUSALS):
        raise exc
    lang = page_language(request)
    if exc is not None:
        return templating.redirect(request, url, flash=exc.message(lang), kind="error")
    return templating.redirect(request, url, flash=message("ui.done", lang))
