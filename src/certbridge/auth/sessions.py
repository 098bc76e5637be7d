"""Server-side sign-in sessions: a random cookie value, only its SHA-256 stored, revoked on logout."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from certbridge.auth.lockout import LockoutPolicy, SignInLocked, account_key, check_not_locked, record_failure, \
    record_success
from certbridge.auth.models import User, WebSession
from certbridge.auth.service import authenticate_password, principal_for
from certbridge.db import read_session, utcnow, write_session
from certbridge.errors import Forbidden, Unauthenticated
from certbridge.ledger.journal import record_event
from certbridge.principal import Principal
from certbridge.web.csrf import SESSION_COOKIE
from certbridge.web.slots import notify_slot

COOKIE = SESSION_COOKIE  # one name, declared by the page kit that reads it for CSRF
DEFAULT_HOURS = 12


@dataclass(frozen=True)
class SignedIn:
    """A new session: the cookie value is returned once and never stored."""

    session: WebSession
    user: User
    token: str


def token_hash(token: str) -> str:
    """Return the stored form of a session cookie value."""
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(session: Session, *, username: str, password: str, client_ip: str | None = None,
            hours: int = DEFAULT_HOURS, now: datetime | None = None) -> SignedIn:
    """Check a password and open a session; record the sign-in without any secret."""
    user = authenticate_password(session, username, password)
    return open_session(session, user, client_ip=client_ip, hours=hours, now=now)


def open_session(session: Session, user: User, *, client_ip: str | None = None, hours: int = DEFAULT_HOURS,
                 now: datetime | None = None) -> SignedIn:
    """Open a session for a user whose password was checked; record the sign-in without any secret."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    item = WebSession(token_hash=token_hash(token), user_id=user.id, created_at=now,
                      expires_at=now + timedelta(hours=hours))
    # Rows of sessions that ended a week ago are no use to anyone: drop this user's.
    session.execute(delete(WebSession).where(WebSession.user_id == user.id,
                                             WebSession.expires_at < now - timedelta(days=7)))
    session.add(item)
    session.flush()
    record_event(session, type="web.signed_in", subject_type="user", subject_id=user.id,
                 actor=principal_for(user).actor, public=False,
                 data={"state": {"session": item.id, "expires_at": item.expires_at}, "client_ip": client_ip})
    return SignedIn(item, user, token)


@dataclass(frozen=True)
class Opened:
    """What the sign-in page needs once the transaction is over: the cookie value and who signed in."""

    token: str
    user_id: int
    username: str
    role: str


def sign_in_guarded(sessions, *, username: str, password: str, pepper: bytes, policy: LockoutPolicy,
                    client_ip: str | None = None, hours: int = DEFAULT_HOURS) -> Opened:
    """Sign in under the per-account lockout (auth/lockout.py); blocking: run it in a worker thread.

    The password (argon2, ~0.1 s) is checked outside any write transaction; the lock is checked before it and
    again in the transaction that opens the session, so a lock set meanwhile still refuses the right password.
    """
    key = account_key(username, pepper)
    with read_session(sessions) as db:
        check_not_locked(db, key)
        try:
            user_id = authenticate_password(db, username, password).id
        except Unauthenticated:
            user_id = None
    with write_session(sessions) as db:
        if user_id is None:
            now = utcnow()
            locked = record_failure(db, key, policy, now=now)
        else:
            check_not_locked(db, key)
            record_success(db, key)
            user = db.get(User, user_id)
            signed = open_session(db, user, client_ip=client_ip, hours=hours)
            opened = Opened(signed.token, user.id, user.username, user.role)
    if user_id is None:
        if locked:
            raise SignInLocked(now + timedelta(seconds=locked), now)
        raise Unauthenticated("auth.bad_credentials")
    return opened


def find_session(session: Session, token: str | None, *, now: datetime | None = None) -> WebSession | None:
    """Return the live session behind a cookie value, or None if unknown, expired or revoked."""
    if not token or len(token) > 200:
        return None
    item = session.scalar(select(WebSession).where(WebSession.token_hash == token_hash(token)))
    now = now or utcnow()
    if item is None or item.revoked_at is not None or item.expires_at <= now:
        return None
    return item


def sign_out(session: Session, *, principal: Principal, token: str) -> WebSession | None:
    """Revoke the session behind a cookie value and drop its staged uploads; record the sign-out."""
    item = find_session(session, token)
    if item is None:
        return None
    if item.user_id != principal.user_id:
        raise Forbidden("auth.forbidden")
    item.revoked_at = utcnow()
    notify_slot("session.ended", session=session, session_id=item.id)
    session.flush()
    record_event(session, type="web.signed_out", subject_type="user", subject_id=item.user_id,
                 actor=principal.actor, public=False,
                 data={"state": {"session": item.id, "revoked_at": item.revoked_at}})
    return item


def principal_from_request(request) -> Principal | None:
    """Return the signed-in user's principal from the session cookie (what api.deps consults)."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    cached = getattr(request.state, "web_session", None)
    if cached is not None:
        return cached[1]
    with read_session(request.app.state.sessions) as db:
        item = find_session(db, token)
        if item is None:
            return None
        user = db.get(User, item.user_id)
        if user is None or not user.active:
            return None
        # the address the security middleware resolved (forwarded headers only from trusted proxies)
        client = getattr(request.state, "client_ip", None) or (request.client.host if request.client else None)
        principal = principal_for(user, client_ip=client)
        # read inside the session: its closing rollback expires every loaded attribute
        request.state.web_session = (item.id, principal, user.display_name)
    return principal


def session_resolver(request) -> Principal | None:
    """Resolve a cookie session for pages; the JSON API accepts it only for reads (writes need an API key)."""
    if request.url.path.startswith("/api/") and request.method not in ("GET", "HEAD", "OPTIONS"):
        return None
    return principal_from_request(request)


def current_session_id(request) -> int | None:
    """Return the id of the request's live session, if any."""
    principal_from_request(request)
    cached = getattr(request.state, "web_session", None)
    return cached[0] if cached else None


def display_name(request) -> str | None:
    """Return the signed-in user's display name, if any."""
    principal_from_request(request)
    cached = getattr(request.state, "web_session", None)
    return cached[2] if cached else None
