"""The state map: chunked updates agree with the reference definition; proofs verify, forgeries fail."""

from __future__ import annotations

import random
from hashlib import sha256

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certbridge.kit import state_map as sm


class DictStore(dict):
    def put(self, path, chunk):
        # store the serialized form, as a database would, so the codec is exercised on every write
        self[path] = sm.encode_chunk(chunk)

    def get_many(self, paths):
        return {p: sm.decode_chunk(self[p]) for p in paths if p in self}


def value(i) -> bytes:
    return sha256(f"state {i}".encode()).digest()


# Keys drawn so that many share long prefixes (the interesting case for lifted leaves and deep chunks).
def _key(prefix_len: int, seed: int) -> bytes:
    rng = random.Random(seed)
    base = bytes(32)
    tail = bytes(rng.randrange(256) for _ in range(32))
    return base[:prefix_len] + tail[prefix_len:]


keys = st.builds(_key, st.integers(0, 31), st.integers(0, 2**32))


@settings(max_examples=150, deadline=None)
@given(batches=st.lists(st.dictionaries(keys, st.integers(0, 50).map(value), max_size=12), min_size=1, max_size=5),
       absent=st.lists(keys, max_size=5))
def test_chunked_map_equals_the_reference_and_proves_every_key(batches, absent):
    store, whole = DictStore(), {}
    for batch in batches:
        root = sm.apply(store, batch)
        whole.update(batch)
        assert root == sm.root_of(whole)
    for key, val in whole.items():
        proof = sm.prove(store, key)
        assert sm.verify(root, key, proof) == val
        assert sm.verify(root, key, sm.decode_proof(sm.encode_proof(proof))) == val
    for key in absent:
        if key not in whole:
            assert sm.verify(root, key, sm.prove(store, key)) is None


def test_empty_and_single_key_maps():
    store = DictStore()
    assert sm.apply(store, {}) == sm.PLACEHOLDER == sm.root_of({})
    k = sm.subject_key("certificate:00126:CN-1")
    root = sm.apply(store, {k: value(1)})
    assert root == sm.leaf_hash(k, value(1))  # one leaf is lifted to the root
    proof = sm.prove(store, k)
    assert proof.siblings == () and sm.verify(root, k, proof) == value(1)
    other = sm.subject_key("certificate:00126:CN-2")
    assert sm.verify(root, other, sm.prove(store, other)) is None


def test_order_of_insertion_does_not_change_the_root():
    items = {sm.subject_key(f"organization:{i}"): value(i) for i in range(300)}
    one, two = DictStore(), DictStore()
    sm.apply(one, items)
    pairs = list(items.items())
    random.Random(7).shuffle(pairs)
    for i in range(0, len(pairs), 17):
        root_two = sm.apply(two, pairs[i:i + 17])
    assert sm.apply(one, {}) == root_two == sm.root_of(items)


@pytest.fixture(scope="module")
def big():
    store = DictStore()
    items = {sm.subject_key(f"certificate:{i}"): value(i) for i in range(5000)}
    root = sm.apply(store, items)
    return store, items, root


def test_a_changed_state_gets_a_new_root_and_the_old_proof_fails(big):
    store, items, root = big
    key = next(iter(items))
    old_proof = sm.prove(store, key)
    new_store = DictStore(store)
    new_root = sm.apply(new_store, {key: value("suspended")})
    assert new_root != root
    assert sm.verify(new_root, key, sm.prove(new_store, key)) == value("suspended")
    with pytest.raises(sm.ProofError, match="does not lead"):
        sm.verify(new_root, key, old_proof)  # a stale proof (the state before the suspension) is refused


def test_forged_proofs_fail(big):
    store, items, root = big
    key = list(items)[123]
    proof = sm.prove(store, key)
    assert len(proof.siblings) >= 10
    forged = [
        sm.Proof(proof.siblings, sm.Leaf(key, value("valid forever"))),  # wrong state
        sm.Proof(proof.siblings[:-1], proof.leaf),  # a level dropped
        sm.Proof(proof.siblings[:3] + (sha256(b"x").digest(),) + proof.siblings[4:], proof.leaf),
        sm.Proof(proof.siblings, None),  # "absent" for a key that is there
    ]
    for bad in forged:
        with pytest.raises(sm.ProofError):
            sm.verify(root, key, bad)
    with pytest.raises(sm.ProofError):
        sm.verify(sha256(b"another root").digest(), key, proof)


def test_absence_cannot_be_shown_with_a_leaf_off_the_path(big):
    store, items, root = big
    absent = sm.subject_key("certificate:never-issued")
    proof = sm.prove(store, absent)
    assert sm.verify(root, absent, proof) is None
    # take a real leaf from elsewhere in the tree as the terminal: it is not on the absent key's path
    elsewhere = sm.prove(store, next(k for k in items if k[0] >> 6 != absent[0] >> 6))
    with pytest.raises(sm.ProofError, match="not on the path"):
        sm.verify(root, absent, sm.Proof(proof.siblings, elsewhere.leaf))


def test_proofs_are_small(big):
    store, items, _ = big
    sizes = [len(sm.encode_proof(sm.prove(store, k))) for k in list(items)[:200]]
    # about 32·log2(5000) ≈ 400 bytes; at 10 M keys about 32·24 + 67 ≈ 850 bytes
    assert max(sizes) < 700


@pytest.mark.parametrize("data, message", [
    (b"", "3 to"),
    ((1).to_bytes(2, "big") + b"\xff" + bytes(32) + b"\x00", "bitmap"),
    ((1).to_bytes(2, "big") + b"\x01" + bytes(32) + b"\x00", "spelled as empty"),
    ((0).to_bytes(2, "big") + b"\x02", "terminal"),
    ((300).to_bytes(2, "big") + b"\x00", "256 levels"),
])
def test_malformed_proofs_are_refused_with_a_reason(data, message):
    with pytest.raises(sm.ProofError, match=message):
        sm.decode_proof(data)


@settings(max_examples=150, deadline=None)
@given(batches=st.lists(st.dictionaries(keys, st.integers(0, 50).map(value), max_size=12), min_size=1, max_size=5),
       asked=st.lists(keys, max_size=5))
def test_a_map_built_whole_equals_the_map_folded_batch_by_batch(batches, asked):
    folded, cache, root, final = DictStore(), sm.ChunkCache(depth=2), sm.PLACEHOLDER, {}
    for batch in batches:  # folded as the ledger does: the cache used only where the root leads to its chunks
        root = sm.apply(folded, batch, root=root, cache=cache)
        final.update(batch)
    built = DictStore()
    assert sm.build(built, final) == root == sm.root_of(final)
    assert dict(built) == dict(folded)  # the very same chunks: later folds continue on a built map
    for data in built.values():  # and the chunks the Chunk form makes from their entries alone, inner hashes too
        assert sm.encode_chunk(sm.Chunk(list(sm._decode(data)))) == data
    for key in list(final)[:5] + asked:
        proof = sm.prove(built, key, root=root, cache=cache)
        assert proof == sm.prove(folded, key)
        assert sm.verify(root, key, proof) == final.get(key)


def test_the_cache_never_serves_a_chunk_the_store_does_not_hold():
    store, cache = DictStore(), sm.ChunkCache()
    first = {_key(0, i): value(i) for i in range(300)}
    root = sm.apply(store, first, root=sm.PLACEHOLDER, cache=cache)
    saved = dict(store)
    # a fold whose transaction rolls back: its chunks reach the cache, never the store
    sm.apply(DictStore(saved), {_key(0, 1000 + i): value(i) for i in range(300)}, root=root, cache=cache)
    key = _key(0, 7)
    proof = sm.prove(store, key, root=root, cache=cache)
    assert sm.verify(root, key, proof) == first[key]
    # the next fold starts from the committed root and gets the reference root
    more = {_key(0, 2000 + i): value(i) for i in range(50)}
    assert sm.apply(store, more, root=root, cache=cache) == sm.root_of(first | more)


def test_a_proof_is_never_stitched_from_two_states_of_the_map():
    store, cache = DictStore(), sm.ChunkCache(depth=0)
    root = sm.apply(store, {_key(0, i): value(i) for i in range(300)})
    sm.apply(store, {_key(0, i): value(i + 1) for i in range(300)})  # the store moved on past `root`
    with pytest.raises(sm.StaleRead):
        sm.prove(store, _key(0, 3), root=root, cache=cache)


def test_build_refuses_unsorted_or_repeated_keys():
    a, b = (_key(0, 1) + value(1)), (_key(0, 2) + value(2))
    with pytest.raises(ValueError, match="sorted"):
        list(sm.build_chunks(sorted([a, b], reverse=True)))
    with pytest.raises(ValueError, match="sorted"):
        list(sm.build_chunks([a, a]))
    assert list(sm.build_chunks([])) == []


def test_chunks_store_their_inner_hashes_and_old_chunks_without_them_still_read():
    store = DictStore()
    items = {_key(0, i): value(i) for i in range(500)}
    root = sm.apply(store, items)
    for path, data in store.items():
        fresh = sm.Chunk(sm._decode(data))  # hashed from its entries alone
        assert sm.chunk_hash(fresh) == sm.chunk_hash(sm.decode_chunk(data))
        bare = sm.encode_chunk(fresh)[:len(data) - 32 * sum(k == sm._MULTI for k in sm._heap(fresh)[1][1:16])]
        assert sm.chunk_hash(sm._decode(bare)) == sm.chunk_hash(fresh)  # the form written before: no inner hashes
        store[path] = bare
    assert sm.apply(store, {_key(0, 9999): value(1)}) == sm.root_of(items | {_key(0, 9999): value(1)})
    assert sm.verify(sm.root_of(items | {_key(0, 9999): value(1)}), _key(0, 3), sm.prove(store, _key(0, 3))) == items[_key(0, 3)]
    with pytest.raises(ValueError, match="trailing|fewer"):
        sm._decode(store[b""] + b"x")
    assert root == sm.root_of(items)


# --- the fold's and proofs' byte form (kit/state_map_raw.py) against the Chunk form ------------------------

from certbridge.kit import state_map_raw as raw  # noqa: E402

_hash32 = st.binary(min_size=32, max_size=32)
_entry = st.one_of(st.builds(sm.Leaf, _hash32, _hash32), st.builds(sm.Child, _hash32))
_chunks = st.lists(st.one_of(st.none(), _entry), min_size=16, max_size=16)


def _encoded(entry) -> bytes:
    return b"L" + entry.key + entry.value_hash if type(entry) is sm.Leaf else b"C" + entry.hash


@settings(max_examples=400, deadline=None)
@given(before=_chunks, sets=st.dictionaries(st.integers(0, 15), _entry, min_size=1, max_size=16), first_form=st.booleans())
def test_a_chunk_changed_in_its_byte_form_is_the_chunk_the_chunk_form_makes(before, sets, first_form):
    data = sm.encode_chunk(sm.Chunk(before))
    if first_form:  # written before inner hashes were stored: they are made on reading
        data = data[:len(data) - 32 * sum(k == sm._MULTI for k in sm._heap(sm.Chunk(before))[1][1:16])]
    old = raw.parse(data)
    assert raw.chunk_hash(old) == sm.chunk_hash(sm.Chunk(before))
    after = sm.Chunk(before)
    for i, entry in sets.items():
        after[i] = entry
    new, encoded = raw.update(old, {i: _encoded(e) for i, e in sets.items()})
    assert encoded == new.data == sm.encode_chunk(sm.Chunk(after))  # the same bytes, stored inner hashes included
    assert raw.chunk_hash(new) == sm.chunk_hash(sm.Chunk(after)) == raw.chunk_hash(raw.parse(encoded))
    hashes, kinds, leaves = sm._heap(sm.Chunk(after))
    for nibble in range(16):  # a proof's walk through the chunk: the same siblings, the same end
        siblings, j = [], 1
        end = raw.walk(new, nibble, siblings)
        while kinds[j] == sm._MULTI and j < 16:
            j = 2 * j + (nibble >> (3 - (j.bit_length() - 1)) & 1)
        assert siblings == [hashes[(j >> s) ^ 1] for s in range(j.bit_length() - 2, -1, -1)]  # nodes 1 → j
        if kinds[j] == sm._EMPTY:
            assert end == ("empty", None)
        elif kinds[j] == sm._SINGLE:
            assert end == ("leaf", _encoded(leaves[j]))
        else:
            assert end == ("child", after[j - 16].hash)


def test_a_damaged_chunk_is_refused():
    data = sm.encode_chunk(sm.Chunk([sm.Leaf(bytes(32), bytes(32)), sm.Leaf(b"\x01" * 32, bytes(32))] + [None] * 14))
    for bad in (data + b"x", data[:-1], data[:40], data[:2] + b"X" + data[3:]):
        with pytest.raises(ValueError):
            raw.parse(bad)
