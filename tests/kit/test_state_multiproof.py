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
