"""The writer gate: a bounded number of requests may write at once; the rest wait on the loop, never on a thread.

Why: on SQLite one connection writes at a time, and a writer that finds the lock taken sleeps in its thread for
up to the busy timeout. With no gate, a burst of writers (anonymous refused writes that are audited, sign-ins,
form posts) fills the thread pool with threads asleep on the lock — and the request holding the lock cannot get
a thread to finish, nor can any read. With the gate, at most `slots` requests hold threads for writing; the
others wait asynchronously (costing no thread) for at most `wait_seconds`, then are answered 503 `request.busy`
with Retry-After. Reads never pass through the gate, so they always find a thread.

Every writer in the server takes a slot: write requests (`WriterGateMiddleware`, around the application), the
audit record of a refused attempt (`audit.middleware`) and the ledger integration after a write (it runs
while its request still holds the slot). Background jobs (`certbridge.jobs`) run on their own thread outside
the pool; while one holds the SQLite lock, a request's write waits the busy timeout in its slot, then gets 503.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import AsyncIterator

import anyio

from certbridge.security.responses import send_refusal

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DEFAULT_SLOTS = {"sqlite": 1, "postgresql": 8}


class WritersBusy(Exception):
    """No writer slot became free within the bound."""


class WriterGate:
    """At most `slots` writers at once; a writer waits (asynchronously) at most `wait_seconds` for a slot."""

    def __init__(self, slots: int, wait_seconds: float) -> None:
        self.slots = max(1, int(slots))
        self.wait_seconds = float(wait_seconds)
        self._semaphore: anyio.Semaphore | None = None  # made on the event loop, on first use

    @property
    def waiting_or_writing(self) -> int:
        """How many slots are taken right now (for tests and diagnostics)."""
        return 0 if self._semaphore is None else self.slots - self._semaphore.value

    @asynccontextmanager
    async def slot(self, wait_seconds: float | None = None) -> AsyncIterator[None]:
        """Hold a writer slot for the body of the `async with`; raise WritersBusy if none frees up in time."""
        if self._semaphore is None:
            self._semaphore = anyio.Semaphore(self.slots)
        try:
            with anyio.fail_after(self.wait_seconds if wait_seconds is None else wait_seconds):
                await self._semaphore.acquire()
        except TimeoutError:
            raise WritersBusy() from None
        try:
            yield
        finally:
            self._semaphore.release()


def make_gate(settings, dialect: str) -> WriterGate:
    """Build the gate from the settings (`writer_slots` 0 = 1 on SQLite, 8 on PostgreSQL)."""
    slots = getattr(settings, "writer_slots", 0) or DEFAULT_SLOTS.get(dialect, 8)
    return WriterGate(slots, getattr(settings, "write_wait_seconds", 10.0))


def retry_after(gate: WriterGate) -> str:
    """Return the Retry-After a busy answer carries (seconds, at least 1)."""
    return str(max(1, min(30, round(gate.wait_seconds / 4))))


class WriterGateMiddleware:
    """Run every write request inside a writer slot, or answer 503 `request.busy` with Retry-After."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        gate: WriterGate = scope["app"].state.writer_gate
        try:
            async with gate.slot():
                await self.app(scope, receive, send)
        except WritersBusy:
            wait = retry_after(gate)
            await send_refusal(scope, send, status=503, code="request.busy", headers={"Retry-After": wait})
