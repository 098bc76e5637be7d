"""Risk follows the log at once: after every successful write request, the subjects its events touch are
recomputed (`compute.follow_log`), in a transaction of its own, like credit's follower (credit/follow.py).

Installed after credit's follower so it reads the credit facts of the same request. Writes made outside the
app (the CLI) are folded in by the next write request, and a full recompute (the regulator's "recompute every
signal", POST /regulator/risk/recompute) moves every time window to today.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI

from certbridge.db import read_session, write_session
from certbridge.principal import SYSTEM, Principal
from certbridge.risk.compute import follow_log, risk_pending
from certbridge.web.after_write import add_follower

log = logging.getLogger(__name__)


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


def install(app: FastAPI) -> None:
    """Follow every successful write (after credit, in the one after-write middleware of web/after_write.py)."""
    add_follower(app, follow_now)
