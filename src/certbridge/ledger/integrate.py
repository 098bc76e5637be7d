"""Integration: hash committed events into the Merkle tree and sign a checkpoint of the new size.

Events are appended by every service in its own transaction (certbridge.events); this module is the
one writer of the tree. It takes the tree row's lock (a row lock on PostgreSQL; on SQLite the write
transaction's RESERVED lock, taken by the very first statement), so two integrators queue instead of
writing the same stored-hash indexes twice.

Appending leaf n needs, besides its own hash, only left siblings that are complete subtrees of the
tree before it: those are either hashes made earlier in this batch or the "frontier" of the tree as
integrated so far — the at most log2(size) complete-subtree hashes whose fold is the root. One query
reads the frontier, one reads the new leaf hashes, one bulk insert writes the result.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from certbridge.db import read_session, utcnow, write_session
from certbridge.events import log_size
from certbridge.kit.merkle import stored_hash_index, stored_hashes_for_record, tree_hash
from certbridge.kit.signed_note import Signer, format_checkpoint, sign
from certbridge.ledger.keys import log_origin, log_signer, register_local_keys
from certbridge.ledger.models import LedgerCheckpoint, LedgerTree
from certbridge.ledger.store import LedgerCorrupt, append_hashes, read_hashes, read_leaf_hashes
from certbridge.settings import Settings

BATCH_LEAVES = 100_000  # events per transaction, so a long backlog never holds the write lock for long


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
    """Append leaves to a tree known by its frontier; return the new stored hashes and the new frontier."""
    known = dict(frontier)
    read = known.__getitem__
    out: list[tuple[int, bytes]] = []
    n = size
    index = stored_hash_index(0, n)
    for leaf in leaves:
        hashes = stored_hashes_for_record(n, leaf, lambda xs: [read(x) for x in xs])
        for h in hashes:
            known[index] = h
            out.append((index, h))
            index += 1
        n += 1
    new_frontier = {i: known[i] for i in frontier_indexes(n)}
    return out, new_frontier


def root_from_frontier(size: int, frontier: dict[int, bytes]) -> bytes:
    """Return the root hash of a tree of `size` from its frontier."""
    return tree_hash(size, lambda xs: [frontier[x] for x in xs])


def _lock_tree(session: Session) -> LedgerTree:
    # A no-op UPDATE as the transaction's first write: PostgreSQL locks the row, SQLite the database.
    session.execute(update(LedgerTree).where(LedgerTree.id == 1).values(size=LedgerTree.size))
    tree = session.scalar(select(LedgerTree).where(LedgerTree.id == 1).execution_options(populate_existing=True))
    if tree is None:
        raise LedgerCorrupt("ledger.tree_missing")
    return tree


def sign_checkpoint(session: Session, *, settings: Settings, size: int, root_hash: bytes,
                    signers: list[Signer] | None = None) -> LedgerCheckpoint:
    """Sign a checkpoint of the tree at `size` with the log key (and any extra signers) and store it."""
    signers = signers or [log_signer(settings)]
    note = sign(format_checkpoint(log_origin(settings), size, root_hash), signers)
    row = LedgerCheckpoint(size=size, root_hash=root_hash, note=note,
                           key=f"{signers[0].name}+{signers[0].key_id:08x}", created_at=utcnow())
    session.add(row)
    session.flush()
    return row


def integrate(session: Session, *, settings: Settings, max_leaves: int = BATCH_LEAVES,
              rotating: bool = False) -> Integration:
    """Hash events beyond the integrated size into the tree and sign a checkpoint; call in a write transaction."""
    tree = _lock_tree(session)
    register_local_keys(session, settings, finish_rotations=not rotating)
    old = tree.size
    target = min(log_size(session), old + max_leaves)
    if target < old:
        raise LedgerCorrupt("ledger.head_behind_tree", head=target, tree=old)
    has_checkpoint = session.scalar(select(LedgerCheckpoint.id).limit(1)) is not None
    if target == old:
        if has_checkpoint:
            return Integration(old, old, tree.root_hash, None)
        cp = sign_checkpoint(session, settings=settings, size=old, root_hash=tree.root_hash)
        return Integration(old, old, tree.root_hash, cp.id)
    front_idx = frontier_indexes(old)
    frontier = dict(zip(front_idx, read_hashes(session, front_idx), strict=True))
    rows = read_leaf_hashes(session, old, target)
    if len(rows) != target - old or (rows and (rows[0][0] != old or rows[-1][0] != target - 1)):
        seqs = {seq for seq, _ in rows}
        missing = next(s for s in range(old, target) if s not in seqs)
        raise LedgerCorrupt("ledger.event_missing", seq=missing)
    new_hashes, frontier = extend_tree(old, frontier, [h for _, h in rows])
    append_hashes(session, new_hashes)
    root = root_from_frontier(target, frontier)
    tree.size, tree.root_hash, tree.updated_at = target, root, utcnow()
    session.flush()
    cp = sign_checkpoint(session, settings=settings, size=target, root_hash=root)
    return Integration(old, target, root, cp.id)


def pending_events(sessions: sessionmaker[Session]) -> int:
    """Return how many committed events are not yet in the tree (one cheap read)."""
    with read_session(sessions) as session:
        tree_size = session.scalar(select(LedgerTree.size).where(LedgerTree.id == 1)) or 0
        has_checkpoint = session.scalar(select(LedgerCheckpoint.id).limit(1)) is not None
        return log_size(session) - tree_size + (0 if has_checkpoint else 1)


def integrate_pending(sessions: sessionmaker[Session], *, settings: Settings,
                      max_leaves: int = BATCH_LEAVES) -> Integration | None:
    """Integrate every committed event, one batch per transaction; return the last integration, if any."""
    if pending_events(sessions) <= 0:
        return None
    last = None
    while True:
        with write_session(sessions) as session:
            result = integrate(session, settings=settings, max_leaves=max_leaves)
        if result.checkpoint_id is not None:
            last = result
        if result.size - result.old_size < max_leaves:
            return last
