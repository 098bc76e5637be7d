"""Date-driven status changes become events on time: the sweep at start-up and every day after.

`workflow.sweep_due` records what `effective_status.verdict` finds due (expiry, end of a suspension, a
standard's transition deadline, the end of the grace period after a body's revocation, overdue surveillance).
The app runs it in the background — once shortly after start-up (ten seconds, so it never competes with
the first answers) and then shortly after every local midnight. Reads never wait for it: the verdict is computed from dates, so a
certificate the sweep has not reached yet is already shown with the status the sweep will record.

One runner: on PostgreSQL a transaction-scoped advisory lock lets one process sweep while the others skip;
on SQLite writers queue, and the sweep re-reads each certificate under its lock, so a second run finds
nothing left to do. A day with nothing due costs two reads and takes no write lock.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import text

from certbridge.certificates.workflow import sweep_due, sweep_pending
from certbridge.db import read_session, write_session
from certbridge.kit.periodic import add_background, repeat

log = logging.getLogger(__name__)

START_DELAY_SECONDS = 10.0  # the first sweep scans every open certificate: not while the server starts
SWEEP_AFTER_MIDNIGHT = timedelta(minutes=5)  # leave the day's first minutes to anything scheduled at midnight
_LOCK_KEY = 0x63657274  # "cert": the advisory lock one PostgreSQL runner holds while it sweeps


def sweep_once(sessions, on: date | None = None) -> dict[str, int] | None:
    """Record the changes due by `on` (today) if there are any; return the counts, None if another runner had it."""
    on = on or date.today()
    with read_session(sessions) as session:
        if not sweep_pending(session, on=on):
            return {"expired": 0, "withdrawn": 0, "suspended": 0}
    with write_session(sessions) as session:
        if session.get_bind().dialect.name == "postgresql" and not session.execute(
                text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _LOCK_KEY}).scalar():
            return None
        return sweep_due(session, on=on)


def seconds_until_next_sweep(now: datetime) -> float:
    """Return the seconds from `now` (local time) to the next daily sweep."""
    target = datetime.combine(now.date() + timedelta(days=1), datetime.min.time()) + SWEEP_AFTER_MIDNIGHT
    if now < target - timedelta(days=1):
        target -= timedelta(days=1)
    return max((target - now).total_seconds(), 1.0)


def _sweep_and_log(app: FastAPI) -> None:
    counts = sweep_once(app.state.sessions)
    if counts and any(counts.values()):
        log.info("status sweep recorded %s", counts)


def install(app: FastAPI) -> None:
    """Sweep at start-up and daily in the background (app.state.status_sweep = False turns it off).

    The first sweep starts `app.state.status_sweep_delay` seconds after start-up (START_DELAY_SECONDS): let the
    server answer first, reads never need the sweep (see the module's docstring). A failed run is logged; the
    next one (or the verdict on read) covers the day.
    """
    app.state.status_sweep = True
    app.state.status_sweep_delay = START_DELAY_SECONDS

    async def run(application: FastAPI, stop) -> None:
        await repeat(stop, lambda: _sweep_and_log(application), first_delay=application.state.status_sweep_delay,
                     delay=lambda: seconds_until_next_sweep(datetime.now()), log=log, what="status sweep")

    add_background(app, run, enabled=lambda application: application.state.status_sweep, leader="status-sweep")
