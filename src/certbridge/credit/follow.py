"""Credit follows the log at once: after every successful write request, the events it recorded are scored.

The middleware runs when the response starts, after the request's transaction committed and before the ledger's
integrator (installed later, so outside it) hashes the new events — the `credit.class_changed` events made here,
under the request's actor, are integrated in the same pass. A request that recorded no event (a refusal, a
redirect to sign-in) changes nothing here.

Writes made outside the server's requests — the CLI, the daily status sweep, another server — are scored in the
background every `FOLLOW_SECONDS` (one cheap read when nothing is new; app.state.credit_follow_interval = None
turns it off), and also before every spot-check draw (`refresh_credit`) and by the monthly recompute.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI

from certbridge.credit.feed import credit_pending
from certbridge.credit.scoring import follow_events
from certbridge.db import read_session, write_session
from certbridge.kit.periodic import add_background, repeat
from certbridge.principal import SYSTEM, Principal
from certbridge.web.after_write import add_follower

log = logging.getLogger(__name__)
FOLLOW_SECONDS = 5.0  # between two background checks for events written outside this server's requests


def follow_now(app: FastAPI, principal: Principal | None = None) -> dict[str, int] | None:
    """Score the events not yet read into credit, in a transaction of its own. Never raises: logs instead.

    The class changes are recorded as the request's actor's (they are what that write caused).
    """
    try:
        with read_session(app.state.sessions) as session:
            if not credit_pending(session):  # a read first: most requests need no write transaction here
                return None
        with write_session(app.state.sessions) as session:
            return follow_events(session, principal=principal or SYSTEM)
    except Exception:  # the write already committed; the next write or the monthly recompute catches up
        log.exception("credit could not follow the log")
        return None


def install(app: FastAPI) -> None:
    """Add the middleware (before the ledger's integrator is installed, so it runs first) and the background
    follow-up of writes made elsewhere (every app.state.credit_follow_interval seconds; None turns it off)."""
    add_follower(app, follow_now)
    app.state.credit_follow_interval = FOLLOW_SECONDS

    async def run(application: FastAPI, stop) -> None:
        await repeat(stop, lambda: follow_now(application), first_delay=application.state.credit_follow_interval,
                     delay=lambda: application.state.credit_follow_interval, log=log, what="credit follow-up")

    add_background(app, run, enabled=lambda application: bool(application.state.credit_follow_interval),
                   leader="credit-follow")
