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


# Never echoed back into a page after a refusal.
NOT_ECHOED = ("csrf_token", "password", "new_password", "current_password", "secret")


def form_echo(form: Any) -> dict[str, str]:
    """Return what the user typed in a form, to fill it back in after a refusal (no token, no password)."""
    if form is None:
        return {}
    return {key: value for key, value in form.items()
            if isinstance(value, str) and value and not any(word in key for word in NOT_ECHOED)}


def error_field(exc: DomainError, form: dict[str, str], fields: dict[str, str] | None = None) -> str | None:
    """Return the form input a domain error is about: a mapped name, the name itself, or its last part."""
    name = exc.field
    if not name:
        return None
    if fields and name in fields:
        return fields[name]
    if name in form:
        return name
    tail = name.rsplit(".", 1)[-1]
    return tail if tail in form else name


def form_done(request: Request, url: str, exc: DomainError | None = None, form: Any = None,
              fields: dict[str, str] | None = None, success: str | None = None, kind: str = "success"):
    """Redirect after a form: "done" (or ``success``), or the domain error as a flash; a refusal is raised.

    Give the submitted ``form`` so a refused form comes back filled in, with the message next to the field
    the error names (``fields`` maps a service's field name to the form's input name where they differ).
    """
    if isinstance(exc, REFUSALS):
        raise exc
    lang = page_language(request)
    if exc is not None:
        echo = form_echo(form)
        return templating.redirect(request, url, flash=exc.message(lang), kind="error", form=echo,
                                   field=error_field(exc, echo, fields), action=request.url.path)
    return templating.redirect(request, url, flash=success or message("ui.done", lang), kind=kind)


def form_problems(request: Request, url: str, problems: dict[str, str], form: Any = None):
    """Redirect after a form whose input failed validation: every message, each also next to its field."""
    return templating.redirect(request, url, flash="；".join(problems.values()), kind="error",
                               form=form_echo(form), fields=problems, action=request.url.path)
