"""Background work that lives as long as the app: one task per job, started after start-up, stopped at shutdown.

`add_background(app, run)` wraps the app's lifespan: once the inner lifespan has started, `run(app, stop)` runs
as a task; at shutdown `stop` is set and the task awaited, so no work is cut off half-way. `repeat` is the
common body of such a task: call a blocking step in a worker thread (never on the event loop), log what it
raises without stopping, wait the delay the job asks for, until stopped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

Run = Callable[[Any, asyncio.Event], Awaitable[None]]


def add_background(app: Any, run: Run, *, enabled: Callable[[Any], bool] = lambda app: True,
                   before: Callable[[Any], None] | None = None) -> None:
    """Run `run(app, stop)` in the background from start-up to shutdown (when `enabled(app)` at start-up).

    `before(app)`, if given, runs in a worker thread once the inner lifespan has started and before the
    app answers anything (whether or not the background task is enabled).
    """
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any):
        async with inner(application) as state:
            if before is not None:
                await asyncio.to_thread(before, application)
            stop = asyncio.Event()
            task = asyncio.create_task(run(application, stop)) if enabled(application) else None
            try:
                yield state
            finally:
                stop.set()
                if task is not None:
                    await task

    app.router.lifespan_context = lifespan


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


__all__ = ["add_background", "repeat", "wait_or_stop"]
