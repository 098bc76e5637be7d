"""Sign in, sign out and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from certbridge.api.deps import client_ip, current_principal
from certbridge.db import write_session
from certbridge.errors import Unauthenticated
from certbridge.web import i18n
from certbridge.web.csrf import require_csrf
from certbridge.web.forms import text
from certbridge.web.session import COOKIE, DEFAULT_HOURS, sign_in, sign_out
from certbridge.web.templating import LANG_COOKIE_DAYS, cookie_secure, redirect, render, t

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

HOME_OF_ROLE = {"cb_operator": "/cb", "regulator": "/regulator", "admin": "/regulator"}


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


@router.get("/login")
def login_form(request: Request, next: str | None = None):
    """Show the sign-in form."""
    return render(request, "login.html", {"next": safe_next(next, ""), "values": {}, "errors": {}})


@router.post("/login")
async def login(request: Request):
    """Check the password, open a session and go where the user was heading."""
    form = await request.form()
    username, password = text(form, "username"), form.get("password") or ""
    target = safe_next(text(form, "next"), "")
    try:
        hours = int(getattr(request.app.state.settings, "session_hours", DEFAULT_HOURS))
        with write_session(request.app.state.sessions) as db:
            signed = sign_in(db, username=username, password=str(password), client_ip=client_ip(request),
                             hours=hours)
            role = signed.user.role
            request.state.audit_actor = f"user:{signed.user.id}:{signed.user.username}"
    except Unauthenticated as exc:
        message = exc.message(i18n.request_language(request))
        return render(request, "login.html", {"next": target, "values": {"username": username},
                                              "errors": {"password": message}, "general": message},
                      status_code=401)
    response = redirect(request, target or HOME_OF_ROLE.get(role, "/"),
                        flash=t(request, "You are signed in."))
    response.set_cookie(COOKIE, signed.token, max_age=hours * 3600, httponly=True, samesite="lax",
                        secure=cookie_secure(request), path="/")
    return response


@router.post("/logout")
async def logout(request: Request):
    """Revoke the session on the server and forget the cookie."""
    token = request.cookies.get(COOKIE)
    principal = current_principal(request)
    if token and principal.user_id is not None:
        request.state.audit_actor = principal.actor
        with write_session(request.app.state.sessions) as db:
            sign_out(db, principal=principal, token=token)
    response = redirect(request, "/", flash=t(request, "You are signed out."))
    response.delete_cookie(COOKIE, path="/")
    return response
