"""Followers of successful writes: capabilities that read a write's new events at once (credit, risk).

One ASGI middleware for all of them: on a write request it reads the log's size before, and again when the
response starts; if the request recorded events (and succeeded), each follower runs in a worker thread, in the
order they were added, before the response leaves — after the request's transaction committed, and before the
ledger's integrator (installed later, so outside) hashes what the followers recorded. The log size is read twice
per write however many followers there are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from certbridge.db import read_session
from certbridge.ledger.journal import log_size

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
Follower = Callable[[Any, Any], Any]  # (app, principal or None) -> anything; must not raise


def current_log_size(app: Any) -> int | None:
    """Return the log's size now (None if it cannot be read: the request goes on, followers catch up later)."""
    try:
        with read_session(app.state.sessions) as session:
            return log_size(session)
    except Exception:
        log.exception("could not read the log size")
        return None


def add_follower(app: Any, follow: Follower) -> None:
    """Run `follow(app, principal)` after every successful write request that recorded events."""
    followers = getattr(app.state, "after_write_followers", None)
    if followers is None:
        followers = app.state.after_write_followers = []
        app.add_middleware(AfterWrite)
    followers.append(follow)


class AfterWrite:
    """ASGI middleware: after a successful write that recorded events, run the app's followers."""

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
                    for follow in application.state.after_write_followers:
                        await run_in_threadpool(follow, application, principal)
            await send(message)

        await self.app(scope, receive, send_after_following)
