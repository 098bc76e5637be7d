"""Sending the outbox: every signed message waits in `federation_outbox` until its peer has taken it.

One pass (the leader's "federation-outbox" loop, every `federation_outbox_seconds`) reads the due messages in a
short read, POSTs each to `<peer>/api/v1/federation/messages` with no transaction open, and records each
outcome in its own short write. A peer that is down or answers 5xx/429 is a delay: the message is tried again
after `federation_outbox_seconds`, doubling each time up to `federation_outbox_retry_max_seconds`, and is kept
until taken — an instance that is down delays delivery but loses nothing. A 4xx is the peer refusing the
message for good (it does not know our key, say): the message is marked failed and shown, not retried. The
peer takes a message once by its id, so a retry after an answer that was lost is harmless. Messages to one peer
go in the order they were written: one waiting for its retry holds back the later ones to that peer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from certbridge.db import read_session, utcnow, write_session
from certbridge.federation.assistance import mark_delivered
from certbridge.federation.assistance_models import OutboxMessage
from certbridge.federation.models import FederationPeer
from certbridge.settings import Settings

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)
BATCH = 100
PATH = "/api/v1/federation/messages"


@dataclass(frozen=True)
class _Due:
    id: int
    peer_id: int
    url: str
    note: str
    attempts: int


def retry_delay(settings: Settings, attempts: int) -> float:
    """Return the wait before the next attempt after `attempts` failed ones (doubling, capped)."""
    base = settings.federation_outbox_seconds
    return min(base * 2 ** max(attempts - 1, 0), settings.federation_outbox_retry_max_seconds)


def _due(sessions: sessionmaker[Session], now: datetime) -> list[_Due]:
    """Return the messages to send now, per peer in the order they were written: a peer's messages wait behind
    its oldest one not yet taken, so a peer never sees an answer before the request or the acceptance it follows."""
    with read_session(sessions) as session:
        rows = session.execute(
            select(OutboxMessage.id, OutboxMessage.peer_id, OutboxMessage.next_attempt_at, FederationPeer.base_url,
                   OutboxMessage.note, OutboxMessage.attempts)
            .join(FederationPeer, FederationPeer.id == OutboxMessage.peer_id)
            .where(OutboxMessage.delivered_at.is_(None), OutboxMessage.failed_at.is_(None),
                   FederationPeer.active.is_(True))
            .order_by(OutboxMessage.id).limit(BATCH))
        due, waiting = [], set()
        for row in rows:
            if row.peer_id in waiting:
                continue
            if row.next_attempt_at > now:
                waiting.add(row.peer_id)
                continue
            due.append(_Due(row.id, row.peer_id, row.base_url.rstrip("/") + PATH, row.note, row.attempts))
        return due


def _post(http: httpx.Client, item: _Due) -> tuple[str, str | None]:
    """Return ("delivered" | "retry" | "failed", why)."""
    import httpx

    try:
        response = http.post(item.url, json={"note": item.note}, headers={"Accept-Language": "en"})
    except httpx.HTTPError as exc:
        return "retry", f"{item.url}: {exc.__class__.__name__}: {exc}"
    if response.status_code < 300:
        return "delivered", None
    detail = f"{item.url}: HTTP {response.status_code} {response.text[:500]}"
    if response.status_code >= 500 or response.status_code in (408, 425, 429):
        return "retry", detail
    return "failed", detail


def _record(sessions: sessionmaker[Session], settings: Settings, item: _Due, outcome: str, why: str | None) -> None:
    with write_session(sessions) as session:
        row = session.get(OutboxMessage, item.id)
        if row is None or row.delivered_at is not None:
            return
        now = utcnow()
        row.attempts += 1
        row.last_error = why
        if outcome == "delivered":
            row.delivered_at = now
            mark_delivered(session, assistance_id=row.assistance_id, type=row.type)
        elif outcome == "failed":
            row.failed_at = now
        else:
            row.next_attempt_at = now + timedelta(seconds=retry_delay(settings, row.attempts))


def send_outbox(sessions: sessionmaker[Session], *, settings: Settings, http: httpx.Client,
                now: datetime | None = None) -> int:
    """Try every due message once; return how many the peers took."""
    delivered, stalled = 0, set()
    for item in _due(sessions, now or utcnow()):
        if item.peer_id in stalled:
            continue  # its earlier message waits for a retry: this one waits behind it
        outcome, why = _post(http, item)
        if outcome != "delivered":
            log.warning("federation message %s not delivered (%s): %s", item.id, outcome, why)
        if outcome == "retry":
            stalled.add(item.peer_id)
        _record(sessions, settings, item, outcome, why)
        delivered += outcome == "delivered"
    return delivered
