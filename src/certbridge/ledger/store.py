"""Reading and appending the stored-hash array, straight through the driver for speed.

Proofs read a few dozen hashes by index and integration appends thousands at a time; the ORM's
per-row work would dominate both, so these go through the session's own DBAPI connection — still
inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.orm import Session

from certbridge.errors import DomainError

_CHUNK = 500  # indexes per IN (...) query


class LedgerCorrupt(DomainError):
    """The stored ledger is missing data it must have (a hash, an event): someone deleted rows."""

    status = 500


def _driver(session: Session):
    conn = session.connection()
    return conn.connection.driver_connection, conn.dialect.name


def read_hashes(session: Session, indexes: Sequence[int]) -> list[bytes]:
    """Return the stored hashes at the given indexes, in order, with one query per 500 indexes."""
    if not indexes:
        return []
    raw, dialect = _driver(session)
    wanted = sorted(set(indexes))
    found: dict[int, bytes] = {}
    cur = raw.cursor()
    try:
        for i in range(0, len(wanted), _CHUNK):
            chunk = wanted[i : i + _CHUNK]
            if dialect == "sqlite":
                cur.execute(f"SELECT idx, hash FROM ledger_hash WHERE idx IN ({','.join('?' * len(chunk))})", chunk)
            else:
                cur.execute("SELECT idx, hash FROM ledger_hash WHERE idx = ANY(%s)", (chunk,))
            found.update((idx, bytes(h)) for idx, h in cur.fetchall())
    finally:
        cur.close()
    if len(found) != len(wanted):
        missing = next(i for i in wanted if i not in found)
        raise LedgerCorrupt("ledger.hash_missing", index=missing)
    return [found[i] for i in indexes]


def hash_reader(session: Session):
    """Return a kit.merkle ReadHashes callable backed by this session."""
    return lambda indexes: read_hashes(session, indexes)


def read_hash_range(session: Session, start: int, end: int) -> list[tuple[int, bytes]]:
    """Return (index, hash) rows with start <= index < end, in index order."""
    raw, dialect = _driver(session)
    mark = "?" if dialect == "sqlite" else "%s"
    cur = raw.cursor()
    try:
        cur.execute(f"SELECT idx, hash FROM ledger_hash WHERE idx >= {mark} AND idx < {mark} ORDER BY idx",
                    (start, end))
        return [(idx, bytes(h)) for idx, h in cur.fetchall()]
    finally:
        cur.close()


def read_leaf_hashes(session: Session, start: int, end: int) -> list[tuple[int, bytes]]:
    """Return (seq, leaf_hash) of the events with start <= seq < end, in order."""
    raw, dialect = _driver(session)
    mark = "?" if dialect == "sqlite" else "%s"
    cur = raw.cursor()
    try:
        cur.execute(f"SELECT seq, leaf_hash FROM ledger_event WHERE seq >= {mark} AND seq < {mark} ORDER BY seq",
                    (start, end))
        return [(seq, bytes(h)) for seq, h in cur.fetchall()]
    finally:
        cur.close()


def append_hashes(session: Session, rows: Iterable[tuple[int, bytes]]) -> None:
    """Append (index, hash) rows to the stored-hash array (COPY on PostgreSQL)."""
    raw, dialect = _driver(session)
    cur = raw.cursor()
    try:
        if dialect == "sqlite":
            cur.executemany("INSERT INTO ledger_hash (idx, hash) VALUES (?, ?)", rows)
        else:
            with cur.copy("COPY ledger_hash (idx, hash) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    finally:
        cur.close()
