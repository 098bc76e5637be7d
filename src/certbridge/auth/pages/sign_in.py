"""Sign in and sign out."""

from __future__ import annotations

from fastapi import Depends, Request

from certbridge.api.deps import client_ip, current_principal
from certbridge.api.routing import APIRouter
from certbridge.auth.lockout import LockoutPolicy, SignInLocked
from certbridge.auth.sessions import COOKIE, DEFAULT_HOURS, sign_in_guarded, sign_out
from certbridge.db import write_session
from certbridge.errors import Unauthenticated
from certbridge.web import i18n
from certbridge.web.csrf import require_csrf
from certbridge.web.forms import text
from certbridge.web.language import safe_next
from certbridge.web.posted import PostedForm
from certbridge.web.templating import cookie_secure, redirect, render, t

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

HOME_OF_ROLE = {"cb_operator": "/cb", "regulator": "/regulator", "admin": "/regulator", "lab_operator": "/lab",
                "applicant": "/licensing"}


def lockout_policy(settings) -> LockoutPolicy:
    """Return the per-account sign-in lockout the settings describe."""
    return LockoutPolicy(free=settings.sign_in_lockout_free, base_seconds=settings.sign_in_lockout_base_seconds,
                         max_seconds=settings.sign_in_lockout_max_seconds,
                         forget_seconds=settings.sign_in_lockout_forget_seconds)


@router.get("/login")
def login_form(request: Request, next: str | None = None):
    """Show the sign-in form."""
    return render(request, "login.html", {"next": safe_next(next, ""), "values": {}, "errors": {}})


@router.post("/login")
def login(request: Request, form: PostedForm):
    """Check the password, open a session and go where the user was heading."""
    username, password = text(form, "username"), form.get("password") or ""
    target = safe_next(text(form, "next"), "")
    settings = request.app.state.settings
    try:
        hours = int(getattr(settings, "session_hours", DEFAULT_HOURS))
        opened = sign_in_guarded(  # a plain def: already in the thread pool, off the event loop
            request.app.state.sessions, username=username, password=str(password),
            pepper=settings.resolved_secret_key().encode(), policy=lockout_policy(settings),
            client_ip=client_ip(request), hours=hours)
        role = opened.role
        request.state.audit_actor = f"user:{opened.user_id}:{opened.username}"
    except Unauthenticated as exc:
        message = exc.message(i18n.request_language(request))
        locked = isinstance(exc, SignInLocked)
        response = render(request, "login.html", {"next": target, "values": {"username": username},
                                                  "errors": {"password": message}, "general": message},
                          status_code=429 if locked else 401)
        if locked:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    response = redirect(request, target or HOME_OF_ROLE.get(role, "/"),
                        flash=t(request, "You are signed in."))
    response.set_cookie(COOKIE, opened.token, max_age=hours * 3600, httponly=True, samesite="lax",
                        secure=cookie_secure(request), path="/")
    return response


@router.post("/logout")
def logout(request: Request):
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
