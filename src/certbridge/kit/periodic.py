"""Background work that lives as long as the app: one task per job, started after start-up, stopped at shutdown.

`add_background(app, run)` wraps the app's lifespan: once the inner lifespan has started, `run(app, stop)` runs
as a task; at shutdown `stop` is set and the task awaited, so no work is cut off half-way. `repeat` is the
common body of such a task: call a blocking step in a worker thread (never on the event loop), log what it
raises without stopping, wait the delay the job asks for, until stopped.

With several server processes on one database, each job runs in exactly one of them: `add_background(...,
leader="name")` runs the task only while this process holds the job's leader lock (kit/leader.py: a PostgreSQL
advisory lock, a file lock on SQLite). The others poll for the lock every `leader_poll_seconds` (settings) and
take over within that time when the holder dies; a leader that loses its lock (its connection dropped) stops
its task at once and campaigns again. The electing object is `app.state.elector`, made on first use.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from certbridge.kit.leader import Elector, elector_for

Run = Callable[[Any, asyncio.Event], Awaitable[None]]
log = logging.getLogger(__name__)
LEADER_POLL_SECONDS = 1.0


def add_background(app: Any, run: Run, *, enabled: Callable[[Any], bool] = lambda app: True,
                   before: Callable[[Any], None] | None = None, leader: str | None = None) -> None:
    """Run `run(app, stop)` in the background from start-up to shutdown (when `enabled(app)` at start-up).

    `before(app)`, if given, runs in a worker thread once the inner lifespan has started and before the
    app answers anything (whether or not the background task is enabled). `leader`, if given, names the job:
    it then runs only in the process that holds that name's leader lock (see the module's docstring).
    """
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any):
        async with inner(application) as state:
            if before is not None:
                await asyncio.to_thread(before, application)
            stop = asyncio.Event()
            task = None
            if enabled(application):
                task = asyncio.create_task(run(application, stop) if leader is None
                                           else lead(application, leader, run, stop))
            try:
                yield state
            finally:
                stop.set()
                if task is not None:
                    await task

    app.router.lifespan_context = lifespan


def elector_of(app: Any) -> Elector:
    """Return the app's elector, made from its engine on first use."""
    elector = getattr(app.state, "elector", None)
    if elector is None:
        elector = app.state.elector = elector_for(app.state.engine)
    return elector


def leader_poll_seconds(app: Any) -> float:
    """Return how often a follower asks for a leader lock and a leader checks it still holds it."""
    settings = getattr(app.state, "settings", None)
    return getattr(settings, "leader_poll_seconds", LEADER_POLL_SECONDS)


async def lead(app: Any, name: str, run: Run, stop: asyncio.Event) -> None:
    """Run `run(app, …)` while this process leads `name`; campaign for it until `stop` is set."""
    elector, poll = elector_of(app), leader_poll_seconds(app)
    stopped = asyncio.create_task(stop.wait())
    try:
        while not stop.is_set():
            if not await asyncio.to_thread(elector.try_lead, name):
                if await wait_or_stop(stop, poll):
                    return
                continue
            log.info("this process now runs %s", name)
            if await _run_while_leading(app, elector, name, run, stopped, poll):
                return
    finally:
        stopped.cancel()
        await asyncio.to_thread(elector.resign, name, close_if_idle=True)


async def _run_while_leading(app: Any, elector: Elector, name: str, run: Run, stopped: asyncio.Task,
                             poll: float) -> bool:
    """Run the job until it ends, the app stops or the lock is lost; tell whether to stop campaigning."""
    mine = asyncio.Event()
    task = asyncio.create_task(run(app, mine))
    try:
        while True:
            await asyncio.wait({task, stopped}, timeout=poll, return_when=asyncio.FIRST_COMPLETED)
            if task.done() or stopped.done():
                return True
            if not await asyncio.to_thread(elector.still_leading, name):
                log.warning("lost the leader lock of %s: stopping it here", name)
                return False
    finally:
        mine.set()
        try:
            await task
        except Exception:
            log.exception("%s failed", name)


async def wait_or_stop(stop: asyncio.Event, seconds: float) -> bool:
    """Wait up to `seconds`; tell whether `stop` was set meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=max(seconds, 0.0))
        return True
    except asyncio.TimeoutError:
        return stop.is_set()


async def repeat(stop: asyncio.Event, step: Callable[[], Any], *, delay: Callable[[], float], first_delay: float = 0.0,
                 log: logging.Logger, what: str) -> None:
    """Call `step()` in a worker thread, then wait `delay()` seconds, until `stop` is set.

    The first call waits `first_delay` seconds. A step that raises is logged (as "`what` failed") and the loop
    goes on: background work never takes the app down.
    """
    if first_delay > 0 and await wait_or_stop(stop, first_delay):
        return
    while not stop.is_set():
        try:
            await asyncio.to_thread(step)
        except Exception:
            log.exception("%s failed", what)
        if await wait_or_stop(stop, delay()):
            return


__all__ = ["add_background", "elector_of", "lead", "repeat", "wait_or_stop"]
