"""CSRF protection on every form: a token tied to the sign-in session, or signed double-submit when anonymous.

Signed in: token = HMAC(key, "session|" + session cookie value) — a synchronizer token nobody can compute
without the cookie. Anonymous (fake-certificate report, login form): a random `cb_csrf` cookie and
token = HMAC(key, "anon|" + that cookie); a cross-site page can neither read the cookie nor forge the token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request
from starlette.concurrency import run_in_threadpool

SESSION_COOKIE = "cb_session"  # the sign-in cookie (auth.sessions sets it; the kit only reads it)
ANON_COOKIE = "cb_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class CsrfRefused(Exception):
    """A state-changing request without a valid CSRF token."""


def _key(request: Request) -> bytes:
    return request.app.state.settings.resolved_secret_key().encode()


def _sign(request: Request, purpose: str, value: str) -> str:
    return hmac.new(_key(request), f"{purpose}|{value}".encode(), hashlib.sha256).hexdigest()


def anonymous_seed(request: Request) -> str:
    """Return this browser's anonymous CSRF cookie value, creating one for this response if needed."""
    seed = getattr(request.state, "csrf_seed", None) or request.cookies.get(ANON_COOKIE)
    if not seed or len(seed) > 100:
        seed = secrets.token_urlsafe(24)
        request.state.csrf_seed_new = True
    request.state.csrf_seed = seed
    return seed


def live_session_id(request: Request) -> int | None:
    """Return the id of the request's live sign-in session, as the installed sign-in capability says (else None)."""
    resolve = getattr(request.app.state, "session_id_of", None)
    return resolve(request) if resolve is not None else None


def csrf_token(request: Request) -> str:
    """Return the token forms on this page must carry."""
    session_token = request.cookies.get(SESSION_COOKIE)
    if session_token and live_session_id(request) is not None:
        return _sign(request, "session", session_token)
    return _sign(request, "anon", anonymous_seed(request))


def _expected(request: Request) -> list[str]:
    out = []
    session_token = request.cookies.get(SESSION_COOKIE)
    if session_token and live_session_id(request) is not None:
        out.append(_sign(request, "session", session_token))
    else:
        seed = request.cookies.get(ANON_COOKIE)
        if seed and len(seed) <= 100:
            out.append(_sign(request, "anon", seed))
    return out


async def require_csrf(request: Request) -> None:
    """Refuse a POST (or other unsafe method) whose form field or header lacks the right token."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(HEADER)
    if not sent:
        form = await request.form()
        value = form.get(FIELD)
        sent = value if isinstance(value, str) else None
    # Which tokens are right depends on the sign-in session, looked up in the database: off the event loop.
    expected = await run_in_threadpool(_expected, request) if request.cookies.get(SESSION_COOKIE) else \
        _expected(request)
    if not sent or not any(hmac.compare_digest(sent, exp) for exp in expected):
        raise CsrfRefused()


def set_anonymous_cookie(request: Request, response, *, secure: bool) -> None:
    """Send the anonymous CSRF cookie if this request minted one."""
    if getattr(request.state, "csrf_seed_new", False):
        response.set_cookie(ANON_COOKIE, request.state.csrf_seed, httponly=True, samesite="lax", secure=secure,
                            path="/")
