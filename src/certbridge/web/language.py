"""The language switch: remember Chinese or English in a cookie and go back to the page the user was on."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse

from certbridge.api.routing import APIRouter
from certbridge.web import i18n
from certbridge.web.templating import LANG_COOKIE_DAYS, cookie_secure

router = APIRouter(include_in_schema=False)


def safe_next(value: str | None, default: str = "/") -> str:
    """Return a local path to go back to, refusing anything that leaves this site."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


@router.get("/lang/{code}")
def switch_language(code: str, request: Request, next: str | None = None):
    """Remember a language in a cookie and go back to the page the user was on."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in ("zh", "en"):
        response.set_cookie(i18n.COOKIE, code, max_age=LANG_COOKIE_DAYS * 86400, samesite="lax",
                            secure=cookie_secure(request), path="/")
    return response
