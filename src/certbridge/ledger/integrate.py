"""Integration: hash committed events into the Merkle tree and sign a checkpoint of the new size.

Events are appended by every service in its own transaction (certbridge.ledger.journal); this module is the
one writer of the tree. It takes the tree row's lock (a row lock on PostgreSQL; on SQLite the write
transaction's RESERVED lock, taken by the very first statement), so two integrators queue instead of
writing the same stored-hash indexes twice.

Appending leaf n needs, besides its own hash, only left siblings that are complete subtrees of the
tree before it: those are either hashes made earlier in this batch or the "frontier" of the tree as
integrated so far — the at most log2(size) complete-subtree hashes whose fold is the root. One query
reads the frontier, one reads the new leaf hashes, one bulk insert writes the result.

Integration runs after every write request, so its fixed costs matter as much as its per-leaf ones:
the key check (`register_local_keys`) is repeated only when a key file or the ledger_key table changed
since it last passed on this engine, and the log signer is parsed once per key file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from hashlib import sha256
from typing import Callable
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.util import identity_key

from certbridge.db import read_session, utcnow, write_session
from certbridge.kit.merkle import stored_hash_index, tree_hash
from certbridge.kit.signed_note import Signer, format_checkpoint, sign
from certbridge.ledger.keys import PURPOSES, key_file, log_origin, log_signer, register_local_keys
from certbridge.ledger.models import LedgerCheckpoint, LedgerTree
from certbridge.ledger.state_map import encoded_chunks, extension_lines, fold, latest_items, map_position, write_built
from certbridge.ledger.store import LedgerCorrupt, append_hashes, read_hashes, read_leaf_hashes
from certbridge.settings import Settings

BATCH_LEAVES = 100_000  # events per transaction, so a long backlog never holds the write lock for long
# The state map is folded in the integrating transaction only for batches this small (every write request's);
# a bigger batch (a bulk import) is folded afterwards in transactions of MAP_BATCH events, so that no single
# transaction holds the write lock for the map's whole fold, and one more checkpoint then carries the map line.
FOLD_INLINE = 2_000
MAP_BATCH = 5_000
# A catch-up from an empty map over more events than this builds the map whole instead (`build_map`: a sorted
# bottom-up build, each chunk made and written once) — a demo's bulk load, or an upgrade from before the map.
BUILD_FROM = 20_000


# Followers: capabilities that keep figures derived from the log (statistics) fold a small batch in the
# integrating transaction too, so an append's figures are current when its checkpoint is. The ledger imports no
# capability: a follower registers itself (`follow_integration`) and is called with the session, the settings,
# the old and new tree size and the new root, after the tree is extended and before the checkpoint is signed.
# A follower must not raise (it keeps its own work in a savepoint) and may decline (then it catches up later).
Follower = Callable[[Session, Settings, int, int, bytes], None]
_followers: list[Follower] = []


def follow_integration(follower: Follower) -> None:
    """Have `follower` called in every integrating transaction of a batch up to FOLD_INLINE events."""
    if follower not in _followers:
        _followers.append(follower)


@dataclass(frozen=True)
class Integration:
    """What one integration did."""

    old_size: int
    size: int
    root_hash: bytes
    checkpoint_id: int | None  # None when nothing new had to be signed


def frontier_indexes(size: int) -> list[int]:
    """Return the stored indexes of the complete subtrees whose fold is the root of a tree of `size`."""
    out, lo = [], 0
    while lo < size:
        level = (size - lo).bit_length() - 1
        out.append(stored_hash_index(level, lo >> level))
        lo += 1 << level
    return out


def extend_tree(size: int, frontier: dict[int, bytes], leaves: list[bytes]) -> tuple[list[tuple[int, bytes]], dict[int, bytes]]:
    """Append leaves to a tree known by its frontier; return the new stored hashes and the new frontier.

    The frontier is kept as a stack of complete-subtree hashes, largest first: leaf n completes one subtree
    per trailing 1 bit of n, each the hash of the stack's top (its left sibling) and the hash built so far.
    The stored hashes of consecutive leaves have consecutive indexes, starting at stored_hash_index(0, size).
    """
    stack = [frontier[i] for i in frontier_indexes(size)]
    pop, push = stack.pop, stack.append
    hashes: list[bytes] = []
    add = hashes.append
    n = size
    for leaf in leaves:
        add(leaf)
        h = leaf
        bits = n
        while bits & 1:
            h = sha256(b"\x01" + pop() + h).digest()
            add(h)
            bits >>= 1
        push(h)
        n += 1
    out = list(enumerate(hashes, start=stored_hash_index(0, size)))
    return out, dict(zip(frontier_indexes(n), stack, strict=True))


def root_from_frontier(size: int, frontier: dict[int, bytes]) -> bytes:
    """Return the root hash of a tree of `size` from its frontier."""
    return tree_hash(size, lambda xs: [frontier[x] for x in xs])


def _lock_tree(session: Session) -> tuple[int, bytes]:
    """Take the tree lock and return the integrated size and root hash."""
    session.flush()  # driver statements do not autoflush; pending ORM rows must be seen as before
    conn = session.connection()
    # A no-op UPDATE as the transaction's first write: PostgreSQL locks the row, SQLite the database.
    conn.exec_driver_sql("UPDATE ledger_tree SET size = size WHERE id = 1")
    row = conn.exec_driver_sql("SELECT size, root_hash FROM ledger_tree WHERE id = 1").first()
    if row is None:
        raise LedgerCorrupt("ledger.tree_missing")
    return row[0], bytes(row[1])


def _store_tree(session: Session, size: int, root_hash: bytes) -> None:
    """Record the tree's new size and root; a LedgerTree this session had loaded is refreshed on next use."""
    session.execute(update(LedgerTree).where(LedgerTree.id == 1)
                    .values(size=size, root_hash=root_hash, updated_at=utcnow()))
    loaded = session.identity_map.get(identity_key(LedgerTree, 1))
    if loaded is not None:
        session.expire(loaded)


_key_checks: WeakKeyDictionary[Engine, tuple] = WeakKeyDictionary()  # engine → state the key check passed in
_signers: dict[tuple, Signer] = {}


def _file_state(path) -> tuple | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _key_state(session: Session, settings: Settings) -> tuple:
    """What `register_local_keys` depends on: the key files, pending rotations and the ledger_key rows."""
    files = []
    for purpose in PURPOSES:
        path = key_file(settings, purpose)  # key_path would mkdir the folder on every call
        files.append((str(path), _file_state(path), _file_state(path.with_name(f"{purpose}.key.new"))))
    session.flush()  # a key row added in this transaction counts
    rows = session.connection().exec_driver_sql(
        "SELECT count(*), max(id), count(valid_until) FROM ledger_key").one()
    return settings.instance_name, tuple(files), tuple(rows)


def _check_keys(session: Session, settings: Settings, *, rotating: bool) -> None:
    """Run `register_local_keys` unless it already passed on this engine with nothing changed since."""
    engine = session.get_bind()
    before = _key_state(session, settings)
    if not rotating and _key_checks.get(engine) == before:
        return
    _key_checks.pop(engine, None)
    register_local_keys(session, settings, finish_rotations=not rotating)
    if _key_state(session, settings) == before:  # remember only a state the check saw from start to end
        _key_checks[engine] = before


def _log_signer(settings: Settings) -> Signer:
    """Return the log signer, parsed once per key file (a rotation replaces the file, and so the entry)."""
    path = key_file(settings, "log")
    before = (str(path), log_origin(settings), _file_state(path))
    signer = _signers.get(before) if before[2] is not None else None
    if signer is None:
        signer = log_signer(settings)  # creates the key on first use
        if before[2] is not None and _file_state(path) == before[2]:
            if len(_signers) > 16:
                _signers.clear()
            _signers[before] = signer
    return signer


def sign_checkpoint(session: Session, *, settings: Settings, size: int, root_hash: bytes,
                    signers: list[Signer] | None = None) -> LedgerCheckpoint:
    """Sign a checkpoint of the tree at `size` with the log key (and any extra signers) and store it.

    When the state map holds exactly the events below `size` (ledger/state_map.py), its root and the signing
    time go into the checkpoint as extension lines; a map still catching up leaves them out.
    """
    signers = signers or [_log_signer(settings)]
    now = utcnow()
    map_size, map_root = map_position(session)
    extensions = extension_lines(map_root, now) if map_size == size else ()
    note = sign(format_checkpoint(log_origin(settings), size, root_hash, extensions), signers)
    row = LedgerCheckpoint(size=size, root_hash=root_hash, note=note,
                           key=f"{signers[0].name}+{signers[0].key_id:08x}", created_at=now,
                           map_root=map_root if extensions else None)
    session.add(row)
    session.flush()
    return row


def integrate(session: Session, *, settings: Settings, max_leaves: int = BATCH_LEAVES,
              rotating: bool = False) -> Integration:
    """Hash events beyond the integrated size into the tree and sign a checkpoint; call in a write transaction."""
    old, old_root = _lock_tree(session)
    _check_keys(session, settings, rotating=rotating)
    head, _, has_checkpoint = _sizes(session)
    target = min(head, old + max_leaves)
    if target < old:
        raise LedgerCorrupt("ledger.head_behind_tree", head=target, tree=old)
    if target == old:
        if has_checkpoint:
            return Integration(old, old, old_root, None)
        cp = sign_checkpoint(session, settings=settings, size=old, root_hash=old_root)
        return Integration(old, old, old_root, cp.id)
    front_idx = frontier_indexes(old)
    frontier = dict(zip(front_idx, read_hashes(session, front_idx), strict=True))
    rows = read_leaf_hashes(session, old, target)
    if len(rows) != target - old or (rows and (rows[0][0] != old or rows[-1][0] != target - 1)):
        seqs = {seq for seq, _ in rows}
        missing = next(s for s in range(old, target) if s not in seqs)
        raise LedgerCorrupt("ledger.event_missing", seq=missing)
    new_hashes, frontier = extend_tree(old, frontier, [h for _, h in rows])
    append_hashes(session, new_hashes)
    if target - old <= FOLD_INLINE and map_position(session)[0] == old:  # else catch_up_map folds it afterwards
        fold(session, target)
    root = root_from_frontier(target, frontier)
    _store_tree(session, target, root)
    if target - old <= FOLD_INLINE:
        for follower in _followers:
            follower(session, settings, old, target, root)
    cp = sign_checkpoint(session, settings=settings, size=target, root_hash=root)
    return Integration(old, target, root, cp.id)


def _sizes(session: Session) -> tuple[int, int, bool]:
    """Return the log head's size, the tree's size and whether a checkpoint exists, in one driver query."""
    # Through the driver: this runs after every write request, where the ORM's statement handling cost
    # more than the query.
    head, tree, signed = session.connection().exec_driver_sql(
        "SELECT (SELECT size FROM ledger_head WHERE id = 1), (SELECT size FROM ledger_tree WHERE id = 1), "
        "EXISTS (SELECT 1 FROM ledger_checkpoint)").one()
    return head or 0, tree or 0, bool(signed)


def degraded(session: Session) -> bool:
    """Tell whether the integrity monitor (ledger/integrity.py) found a problem: then no checkpoint is signed."""
    row = session.connection().exec_driver_sql("SELECT status FROM ledger_integrity WHERE id = 1").first()
    return row is not None and row[0] == "degraded"


def pending_events(sessions: sessionmaker[Session]) -> int:
    """Return how many committed events are not yet in the tree (one cheap read); 0 while integrity is degraded."""
    with read_session(sessions) as session:
        head, tree_size, has_checkpoint = _sizes(session)
        if degraded(session):
            return 0
        return head - tree_size + (0 if has_checkpoint else 1)


def integrate_pending(sessions: sessionmaker[Session], *, settings: Settings,
                      max_leaves: int = BATCH_LEAVES) -> Integration | None:
    """Integrate every committed event, one batch per transaction; return the last integration, if any."""
    if pending_events(sessions) <= 0:
        return None
    catch_up_map(sessions, settings=settings)
    last = None
    while True:
        with write_session(sessions) as session:
            result = integrate(session, settings=settings, max_leaves=max_leaves)
        if result.checkpoint_id is not None:
            last = result
        if result.size - result.old_size < max_leaves:
            break
    return catch_up_map(sessions, settings=settings) or last


def catch_up_map(sessions: sessionmaker[Session], *, settings: Settings, max_events: int = MAP_BATCH,
                 build_from: int = BUILD_FROM) -> Integration | None:
    """Fold integrated events the state map does not hold yet, a batch per transaction, then sign a checkpoint
    that carries the map line; return that integration, or None when the map was already caught up.

    The map falls behind after a bulk batch (see FOLD_INLINE) or on a log from before the map existed. An empty
    map more than BUILD_FROM events behind is built whole first (`build_map`), then folded the rest of the way.
    """
    behind = build_map(sessions, min_events=build_from) is not None
    while True:
        with write_session(sessions) as session:
            tree_size, tree_root = _lock_tree(session)
            map_size, _ = map_position(session)
            if map_size >= tree_size:
                if not behind:
                    return None
                _check_keys(session, settings, rotating=False)
                cp = sign_checkpoint(session, settings=settings, size=tree_size, root_hash=tree_root)
                return Integration(tree_size, tree_size, tree_root, cp.id)
            fold(session, min(tree_size, map_size + max_events))
            behind = True


def build_map(sessions: sessionmaker[Session], *, min_events: int = BUILD_FROM) -> tuple[int, bytes] | None:
    """Build an empty state map whole from the integrated log, if it is more than `min_events` behind; return its
    (size, root), or None when it was not empty, not that far behind, or was folded by someone else meanwhile.

    The entries are read (`latest_items`) and the chunks made (`encoded_chunks`, kit.state_map.build_chunks) in
    a read session, without the tree lock: the events below the integrated size never change. Only writing the
    chunks takes a write transaction, in which the map must still be empty (about 3 chunks per 10 subjects,
    ~0.3 GB of memory per million subjects while they are written).
    """
    with read_session(sessions) as session:
        tree_size = session.connection().exec_driver_sql("SELECT size FROM ledger_tree WHERE id = 1").scalar() or 0
        map_size, _ = map_position(session)
        if map_size != 0 or tree_size <= min_events:
            return None
        items = latest_items(session, tree_size)
    root, rows = encoded_chunks(items)
    del items
    with write_session(sessions) as session:
        _lock_tree(session)
        if map_position(session)[0] != 0:
            return None
        write_built(session, tree_size, root, rows)
    return tree_size, root
