"""Keeping the statistics current: in the transaction that signs each write's checkpoint, in the background,
and before any answer.

The ledger integrates and signs a checkpoint after each write request; `fold_inline` folds that small batch in
the same transaction (a ledger follower, `ledger.integrate.follow_integration`), so the figures name the new
checkpoint the moment it exists and no second transaction (and commit) is paid per write. It keeps the rows it
computed as one `stats_pending` row (at the holder's own region); `catch_up` adds the pending rows of every write
since the last one to `stats_delta` in one coalesced upsert, before any statistics answer and every few seconds.
The inline fold declines — and the loop below catches up — when the statistics were not current at the old size,
when the batch is a bulk one, when another process holds the fold lock, or when it fails (its work is kept in a
savepoint: a failing fold never stops a checkpoint). The loop folds up to the latest checkpoint every few seconds
in its own short transaction, and a statistics read first compares the stored cursor with the latest checkpoint
and looks for pending rows (three primary-key reads) and folds what is missing, so an answer is never behind the
checkpoint it names. On PostgreSQL an advisory lock lets one process fold while others wait for it (the inline
fold only tries it); on SQLite writers queue and the
second finds nothing left.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import contextmanager
from typing import Iterator

from fastapi import FastAPI, Request
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from certbridge.kit.paused_gc import paused_gc
from certbridge.db import read_session, utcnow, write_session
from certbridge.errors import DomainError
from certbridge.kit.periodic import add_background, repeat
from certbridge.ledger.integrate import follow_integration
from certbridge.settings import Settings
from certbridge.stats.dbapi import driver
from certbridge.stats.fold import cursor, latest_checkpoint, refold
from certbridge.stats.touched import touched
from certbridge.stats.whole import PROGRESS, WHOLE_FOLD_EVENTS, fold_step, whole_fold_wanted

log = logging.getLogger(__name__)

FOLD_EVERY_SECONDS = 5.0
READ_FOLD_EVENTS = WHOLE_FOLD_EVENTS  # a read folds at most this many events itself before it answers
RETRY_AFTER_SECONDS = 30
_LOCK_KEY = 0x73746174  # "stat": the advisory lock of the one folding process


def behind(sessions: sessionmaker[Session]) -> bool:
    """Tell whether a newer checkpoint exists than the one the statistics were folded to, or pending folds whose
    rows are not yet in `stats_delta` (three primary-key reads)."""
    with read_session(sessions) as session:
        conn = session.connection()
        size = conn.exec_driver_sql("SELECT size FROM stats_cursor WHERE id = 1").scalar() or 0
        return (latest_checkpoint(session)[0] > size
                or conn.exec_driver_sql("SELECT id FROM stats_pending LIMIT 1").first() is not None)


def catch_up(sessions: sessionmaker[Session], *, whole: bool = False) -> dict | None:
    """Fold up to the latest checkpoint and add the pending folds' rows if the statistics are behind; return what
    was folded. From nothing, far behind, or with `whole`, the whole log is folded set-wise (`whole.fold_step`)."""
    if not whole and not behind(sessions):
        return None
    with write_session(sessions) as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        cursor(session)
        return fold_step(session, whole=whole)


def fold_inline(session: Session, settings: Settings, old: int, size: int, root: bytes) -> None:
    """Fold the events [old, size) in the integrating transaction when the statistics stood at `old`."""
    if not settings.stats_fold_inline:
        return
    conn, mark = driver(session)
    sqlite = conn.sqlite
    # The fold's work is kept in a savepoint written through the driver (SQLAlchemy's nested transaction costs more
    # than the fold's own statements); the fold adds no ORM objects, so rolling back to it leaves the session true.
    conn.exec_driver_sql("SAVEPOINT stats_inline_fold")
    try:
        if not sqlite and not conn.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({_LOCK_KEY})").scalar():
            return  # another process is folding: the loop (or the next read) folds this batch after it
        if (conn.exec_driver_sql("SELECT size FROM stats_cursor WHERE id = 1").scalar() or 0) != old:
            return  # not current at the old size: the loop folds from where the statistics stand
        with paused_gc():
            batch = touched(session, old, size)
            refold(session, batch.certificates, size, defer=True, batch=batch)
        now = utcnow()
        conn.exec_driver_sql(  # (a new instance's first fold makes the cursor row)
            f"INSERT INTO stats_cursor (id, size, root_hash, folded_at) VALUES (1, {mark}, {mark}, {mark}) "
            "ON CONFLICT (id) DO UPDATE SET size = excluded.size, root_hash = excluded.root_hash, "
            "folded_at = excluded.folded_at", (size, root, now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else now))
    except Exception:  # the checkpoint must not fail for the statistics: the loop retries in its own transaction
        log.exception("statistics: inline fold of [%s, %s) failed; the background fold catches up", old, size)
        conn.exec_driver_sql("ROLLBACK TO SAVEPOINT stats_inline_fold")
    finally:
        conn.exec_driver_sql("RELEASE SAVEPOINT stats_inline_fold")


def follow_writes() -> None:
    """Fold every write's events as it is integrated (see `fold_inline`; CERTBRIDGE_STATS_FOLD_INLINE=false: not)."""
    follow_integration(fold_inline)


class StatsRebuilding(DomainError):
    """The statistics are far behind the log (after an upgrade that emptied them, a build without them): the
    background fold is rebuilding them with the whole fold, and a read says so instead of doing it (503)."""

    status = 503
    default_code = "stats.rebuilding"

    def __init__(self, *, folded: int, size: int, certificates: int = 0) -> None:
        if certificates:
            super().__init__("stats.rebuilding_progress", folded=folded, size=size, certificates=certificates)
        else:
            super().__init__("stats.rebuilding", folded=folded, size=size)
        self.headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}


def refuse_while_rebuilding(sessions: sessionmaker[Session]) -> None:
    """Refuse (StatsRebuilding) when catching up means the whole fold of more than READ_FOLD_EVENTS events: that is
    the background fold's work, never a request's; a small catch-up (a new instance's first events) stays inline."""
    with read_session(sessions) as session:
        folded = session.connection().exec_driver_sql("SELECT size FROM stats_cursor WHERE id = 1").scalar() or 0
        size = latest_checkpoint(session)[0]
    if whole_fold_wanted(folded, size) and size - folded > READ_FOLD_EVENTS:
        raise StatsRebuilding(folded=folded, size=size, certificates=PROGRESS.get("certificates", 0))


@contextmanager
def current_read(request: Request) -> Iterator[Session]:
    """Catch up, then open a read session: the answer is as of the latest checkpoint (refused with a notice while
    the statistics are being rebuilt from the whole log: `refuse_while_rebuilding`)."""
    refuse_while_rebuilding(request.app.state.sessions)
    catch_up(request.app.state.sessions)
    with read_session(request.app.state.sessions) as session:
        yield session


def _fold_step(app: FastAPI) -> None:
    done = catch_up(app.state.sessions)
    if done:
        log.info("statistics folded to %s", done)


def install_folding(app: FastAPI) -> None:
    """Fold in the background while the app runs (app.state.stats_fold = False turns it off).

    The first fold waits FOLD_EVERY_SECONDS: the server answers before it folds (a read that needs the figures
    folds itself).
    """
    app.state.stats_fold = True
    follow_writes()

    async def run(application: FastAPI, stop: asyncio.Event) -> None:
        await repeat(stop, lambda: _fold_step(application), delay=lambda: FOLD_EVERY_SECONDS,
                     first_delay=FOLD_EVERY_SECONDS, log=log, what="statistics fold")

    add_background(app, run, enabled=lambda application: application.state.stats_fold, leader="stats-fold")
