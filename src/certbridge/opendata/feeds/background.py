"""The deliverer: one background task per process that queues deliveries from the log and sends what is due,
and builds the day's bulk files shortly after local midnight.

It follows certificates/background.py: started and stopped with the app's lifespan, all database work in a
worker thread (never on the event loop), every failure logged and retried on the next round. State lives in
the database (each watch's cursor, each delivery's attempts), so a restart resumes where the last process
stopped; several processes may run it (queueing takes an advisory lock, sends are claimed row by row).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime

import httpx
from fastapi import FastAPI

from certbridge.certificates.background import seconds_until_next_sweep
from certbridge.kit.lazy_http import LazyClient
from certbridge.kit.periodic import add_background, repeat
from certbridge.opendata.feeds.bulk_build import build_daily
from certbridge.opendata.feeds.queueing import queue_pending
from certbridge.opendata.feeds.sending import send_due

log = logging.getLogger(__name__)


def deliver_once(app: FastAPI, http: httpx.Client) -> int:
    """Queue what the log holds for every watch and send what is due; return the deliveries that went through."""
    queue_pending(app.state.sessions)
    return send_due(app.state.sessions, settings=app.state.settings, http=http)


async def _deliver(app: FastAPI, stop: asyncio.Event) -> None:
    settings = app.state.settings
    with LazyClient(timeout=settings.feeds_webhook_timeout_seconds, follow_redirects=False) as http:
        # never takes the app down: the cursor and the attempts are in the database
        await repeat(stop, lambda: deliver_once(app, http), delay=lambda: settings.feeds_poll_seconds, log=log,
                     what="feed delivery pass")


async def _daily_files(app: FastAPI, stop: asyncio.Event) -> None:
    # a failed day is logged; the CLI (`certbridge bulk-files`) builds a missed day
    await repeat(stop, lambda: build_daily(app.state.sessions, settings=app.state.settings, on=date.today()),
                 delay=lambda: seconds_until_next_sweep(datetime.now()),
                 first_delay=seconds_until_next_sweep(datetime.now()), log=log, what="daily bulk files")


def install(app: FastAPI) -> None:
    """Run the deliverer (app.state.feeds_deliverer = False turns it off) and the daily bulk-file job."""
    app.state.feeds_deliverer = True
    add_background(app, _deliver, enabled=lambda application: application.state.feeds_deliverer,
                   leader="feeds-delivery")
    add_background(app, _daily_files, enabled=lambda application: application.state.settings.bulk_files_daily,
                   leader="daily-files")
