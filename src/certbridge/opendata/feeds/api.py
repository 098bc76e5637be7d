"""JSON routes of the change feed (cursor pages and Server-Sent Events), watch-lists and the bulk files."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import Path, Query, Request
from fastapi.responses import FileResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from certbridge.api.deps import AuthedPrincipal, ReadDB, WriteDB
from certbridge.api.problems import PROBLEM_RESPONSES
from certbridge.api.routing import APIRouter
from certbridge.db import read_session
from certbridge.errors import NotFound
from certbridge.opendata.feeds import watches
from certbridge.opendata.feeds.bulk_build import MANIFEST, list_days
from certbridge.opendata.feeds.changes import PAGE_MAX, feed_page, read_items
from certbridge.opendata.feeds.models import FeedDelivery, FeedWatch

router = APIRouter(prefix="/api/v1", tags=["feeds"], responses=PROBLEM_RESPONSES)
files_router = APIRouter(tags=["feeds"], responses=PROBLEM_RESPONSES)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
After = Annotated[int, Query(ge=-1, le=2**62, description="Return events after this log index (-1: from the first)")]
SSE_IDLE_SECONDS = 1.0  # how often a caught-up stream looks for new events
SSE_KEEPALIVE_SECONDS = 15.0
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FILE = re.compile(r"^[a-z0-9][a-z0-9.-]{0,80}$")


class WatchIn(BaseModel):
    """A watch: what to watch and where to push its changes."""

    kind: str = Field(description="certificate, organization, body or search")
    target: str | dict[str, Any] = Field(description="The record id; for a saved search an object of "
                                                     "scheme_code, body_id, organization_id, region_code, status")
    label: str = Field(default="", max_length=200)
    webhook_url: str | None = Field(default=None, max_length=500)
    email: str | None = Field(default=None, max_length=200)
    from_seq: int | None = Field(default=None, ge=0, description="Examine the log from this index (default: now)")


class WatchOut(BaseModel):
    """A watch with its log position (`cursor`: the next log index it examines)."""

    id: int
    kind: str
    target: str
    label: str
    webhook_url: str | None
    email: str | None
    cursor: int
    active: bool
    created_at: datetime


class WatchCreated(WatchOut):
    """A new watch; `secret` signs its webhooks (Certbridge-Signature) and is shown only this once."""

    secret: str


class DeliveryOut(BaseModel):
    """One event sent (or to send) to a watch over one channel."""

    id: int
    seq: int
    event_type: str
    subject: str
    channel: str
    status: str = Field(description="pending, delivered or failed")
    attempts: int
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    delivered_at: datetime | None


class ReplayIn(BaseModel):
    """Where to examine the log again from."""

    from_seq: int = Field(ge=0)


def _watch_view(w: FeedWatch, model: type[BaseModel] = WatchOut) -> dict[str, Any]:
    return {c: getattr(w, c) for c in model.model_fields}


def _delivery_view(d: FeedDelivery) -> dict[str, Any]:
    return {c: getattr(d, c) for c in DeliveryOut.model_fields}


@router.get("/feed", summary="Read the public change feed from a position")
def read_feed(db: ReadDB, after: After = -1, limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 100):
    """Return the log's events after a position: public ones with their body, private ones as redaction markers."""
    # encoded by orjson straight from the items (the same JSON; FastAPI's generic encoder cost ~10 × the read)
    return Response(orjson.dumps(feed_page(db, after=after, limit=limit)), media_type="application/json")


def _page(request: Request, after: int) -> list[dict[str, Any]]:
    with read_session(request.app.state.sessions) as session:
        return read_items(session, after=after, limit=PAGE_MAX)


def _events(request: Request, after: int) -> tuple[str, int]:
    """Return the next page of the feed as SSE events, and the last index in it."""
    items = _page(request, after)
    return "".join(f"id: {item['seq']}\nevent: change\ndata: {orjson.dumps(item).decode()}\n\n"
                   for item in items), (items[-1]["seq"] if items else after)


async def _stream(request: Request, after: int, until_caught_up: bool) -> AsyncIterator[str]:
    idle = 0.0
    while True:
        chunk, last = await asyncio.to_thread(_events, request, after)  # read and encoded in a worker thread
        if chunk:  # a page's events sent as one chunk (each its own SSE event), not a write per event
            yield chunk
            after = last
            idle = 0.0
            continue
        if until_caught_up or await request.is_disconnected():
            return
        await asyncio.sleep(SSE_IDLE_SECONDS)
        idle += SSE_IDLE_SECONDS
        if idle >= SSE_KEEPALIVE_SECONDS:
            idle = 0.0
            yield ": keep-alive\n\n"


@router.get("/feed/stream", summary="Follow the public change feed as Server-Sent Events",
            response_class=StreamingResponse)
async def stream_feed(request: Request, after: After = -1,
                      until_caught_up: Annotated[bool, Query(description="End the stream once caught up")] = False):
    """Stream feed items as `change` events whose id is the log index (Last-Event-ID resumes after it)."""
    last = request.headers.get("last-event-id", "")
    if last.isdigit():
        after = max(after, int(last))
    return StreamingResponse(_stream(request, after, until_caught_up), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.post("/watches", status_code=201, response_model=WatchCreated, summary="Watch a record or a saved search")
def add_watch(item: WatchIn, request: Request, db: WriteDB, principal: AuthedPrincipal):
    """Watch a certificate, organization, body or saved search; changes go to the console, webhook and e-mail.

    A webhook URL must resolve to public addresses only (422 `feeds.webhook_address_refused`)."""
    allow = request.app.state.settings.feeds_webhook_allow_private
    return _watch_view(watches.add_watch(db, principal=principal, allow_private_targets=allow, **item.model_dump()),
                       WatchCreated)


@router.get("/watches", response_model=list[WatchOut], summary="List my watches")
def list_watches(db: ReadDB, principal: AuthedPrincipal):
    """Return the caller's active watches."""
    return [_watch_view(w) for w in watches.list_watches(db, principal=principal)]


@router.delete("/watches/{watch_id}", response_model=WatchOut, summary="Stop a watch")
def stop_watch(watch_id: Id, db: WriteDB, principal: AuthedPrincipal):
    """Stop a watch; its delivery log stays readable."""
    return _watch_view(watches.stop_watch(db, principal=principal, watch_id=watch_id))


@router.post("/watches/{watch_id}/replay", response_model=WatchOut, summary="Replay a watch from a log position")
def replay_watch(watch_id: Id, item: ReplayIn, db: WriteDB, principal: AuthedPrincipal):
    """Examine the log again from a position; deliveries sent before are sent again, marked as retries."""
    return _watch_view(watches.replay_watch(db, principal=principal, watch_id=watch_id, from_seq=item.from_seq))


@router.get("/watches/{watch_id}/deliveries", response_model=list[DeliveryOut], summary="Read a watch's delivery log")
def list_deliveries(watch_id: Id, db: ReadDB, principal: AuthedPrincipal,
                    channel: Annotated[str | None, Query(pattern="^(console|webhook|email)$")] = None,
                    limit: Annotated[int, Query(ge=1, le=500)] = 100):
    """Return a watch's deliveries, newest first, with attempts and the receiver's answers."""
    watch = watches.own_watch(db, principal=principal, watch_id=watch_id)
    return [_delivery_view(d) for d in watches.deliveries(db, watch=watch, channel=channel, limit=limit)]


@router.get("/bulk", summary="List the days of signed bulk files")
def list_bulk(request: Request):
    """Return the days whose bulk files are built, newest first, with their manifest URL."""
    return [{"day": day, "manifest": f"/bulk/{day}/{MANIFEST}"} for day in list_days(request.app.state.settings)]


@files_router.get("/bulk/{day}/{name}", summary="Download a bulk file (immutable)", response_class=FileResponse)
def bulk_file(day: str, name: str, request: Request):
    """Serve one of a day's bulk files; names never change content, so caches may keep them for a year."""
    if not _DAY.match(day) or not _FILE.match(name):
        raise NotFound("feeds.bulk_file_not_found", day=day[:10], name=name[:80])
    folder = request.app.state.settings.resolved_bulk_dir() / day
    path = folder / name
    if not (folder / MANIFEST).is_file() or not path.is_file():
        raise NotFound("feeds.bulk_file_not_found", day=day, name=name)
    media = "text/plain; charset=utf-8" if name.endswith(".txt") else (
        "application/json" if name.endswith(".json") else "application/gzip")
    return FileResponse(path, media_type=media, headers={"Cache-Control": "public, max-age=31536000, immutable"})
