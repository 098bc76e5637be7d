"""Risk follows the log at once: after every successful write request, the subjects its events touch are
recomputed (`compute.follow_log`), in a transaction of its own, like credit's follower (credit/follow.py).

Installed after credit's follower so it reads the credit facts of the same request. Writes made outside the
app (the CLI) are folded in by the next write request, and a full recompute (the regulator's "recompute every
signal", POST /regulator/risk/recompute) moves every time window to today.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from certbridge.credit.follow import current_log_size
from certbridge.db import read_session, write_session
from certbridge.principal import SYSTEM, Principal
from certbridge.risk.compute import follow_log, risk_pending

log = logging.getLogger(__name__)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def follow_now(app: FastAPI, principal: Principal | None = None) -> dict[str, int] | None:
    """Fold the events not yet read into the risk signals. Never raises: logs instead.

    The warnings raised are recorded as the request's actor's (they are what that write caused).
    """
    try:
        with read_session(app.state.sessions) as session:
            if not risk_pending(session):
                return None
        with write_session(app.state.sessions) as session:
            return follow_log(session, principal=principal or SYSTEM)
    except Exception:  # the write already committed; the next write or the recompute catches up
        log.exception("risk could not follow the log")
        return None


class RiskAfterWrite:
    """ASGI middleware: after a successful write, recompute the signals its events touch."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        application = scope["app"]
        size = await run_in_threadpool(current_log_size, application)

        async def send_after_following(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400 and size is not None:
                if await run_in_threadpool(current_log_size, application) != size:  # the request recorded events
                    principal = scope.get("state", {}).get("principal")
                    await run_in_threadpool(follow_now, application, principal)
            await send(message)

        await self.app(scope, receive, send_after_following)


def install(app: FastAPI) -> None:
    """Add the middleware (after credit's follower, before the ledger's integrator)."""
    app.add_middleware(RiskAfterWrite)
