"""FastAPI dependencies: the request owns the transaction; the principal comes from an API key or session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.orm import Session

from certbridge.audit.service import (
    RequestFacts,
    appended_seqs,
    facts_from_scope,
    record_attempt,
    track_ledger_appends,
)
from certbridge.api.query import scope_language
from certbridge.auth.service import authenticate_api_key
from certbridge.db import read_session, write_session
from certbridge.replicas import public_read_session
from certbridge.policy import require_authenticated
from certbridge.principal import ANONYMOUS, Principal


def client_ip(request: Request) -> str | None:
    """Return the client address (as the security middleware resolved it behind trusted proxies)."""
    resolved = getattr(request.state, "client_ip", None)
    if resolved:
        return resolved
    return request.client.host if request.client else None


def request_facts(request: Request) -> RequestFacts:
    """Return what the audit trail keeps about a request: never its body, query string or credentials."""
    return facts_from_scope(request.scope)


def db_read(request: Request) -> Iterator[Session]:
    """Yield a read-only session for this request: on the replica for a public read it may serve.

    With a replica configured (security/read_routing.py marks the public reads), the request's state says where
    it read (`read_from`) and the latest checkpoint that database holds (`checkpoint`), for the answer's headers.
    """
    needs = getattr(request.state, "replica_needs", None)
    if needs is None:
        with read_session(request.app.state.sessions) as session:
            yield session
        return
    replica = request.app.state.replica
    session = public_read_session(replica, needs)
    request.state.read_from = source = "primary" if session is None else "replica"
    with read_session(request.app.state.sessions if session is None else lambda: session) as session:
        request.state.checkpoint = replica.checkpoint_for(source, session)  # remembered, see certbridge.replicas
        yield session


def authenticated_principal(request: Request) -> Principal:
    """Return the caller, refusing anonymous ones before the body is even read (401, not 422)."""
    principal = current_principal(request)
    require_authenticated(principal)
    return principal


def db_write(request: Request, _caller: Annotated[Principal, Depends(authenticated_principal)]) -> Iterator[Session]:
    """Yield a session whose transaction commits, with its audit record, before the response is sent.

    Every writing route needs a signed-in caller: an anonymous one is refused before a transaction is opened,
    so a flood of anonymous writes never takes the database's write lock (only its audit records do).
    """
    with write_session(request.app.state.sessions) as session:
        track_ledger_appends(session)
        rolled_back = []
        event.listen(session, "after_soft_rollback",
                     lambda _s, previous: None if previous.nested else rolled_back.append(True))
        yield session
        audited = not rolled_back  # a route that rolled back on purpose (a refused import) is audited outside
        if audited:
            record_attempt(session, facts=request_facts(request), principal=getattr(request.state, "principal", None),
                           action="write", outcome="success", seqs=appended_seqs(session))
    request.state.audit_recorded = audited  # only once the commit went through


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


def language(request: Request) -> str:
    """Return the caller's language: ?lang=, then the lang cookie, then Accept-Language."""
    return scope_language(request.scope, request.query_params, request.app.state.settings.default_language)


ReadDB = Annotated[Session, Depends(db_read)]
# scope="function": the transaction commits (or fails) before the response leaves, so a client never sees
# success for a write that was not committed, and reads its own writes at once.
WriteDB = Annotated[Session, Depends(db_write, scope="function")]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
AuthedPrincipal = Annotated[Principal, Depends(authenticated_principal)]
Lang = Annotated[str, Depends(language)]
