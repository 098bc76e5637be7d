"""Reading and appending the stored-hash array, straight through the driver for speed.

Proofs read a few dozen hashes by index and integration appends thousands at a time; the ORM's
per-row work would dominate both, so these go through the session's own DBAPI connection — still
inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from certbridge.errors import DomainError

_CHUNK = 500  # indexes per IN (...) query
_ROWS_PER_INSERT = 250  # (idx, hash) rows per multi-row INSERT on SQLite: 500 parameters, under every limit
_MULTI_INSERT = "INSERT INTO ledger_hash (idx, hash) VALUES " + ", ".join(["(?, ?)"] * _ROWS_PER_INSERT)
CACHE_ENTRIES = 500_000  # ~60 MB; the hashes near the root, which every proof reads, stay in it
_caches: WeakKeyDictionary[Engine, dict[int, bytes]] = WeakKeyDictionary()


class LedgerCorrupt(DomainError):
    """The stored ledger is missing data it must have (a hash, an event): someone deleted rows."""

    status = 500


def _driver(session: Session):
    conn = session.connection()
    return conn.connection.driver_connection, conn.dialect.name


class HashStore:
    """Reads stored hashes through one session's driver connection, remembering them per engine.

    A stored hash never changes once written (the array is append-only), so a hash read once can be
    served from memory for as long as the engine lives. `ledger verify` never uses this cache: it
    reads the table itself, because its job is to distrust it.
    """

    def __init__(self, session: Session) -> None:
        conn = session.connection()
        self.raw, self.dialect = conn.connection.driver_connection, conn.dialect.name
        self.cache = _caches.get(conn.engine)
        if self.cache is None:
            self.cache = _caches[conn.engine] = {}

    def read(self, indexes: Sequence[int]) -> list[bytes]:
        """Return the hashes at the given indexes, in order; one query for those not in memory."""
        cache = self.cache
        missing = sorted({i for i in indexes if i not in cache})
        if missing:
            found = self._query(missing)
            if len(found) != len(missing):
                raise LedgerCorrupt("ledger.hash_missing", index=next(i for i in missing if i not in found))
            result = [found[i] if i in found else cache[i] for i in indexes]
            if len(cache) + len(found) > CACHE_ENTRIES:
                cache.clear()
            cache.update(found)
            return result
        return [cache[i] for i in indexes]

    __call__ = read  # a kit.merkle ReadHashes

    def _query(self, wanted: list[int]) -> dict[int, bytes]:
        found: dict[int, bytes] = {}
        cur = self.raw.cursor()
        try:
            for i in range(0, len(wanted), _CHUNK):
                chunk = wanted[i : i + _CHUNK]
                if self.dialect == "sqlite":
                    cur.execute(f"SELECT idx, hash FROM ledger_hash WHERE idx IN ({','.join('?' * len(chunk))})",
                                chunk)
                else:
                    cur.execute("SELECT idx, hash FROM ledger_hash WHERE idx = ANY(%s)", (chunk,))
                found.update((idx, bytes(h)) for idx, h in cur.fetchall())
        finally:
            cur.close()
        return found


def warm_cache(session: Session, tree_size: int, *, budget: int = CACHE_ENTRIES // 2) -> int:
    """Load the hashes near the root (every level whose hashes fit the budget) into memory; return how many.

    Every proof reads the same few upper hashes, so keeping the top of the tree in memory leaves only
    the levels next to the leaf for the database (as Trillian's subtree cache does).
    """
    from certbridge.kit.merkle import stored_hash_index

    level, total = 63, 0
    while level > 0 and total + (tree_size >> (level - 1)) <= budget:
        level -= 1
        total += tree_size >> level
    indexes = [stored_hash_index(lv, n) for lv in range(level, 64) for n in range(tree_size >> lv)]
    store = HashStore(session)
    for i in range(0, len(indexes), 5000):
        store.read(indexes[i : i + 5000])
    return len(indexes)


def read_hashes(session: Session, indexes: Sequence[int]) -> list[bytes]:
    """Return the stored hashes at the given indexes, in order."""
    return HashStore(session).read(indexes) if indexes else []


def hash_reader(session: Session) -> HashStore:
    """Return a kit.merkle ReadHashes callable backed by this session."""
    return HashStore(session)


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


def _run_insert(count: int) -> str:
    # Numbered parameters: ?1 is the run's first index, ?2… its hashes, so no (index, hash) pair is built per row.
    return "INSERT INTO ledger_hash (idx, hash) VALUES " + ", ".join(f"(?1 + {i}, ?{i + 2})" for i in range(count))


_RUN_SIZES = (400, 50)  # hashes per run INSERT on SQLite (at most 401 parameters); the rest one row each
_RUN_INSERTS = {n: _run_insert(n) for n in _RUN_SIZES}


def append_hash_run(session: Session, first: int, hashes: Sequence[bytes]) -> None:
    """Append hashes at the consecutive stored indexes first, first + 1, … (COPY on PostgreSQL)."""
    raw, dialect = _driver(session)
    cur = raw.cursor()
    try:
        if dialect == "sqlite":
            done = 0
            for size in _RUN_SIZES:
                full = done + (len(hashes) - done) // size * size
                if full > done:
                    cur.executemany(_RUN_INSERTS[size], [[first + i, *hashes[i:i + size]] for i in range(done, full, size)])
                done = full
            if done < len(hashes):
                cur.executemany("INSERT INTO ledger_hash (idx, hash) VALUES (?, ?)",
                                [(first + i, hashes[i]) for i in range(done, len(hashes))])
        else:
            with cur.copy("COPY ledger_hash (idx, hash) FROM STDIN") as copy:
                for row in enumerate(hashes, start=first):
                    copy.write_row(row)
    finally:
        cur.close()


def append_hashes(session: Session, rows: Iterable[tuple[int, bytes]]) -> None:
    """Append (index, hash) rows to the stored-hash array (COPY on PostgreSQL)."""
    raw, dialect = _driver(session)
    cur = raw.cursor()
    try:
        if dialect == "sqlite":
            # Multi-row INSERTs: a fifth less CPU per row than one executemany row each (two rows per event).
            rows = rows if isinstance(rows, list) else list(rows)
            full = len(rows) - len(rows) % _ROWS_PER_INSERT
            if full:
                cur.executemany(_MULTI_INSERT, [list(chain.from_iterable(rows[i:i + _ROWS_PER_INSERT]))
                                                for i in range(0, full, _ROWS_PER_INSERT)])
            cur.executemany("INSERT INTO ledger_hash (idx, hash) VALUES (?, ?)", rows[full:])
        else:
            with cur.copy("COPY ledger_hash (idx, hash) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    finally:
        cur.close()
