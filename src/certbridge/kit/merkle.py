"""RFC 9162 Merkle tree hashing, stored-hash layout and proof generation.

The stored-hash layout is that of Go's golang.org/x/mod/sumdb/tlog: every hash
of a complete subtree gets a dense index, so a log can keep one flat,
append-only array of hashes and answer any proof by reading O(log n) of them.

Proof verification lives in `merkle_verify` and is re-exported here, so callers
only ever import `certbridge.kit.merkle`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from hashlib import sha256

from certbridge.kit.merkle_verify import (
    ProofError,
    root_from_consistency_proof,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "ProofError",
    "ReadHashes",
    "leaf_hash",
    "node_hash",
    "prove_record",
    "prove_tree",
    "reference_consistency_proof",
    "reference_inclusion_proof",
    "root_from_consistency_proof",
    "root_from_inclusion_proof",
    "root_from_leaves",
    "split_stored_hash_index",
    "stored_hash_count",
    "stored_hash_index",
    "stored_hashes_for_record",
    "tree_hash",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = sha256(b"").digest()

# Reads the hashes at the given stored-hash indexes and returns them in the same
# order; one call per tree hash or proof, so a database can answer with one query.
ReadHashes = Callable[[list[int]], Sequence[bytes]]

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """Return the RFC 9162 leaf hash SHA-256(0x00 || data)."""
    return sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the RFC 9162 interior node hash SHA-256(0x01 || left || right)."""
    return sha256(_NODE_PREFIX + left + right).digest()


# --- stored-hash layout ------------------------------------------------------


def stored_hash_index(level: int, n: int) -> int:
    """Map tree coordinates (level, n) to the dense stored-hash index."""
    # Level L's n-th hash is written right after level 0's ((n+1) << L) - 1-th
    # hash; level 0's m-th hash sits at m + m/2 + m/4 + ... = 2m - popcount(m).
    m = ((n + 1) << level) - 1
    return 2 * m - m.bit_count() + level


def split_stored_hash_index(index: int) -> tuple[int, int]:
    """Return the (level, n) tree coordinates of a stored-hash index."""
    if index < 0:
        raise ValueError(f"stored-hash index must not be negative, got {index}")
    # stored_hash_index(0, n) < 2n, so the leaf that committed this hash lies in
    # [index/2, index/2 + log2(index)]; walk forward to it.
    n = index // 2
    index_n = stored_hash_index(0, n)
    while True:
        # Appending leaf n+1 writes 1 + trailing_zeros(n + 2) hashes after leaf n's.
        nxt = index_n + 1 + _trailing_zeros(n + 1)
        if nxt > index:
            break
        n += 1
        index_n = nxt
    level = index - index_n
    return level, n >> level


def stored_hash_count(n: int) -> int:
    """Return how many stored hashes a tree of n leaves has."""
    if n <= 0:
        return 0
    # Hashes up to the last leaf's, plus one per subtree that leaf completed.
    return stored_hash_index(0, n - 1) + 1 + _trailing_zeros(n)


def stored_hashes_for_record(n: int, leaf: bytes, read_hashes: ReadHashes) -> list[bytes]:
    """Return the hashes to append to the stored-hash array when leaf n is added."""
    if n < 0:
        raise ValueError(f"leaf index must not be negative, got {n}")
    # Each trailing 1 bit of n completes a subtree whose left sibling is stored.
    m = _trailing_zeros(n + 1)
    indexes = [stored_hash_index(i, (n >> i) - 1) for i in range(m - 1, -1, -1)]
    old = _read(read_hashes, indexes)
    hashes = [leaf]
    h = leaf
    for i in range(m):
        h = sha256(_NODE_PREFIX + old[m - 1 - i] + h).digest()
        hashes.append(h)
    return hashes


def tree_hash(n: int, read_hashes: ReadHashes) -> bytes:
    """Return the root hash of the tree of n leaves from the stored hashes."""
    if n < 0:
        raise ValueError(f"tree size must not be negative, got {n}")
    if n == 0:
        # RFC 9162 defines the empty tree's hash as SHA-256 of nothing
        # (sumdb/tlog returns all zeros here; we follow the RFC).
        return EMPTY_ROOT
    indexes: list[int] = []
    _subtree_indexes(0, n, indexes)
    return _fold(_read(read_hashes, indexes))


def prove_record(t: int, n: int, read_hashes: ReadHashes) -> list[bytes]:
    """Return the inclusion proof of leaf n in the tree of size t, leaf end first."""
    if not 0 <= n < t:
        raise ValueError(f"leaf index {n} is not inside a tree of size {t}")
    indexes: list[int] = []
    counts: list[int] = []  # stored hashes per proof element, root end first
    lo, hi = 0, t
    while hi - lo > 1:
        k = 1 << ((hi - lo - 1).bit_length() - 1)  # largest power of 2 < hi - lo
        mid = lo + k
        if n < mid:
            # The sibling is the right part; only on the right edge is it incomplete.
            counts.append(_subtree_indexes(mid, hi, indexes))
            hi = mid
        else:
            level = k.bit_length() - 1
            indexes.append(stored_hash_index(level, lo >> level))
            counts.append(1)
            lo = mid
    return _assemble(counts, _read(read_hashes, indexes))


def prove_tree(t: int, n: int, read_hashes: ReadHashes) -> list[bytes]:
    """Return the consistency proof from the tree of size n to the tree of size t."""
    if not 1 <= n <= t:
        raise ValueError(f"cannot prove a tree of size {n} is a prefix of a tree of size {t}")
    indexes: list[int] = []
    counts: list[int] = []
    lo, hi = 0, t
    while n != hi:
        k = 1 << ((hi - lo - 1).bit_length() - 1)
        mid = lo + k
        if n <= mid:
            counts.append(_subtree_indexes(mid, hi, indexes))
            hi = mid
        else:
            level = k.bit_length() - 1
            indexes.append(stored_hash_index(level, lo >> level))
            counts.append(1)
            lo = mid
    if lo != 0:
        # The old tree's last complete subtree is not implied by its root: send it.
        counts.append(_subtree_indexes(lo, hi, indexes))
    return _assemble(counts, _read(read_hashes, indexes))


def _subtree_indexes(lo: int, hi: int, out: list[int]) -> int:
    """Append the stored indexes whose fold is the hash of leaves [lo, hi); return how many."""
    count = 0
    while lo < hi:
        level = (hi - lo).bit_length() - 1  # largest complete subtree starting at lo
        out.append(stored_hash_index(level, lo >> level))
        lo += 1 << level
        count += 1
    return count


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Combine the complete-subtree hashes of a range, right to left, into its hash."""
    h = hashes[-1]
    for i in range(len(hashes) - 2, -1, -1):
        h = sha256(_NODE_PREFIX + hashes[i] + h).digest()
    return h


def _assemble(counts: list[int], hashes: Sequence[bytes]) -> list[bytes]:
    """Turn per-element runs of stored hashes (root end first) into a leaf-first proof."""
    proof: list[bytes] = []
    pos = 0
    for c in counts:
        proof.append(hashes[pos] if c == 1 else _fold(hashes[pos : pos + c]))
        pos += c
    proof.reverse()
    return proof


def _read(read_hashes: ReadHashes, indexes: list[int]) -> Sequence[bytes]:
    """Call read_hashes, insisting it returned one hash per requested index."""
    if not indexes:
        return ()
    hashes = read_hashes(indexes)
    if len(hashes) != len(indexes):
        raise ValueError(f"read_hashes returned {len(hashes)} hashes for {len(indexes)} indexes")
    return hashes


def _trailing_zeros(x: int) -> int:
    """Return the number of trailing zero bits of a positive integer."""
    return (x & -x).bit_length() - 1


# --- RFC 9162 reference definitions (test oracle, small trees only) ----------


def root_from_leaves(leaf_hashes: Sequence[bytes]) -> bytes:
    """Return MTH(D) of RFC 9162 §2.1.1 for the given leaf hashes."""
    n = len(leaf_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hashes[0]
    k = 1 << ((n - 1).bit_length() - 1)
    return node_hash(root_from_leaves(leaf_hashes[:k]), root_from_leaves(leaf_hashes[k:]))


def reference_inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """Return PATH(m, D[n]) of RFC 9162 §2.1.3.1, recursively."""
    n = len(leaf_hashes)
    if not 0 <= index < n:
        raise ValueError(f"leaf index {index} is not inside a tree of size {n}")
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if index < k:
        return reference_inclusion_proof(leaf_hashes[:k], index) + [root_from_leaves(leaf_hashes[k:])]
    return reference_inclusion_proof(leaf_hashes[k:], index - k) + [root_from_leaves(leaf_hashes[:k])]


def reference_consistency_proof(leaf_hashes: Sequence[bytes], size1: int) -> list[bytes]:
    """Return PROOF(m, D[n]) of RFC 9162 §2.1.4.1, recursively."""
    if not 0 < size1 <= len(leaf_hashes):
        raise ValueError(f"cannot prove a tree of size {size1} is a prefix of a tree of size {len(leaf_hashes)}")
    return _subproof(size1, leaf_hashes, True)


def _subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    """Return SUBPROOF(m, D, b) of RFC 9162 §2.1.4.1."""
    n = len(leaves)
    if m == n:
        return [] if complete else [root_from_leaves(leaves)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return _subproof(m, leaves[:k], complete) + [root_from_leaves(leaves[k:])]
    return _subproof(m - k, leaves[k:], False) + [root_from_leaves(leaves[:k])]
