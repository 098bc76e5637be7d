"""Reading and appending the stored-hash array, straight through the driver for speed.

Proofs read a few dozen hashes by index and integration appends thousands at a time; the ORM's
per-row work would dominate both, so these go through the session's own DBAPI connection — still
inside the caller's transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from hashlib import sha256
from itertools import chain
from weakref import WeakKeyDictionary

import orjson
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from certbridge.errors import DomainError
from certbridge.kit.merkle import stored_hash_index

_CHUNK = 500  # indexes per IN (...) query
_ROWS_PER_INSERT = 250  # (idx, hash) rows per multi-row INSERT on SQLite: 500 parameters, under every limit
_MULTI_INSERT = "INSERT INTO ledger_hash (idx, hash) VALUES " + ", ".join(["(?, ?)"] * _ROWS_PER_INSERT)
CACHE_ENTRIES = 500_000  # hashes a HashStore remembers per engine (tiles, frontiers) before starting over
_caches: WeakKeyDictionary[Engine, dict[int, bytes]] = WeakKeyDictionary()
TOP_BYTES = 48 * 2**20  # memory for the top of the tree (TopLevels): level 4 and up at 10 million leaves
_FILL_CHUNK = 20_000  # indexes per query when filling TopLevels
_tops: WeakKeyDictionary[Engine, TopLevels] = WeakKeyDictionary()


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

    def read(self, indexes: Sequence[int], *, remember: bool = True) -> list[bytes]:
        """Return the hashes at the given indexes, in order; one query for those not in memory.

        `remember=False` for reads that will not come again (a proof's hashes next to its leaf): they would only
        push the useful ones out.
        """
        cache = self.cache
        missing = sorted({i for i in indexes if i not in cache})
        if missing:
            found = self._query(missing)
            if len(found) != len(missing):
                raise LedgerCorrupt("ledger.hash_missing", index=next(i for i in missing if i not in found))
            result = [found[i] if i in found else cache[i] for i in indexes]
            if remember:
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


class TopLevels:
    """The stored hashes of the tree's upper levels, kept per engine as one flat byte array per level.

    Level `lv` holds the hashes of its complete subtrees 0, 1, … in order, 32 bytes each, for every level
    from `cut` up; `cut` is the lowest level whose hashes, with all above it, fit the memory budget (level 4
    at 10 million leaves: 1.3 million hashes, 41 MB — the same bytes in a dict would take four times that).
    An inclusion proof then reads only the `cut` hashes next to its leaf from the database. A stored hash never
    changes once written, so what is here stays true for as long as the engine lives; the arrays only grow,
    under a lock, and a reader never sees a half-written hash (each append is one call).
    """

    def __init__(self) -> None:
        self.cut = 64  # nothing held until the first fill
        self.levels: list[bytearray] = [bytearray() for _ in range(64)]
        self.edges: dict[int, dict[int, bytes]] = {}  # tree size → {start: hash of the leaves [start, size)}
        self.lock = threading.Lock()
        self.budget = TOP_BYTES

    def held(self) -> int:
        """Return how many hashes are held."""
        return sum(len(a) for a in self.levels[self.cut:]) // 32

    def fill(self, session: Session, tree_size: int, *, budget_bytes: int | None = None, wait: bool = True) -> int:
        """Hold every complete-subtree hash of the levels that fit the budget in a tree of `tree_size`.

        Reads only what is not held yet (all of it the first time, a few hashes after the log grew); returns
        how many hashes it read. With `wait=False` it returns 0 at once when another thread is filling.
        """
        if not self.lock.acquire(blocking=wait):
            return 0
        try:
            if budget_bytes is not None:
                self.budget = budget_bytes
            cut, total = 64, 0
            while cut > 0 and total + (tree_size >> (cut - 1)) * 32 <= self.budget:
                cut -= 1
                total += (tree_size >> cut) * 32
            if cut > self.cut:  # the tree outgrew the budget: let go of the lowest levels
                for lv in range(self.cut, cut):
                    self.levels[lv] = bytearray()
            self.cut = cut
            read = 0
            for lv in range(63, cut - 1, -1):
                have, want = len(self.levels[lv]) // 32, tree_size >> lv
                if want > have:
                    hashes = read_hashes_in_order(session, [stored_hash_index(lv, n) for n in range(have, want)])
                    self.levels[lv] += b"".join(hashes)
                    read += want - have
            return read
        finally:
            self.lock.release()

    def edge(self, size: int, start: int, read: Callable[[list[tuple[int, int]]], list[bytes]]) -> bytes:
        """Return the hash of the leaves [start, size) — a piece of the tree's right edge, the same for every proof
        of this tree size — folded once from its complete subtrees (read by `read`) and then remembered."""
        at_size = self.edges.get(size)
        if at_size is None:
            if len(self.edges) >= 8:
                self.edges.clear()
            at_size = self.edges[size] = {}
        h = at_size.get(start)
        if h is None:
            nodes, lo = [], start
            while lo < size:
                lv = (size - lo).bit_length() - 1
                nodes.append((lv, lo >> lv))
                lo += 1 << lv
            hashes = read(nodes)
            h = hashes[-1]
            for left in reversed(hashes[:-1]):
                h = sha256(b"\x01" + left + h).digest()
            at_size[start] = h
        return h


def top_levels(session: Session) -> TopLevels:
    """Return the engine's TopLevels."""
    engine = session.get_bind()
    top = _tops.get(engine)
    if top is None:
        top = _tops.setdefault(engine, TopLevels())
    return top


def warm_cache(session: Session, tree_size: int, *, budget_bytes: int | None = None) -> int:
    """Load the top of the tree (every level whose hashes fit the budget) into memory; return how many it holds.

    Every proof reads the same few upper hashes, so keeping the top of the tree in memory leaves only
    the levels next to the leaf for the database (as Trillian's subtree cache does).
    """
    top = top_levels(session)
    top.fill(session, tree_size, budget_bytes=budget_bytes)
    return top.held()


def read_hashes_in_order(session: Session, indexes: Sequence[int]) -> list[bytes]:
    """Return the stored hashes at many indexes, in order, a few large queries (no cache): for filling caches."""
    raw, dialect = _driver(session)
    out: list[bytes] = []
    cur = raw.cursor()
    try:
        for i in range(0, len(indexes), _FILL_CHUNK):
            chunk = list(indexes[i:i + _FILL_CHUNK])
            if dialect == "sqlite":  # the index list as one JSON array: no per-parameter binding
                cur.execute("SELECT h.hash FROM json_each(?) AS j JOIN ledger_hash AS h ON h.idx = j.value "
                            "ORDER BY j.key", (orjson.dumps(chunk),))
            else:
                cur.execute("SELECT h.hash FROM unnest(%s::bigint[]) WITH ORDINALITY AS j(idx, ord) "
                            "JOIN ledger_hash AS h ON h.idx = j.idx ORDER BY j.ord", (chunk,))
            rows = cur.fetchall()
            if len(rows) != len(chunk):
                found = set(_query_set(cur, dialect, chunk))
                raise LedgerCorrupt("ledger.hash_missing", index=next(x for x in chunk if x not in found))
            out.extend(bytes(h) for h, in rows)
    finally:
        cur.close()
    return out


def _query_set(cur, dialect: str, chunk: list[int]) -> list[int]:
    if dialect == "sqlite":
        cur.execute("SELECT idx FROM ledger_hash WHERE idx IN (SELECT value FROM json_each(?))", (orjson.dumps(chunk),))
    else:
        cur.execute("SELECT idx FROM ledger_hash WHERE idx = ANY(%s)", (chunk,))
    return [idx for idx, in cur.fetchall()]


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
