"""FastAPI dependencies: the request owns the transaction; the principal comes from an API key or session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from certbridge.auth.service import authenticate_api_key
from certbridge.db import read_session, write_session
from certbridge.i18n.catalog import pick_language
from certbridge.policy import require_authenticated
from certbridge.principal import ANONYMOUS, Principal


def client_ip(request: Request) -> str | None:
    """Return the client address as the server saw it."""
    return request.client.host if request.client else None


def db_read(request: Request) -> Iterator[Session]:
    """Yield a read-only session for this request."""
    with read_session(request.app.state.sessions) as session:
        yield session


def db_write(request: Request) -> Iterator[Session]:
    """Yield a session whose transaction commits when the request succeeds."""
    with write_session(request.app.state.sessions) as session:
        yield session


def current_principal(request: Request) -> Principal:
    """Return who is calling: an API key (Authorization: Bearer or X-API-Key), a signed-in user, or anonymous."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else request.headers.get("x-api-key")
    principal = ANONYMOUS
    if token:
        with read_session(request.app.state.sessions) as session:
            principal = authenticate_api_key(session, token, client_ip=client_ip(request))
    else:
        resolver = getattr(request.app.state, "session_principal", None)
        if resolver is not None:
            principal = resolver(request) or ANONYMOUS
    request.state.principal = principal
    return principal


def authenticated_principal(request: Request) -> Principal:
    """Return the caller, refusing anonymous ones before the body is even read (401, not 422)."""
    principal = current_principal(request)
    require_authenticated(principal)
    return principal


def language(request: Request) -> str:
    """Return the caller's language: ?lang=, then the lang cookie, then Accept-Language."""
    lang = request.query_params.get("lang") or request.cookies.get("lang")
    if lang in ("zh", "en"):
        return lang
    return pick_language(request.headers.get("accept-language"), request.app.state.settings.default_language)


ReadDB = Annotated[Session, Depends(db_read)]
WriteDB = Annotated[Session, Depends(db_write)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
AuthedPrincipal = Annotated[Principal, Depends(authenticated_principal)]
Lang = Annotated[str, Depends(language)]
