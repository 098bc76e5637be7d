"""RFC 9162 inclusion and consistency proof verification (§2.1.3.2, §2.1.4.2).

The loops follow the RFC's algorithms step by step. Before running them we
check the proof length ourselves, only so a wrong proof gets an error message
that says what was expected; the RFC loops would reject it anyway.
Import these through `certbridge.kit.merkle`.
"""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import sha256

__all__ = [
    "ProofError",
    "root_from_consistency_proof",
    "root_from_inclusion_proof",
    "verify_consistency",
    "verify_inclusion",
]

_HASH_SIZE = 32
_NODE_PREFIX = b"\x01"


class ProofError(ValueError):
    """A Merkle proof did not prove what it claimed to."""


def root_from_inclusion_proof(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """Return the root hash implied by an inclusion proof of leaf `index` in a tree of `size`."""
    if index < 0 or size < 0:
        raise ProofError(f"leaf index ({index}) and tree size ({size}) must not be negative")
    if index >= size:
        raise ProofError(f"leaf index {index} is not inside a tree of size {size}")
    _check_hash("leaf hash", leaf_hash)
    want = _inclusion_length(index, size)
    if len(proof) != want:
        raise ProofError(
            f"inclusion proof has {len(proof)} hashes, but a proof for leaf {index} "
            f"in a tree of size {size} has exactly {want}"
        )
    for i, p in enumerate(proof):
        _check_hash(f"inclusion proof hash {i}", p)

    # RFC 9162 §2.1.3.2, steps 2-5.
    fn, sn = index, size - 1
    r = leaf_hash
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is longer than the path from the leaf to the root")
        if fn & 1 or fn == sn:
            r = sha256(_NODE_PREFIX + p + r).digest()
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            r = sha256(_NODE_PREFIX + r + p).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the path from the leaf to the root")
    return r


def verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Check that `proof` shows leaf `index` with `leaf_hash` is in the tree of `size` with `root`."""
    computed = root_from_inclusion_proof(leaf_hash, index, size, proof)
    if computed != root:
        raise ProofError(
            f"inclusion proof for leaf {index} leads to root {computed.hex()}, "
            f"not to the expected root {root.hex()} of the tree of size {size}"
        )


def root_from_consistency_proof(size1: int, size2: int, proof: Sequence[bytes], root1: bytes) -> bytes:
    """Check the proof against the old root `root1` and return the new root it implies."""
    if size1 < 0 or size2 < 0:
        raise ProofError(f"tree sizes ({size1}, {size2}) must not be negative")
    if size1 > size2:
        raise ProofError(f"old tree size {size1} is larger than new tree size {size2}; a log never shrinks")
    if size1 == 0:
        # RFC 9162 defines consistency only for 0 < size1: every tree extends
        # the empty tree, so a "proof" from it would prove nothing at all.
        raise ProofError("a consistency proof from the empty tree proves nothing; start from size 1 or more")
    if size1 == size2:
        if proof:
            raise ProofError(f"trees of equal size {size1} need an empty consistency proof, got {len(proof)} hashes")
        return root1
    power_of_two = size1 & (size1 - 1) == 0
    want = _consistency_length(size1, size2)
    if len(proof) != want:
        raise ProofError(
            f"consistency proof has {len(proof)} hashes, but a proof from size {size1} "
            f"to size {size2} has exactly {want}"
        )
    for i, p in enumerate(proof):
        _check_hash(f"consistency proof hash {i}", p)

    # RFC 9162 §2.1.4.2, steps 2-7.
    path = [root1, *proof] if power_of_two else list(proof)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is longer than the path to the new root")
        if fn & 1 or fn == sn:
            fr = sha256(_NODE_PREFIX + c + fr).digest()
            sr = sha256(_NODE_PREFIX + c + sr).digest()
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = sha256(_NODE_PREFIX + sr + c).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is shorter than the path to the new root")
    if fr != root1:
        raise ProofError(
            f"consistency proof leads to old root {fr.hex()}, not to the expected root "
            f"{root1.hex()} of the tree of size {size1}"
        )
    return sr


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """Check that `proof` shows the tree (size1, root1) is a prefix of the tree (size2, root2)."""
    computed = root_from_consistency_proof(size1, size2, proof, root1)
    if computed != root2:
        raise ProofError(
            f"consistency proof leads to new root {computed.hex()}, not to the expected root "
            f"{root2.hex()} of the tree of size {size2}"
        )


def _inclusion_length(index: int, size: int) -> int:
    """Return the RFC 9162 inclusion proof length for leaf `index` in a tree of `size`."""
    # Below the point where the paths to `index` and to the last leaf split,
    # every level contributes a hash; above it, only the levels where the path
    # turns right (a complete left sibling) do.
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def _consistency_length(size1: int, size2: int) -> int:
    """Return the RFC 9162 consistency proof length between two sizes (0 < size1 < size2)."""
    # The proof is the inclusion path, in the new tree, of the largest complete
    # subtree ending at size1, preceded by that subtree's hash unless it is the
    # whole old tree (size1 a power of two), whose root the verifier already has.
    level = (size1 & -size1).bit_length() - 1
    prefix = 0 if size1 & (size1 - 1) == 0 else 1
    return prefix + _inclusion_length(size1 - 1, size2) - level


def _check_hash(what: str, h: bytes) -> None:
    """Reject a hash of the wrong length up front, naming which one it was."""
    if len(h) != _HASH_SIZE:
        raise ProofError(f"{what} is {len(h)} bytes long; SHA-256 hashes are {_HASH_SIZE} bytes")
