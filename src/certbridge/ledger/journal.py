"""The event journal every write appends to in its own transaction; the ledger hashes it into a log.

An event is the canonical JSON of {v, seq, type, subject, actor, at, data}; its leaf hash is
SHA-256(0x00 ‖ bytes) as RFC 9162 wants — of the body for a public event, of its committed form (a random
nonce's commitment to the body, ledger/private_entries.py) for a private one. `seq` is the leaf index: a single head row hands out
indexes, so indexes are dense and in commit order (on PostgreSQL the row lock is the sequencer).
`data.state` carries the subject's fields as they became, so replaying events rebuilds state.

Public events of chained subjects (certificates, organizations, bodies, persons, labs) also name their
subject's previous public event: `prev` is its leaf index and `prev_hash` its leaf hash (base64), both null on
the subject's first public event. A receipt must therefore present an unbroken chain from the issue event,
and the latest event, once proven (by the state map), commits to the whole chain before it by hash (a stapled
proof needs no inclusion proof for earlier events). Events written before `prev` existed carry no such key,
and those written before `prev_hash` (2026-12-07) only `prev`; both stay valid. Private events of these
subjects (a person's ID fingerprint, a lab's legal representative) are not chained.

This module is the one writer of the log: `record_events` for services, `append_prepared` for bulk
batches built elsewhere. Both take sequence numbers from the head row and refuse to append over a hole
(the event before the first new one must exist), so a deleted tail is noticed, never written over.

Appending is on every write's path, so `record_events` encodes each body once (the kit's RFC 8785
fast path) and inserts through the session's own driver connection — still the caller's transaction —
instead of the ORM, whose per-row type processing cost more than the insert itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import chain
from typing import Any

import orjson
from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String, Text, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.util import identity_key

from certbridge.db import Base, utcnow
from certbridge.errors import Conflict, DomainError
from certbridge.kit.canonical_json import canonical_bytes, datetime_text
from certbridge.ledger.private_entries import committed_entry, new_nonce

EVENT_FORMAT_VERSION = 1
# session.info key: when a list is there (the audit trail puts one), appenders add the seqs they wrote to it.
APPENDED_SEQS = "audit_ledger_seqs"
EVENT_COLUMNS = ("seq", "type", "subject_type", "subject_id", "actor", "at", "public", "body", "leaf_hash")
NONCE_COLUMNS = (*EVENT_COLUMNS, "nonce")  # rows that may hold private events (ledger/private_entries.py)
_COPY_FROM = 8  # PostgreSQL: COPY pays off from this many rows; fewer go through executemany
CHAINED_SUBJECTS = frozenset({"certificate", "organization", "body", "person", "lab"})  # public events: `prev`
_NO_PREV = object()
_IN_CHUNK = 500
_MAX_SAFE = 2**53 - 1  # the largest integer RFC 8785 prints as digits
_TAIL = b',"v":%d}' % EVENT_FORMAT_VERSION
_dumps = orjson.dumps
# SQLite: rows per multi-row INSERT (a third less CPU per row than one executemany row each), and the body
# column bound as its UTF-8 bytes and cast to TEXT: the same stored text, without decoding the body to a str
# for the driver to encode it back.
_ROWS_PER_INSERT = 100


class LogHole(DomainError):
    """The log is missing the event just before the next sequence number: appending would write over a hole."""

    status = 503


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
    # a private event's random nonce: its leaf covers the committed form (ledger/private_entries.py); never public
    nonce: Mapped[bytes | None] = mapped_column(LargeBinary(16), default=None)

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


def event_body(seq: int, draft: EventDraft, at: datetime, prev: Any = _NO_PREV, prev_hash: Any = _NO_PREV) -> bytes:
    """Return the canonical bytes of an event: exactly what its leaf hash covers (`prev`, `prev_hash` for chained
    subjects; `prev_hash` is the base64 text of the previous event's leaf hash)."""
    return _body(seq, draft, datetime_text(at), prev, prev_hash)


def _body(seq: int, draft: EventDraft, at_text: str, prev: Any = _NO_PREV, prev_hash: Any = _NO_PREV) -> bytes:
    # `at` as its canonical text, made once per batch: the same bytes canonical_bytes would make of it.
    if (type(seq) is int and 0 <= seq <= _MAX_SAFE and type(draft.type) is str and type(draft.subject_type) is str
            and type(draft.subject_id) is str and type(draft.actor) is str and type(at_text) is str
            and (prev is _NO_PREV or prev is None or (type(prev) is int and 0 <= prev <= _MAX_SAFE))
            and (prev_hash is _NO_PREV or prev_hash is None or type(prev_hash) is str)):
        # The envelope laid out by hand around the canonical bytes of `data`: RFC 8785 encodes every member's
        # value on its own and sorts each object's keys, so this is the same document member for member
        # (keys: actor < at < data < prev < prev_hash < seq < subject{id < type} < type < v). orjson encodes a plain str
        # exactly as RFC 8785 does (kit/canonical_json.py); it refuses a lone surrogate (then the general path).
        try:
            return b"".join((
                b'{"actor":', _dumps(draft.actor), b',"at":', _dumps(at_text), b',"data":', canonical_bytes(draft.data),
                b"" if prev is _NO_PREV else b',"prev":null' if prev is None else b',"prev":%d' % prev,
                b"" if prev_hash is _NO_PREV else b',"prev_hash":' + _dumps(prev_hash),
                b',"seq":%d,"subject":{"id":' % seq, _dumps(draft.subject_id), b',"type":', _dumps(draft.subject_type),
                b'},"type":', _dumps(draft.type), _TAIL))
        except TypeError:  # orjson.JSONEncodeError
            pass
    event = {"v": EVENT_FORMAT_VERSION, "seq": seq, "type": draft.type,
             "subject": {"type": draft.subject_type, "id": draft.subject_id},
             "actor": draft.actor, "at": at_text, "data": draft.data}
    if prev is not _NO_PREV:
        event["prev"] = prev
    if prev_hash is not _NO_PREV:
        event["prev_hash"] = prev_hash
    return canonical_bytes(event)


def leaf_hash(body: bytes) -> bytes:
    """Hash an event body as an RFC 9162 leaf."""
    return hashlib.sha256(b"\x00" + body).digest()


def _reserve(session: Session, count: int) -> int:
    """Reserve `count` sequence numbers and return the first; holds the head row until commit.

    Refuses (LogHole) when the event just before the first reserved number is not there: the head
    row is held from here to commit, so that event, if it was ever written, is committed and visible.
    """
    session.flush()  # driver statements do not autoflush; pending ORM rows go first, as before
    conn = session.connection()  # through the driver: the ORM's UPDATE … RETURNING cost more than the statement
    result = conn.exec_driver_sql(f"UPDATE ledger_head SET size = size + {int(count)} WHERE id = 1 "
                                  "RETURNING size").scalar_one_or_none()
    if result is None:
        session.execute(insert(LedgerHead).values(id=1, size=count))
        result = count
    first = result - count
    if first > 0 and conn.exec_driver_sql(
            f"SELECT 1 FROM ledger_event WHERE seq = {int(first - 1)}").first() is None:
        raise LogHole("ledger.append_over_hole", seq=first - 1)
    loaded = session.identity_map.get(identity_key(LedgerHead, 1))
    if loaded is not None:  # a head row this session had loaded is refreshed on next use
        session.expire(loaded)
    return first


def last_events(session: Session, subjects: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, str]]:
    """Return (log index, base64 leaf hash) of the last public event of each (subject type, subject id) that has
    one (two queries per 500 subjects)."""
    out: dict[tuple[str, str], tuple[int, str]] = {}
    by_type: dict[str, list[str]] = {}
    for subject_type, subject_id in subjects:
        by_type.setdefault(subject_type, []).append(subject_id)
    # Through the driver: on every write's path, where compiling the ORM's IN (...) of literals cost more than
    # the query (an index range per subject: ix_ledger_event_subject).
    conn = session.connection()
    sqlite = conn.dialect.name == "sqlite"
    for subject_type, ids in by_type.items():
        ids.sort()
        for start in range(0, len(ids), _IN_CHUNK):
            part = ids[start:start + _IN_CHUNK]
            if sqlite:
                sql = (f"SELECT subject_id, max(seq) FROM ledger_event WHERE subject_type = ? AND public "
                       f"AND subject_id IN ({', '.join('?' * len(part))}) GROUP BY subject_id")
                params: tuple = (subject_type, *part)
            else:
                sql = ("SELECT subject_id, max(seq) FROM ledger_event WHERE subject_type = %s AND public "
                       "AND subject_id = ANY(%s) GROUP BY subject_id")
                params = (subject_type, part)
            found = dict(conn.exec_driver_sql(sql, params).all())
            if not found:
                continue
            seqs = list(found.values())
            if sqlite:
                sql, params = f"SELECT seq, leaf_hash FROM ledger_event WHERE seq IN ({', '.join('?' * len(seqs))})", tuple(seqs)
            else:
                sql, params = "SELECT seq, leaf_hash FROM ledger_event WHERE seq = ANY(%s)", (seqs,)
            hashes = dict(conn.exec_driver_sql(sql, params).all())
            for subject_id, seq in found.items():
                out[subject_type, subject_id] = (seq, base64.b64encode(bytes(hashes[seq])).decode())
    return out


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
    chained = {(d.subject_type, d.subject_id) for d in drafts if d.public and d.subject_type in CHAINED_SUBJECTS}
    last = last_events(session, chained) if chained else {}
    b64 = base64.b64encode
    rows = []
    add = rows.append
    for seq, draft in enumerate(drafts, start=first):
        if draft.public and draft.subject_type in CHAINED_SUBJECTS:
            key = (draft.subject_type, draft.subject_id)
            prev, prev_hash = last.get(key, (None, None))
            body = _body(seq, draft, at_text, prev, prev_hash)
            leaf = sha256(b"\x00" + body).digest()
            last[key] = (seq, b64(leaf).decode())
            # SQLite takes the body's UTF-8 bytes as they are (insert_event_rows casts them to TEXT)
            add((seq, draft.type, draft.subject_type, draft.subject_id, draft.actor, stamp, True,
                 body if sqlite else body.decode("utf-8"), leaf, None))
            continue
        body = _body(seq, draft, at_text)
        # SQLite takes the body's UTF-8 bytes as they are (insert_event_rows casts them to TEXT)
        text = body if sqlite else body.decode("utf-8")
        if draft.public:
            add((seq, draft.type, draft.subject_type, draft.subject_id, draft.actor, stamp, True,
                 text, sha256(b"\x00" + body).digest(), None))
        else:
            nonce = new_nonce()
            add((seq, draft.type, draft.subject_type, draft.subject_id, draft.actor, stamp, False,
                 text, sha256(b"\x00" + committed_entry(seq, nonce, body)).digest(), nonce))
    insert_event_rows(session, rows)
    return list(range(first, first + len(rows)))


def append_prepared(session: Session, rows: list[tuple]) -> None:
    """Append event rows built elsewhere (bulk batches) at the log position they were built for.

    Rows are in EVENT_COLUMNS order with dense seqs from the first one, bodies already encoded (with
    `prev` for chained subjects). The head row is advanced here, as for `record_events`: if the log moved
    since the batch was prepared it is refused (`bulk.stale_batch`), and a hole before it is refused too.
    """
    if not rows:
        return
    start = rows[0][0]
    if any(row[0] != start + i for i, row in enumerate(rows)):
        raise ValueError("prepared event rows must have dense sequence numbers")
    first = _reserve(session, len(rows))
    if first != start:
        raise Conflict("bulk.stale_batch", expected=start, found=first)
    insert_event_rows(session, rows)


def insert_event_rows(session: Session, rows: list[tuple]) -> None:
    """Insert ready event rows (EVENT_COLUMNS order, or NONCE_COLUMNS) through the session's driver connection.

    `at` is the SQLite storage text on SQLite and an aware datetime on PostgreSQL; `body` is a str, or on
    SQLite also its UTF-8 bytes (stored as the same TEXT). The seqs go to the session's APPENDED_SEQS list
    when it has one.
    """
    if not rows:
        return
    conn = session.connection()
    columns = EVENT_COLUMNS if len(rows[0]) == len(EVENT_COLUMNS) else NONCE_COLUMNS
    if conn.dialect.name == "postgresql":
        if len(rows) >= _COPY_FROM:
            with conn.connection.driver_connection.cursor() as cur, \
                    cur.copy(f"COPY ledger_event ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            conn.exec_driver_sql(f"INSERT INTO ledger_event ({', '.join(columns)}) "
                                 f"VALUES ({', '.join(['%s'] * len(columns))})", rows)
    else:
        values = "(" + ", ".join("CAST(? AS TEXT)" if c == "body" else "?" for c in columns) + ")"
        sql = f"INSERT INTO ledger_event ({', '.join(columns)}) VALUES "
        cur = conn.connection.driver_connection.cursor()
        try:
            full = len(rows) - len(rows) % _ROWS_PER_INSERT
            if full:
                cur.executemany(sql + ", ".join([values] * _ROWS_PER_INSERT),
                                [list(chain.from_iterable(rows[i:i + _ROWS_PER_INSERT]))
                                 for i in range(0, full, _ROWS_PER_INSERT)])
            if full < len(rows):
                cur.executemany(sql + values, rows[full:])
        finally:
            cur.close()
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
