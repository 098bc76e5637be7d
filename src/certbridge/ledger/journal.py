"""The event journal every write appends to in its own transaction; the ledger hashes it into a log.

An event is the canonical JSON of {v, seq, type, subject, actor, at, data}; its leaf hash is
SHA-256(0x00 ‖ bytes) as RFC 9162 wants. `seq` is the leaf index: a single head row hands out
indexes, so indexes are dense and in commit order (on PostgreSQL the row lock is the sequencer).
`data.state` carries the subject's fields as they became, so replaying events rebuilds state.

Appending is on every write's path, so `record_events` encodes each body once (the kit's RFC 8785
fast path) and inserts through the session's own driver connection — still the caller's transaction —
instead of the ORM, whose per-row type processing cost more than the insert itself.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String, Text, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from certbridge.db import Base, utcnow
from certbridge.kit.canonical_json import canonical_bytes, datetime_text

EVENT_FORMAT_VERSION = 1
# session.info key: when a list is there (the audit trail puts one), appenders add the seqs they wrote to it.
APPENDED_SEQS = "audit_ledger_seqs"
EVENT_COLUMNS = ("seq", "type", "subject_type", "subject_id", "actor", "at", "public", "body", "leaf_hash")
_COPY_FROM = 8  # PostgreSQL: COPY pays off from this many rows; fewer go through executemany


class LedgerEvent(Base):
    """One event: a leaf of the Merkle log."""

    __tablename__ = "ledger_event"
    __table_args__ = (Index("ix_ledger_event_subject", "subject_type", "subject_id", "seq"),)

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[str] = mapped_column(String(60))
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime]
    public: Mapped[bool] = mapped_column(default=True)
    body: Mapped[str] = mapped_column(Text)  # the canonical bytes that were hashed, as UTF-8 text
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))

    @property
    def data(self) -> dict[str, Any]:
        """Return the event's data, parsed from the hashed body (stored once, never twice)."""
        return json.loads(self.body)["data"]


class LedgerHead(Base):
    """The sequencer: how many events the log holds."""

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=0)


@dataclass(frozen=True)
class EventDraft:
    """An event before it has a sequence number."""

    type: str
    subject_type: str
    subject_id: str
    actor: str
    data: dict[str, Any]
    public: bool = True


def event_body(seq: int, draft: EventDraft, at: datetime) -> bytes:
    """Return the canonical bytes of an event: exactly what its leaf hash covers."""
    return _body(seq, draft, datetime_text(at))


def _body(seq: int, draft: EventDraft, at_text: str) -> bytes:
    # `at` as its canonical text, made once per batch: the same bytes canonical_bytes would make of it.
    return canonical_bytes({"v": EVENT_FORMAT_VERSION, "seq": seq, "type": draft.type,
                            "subject": {"type": draft.subject_type, "id": draft.subject_id},
                            "actor": draft.actor, "at": at_text, "data": draft.data})


def leaf_hash(body: bytes) -> bytes:
    """Hash an event body as an RFC 9162 leaf."""
    return hashlib.sha256(b"\x00" + body).digest()


def _reserve(session: Session, count: int) -> int:
    """Reserve `count` sequence numbers and return the first; holds the head row until commit."""
    result = session.execute(
        update(LedgerHead).where(LedgerHead.id == 1).values(size=LedgerHead.size + count).returning(LedgerHead.size)
    ).scalar_one_or_none()
    if result is None:
        session.execute(insert(LedgerHead).values(id=1, size=count))
        result = count
    return result - count


def record_events(session: Session, drafts: list[EventDraft], *, at: datetime | None = None) -> list[int]:
    """Append events in the caller's transaction and return their sequence numbers."""
    if not drafts:
        return []
    at = at or utcnow()
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("naive datetime given; use datetime.now(timezone.utc)")
    at = at.astimezone(timezone.utc)
    first = _reserve(session, len(drafts))
    conn = session.connection()
    sqlite = conn.dialect.name == "sqlite"
    stamp = at.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else at  # as SQLAlchemy stores it on SQLite
    at_text, sha256 = datetime_text(at), hashlib.sha256
    rows = []
    add = rows.append
    for seq, draft in enumerate(drafts, start=first):
        body = _body(seq, draft, at_text)
        add((seq, draft.type, draft.subject_type, draft.subject_id, draft.actor, stamp, draft.public,
             body.decode("utf-8"), sha256(b"\x00" + body).digest()))
    insert_event_rows(session, rows)
    return list(range(first, first + len(rows)))


def insert_event_rows(session: Session, rows: list[tuple]) -> None:
    """Insert ready event rows (EVENT_COLUMNS order) through the session's driver connection.

    `at` is the SQLite storage text on SQLite and an aware datetime on PostgreSQL. The seqs go to the
    session's APPENDED_SEQS list when it has one.
    """
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql" and len(rows) >= _COPY_FROM:
        with conn.connection.driver_connection.cursor() as cur, \
                cur.copy(f"COPY ledger_event ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        mark = "?" if conn.dialect.name == "sqlite" else "%s"
        conn.exec_driver_sql(f"INSERT INTO ledger_event ({', '.join(EVENT_COLUMNS)}) "
                             f"VALUES ({', '.join([mark] * len(EVENT_COLUMNS))})", rows)
    appended = session.info.get(APPENDED_SEQS)
    if appended is not None:
        appended.extend(row[0] for row in rows)


def record_event(
    session: Session,
    *,
    type: str,
    subject_type: str,
    subject_id: str | int,
    actor: str,
    data: dict[str, Any],
    public: bool = True,
) -> int:
    """Append one event in the caller's transaction and return its sequence number."""
    draft = EventDraft(type, subject_type, str(subject_id), actor, data, public)
    return record_events(session, [draft])[0]


def subject_history(session: Session, subject_type: str, subject_id: str | int) -> list[LedgerEvent]:
    """Return a subject's events in log order."""
    stmt = (
        select(LedgerEvent)
        .where(LedgerEvent.subject_type == subject_type, LedgerEvent.subject_id == str(subject_id))
        .order_by(LedgerEvent.seq)
    )
    return list(session.scalars(stmt))


def log_size(session: Session) -> int:
    """Return how many events the log holds."""
    return session.scalar(select(LedgerHead.size).where(LedgerHead.id == 1)) or 0
