"""Multiproofs of the state map: one proof for many keys verifies every value and absence; forgeries fail."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certbridge.kit import state_map as sm
from certbridge.kit import state_multiproof as mp
from tests.kit.test_state_map import DictStore, _key, value

keys = st.builds(_key, st.integers(0, 31), st.integers(0, 2**32))


def _map(items: dict[bytes, bytes]) -> tuple[DictStore, bytes]:
    store = DictStore()
    return store, sm.apply(store, items)


@settings(max_examples=120, deadline=None)
@given(items=st.dictionaries(keys, st.integers(0, 50).map(value), max_size=40),
       asked_present=st.integers(0, 40), absent=st.lists(keys, max_size=8))
def test_a_multiproof_gives_every_key_its_value_or_absence(items, asked_present, absent):
    store, root = _map(items)
    asked = set(list(items)[:asked_present]) | set(absent)
    proof = mp.combine({k: sm.prove(store, k) for k in asked})
    assert mp.verify(root, asked, proof) == {k: items.get(k) for k in asked}


def test_shared_nodes_are_sent_once():
    rng = random.Random(3)
    items = {rng.randbytes(32): value(i) for i in range(5000)}
    store, root = _map(items)
    asked = list(items)[:200]
    single = sum(len(sm.encode_proof(sm.prove(store, k))) for k in asked)
    multi = mp.combine({k: sm.prove(store, k) for k in asked})
    assert mp.verify(root, asked, multi) == {k: items[k] for k in asked}
    assert len(multi) < single * 0.6


def _setup():
    rng = random.Random(7)
    items = {rng.randbytes(32): value(i) for i in range(300)}
    store, root = _map(items)
    present = list(items)[:5]
    missing = [rng.randbytes(32) for _ in range(3)]
    asked = present + missing
    return items, store, root, asked, mp.combine({k: sm.prove(store, k) for k in asked})


def test_a_proof_for_other_keys_or_another_root_fails():
    items, store, root, asked, proof = _setup()
    with pytest.raises(sm.ProofError):
        mp.verify(sm.node_hash(root, root), asked, proof)
    with pytest.raises(sm.ProofError):
        mp.verify(root, asked[1:], proof)  # one key fewer: the walk differs
    with pytest.raises(sm.ProofError):
        mp.verify(root, [*asked, random.Random(9).randbytes(32)], proof)


def test_a_changed_value_or_a_forged_absence_fails():
    items, store, root, asked, proof = _setup()
    present = asked[0]
    at = proof.index(present)
    forged = proof[:at + 32] + bytes(32) + proof[at + 64:]  # another value for a present key
    with pytest.raises(sm.ProofError):
        mp.verify(root, asked, forged)
    # a forged absence: the present key's leaf replaced by an empty subtree
    gone = proof[:at - 1] + b"\x00" + proof[at + 64:]
    with pytest.raises(sm.ProofError):
        mp.verify(root, asked, gone)
    with pytest.raises(sm.ProofError):
        mp.verify(root, asked, proof + b"\x00")
    with pytest.raises(sm.ProofError):
        mp.verify(root, asked, proof[:-1])


class CountingStore(DictStore):
    """A DictStore that counts the chunks asked for, and the calls."""

    def __init__(self, *args):
        super().__init__(*args)
        self.asked, self.calls = [], 0

    def get_many(self, paths):
        self.asked += paths
        self.calls += 1
        return super().get_many(paths)


@settings(max_examples=150, deadline=None)
@given(items=st.dictionaries(keys, st.integers(0, 50).map(value), max_size=60),
       asked_present=st.integers(0, 60), absent=st.lists(keys, max_size=10))
def test_built_in_one_walk_a_multiproof_is_the_combined_single_proofs(items, asked_present, absent):
    store, root = _map(items)
    asked = set(list(items)[:asked_present]) | set(absent)
    counting = CountingStore(store)
    proof, walked_root, values = mp.build(counting, asked)
    assert proof == mp.combine({k: sm.prove(store, k) for k in asked})  # byte for byte
    assert walked_root == root
    assert values == {k: items.get(k) for k in asked} == mp.verify(root, asked, proof)
    assert len(counting.asked) == len(set(counting.asked))  # no chunk asked for twice
    assert all(p in store for p in counting.asked if p)  # nor one below the root that does not exist


def test_a_walk_reads_each_level_of_chunks_once():
    rng = random.Random(5)
    items = {rng.randbytes(32): value(i) for i in range(20_000)}
    store, root = _map(items)
    asked = list(items)[:3000] + [rng.randbytes(32) for _ in range(300)]
    counting = CountingStore(store)
    proof, walked_root, values = mp.build(counting, asked)
    deepest = max(len(p) for p in counting.asked)
    assert counting.calls == deepest + 1  # one get_many per level of chunks, the root's included
    assert walked_root == root and mp.verify(root, asked, proof) == values
    assert sum(v is not None for v in values.values()) == 3000


def test_a_walk_over_chunks_that_moved_does_not_give_the_expected_root():
    rng = random.Random(6)
    items = {rng.randbytes(32): value(i) for i in range(2000)}
    store, root = _map(items)
    asked = list(items)[:100]
    changed = DictStore(store)
    sm.apply(changed, {asked[0]: value(99_999)})
    stale = DictStore({p: c for p, c in store.items()})
    stale.update({p: c for p, c in changed.items() if p})  # the lower chunks of the new map under the old root chunk
    proof, walked_root, values = mp.build(stale, asked)
    assert walked_root != root  # the caller's check: the map moved under the read
    with pytest.raises(sm.ProofError):
        mp.verify(root, asked, proof)


def test_a_walk_names_a_missing_chunk():
    rng = random.Random(8)
    items = {rng.randbytes(32): value(i) for i in range(500)}
    store, _ = _map(items)
    broken = DictStore({p: c for p, c in store.items() if len(p) != 2})
    with pytest.raises(ValueError, match="missing from the store"):
        mp.build(broken, list(items))


def test_an_empty_map_and_no_keys():
    store = DictStore()
    key = random.Random(1).randbytes(32)
    proof, root, values = mp.build(store, [key])
    assert (proof, root, values) == (b"\x00", sm.PLACEHOLDER, {key: None})
    assert mp.verify(sm.PLACEHOLDER, [key], proof) == {key: None}
    store, root = _map({key: value(1)})
    assert mp.build(store, []) == (b"", root, {})


def _decoded_build(store, keys):
    """The multiproof as first built, on chunks decoded into `Chunk` objects with every hash of their heap: the
    reference the build on stored bytes is checked against."""
    from hashlib import sha256

    from certbridge.kit.state_map_chunks import _EMPTY, _SINGLE, _heap

    wanted = sorted(set(keys))
    paths = {k: sm.chunk_path(k) for k in wanted}
    chunks, level = dict(store.get_many([b""])), [b""] if b"" in store else []
    while level:
        asked = sorted({p[:len(path) + 1] for path in level for p in paths.values() if p.startswith(path)
                        and (e := chunks[path][p[len(path)]]) is not None and type(e) is sm.Child})
        chunks.update(store.get_many(asked))
        level = asked
    empty = [None] * 16
    ints = [int.from_bytes(k, "big") for k in wanted]
    out, values = [], {}

    def walk(path, j, lo, hi, depth):
        hashes, kinds, leaves = _heap(chunks.get(path, empty))
        if kinds[j] == _EMPTY:
            out.append(b"\x00")
            values.update((k, None) for k in wanted[lo:hi])
            return sm.PLACEHOLDER
        if kinds[j] == _SINGLE:
            leaf = leaves[j]
            out.append(b"\x01" + leaf.key + leaf.value_hash)
            values.update((k, leaf.value_hash if k == leaf.key else None) for k in wanted[lo:hi])
            return hashes[j]
        if j >= 16:
            return walk(path + bytes((j - 16,)), 1, lo, hi, depth)
        split = mp._split(ints, lo, hi, depth)
        if lo < split < hi:
            out.append(b"\x02")
            left = walk(path, 2 * j, lo, split, depth + 1)
            return sha256(b"\x03" + left + walk(path, 2 * j + 1, split, hi, depth + 1)).digest()
        if split == hi:
            other = hashes[2 * j + 1]
            out.append(b"\x05" if other == sm.PLACEHOLDER else b"\x03" + other)
            return sha256(b"\x03" + walk(path, 2 * j, lo, hi, depth + 1) + other).digest()
        other = hashes[2 * j]
        out.append(b"\x06" if other == sm.PLACEHOLDER else b"\x04" + other)
        return sha256(b"\x03" + other + walk(path, 2 * j + 1, lo, hi, depth + 1)).digest()

    if not wanted:
        return b"", _heap(chunks.get(b"", empty))[0][1], {}
    root = walk(b"", 1, 0, len(wanted), 0)
    return b"".join(out), root, values


@settings(max_examples=150, deadline=None)
@given(items=st.dictionaries(keys, st.integers(0, 50).map(value), max_size=80),
       asked_present=st.integers(0, 80), absent=st.lists(keys, max_size=12))
def test_the_walk_on_stored_bytes_gives_the_decoded_walks_bytes(items, asked_present, absent):
    store, root = _map(items)
    asked = set(list(items)[:asked_present]) | set(absent)
    assert mp.build(store, asked) == _decoded_build(store, asked)


def test_the_walk_on_stored_bytes_gives_the_decoded_walks_bytes_on_a_large_map():
    rng = random.Random(12)
    items = {rng.randbytes(32): value(i) for i in range(30_000)}
    store, root = _map(items)
    for n in (1, 17, 400, 5000):
        asked = rng.sample(list(items), n) + [rng.randbytes(32) for _ in range(n // 3)]
        built = mp.build(store, asked)
        assert built == _decoded_build(store, asked)
        assert built[1] == root and mp.verify(root, asked, built[0]) == built[2]


def test_a_cache_gives_the_same_proof_and_never_a_chunk_the_root_does_not_name():
    rng = random.Random(13)
    items = {rng.randbytes(32): value(i) for i in range(5000)}
    store, root = _map(items)
    asked = rng.sample(list(items), 300)
    cache = sm.ChunkCache(depth=2)
    first = mp.build(store, asked, cache=cache)
    assert cache.chunks and all(len(p) <= 2 for p in cache.chunks)  # the upper chunks read were kept
    counting = CountingStore(store)
    assert mp.build(counting, asked, cache=cache) == first == mp.build(store, asked)
    assert not [p for p in counting.asked if 0 < len(p) <= 2]  # … and taken from the cache
    sm.apply(store, {asked[0]: value(77_777)})  # the map moves: the cached chunks on that path are stale
    moved = mp.build(store, asked, cache=cache)
    assert moved == mp.build(store, asked) and moved[1] == sm.root_of({**items, asked[0]: value(77_777)})
    assert moved[2][asked[0]] == value(77_777)
