"""Request dependencies of the ledger endpoints."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy.orm import Session

from certbridge.db import read_session
from certbridge.ledger.integrate import integrate_pending
from certbridge.replicas import checkpoint_signed


def integrated_read(request: Request) -> Iterator[Session]:
    """Integrate committed events first, then yield a read session that sees them.

    The background integrator usually got there already (this is then one cheap read); doing it here
    too means a proof is available the moment the write that made the event has returned.
    """
    if integrate_pending(request.app.state.sessions, settings=request.app.state.settings) is not None:
        checkpoint_signed(getattr(request.app.state, "replica", None))
    with read_session(request.app.state.sessions) as session:
        yield session


LedgerDB = Annotated[Session, Depends(integrated_read)]


def note_response(text: str, *, cache: str = "no-cache") -> PlainTextResponse:
    """Return a signed note as text/plain; charset=utf-8."""
    return PlainTextResponse(text, media_type="text/plain; charset=utf-8", headers={"Cache-Control": cache})
