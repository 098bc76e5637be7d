"""Who may open a console page (signed in, by role), and rehearsing a write before it is confirmed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request
from sqlalchemy.orm import Session

from certbridge.api.deps import current_principal
from certbridge.errors import Forbidden, Unauthenticated
from certbridge.principal import Principal


def signed_in(request: Request) -> Principal:
    """Return the signed-in principal or send the browser to the sign-in page."""
    principal = current_principal(request)
    if principal.user_id is None:
        raise Unauthenticated("auth.required")
    return principal


def cb_operator(request: Request) -> Principal:
    """Return the signed-in certification-body operator, refusing anyone else."""
    principal = signed_in(request)
    if principal.role != "cb_operator" or principal.body_id is None:
        raise Forbidden("auth.cb_only")
    return principal


def regulator(request: Request) -> Principal:
    """Return the signed-in regulator (or admin), refusing anyone else."""
    principal = signed_in(request)
    if not principal.is_regulator:
        raise Forbidden("auth.regulator_only")
    return principal


@contextmanager
def rehearsal(request: Request) -> Iterator[Session]:
    """Run services in a transaction that is always rolled back: shows exactly what a write would do."""
    session = request.app.state.sessions()
    if session.get_bind().dialect.name == "sqlite":
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    try:
        yield session
    finally:
        session.rollback()
        session.close()
