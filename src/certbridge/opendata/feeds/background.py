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
from contextlib import asynccontextmanager
from datetime import date, datetime

import httpx
from fastapi import FastAPI

from certbridge.certificates.background import seconds_until_next_sweep
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
    with httpx.Client(timeout=settings.feeds_webhook_timeout_seconds, follow_redirects=False) as http:
        while not stop.is_set():
            try:
                await asyncio.to_thread(deliver_once, app, http)
            except Exception:  # never take the app down: the cursor and the attempts are in the database
                log.exception("feed delivery pass failed")
            try:
                await asyncio.wait_for(stop.wait(), timeout=settings.feeds_poll_seconds)
            except asyncio.TimeoutError:
                pass


async def _daily_files(app: FastAPI, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=seconds_until_next_sweep(datetime.now()))
            return
        except asyncio.TimeoutError:
            pass
        try:
            await asyncio.to_thread(build_daily, app.state.sessions, settings=app.state.settings, on=date.today())
        except Exception:  # the CLI (`certbridge bulk-files`) builds a missed day
            log.exception("daily bulk files failed")


def install(app: FastAPI) -> None:
    """Run the deliverer (app.state.feeds_deliverer = False turns it off) and the daily bulk-file job."""
    app.state.feeds_deliverer = True
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI):
        async with inner(application) as state:
            stop = asyncio.Event()
            tasks = []
            if application.state.feeds_deliverer:
                tasks.append(asyncio.create_task(_deliver(application, stop)))
            if application.state.settings.bulk_files_daily:
                tasks.append(asyncio.create_task(_daily_files(application, stop)))
            try:
                yield state
            finally:
                stop.set()
                for task in tasks:
                    await task

    app.router.lifespan_context = lifespan
