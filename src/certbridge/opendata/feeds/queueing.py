"""Queue deliveries from the log: each watch reads the log forward from its own durable cursor.

One pass reads the next batch of events once for every watch behind the head, finds what each public event
is about, queues one delivery per matching watch and channel, and moves each cursor past the batch — all in
one transaction, so a crash leaves either the whole pass or none of it. An event found again (a replay from an
earlier cursor) re-opens its existing delivery row: the send that follows counts as a retry.

On PostgreSQL a transaction-scoped advisory lock lets one process queue while the others skip the pass; on
SQLite the write transaction (BEGIN IMMEDIATE) already serialises passes.
"""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from certbridge.db import read_session, utcnow, write_session
from certbridge.ledger.journal import LedgerEvent, log_size
from certbridge.opendata.feeds.matching import concerns, watch_matches
from certbridge.opendata.feeds.models import FeedDelivery, FeedWatch

BATCH_EVENTS = 2000  # events examined per pass and transaction
_LOCK_KEY = 0x66656564  # "feed": the advisory lock of the PostgreSQL process that queues


def _channels(watch: FeedWatch) -> list[str]:
    return ["console"] + (["webhook"] if watch.webhook_url else []) + (["email"] if watch.email else [])


def queue_batch(session: Session, *, batch: int = BATCH_EVENTS) -> int:
    """Examine the next batch of events for every watch behind the log's head; return deliveries queued."""
    size = log_size(session)
    # Locked (PostgreSQL): a replay or stop in between waits for this pass instead of being overwritten by it.
    watches = list(session.scalars(select(FeedWatch).where(FeedWatch.active.is_(True), FeedWatch.cursor < size)
                                   .order_by(FeedWatch.id).with_for_update()))
    if not watches:
        return 0
    start = min(w.cursor for w in watches)
    events = list(session.scalars(select(LedgerEvent).where(LedgerEvent.seq >= start, LedgerEvent.seq < size)
                                  .order_by(LedgerEvent.seq).limit(batch)))
    if not events:
        return 0
    end = events[-1].seq + 1
    public = [e for e in events if e.public]
    about = concerns(session, public)
    existing = {(d.watch_id, d.seq, d.channel): d for d in session.scalars(
        select(FeedDelivery).where(FeedDelivery.watch_id.in_([w.id for w in watches]),
                                   FeedDelivery.seq >= start, FeedDelivery.seq < end))}
    now, queued = utcnow(), 0
    for watch in watches:
        for event in public:
            if event.seq < watch.cursor or not watch_matches(watch.kind, watch.target, about[event.seq]):
                continue
            for channel in _channels(watch):
                queued += 1
                row = existing.get((watch.id, event.seq, channel))
                if row is None:
                    session.add(FeedDelivery(
                        watch_id=watch.id, seq=event.seq, event_type=event.type, channel=channel,
                        subject=f"{event.subject_type}:{event.subject_id}"[:100], attempts=0,
                        status="delivered" if channel == "console" else "pending",
                        delivered_at=now if channel == "console" else None,
                        next_attempt_at=None if channel == "console" else now))
                elif channel != "console":  # a replay: send again, as a retry (attempts > 0)
                    row.status, row.next_attempt_at = "pending", now
        watch.cursor = max(watch.cursor, end)
    session.flush()
    return queued


def queue_pending(sessions: sessionmaker[Session], *, batch: int = BATCH_EVENTS) -> int | None:
    """Queue deliveries until every watch has read the whole log; None if another process holds the pass."""
    with read_session(sessions) as session:
        size = log_size(session)
        if session.scalar(select(FeedWatch.id).where(FeedWatch.active.is_(True), FeedWatch.cursor < size)
                          .limit(1)) is None:
            return 0
    total = 0
    while True:
        with write_session(sessions) as session:
            if session.get_bind().dialect.name == "postgresql" and not session.execute(
                    text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _LOCK_KEY}).scalar():
                return None
            before = session.scalar(select(FeedWatch.cursor).where(FeedWatch.active.is_(True))
                                    .order_by(FeedWatch.cursor).limit(1))
            total += queue_batch(session, batch=batch)
            after = session.scalar(select(FeedWatch.cursor).where(FeedWatch.active.is_(True))
                                   .order_by(FeedWatch.cursor).limit(1))
            behind = after is not None and after < log_size(session)
        if not behind or after == before:
            return total
