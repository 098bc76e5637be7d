"""The daily full recompute: every subject's time windows move to today without waiting for an event.

A subject no event touches keeps the values of the day it was last computed, and some signals change with the
date alone — an annual report falls due (`late_report`), a suspension leaves its window. So the leader of
"risk-daily" (kit/leader.py: one process among all on one database) recomputes everything shortly after
start-up and then shortly after every local midnight, unless a full recompute already ran that day (the
regulator's, or another process's before it took over). It also rebuilds the risk state the events keep
(risk/state.py), so any drift is repaired daily. `app.state.risk_daily = False` (or
CERTBRIDGE_BACKGROUND_WORK=false) turns it off.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from fastapi import FastAPI

from certbridge.certificates.background import seconds_until_next_sweep
from certbridge.db import read_session
from certbridge.kit.periodic import add_background, repeat
from certbridge.principal import SYSTEM
from certbridge.risk.compute import recompute_in_chunks
from certbridge.risk.models import RiskCursor

log = logging.getLogger(__name__)

START_DELAY_SECONDS = 60.0  # a full recompute reads the whole register: not while the server starts


def recompute_daily(sessions, on: date | None = None) -> dict[str, int] | None:
    """Recompute every signal as of `on` (today), in short transactions, unless that day's full recompute already
    ran; return the counts (None: nothing to do). One runner: the leader of "risk-daily" (a regulator's recompute
    at the same time gives the same values)."""
    on = on or date.today()
    with read_session(sessions) as session:
        cursor = session.get(RiskCursor, 1)
        if cursor is not None and cursor.recomputed_on == on:
            return None
    return recompute_in_chunks(sessions, today=on, principal=SYSTEM)


def _recompute_and_log(app: FastAPI) -> None:
    counts = recompute_daily(app.state.sessions)
    if counts:
        log.info("daily risk recompute: %s", counts)


def install(app: FastAPI) -> None:
    """Recompute at start-up (after `app.state.risk_daily_delay` seconds) and daily, in the leader of
    "risk-daily"."""
    app.state.risk_daily = True
    app.state.risk_daily_delay = START_DELAY_SECONDS

    async def run(application: FastAPI, stop) -> None:
        await repeat(stop, lambda: _recompute_and_log(application), first_delay=application.state.risk_daily_delay,
                     delay=lambda: seconds_until_next_sweep(datetime.now()), log=log, what="daily risk recompute")

    add_background(app, run, enabled=lambda application: application.state.risk_daily, leader="risk-daily")
