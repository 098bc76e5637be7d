"""The Merkle tree of a demo data set, hashed while its events are being written.

`ledger.integrate` reads leaf hashes back from the database and hashes them after the fact; for tens
of millions of events that is minutes of work after the load. A demo build knows every leaf hash as
soon as a chunk is committed, so the building process (idle while the lanes work) folds them into the
tree in log order and hands the stored hashes — the same array, in the same index order, that
`integrate` would append — back to be written with later chunks. `finish` then sets the tree row;
`ledger.integrate` signs the checkpoint (and hashes whatever was recorded after the load), and
`certbridge ledger verify` re-derives every hash from the events.
"""

from __future__ import annotations

from hashlib import sha256

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from certbridge.db import utcnow
from certbridge.kit.merkle import EMPTY_ROOT, stored_hash_index
from certbridge.ledger.models import LedgerTree
from certbridge.ledger.store import append_hashes

_NODE = b"\x01"


class TreeBuilder:
    """Appends leaf hashes in log order; collects the stored hashes they add, in stored-index order."""

    def __init__(self) -> None:
        self.size = 0
        self.frontier: list[bytes] = []  # hashes of the complete subtrees whose fold is the root, largest first
        self.pending: dict[int, list[bytes]] = {}  # leaves that arrived before the leaves in front of them

    def offer(self, first: int, leaves: list[bytes]) -> list[tuple[int, list[bytes]]]:
        """Take the leaves at log positions first, first + 1, …; return (first stored index, hashes) blocks
        for every run of leaves that is now contiguous with the tree."""
        self.pending[first] = leaves
        out = []
        while self.size in self.pending:
            out.append(self.append(self.pending.pop(self.size)))
        return out

    def append(self, leaves: list[bytes]) -> tuple[int, list[bytes]]:
        """Append leaves at the end of the tree; return (first stored index, the stored hashes they add)."""
        start = stored_hash_index(0, self.size)
        hashes: list[bytes] = []
        add, frontier, n = hashes.append, self.frontier, self.size
        pop, push = frontier.pop, frontier.append
        for leaf in leaves:
            add(leaf)
            h = leaf
            # Leaf n completes one subtree per trailing 1 bit of n: fold each left sibling in.
            m = n
            while m & 1:
                h = sha256(_NODE + pop() + h).digest()
                add(h)
                m >>= 1
            push(h)
            n += 1
        self.size = n
        return start, hashes

    def root(self) -> bytes:
        """Return the RFC 9162 root hash of the tree built so far."""
        if not self.frontier:
            return EMPTY_ROOT
        h = self.frontier[-1]
        for left in reversed(self.frontier[:-1]):
            h = sha256(_NODE + left + h).digest()
        return h


def write_hashes(session: Session, block: tuple[int, list[bytes]]) -> None:
    """Write one block of stored hashes (first index, hashes) in the caller's transaction."""
    first, hashes = block
    append_hashes(session, zip(range(first, first + len(hashes)), hashes, strict=True))


def finish(session: Session, tree: TreeBuilder) -> None:
    """Record the tree built (its hashes all written) as the integrated tree; call in a write transaction."""
    done = session.execute(update(LedgerTree).where(LedgerTree.id == 1, LedgerTree.size == 0)
                           .values(size=tree.size, root_hash=tree.root(), updated_at=utcnow()))
    if done.rowcount != 1:
        size = session.scalar(select(LedgerTree.size).where(LedgerTree.id == 1))
        raise RuntimeError(f"the ledger tree was not empty (size {size}): it cannot be built during the load")
