"""The ledger's state map: for every certificate, certification body, organization, person registration and lab, its
latest public event (map v2; docs/ledger.md "The state map").

Kept with `kit.state_map` (a sparse Merkle tree) in two tables: `ledger_map_chunk` (the tree's chunks by
path) and `ledger_map` (how many log events are folded in, and the root). Integration folds the events it
adds into the map in the same transaction and writes the map's root into the checkpoint it signs as an
extension line, so one signed note commits to both the log and the map:

    <origin>
    <tree size>
    <log root, base64>
    certbridge-state-map/v2 <map root, base64>
    certbridge-time <unix seconds>

A subject's map key is the SHA-256 of each of its public names (`subject_name`; `kit.state_map.subject_key`
sets the first bit by kind), and its value commits to the log index and leaf hash of its latest public event
(`value_hash`). From that event, the `prev` chain of its
subject leads back to its first event, so a status proof (ledger/status_proofs.py) shows the complete
history as of the checkpoint, and an absence proof shows that a name had no event at all.

What is mapped, under which names, and the checkpoint lines are in ledger/state_map_names.py (re-exported here).
Everything here is derived from the log: `fold_log` rebuilds the map from events alone and gets the same
root (the integrity monitor and `certbridge ledger verify` use it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from weakref import WeakKeyDictionary

from sqlalchemy import BigInteger, Engine, Integer, LargeBinary
from sqlalchemy.orm import Mapped, Session, mapped_column

from certbridge.db import Base
from certbridge.kit import state_map as sm
from certbridge.kit import state_map_raw as raw
from certbridge.ledger.state_map_names import (  # noqa: F401  (re-exported: what the map holds, in one place)
    MAP_LINE, MAP_LINES, MAP_VERSION, MAPPED_SUBJECTS, MUTABLE_NAMES, TIME_LINE, NameTracker, extension_lines, holder_name,
    map_version, read_extensions, subject_name, value_hash,
)

_IN = 500
BigId = BigInteger().with_variant(Integer, "sqlite")


class LedgerMapChunk(Base):
    """One 16-way chunk of the state map, by its nibble path (kit/state_map.py)."""

    __tablename__ = "ledger_map_chunk"

    path: Mapped[bytes] = mapped_column(LargeBinary(64), primary_key=True)
    chunk: Mapped[bytes] = mapped_column(LargeBinary)


class LedgerMap(Base):
    """The state map's position: every event below `size` is folded in; `root` is the map's root hash."""

    __tablename__ = "ledger_map"

    id: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[int] = mapped_column(BigId, default=0)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))


_caches: WeakKeyDictionary[Engine, sm.ChunkCache] = WeakKeyDictionary()  # engine -> its map's upper chunks


def chunk_cache(session: Session) -> sm.ChunkCache:
    """Return the cache of the state map's upper chunks kept for the session's engine (kit.state_map.ChunkCache:
    a chunk is used only where the committed root read in the caller's transaction leads to its very hash)."""
    engine = session.get_bind()
    cache = _caches.get(engine)
    if cache is None:
        cache = _caches[engine] = sm.ChunkCache()
    return cache


def warm_cache(session: Session) -> int:
    """Fill the engine's cache with the map's upper chunks (paths of at most ChunkCache.depth nibbles) in one
    query, keeping only those the recorded root leads to; return how many. A long-running server fills it as it
    goes; a benchmark or a fresh process answering many proofs starts with it full."""
    cache, root = chunk_cache(session), ChunkTable(session).current_root()
    conn = session.connection()
    rows = {bytes(p): bytes(c) for p, c in conn.exec_driver_sql(
        f"SELECT path, chunk FROM ledger_map_chunk WHERE length(path) <= {int(cache.depth)}")}
    kept, level = 0, [(b"", root)]
    while level:
        below = []
        for path, expected in level:
            if path not in rows:
                continue
            chunk = raw.parse(rows[path])
            if raw.chunk_hash(chunk) != expected:
                continue
            cache.put_raw(path, chunk)
            kept += 1
            below += [(path + bytes((n,)), raw.entry(chunk, n)[1:]) for n in range(16) if chunk.children >> n & 1]
        level = below
    return kept


class ChunkTable:
    """kit.state_map's ChunkStore over the ledger_map_chunk table, through the session's driver connection.

    Reads go to the table (one query per 500 paths); writes are kept and sent by `flush` in one executemany,
    so a batch writes each chunk once. `cache` is the engine's cache of upper chunks and `current_root` the
    map's recorded root: with them `kit.state_map.prove` reads only the chunks below the cached levels.
    """

    def __init__(self, session: Session) -> None:
        conn = session.connection()
        self.raw, self.dialect = conn.connection.driver_connection, conn.dialect.name
        self.mark = "?" if self.dialect == "sqlite" else "%s"
        self.pending: dict[bytes, bytes] = {}
        self.cache = chunk_cache(session)

    def current_root(self) -> bytes:
        """Return the map's recorded root (the empty root before the first fold)."""
        cur = self.raw.cursor()
        try:
            cur.execute("SELECT root FROM ledger_map WHERE id = 1")
            row = cur.fetchone()
        finally:
            cur.close()
        return bytes(row[0]) if row else sm.PLACEHOLDER

    def get_many(self, paths: list[bytes]) -> dict[bytes, list]:
        return {path: sm.decode_chunk(data) for path, data in self.get_raw(paths).items()}

    def get_raw(self, paths: list[bytes]) -> dict[bytes, bytes]:
        """Return the encoded chunks found among `paths` (kit/state_map.py's fold and proofs take them apart
        themselves, kit/state_map_raw.py)."""
        out, todo = {}, []
        for path in paths:
            if path in self.pending:
                out[path] = self.pending[path]
            else:
                todo.append(path)
        cur = self.raw.cursor()
        try:
            for start in range(0, len(todo), _IN):
                part = todo[start:start + _IN]
                cur.execute(f"SELECT path, chunk FROM ledger_map_chunk WHERE path IN "
                            f"({', '.join([self.mark] * len(part))})", part)
                for path, chunk in cur.fetchall():
                    out[bytes(path)] = bytes(chunk)
        finally:
            cur.close()
        return out

    def put(self, path: bytes, chunk: list) -> None:
        self.pending[path] = sm.encode_chunk(chunk)

    def put_raw(self, path: bytes, data: bytes) -> None:
        self.pending[path] = data

    def flush(self) -> None:
        if not self.pending:
            return
        m = self.mark
        cur = self.raw.cursor()
        try:
            cur.executemany(f"INSERT INTO ledger_map_chunk (path, chunk) VALUES ({m}, {m}) "
                            f"ON CONFLICT (path) DO UPDATE SET chunk = excluded.chunk", list(self.pending.items()))
        finally:
            cur.close()
        self.pending.clear()


def map_position(session: Session) -> tuple[int, bytes]:
    """Return (events folded in, root) of the state map; (0, empty root) before the first fold."""
    row = session.connection().exec_driver_sql("SELECT size, root FROM ledger_map WHERE id = 1").first()
    return (row[0], bytes(row[1])) if row else (0, sm.PLACEHOLDER)


def _events(session: Session, start: int, end: int) -> list[tuple[int, str, str, bytes]]:
    """Return (seq, subject type, subject id, leaf hash) of the public events of mapped subjects in [start, end)."""
    types = ", ".join(f"'{t}'" for t in MAPPED_SUBJECTS)
    # `subject_type || ''`: without it SQLite walks ix_ledger_event_subject through every event of the mapped types
    # ever written (120 ms a fold at 10 M events, growing with the log) instead of the seq range it needs.
    rows = session.connection().exec_driver_sql(
        f"SELECT seq, subject_type, subject_id, leaf_hash FROM ledger_event WHERE seq >= {int(start)} "
        f"AND seq < {int(end)} AND public AND subject_type || '' IN ({types}) ORDER BY seq").all()
    return [(seq, t, i, bytes(h)) for seq, t, i, h in rows]


def _names(session: Session, events: list[tuple[int, str, str, bytes]]) -> list[tuple[str, ...]]:
    """Return, per event (seq, subject type, subject id, leaf hash), the names whose map entries it updates.

    Certificates and bodies: their one name, from the registry tables (a certificate's number and its body's
    code never change). Organizations, persons and labs, whose names can change: from their public events'
    own states, every earlier event of the subject read again (NameTracker), so the result is exactly what
    `fold_log` derives from the log.
    """
    conn = session.connection()
    fixed: dict[tuple[str, str], str] = {}
    by_type: dict[str, set[str]] = {}
    for _, subject_type, subject_id, _ in events:
        by_type.setdefault(subject_type, set()).add(subject_id)
    queries = {
        "certificate": "SELECT c.id, b.code, c.number FROM certificate c JOIN certification_body b "
                       "ON b.id = c.body_id WHERE c.id IN ({})",
        "body": "SELECT id, code, NULL FROM certification_body WHERE id IN ({})",
    }
    for subject_type, id_set in by_type.items():
        if subject_type not in queries:
            continue
        ids = sorted(int(i) for i in id_set)
        for start in range(0, len(ids), _IN):
            part = ids[start:start + _IN]
            for row_id, code, number in conn.exec_driver_sql(
                    queries[subject_type].format(", ".join(str(int(i)) for i in part))).all():
                fixed[subject_type, str(row_id)] = subject_name(subject_type, body_code=code, number=number)
    tracked: dict[int, tuple[str, ...]] = {}
    end = events[-1][0] + 1 if events else 0
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    cur = conn.connection.driver_connection.cursor()
    try:
        for subject_type in MUTABLE_NAMES & set(by_type):
            ids = sorted(by_type[subject_type])
            tracker = NameTracker()
            for start in range(0, len(ids), _IN):
                part = ids[start:start + _IN]
                cur.execute(f"SELECT seq, subject_id, body FROM ledger_event WHERE subject_type = {mark} AND "
                            f"subject_id IN ({', '.join([mark] * len(part))}) AND public AND seq < {int(end)} "
                            f"ORDER BY seq", (subject_type, *part))
                for seq, subject_id, body in cur.fetchall():
                    state = json.loads(body).get("data", {}).get("state") or {}
                    tracked[seq] = tracker.names(subject_type, subject_id, state)
    finally:
        cur.close()
    out = []
    for seq, subject_type, subject_id, _ in events:
        if subject_type in MUTABLE_NAMES:
            out.append(tracked.get(seq, ()))
        else:
            name = fixed.get((subject_type, subject_id))  # a row deleted since (never in practice): not updated
            out.append((name,) if name is not None else ())
    return out


def fold(session: Session, end: int) -> tuple[int, bytes]:
    """Fold the events below `end` not yet in the map into it; return (size, root). Call in a write transaction."""
    size, root = map_position(session)
    if end <= size:
        return size, root
    events = _events(session, size, end)
    changes: dict[bytes, bytes] = {}
    for (seq, _, _, leaf), names in zip(events, _names(session, events), strict=True):  # in log order: last wins
        for name in names:
            changes[sm.subject_key(name)] = value_hash(seq, leaf)
    return end, apply_changes(session, changes, end, root)


def apply_changes(session: Session, changes: dict[bytes, bytes], end: int, root: bytes) -> bytes:
    """Apply (key, value hash) changes to the map whose recorded root is `root`, record it as holding the events
    below `end`, and return the new root; call in the write transaction `root` was read in.

    The upper chunks come from the engine's cache when they are the ones `root` leads to (`chunk_cache`), and
    the changed ones are kept there: a rolled-back transaction leaves chunks no committed root leads to, which
    are then simply not used.
    """
    store = ChunkTable(session)
    root = sm.apply(store, changes, root=root, cache=store.cache)
    store.flush()
    _record(session, end, root)
    return root


def _record(session: Session, size: int, root: bytes) -> None:
    """Record the map's position (events folded in, root): insert the row the first time, update it after."""
    conn = session.connection()
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    cur = conn.connection.driver_connection.cursor()
    try:
        cur.execute(f"UPDATE ledger_map SET size = {mark}, root = {mark} WHERE id = 1", (size, root))
        if cur.rowcount == 0:
            cur.execute(f"INSERT INTO ledger_map (id, size, root) VALUES (1, {mark}, {mark})", (size, root))
    finally:
        cur.close()


def latest_items(session: Session, end: int, *, window: int = 20_000) -> list[bytes]:
    """Return the map's entries as of the events below `end`: key ‖ value hash (64 bytes) of every name, sorted —
    what `fold` over events 0..end would hold (a property test checks it), for `kit.state_map.build_chunks`.

    Certificates and bodies (one name each, which never changes): one grouped query streams each subject's latest
    event (the subject index gives the maximum), and names are looked up `window` subjects at a time.
    Organizations, persons and labs, whose names change: their public events are streamed in order and followed
    by `NameTracker`, as `fold` does, the last event to update a name giving its value. Memory is the result,
    about 100 bytes a name.
    """
    conn = session.connection().execution_options(stream_results=True)
    result = conn.exec_driver_sql(
        f"SELECT e.seq, e.subject_type, e.subject_id, e.leaf_hash FROM ledger_event e JOIN "
        f"(SELECT max(seq) AS seq FROM ledger_event WHERE seq < {int(end)} AND public AND subject_type IN "
        f"('certificate', 'body') GROUP BY subject_type, subject_id) l ON l.seq = e.seq")
    latest: dict[bytes, tuple[int, bytes]] = {}
    try:
        while True:
            rows = result.fetchmany(window)
            if not rows:
                break
            events = [(seq, t, i, bytes(leaf)) for seq, t, i, leaf in rows]
            for (seq, _, _, leaf), names in zip(events, _names(session, events), strict=True):
                for name in names:
                    latest[sm.subject_key(name)] = (seq, value_hash(seq, leaf))
    finally:
        result.close()
    types = ", ".join(f"'{t}'" for t in sorted(MUTABLE_NAMES))
    result = conn.exec_driver_sql(
        f"SELECT seq, subject_type, subject_id, body, leaf_hash FROM ledger_event WHERE seq < {int(end)} AND public "
        f"AND subject_type IN ({types}) ORDER BY seq")
    tracker = NameTracker()
    try:
        while True:
            rows = result.fetchmany(window)
            if not rows:
                break
            for seq, subject_type, subject_id, body, leaf in rows:
                state = json.loads(body).get("data", {}).get("state") or {}
                value = value_hash(seq, bytes(leaf))
                for name in tracker.names(subject_type, subject_id, state):
                    latest[sm.subject_key(name)] = (seq, value)  # in log order: the last update wins
    finally:
        result.close()
    return sorted(key + value for key, (_, value) in latest.items())


def encoded_chunks(items: list[bytes]) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """Build the whole map of sorted `items` (kit.state_map.build_chunks); return its root and its chunks as
    (path, encoded chunk) rows, ready for `write_built`."""
    root, rows = sm.PLACEHOLDER, []
    for path, data, digest in sm.build_chunks(items):
        rows.append((path, data))
        if not path:
            root = digest
    return root, rows


def write_built(session: Session, size: int, root: bytes, rows: list[tuple[bytes, bytes]]) -> None:
    """Replace the chunk table with a map built whole and record it as holding the events below `size`; call in a
    write transaction in which the map was found empty (size 0)."""
    conn = session.connection()
    raw = conn.connection.driver_connection
    cur = raw.cursor()
    try:
        cur.execute("DELETE FROM ledger_map_chunk")  # nothing a committed root leads to: the map is empty
        if conn.dialect.name == "postgresql":
            with cur.copy("COPY ledger_map_chunk (path, chunk) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            for start in range(0, len(rows), 100_000):
                cur.executemany("INSERT INTO ledger_map_chunk (path, chunk) VALUES (?, ?)", rows[start:start + 100_000])
    finally:
        cur.close()
    _record(session, size, root)


def fold_log(events: Iterable[tuple[int, str, str, bool, str, bytes]]) -> bytes:
    """Rebuild the map root from the log alone: (seq, subject type, subject id, public, body, leaf hash) in order.

    Names come from the events themselves: a certificate's number and issuing body from its first event's
    state, a body's code from its own first event, an organization's USCC, a person's registration numbers
    and a lab's CMA number from their public events as they change (NameTracker) — the registry tables are
    not consulted.
    """
    body_codes: dict[str, str] = {}
    certificates: dict[str, tuple[str, str]] = {}  # certificate id -> (body id, number)
    latest: dict[tuple[str, str], tuple[int, bytes]] = {}  # certificates and bodies: their latest public event
    items: dict[bytes, bytes] = {}
    tracker = NameTracker()
    for seq, subject_type, subject_id, public, body, leaf in events:
        if subject_type not in MAPPED_SUBJECTS:
            continue
        state = json.loads(body).get("data", {}).get("state") or {}
        if subject_type == "body" and state.get("code"):
            body_codes.setdefault(subject_id, state["code"])
        if subject_type == "certificate" and state.get("number") and state.get("body_id") is not None:
            certificates.setdefault(subject_id, (str(state["body_id"]), state["number"]))
        if not public:
            continue
        if subject_type in MUTABLE_NAMES:
            value = value_hash(seq, leaf)
            for name in tracker.names(subject_type, subject_id, state):
                items[sm.subject_key(name)] = value
        else:
            latest[subject_type, subject_id] = (seq, leaf)
    for (subject_type, subject_id), (seq, leaf) in latest.items():
        if subject_type == "certificate":
            body_id, number = certificates[subject_id]
            name = subject_name("certificate", body_code=body_codes[body_id], number=number)
        else:
            name = subject_name("body", body_code=body_codes[subject_id])
        items[sm.subject_key(name)] = value_hash(seq, leaf)
    return sm.root_of(items)


class ChainCheck:
    """Checks, as the log streams by, that every public event of a chained subject that names its predecessor
    names the subject's previous public event (`prev` its index, `prev_hash` its leaf hash): the first one that
    does not is `broken`. Events written before `prev_hash` existed chained private events too, so for them a
    `prev` naming the subject's previous event of either kind is right."""

    def __init__(self) -> None:
        self.last: dict[tuple[str, str], tuple[int, str]] = {}  # previous public event: (index, base64 leaf hash)
        self.any: dict[tuple[str, str], int] = {}  # previous event, public or not
        self.broken: int | None = None

    def watch(self, events):
        import base64

        for event in events:
            seq, subject_type, subject_id, public, body, leaf = event
            if subject_type in MAPPED_SUBJECTS:
                key = (subject_type, subject_id)
                if public and '"prev"' in body:
                    parsed = json.loads(body)
                    before = self.last.get(key)
                    if "prev_hash" in parsed:
                        bad = (parsed.get("prev"), parsed["prev_hash"]) != (before if before else (None, None))
                    else:
                        bad = "prev" in parsed and parsed["prev"] not in ((before[0] if before else None),
                                                                          self.any.get(key))
                    if bad and self.broken is None:
                        self.broken = seq
                if public:
                    self.last[key] = (seq, base64.b64encode(leaf).decode())
                self.any[key] = seq
            yield event


def root_of_chunks(chunks: dict[bytes, bytes]) -> bytes:
    """Recompute the map root from stored chunks alone, re-hashing every deeper chunk instead of trusting the
    hash its parent keeps (so an edited leaf anywhere shows in the root)."""
    def rehash(path: bytes) -> list:
        # a new Chunk without hashes: its hash is made from the entries as rehashed here, never a cached one
        chunk = sm.Chunk(sm.decode_chunk(chunks[path])) if path in chunks else sm.Chunk()
        for n, entry in enumerate(chunk):
            if isinstance(entry, sm.Child):
                chunk[n] = sm.Child(sm.chunk_hash(rehash(path + bytes([n]))))
        return chunk

    return sm.chunk_hash(rehash(b""))


def verify_map(session: Session) -> list[tuple[str, dict]]:
    """Check the stored map against the log: return problems as (catalog code, params); empty when it holds.

    The root is rebuilt from the events alone (`fold_log`) and from the stored chunks, and both must equal the
    map's recorded root and the root in the newest checkpoint that carries one.
    """
    size, root = map_position(session)
    tree_size = session.connection().exec_driver_sql("SELECT size FROM ledger_tree WHERE id = 1").scalar() or 0
    if size != tree_size:
        return [("statemap.verify.behind", {"size": size, "tree": tree_size})]
    rows = session.connection().exec_driver_sql(
        f"SELECT seq, subject_type, subject_id, public, body, leaf_hash FROM ledger_event WHERE seq < {int(size)} "
        f"ORDER BY seq")
    chains = ChainCheck()
    replayed = fold_log(chains.watch((seq, t, i, bool(p), body, bytes(h)) for seq, t, i, p, body, h in rows))
    problems = []
    if chains.broken is not None:
        problems.append(("statemap.verify.chain", {"seq": chains.broken}))
    if replayed != root:
        problems.append(("statemap.verify.replayed_root", {"size": size}))
    chunks = {bytes(p): bytes(c) for p, c in session.connection().exec_driver_sql(
        "SELECT path, chunk FROM ledger_map_chunk")}
    if root_of_chunks(chunks) != root:
        problems.append(("statemap.verify.chunks", {"size": size}))
    latest = session.connection().exec_driver_sql(
        "SELECT size, map_root FROM ledger_checkpoint WHERE map_root IS NOT NULL ORDER BY id DESC LIMIT 1").first()
    if latest is not None and latest[0] == size and bytes(latest[1]) != root:
        problems.append(("statemap.verify.checkpoint", {"size": size}))
    return problems
