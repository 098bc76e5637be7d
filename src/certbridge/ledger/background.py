"""Keeping the tree and its checkpoints current: at startup, after every write, and in the background.

* At startup the app integrates whatever is pending before it serves anything.
* After a successful write request (POST/PUT/PATCH/DELETE answered < 400), the middleware integrates
  the events that request committed and signs a checkpoint *before* the response leaves. So a client
  that just issued a certificate can download its proof at once, and nothing in the ledger tables
  changes behind a later request's back.
* A background task catches what other processes wrote (the CLI, other app servers) every INTERVAL
  seconds — one cheap read when there is nothing — and asks the configured witnesses to cosign. With several
  server processes only one runs it, the leader of "ledger" (kit/periodic.py, kit/leader.py); the after-write
  integration runs in every process, which is safe: integration takes the tree row's lock and reads the
  integrated size under it, so two integrators queue and never hash an event twice (ledger/integrate.py).

* The integrity monitor (ledger/integrity.py) runs at startup, before anything is integrated or served,
  and every INTEGRITY_SECONDS in the same background runner; its verdict is `app.state.integrity` and
  `GET /healthz` reports it (503 while degraded).

Proof endpoints also integrate on demand (deps.integrated_read), so a proof never waits on timing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from certbridge.db import read_session
from certbridge.i18n.catalog import pick_language, render
from certbridge.kit.lazy_http import LazyClient
from certbridge.kit.periodic import add_background, repeat, wait_or_stop
from certbridge.ledger import integrity
from certbridge.ledger.integrate import integrate_pending
from certbridge.ledger.proofs import integrated_size
from certbridge.ledger.store import warm_cache
from certbridge.ledger.witnessing import request_cosignatures
from certbridge.replicas import checkpoint_signed

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 1.0
INTEGRITY_SECONDS = 10.0  # between two integrity checks (each bounded; at once while behind: ledger/integrity.py)
WITNESS_TIMEOUT_SECONDS = 10.0
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def integrate_now(app: FastAPI) -> bool:
    """Integrate pending events; tell whether a new checkpoint was signed. Never raises: logs instead."""
    try:
        signed = integrate_pending(app.state.sessions, settings=app.state.settings) is not None
    except Exception:  # the write already committed; the background task will retry the integration
        log.exception("ledger integration failed")
        return False
    if signed:
        checkpoint_signed(getattr(app.state, "replica", None))
    return signed


def _witness_client(app: FastAPI) -> httpx.Client:
    return getattr(app.state, "witness_http", None) or LazyClient(timeout=WITNESS_TIMEOUT_SECONDS)


def warm_hash_cache(app: FastAPI) -> None:
    """Keep the top of the tree in memory, so proofs read only the levels next to their leaf."""
    with read_session(app.state.sessions) as session:
        warm_cache(session, integrated_size(session))


def run_integrity_check(app: FastAPI, budget_seconds: float = integrity.CATCH_UP_SECONDS) -> integrity.IntegrityStatus:
    """Run one integrity check and publish its verdict on app.state (what /healthz and verifiers read)."""
    status = integrity.run(app.state.sessions, budget_seconds=budget_seconds)
    app.state.integrity = status
    return status


def check_integrity_now(app: FastAPI, budget_seconds: float = integrity.CATCH_UP_SECONDS) -> None:
    """Run the integrity check, never raising: a check that cannot run is logged and tried again."""
    try:
        run_integrity_check(app, budget_seconds)
    except Exception:
        log.exception("ledger integrity check could not run")


async def _warm(app: FastAPI, stop: asyncio.Event) -> None:
    try:
        await asyncio.to_thread(warm_hash_cache, app)
    except Exception:  # a cold cache only makes the first proofs slower
        log.exception("could not warm the ledger hash cache")


def read_stored_integrity(app: FastAPI) -> None:
    """Take the integrity verdict the leader stored, unless this process checks itself (it leads "ledger")."""
    elector = getattr(app.state, "elector", None)
    if elector is not None and "ledger" in elector.held:
        return
    integrity.forget(app.state.engine)
    with read_session(app.state.sessions) as session:
        app.state.integrity = integrity.current(session)


async def _follow_integrity(app: FastAPI, stop: asyncio.Event) -> None:
    await repeat(stop, lambda: read_stored_integrity(app), delay=lambda: app.state.integrity_interval,
                 first_delay=app.state.integrity_interval, log=log, what="reading the stored integrity verdict")


def run_once(app: FastAPI, http: httpx.Client) -> None:
    """Integrate what other processes wrote, then ask witnesses to cosign the newest checkpoint."""
    if integrate_pending(app.state.sessions, settings=app.state.settings) is not None:
        checkpoint_signed(getattr(app.state, "replica", None))
    request_cosignatures(app.state.sessions, http=http)


async def _loop(app: FastAPI, stop: asyncio.Event) -> None:
    http = _witness_client(app)
    failures = 0
    loop = asyncio.get_running_loop()
    next_check = loop.time() + app.state.integrity_interval
    try:
        while not stop.is_set():
            try:
                await asyncio.to_thread(run_once, app, http)
                failures = 0
            except Exception:  # never let the integrator take the app down; say why, back off
                failures += 1
                if failures in (1, 10) or failures % 100 == 0:
                    log.exception("ledger background integration failed (%d in a row)", failures)
            if loop.time() >= next_check or integrity.behind(app.state.engine):  # catching up: no pause
                await asyncio.to_thread(check_integrity_now, app)
                next_check = loop.time() + app.state.integrity_interval
            if await wait_or_stop(stop, app.state.ledger_interval * min(2 ** failures, 120)):
                break
    finally:
        if http is not getattr(app.state, "witness_http", None):
            http.close()


class IntegrateAfterWrite:
    """ASGI middleware: after a successful write, integrate its events before the response starts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        application = scope["app"]

        async def send_after_integrating(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                await run_in_threadpool(integrate_now, application)
            await send(message)

        await self.app(scope, receive, send_after_integrating)


def healthz(request: Request) -> JSONResponse:
    """Say whether this server is sound: 200 ok, or 503 degraded with what the integrity monitor found."""
    status: integrity.IntegrityStatus | None = getattr(request.app.state, "integrity", None)
    if status is None:  # no check has run in this process yet (started without its lifespan): read the stored one
        with read_session(request.app.state.sessions) as session:
            status = integrity.current(session)
    lang = request.query_params.get("lang")
    if lang not in ("zh", "en"):
        lang = pick_language(request.headers.get("accept-language"), request.app.state.settings.default_language)
    body = status.as_json()
    elector = getattr(request.app.state, "elector", None)
    body["leads"] = sorted(elector.held) if elector is not None else []  # the background jobs this process runs
    body["messages"] = ([integrity.problem_text(p, lang) for p in status.problems] if not status.ok
                        else [render("health.ok", lang)])
    return JSONResponse(body, status_code=200 if status.ok else 503, headers={"Cache-Control": "no-store"})


def install(app: FastAPI) -> None:
    """Integrate at startup, after each write, and in the background (app.state.ledger_interval = None stops it)."""
    app.state.ledger_interval = INTERVAL_SECONDS
    app.state.integrity_interval = INTEGRITY_SECONDS
    app.state.integrity = None
    app.add_api_route("/healthz", healthz, methods=["GET"], include_in_schema=False)
    app.add_middleware(IntegrateAfterWrite)
    # Every process warms its own proof cache; one process at a time (the leader of "ledger") integrates what
    # others wrote, asks witnesses to cosign and runs the periodic integrity check.
    # The others take the leader's stored integrity verdict, which their verify answers and pages report.
    add_background(app, _warm, enabled=lambda application: bool(application.state.ledger_interval))
    add_background(app, _follow_integrity, enabled=lambda application: bool(application.state.ledger_interval))
    add_background(app, _loop, enabled=lambda application: bool(application.state.ledger_interval),
                   before=_at_start, leader="ledger")


def _at_start(app: FastAPI) -> None:
    """Check the log's integrity before anything is integrated or signed, then integrate what is pending."""
    check_integrity_now(app, budget_seconds=0)  # one step: start-up stays short, the background catches up
    integrate_now(app)
