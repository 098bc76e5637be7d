"""Merkle hashing, stored-hash proofs and RFC 9162 verification."""

from __future__ import annotations

import base64
import json
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certbridge.kit.merkle import (
    EMPTY_ROOT,
    ProofError,
    leaf_hash,
    node_hash,
    prove_record,
    prove_tree,
    reference_consistency_proof,
    reference_inclusion_proof,
    root_from_consistency_proof,
    root_from_inclusion_proof,
    root_from_leaves,
    split_stored_hash_index,
    stored_hash_count,
    stored_hash_index,
    stored_hashes_for_record,
    tree_hash,
    verify_consistency,
    verify_inclusion,
)

TESTDATA = Path(__file__).resolve().parents[3] / "shared" / "testdata"
VECTOR_DIR = TESTDATA / "merkle"
VECTORS = sorted(VECTOR_DIR.glob("**/*.json"))
MAX_SIZE = 64


class Log:
    """An in-memory log keeping the flat stored-hash array, as a database would."""

    def __init__(self) -> None:
        self.leaves: list[bytes] = []
        self.stored: list[bytes] = []
        self.reads = 0

    def read_hashes(self, indexes: list[int]) -> list[bytes]:
        self.reads += 1
        return [self.stored[i] for i in indexes]

    def append(self, data: bytes) -> None:
        h = leaf_hash(data)
        self.stored.extend(stored_hashes_for_record(len(self.leaves), h, self.read_hashes))
        self.leaves.append(h)


@cache
def small_log() -> Log:
    log = Log()
    for i in range(MAX_SIZE):
        log.append(f"event {i}".encode())
    return log


def flip_bit(h: bytes, bit: int) -> bytes:
    b = bytearray(h)
    b[(bit // 8) % len(b)] ^= 1 << (bit % 8)
    return bytes(b)


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value) if value else b""


# --- the transparency-dev/merkle vectors --------------------------------------


def test_all_vectors_are_present() -> None:
    assert VECTOR_DIR.is_dir(), f"test vectors missing: expected the directory {VECTOR_DIR}"
    assert len(VECTORS) == 196, f"expected 196 vectors under {VECTOR_DIR}, found {len(VECTORS)}"


@pytest.mark.parametrize("path", VECTORS, ids=lambda p: str(p.relative_to(VECTOR_DIR)))
def test_vector(path: Path) -> None:
    v = json.loads(path.read_text())
    proof = [_b64(p) for p in v["proof"] or []]
    if "leafIdx" in v:
        args = (_b64(v["leafHash"]), v["leafIdx"], v["treeSize"], proof, _b64(v["root"]))
        check = verify_inclusion
    else:
        args = (v["size1"], v["size2"], proof, _b64(v["root1"]), _b64(v["root2"]))
        check = verify_consistency
    if v["wantErr"]:
        with pytest.raises(ProofError):
            check(*args)
    else:
        check(*args)


# --- hashing and the stored-hash layout ----------------------------------------


def test_hashes_follow_rfc_9162() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    # RFC 6962 test vector: the leaf hash of the empty entry.
    assert leaf_hash(b"").hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    assert node_hash(b"a" * 32, b"b" * 32) != node_hash(b"b" * 32, b"a" * 32)


def test_stored_hash_index_matches_sumdb_layout() -> None:
    # Leaf 0; leaf 1 and node (1,0); leaf 2; leaf 3, node (1,1) and node (2,0).
    assert [stored_hash_index(lv, n) for lv, n in [(0, 0), (0, 1), (1, 0), (0, 2), (0, 3), (1, 1), (2, 0)]] == list(
        range(7)
    )
    for index in range(5000):
        assert stored_hash_index(*split_stored_hash_index(index)) == index


def test_stored_hash_count_tracks_appends() -> None:
    log = Log()
    assert stored_hash_count(0) == 0
    for n in range(300):
        before = len(log.stored)
        log.append(n.to_bytes(2, "big"))
        # Leaf n adds its own hash plus one per subtree it completes.
        assert len(log.stored) - before == 1 + ((n + 1) & -(n + 1)).bit_length() - 1
        assert len(log.stored) == stored_hash_count(n + 1)


@pytest.mark.parametrize("size", range(MAX_SIZE + 1))
def test_tree_hash_equals_reference_root(size: int) -> None:
    log = small_log()
    assert tree_hash(size, log.read_hashes) == root_from_leaves(log.leaves[:size])


def test_each_computation_reads_hashes_once_and_few() -> None:
    # One read per request lets a database answer each proof with one query.
    seen: list[list[int]] = []

    def read_hashes(indexes: list[int]) -> list[bytes]:
        seen.append(indexes)
        return [bytes(32)] * len(indexes)

    size = 10_000_000
    tree_hash(size, read_hashes)
    prove_record(size, 4_321_987, read_hashes)
    prove_tree(size, 7_654_321, read_hashes)
    assert len(seen) == 3
    assert all(len(indexes) <= 2 * size.bit_length() for indexes in seen)


def test_read_hashes_returning_too_few_is_an_error() -> None:
    with pytest.raises(ValueError, match="returned 0 hashes"):
        tree_hash(5, lambda indexes: [])


def test_proof_requests_outside_the_tree_are_rejected() -> None:
    log = small_log()
    with pytest.raises(ValueError, match="not inside a tree of size 8"):
        prove_record(8, 8, log.read_hashes)
    with pytest.raises(ValueError):
        prove_tree(8, 0, log.read_hashes)
    with pytest.raises(ValueError):
        prove_tree(8, 9, log.read_hashes)


# --- proofs against the RFC 9162 oracle, for every tree up to 64 leaves ---------


@pytest.mark.parametrize("size", range(1, MAX_SIZE + 1))
def test_inclusion_proofs_match_reference_and_verify(size: int) -> None:
    log = small_log()
    leaves = log.leaves[:size]
    root = root_from_leaves(leaves)
    for index in range(size):
        proof = prove_record(size, index, log.read_hashes)
        assert proof == reference_inclusion_proof(leaves, index)
        verify_inclusion(leaves[index], index, size, proof, root)
        assert root_from_inclusion_proof(leaves[index], index, size, proof) == root
        for i, element in enumerate(proof):
            tampered = [*proof[:i], flip_bit(element, index + i), *proof[i + 1 :]]
            with pytest.raises(ProofError):
                verify_inclusion(leaves[index], index, size, tampered, root)
        for other in range(size + 1):
            if other != index:
                with pytest.raises(ProofError):
                    verify_inclusion(leaves[index], other, size, proof, root)
        with pytest.raises(ProofError):
            verify_inclusion(flip_bit(leaves[index], 3), index, size, proof, root)
        if size < MAX_SIZE:
            # Only the root binds the size: the proof must not fit the next tree's root.
            with pytest.raises(ProofError):
                verify_inclusion(leaves[index], index, size + 1, proof, root_from_leaves(log.leaves[: size + 1]))


@pytest.mark.parametrize("size2", range(1, MAX_SIZE + 1))
def test_consistency_proofs_match_reference_and_verify(size2: int) -> None:
    log = small_log()
    leaves = log.leaves[:size2]
    root2 = root_from_leaves(leaves)
    for size1 in range(1, size2 + 1):
        root1 = root_from_leaves(leaves[:size1])
        proof = prove_tree(size2, size1, log.read_hashes)
        assert proof == reference_consistency_proof(leaves, size1)
        verify_consistency(size1, size2, proof, root1, root2)
        assert root_from_consistency_proof(size1, size2, proof, root1) == root2
        for i, element in enumerate(proof):
            tampered = [*proof[:i], flip_bit(element, size1 + i), *proof[i + 1 :]]
            with pytest.raises(ProofError):
                verify_consistency(size1, size2, tampered, root1, root2)
        for other in range(size2 + 1):
            if other != size1:
                with pytest.raises(ProofError):
                    verify_consistency(other, size2, proof, root1, root2)
        if size2 < MAX_SIZE:
            with pytest.raises(ProofError):
                verify_consistency(size1, size2 + 1, proof, root1, root_from_leaves(log.leaves[: size2 + 1]))
        with pytest.raises(ProofError):
            verify_consistency(size1, size2, proof, flip_bit(root1, 0), root2)
        with pytest.raises(ProofError):
            verify_consistency(size1, size2, proof, root1, flip_bit(root2, 0))


def test_verification_errors_say_what_was_wrong() -> None:
    log = small_log()
    proof = prove_record(8, 5, log.read_hashes)
    root = root_from_leaves(log.leaves[:8])
    with pytest.raises(ProofError, match="has 4 hashes, but a proof for leaf 5 in a tree of size 8 has exactly 3"):
        verify_inclusion(log.leaves[5], 5, 8, [*proof, root], root)
    with pytest.raises(ProofError, match="not inside a tree of size 8"):
        verify_inclusion(log.leaves[5], 8, 8, proof, root)
    with pytest.raises(ProofError, match="not to the expected root"):
        verify_inclusion(log.leaves[4], 5, 8, proof, root)
    with pytest.raises(ProofError, match="32 bytes"):
        verify_inclusion(b"short", 5, 8, proof, root)
    with pytest.raises(ProofError, match="empty tree proves nothing"):
        verify_consistency(0, 8, [], EMPTY_ROOT, root)
    with pytest.raises(ProofError, match="never shrinks"):
        verify_consistency(8, 7, [], root, root)


# --- property: random logs, random proof requests ------------------------------


@settings(max_examples=60, deadline=None)
@given(
    entries=st.lists(st.binary(max_size=24), min_size=1, max_size=400),
    picks=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.floats(0, 1, exclude_max=True)), max_size=20),
)
def test_random_logs_prove_and_verify(entries: list[bytes], picks: list[tuple[float, float]]) -> None:
    log = Log()
    for entry in entries:
        log.append(entry)
    assert tree_hash(len(entries), log.read_hashes) == root_from_leaves(log.leaves)
    for a, b in picks:
        size = 1 + int(a * len(entries))
        root = tree_hash(size, log.read_hashes)
        index = int(b * size)
        inclusion = prove_record(size, index, log.read_hashes)
        verify_inclusion(log.leaves[index], index, size, inclusion, root)
        old = 1 + int(b * size)
        consistency = prove_tree(size, old, log.read_hashes)
        verify_consistency(old, size, consistency, tree_hash(old, log.read_hashes), root)
        if size <= 128:
            assert inclusion == reference_inclusion_proof(log.leaves[:size], index)
            assert consistency == reference_consistency_proof(log.leaves[:size], old)
