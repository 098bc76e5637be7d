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
