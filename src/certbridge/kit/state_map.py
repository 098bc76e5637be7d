"""An authenticated state map: a sparse Merkle tree from 256-bit keys to 32-byte value hashes.

The map answers "what is the latest state of this subject?" with a proof a client checks against one root
hash, and "this subject does not exist" with a proof of absence. Its semantics are those of the binary sparse
Merkle tree of Diem's Jellyfish Merkle tree (Gao et al., 2021), with our own domain-separated hashes:

- a key is 32 bytes (the SHA-256 of a subject's name, `subject_key`); its bits, most significant first, are
  the path from the root: 0 goes left, 1 goes right;
- an empty subtree hashes to `PLACEHOLDER` (32 zero bytes);
- a subtree holding exactly one leaf hashes to that leaf, `SHA-256(0x02 || key || value_hash)`, wherever the
  subtree starts (the leaf is "lifted" as high as it can go, so a path is only as long as needed to tell the
  leaf from its nearest neighbour: about log2(n) levels for n keys);
- any other subtree hashes to `SHA-256(0x03 || left || right)`.

The tags 0x02 and 0x03 keep map hashes apart from the log's RFC 9162 hashes (0x00 leaves, 0x01 nodes).
The root of a map is therefore a function of its contents alone, whatever order keys were added in.

A proof for key k is the terminal the path of k ends at — the leaf there, or nothing — and the hashes of the
siblings along the path, top down. If the terminal is a leaf with key k, the proof shows k's value; if it is a
leaf with another key sharing the path, or nothing, it shows that k is absent. Verification folds the terminal
up through the siblings and compares the result with the root (`verify`).

Storage is the caller's: the tree is kept as 16-way chunks (4 binary levels each, kit/state_map_chunks.py) addressed by their nibble
path, through a `ChunkStore` (a dict for tests and monitors, a database table for the ledger). A chunk holds
16 entries: empty, a leaf, or the hash of a deeper chunk; a deeper chunk exists only for a subtree with two or
more leaves. Keys are never removed: subjects of a registry are never forgotten, only given new states.
Updates, proofs and the whole-map build work on chunks in their stored bytes (kit/state_map_raw.py); the
`Chunk` form is the reference they are tested against, and what other readers of a store decode to.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from hashlib import sha256

from certbridge.kit import state_map_raw as raw
from certbridge.kit.state_map_chunks import (  # noqa: F401  (re-exported: the chunk is part of the map's API)
    _EMPTY, _MULTI, _SINGLE, PLACEHOLDER, Child, Chunk, ChunkStore, Leaf, _decode, _heap, _rehash, chunk_hash,
    decode_chunk, encode_chunk, leaf_hash, node_hash,
)

__all__ = [
    "PLACEHOLDER", "ChunkCache", "ChunkStore", "Proof", "ProofError", "apply", "build", "build_chunks",
    "decode_proof", "encode_proof", "leaf_hash", "node_hash", "prove", "root_of", "subject_key", "verify",
]

MAX_PROOF_BYTES = 2 + 32 + 256 * 32 + 65  # the largest proof encode_proof can produce
READ_AHEAD = 6  # levels of chunks a proof reads at once below the cached ones (a 10 M map's paths: ~7 levels)


class ProofError(ValueError):
    """A state-map proof did not prove what it claimed to."""


def subject_key(name: str, version: int = 2) -> bytes:
    """Return the map key of a subject named by a canonical string, e.g. "certificate:00126:CN-2024-0001".

    Version 2 (`certbridge-state-map/v2`): SHA-256 of the name with its first bit set by kind — 0 for a
    certification body ("body:…"), 1 for every other subject — so the few bodies share one half of the tree and
    a body's path is about log2(bodies) levels long, not log2(subjects): a certificate's proof together with its
    body's is ~13 hashes shorter at 10 M subjects. Version 1: the SHA-256 of the name.
    """
    key = sha256(name.encode("utf-8")).digest()
    if version < 2:
        return key
    return bytes([key[0] & 0x7F if name.startswith("body:") else key[0] | 0x80]) + key[1:]


_NIBBLE_BYTES = {ord(c): chr(int(c, 16)) for c in "0123456789abcdef"}  # hex digit -> byte of its value


def _bit(key: bytes, depth: int) -> int:
    return (key[depth >> 3] >> (7 - (depth & 7))) & 1


def _nibble(key: bytes, index: int) -> int:
    byte = key[index >> 1]
    return byte >> 4 if index % 2 == 0 else byte & 0x0F


# --- the reference definition: the root of a whole map, straight from the rules above -------------------

def root_of(items: Mapping[bytes, bytes]) -> bytes:
    """Return the root hash of a map given whole; the reference the chunked tree and monitors are checked by."""
    for key, value in items.items():
        _check32("key", key)
        _check32("value hash", value)
    return _root_sorted(sorted(items.items()), 0)


def _root_sorted(items: list[tuple[bytes, bytes]], depth: int) -> bytes:
    if not items:
        return PLACEHOLDER
    if len(items) == 1:
        return leaf_hash(*items[0])
    split = next((i for i, (k, _) in enumerate(items) if _bit(k, depth)), len(items))
    return node_hash(_root_sorted(items[:split], depth + 1), _root_sorted(items[split:], depth + 1))


# --- a cache of the upper levels ------------------------------------------------------------------------

class ChunkCache:
    """Chunks of a map's upper levels (taken apart, kit/state_map_raw.py, with their hashes), by path, kept
    between transactions.

    A cached chunk is used only where its parent — ultimately the map's root hash, read in the caller's
    transaction — names exactly its hash, so the cache can never show a chunk the store does not hold: a chunk
    made by a transaction that rolled back, or replaced by another process, simply no longer matches and is read
    again. Only chunks at most `depth` nibbles deep are kept (16^0 + … + 16^depth paths: 4,369 for depth 3,
    about 10 MB), so its size is bounded whatever the map's.
    """

    __slots__ = ("depth", "chunks")

    def __init__(self, depth: int = 3) -> None:
        self.depth = depth
        self.chunks: dict[bytes, raw.Raw] = {}

    def get_raw(self, path: bytes, expected: bytes) -> raw.Raw | None:
        """Return the chunk at `path` if the one kept there hashes to `expected`."""
        chunk = self.chunks.get(path)
        if chunk is not None and chunk.hash == expected:
            return chunk
        return None

    def put_raw(self, path: bytes, chunk: raw.Raw) -> None:
        """Keep a chunk (its hash made) if its path is shallow enough."""
        if len(path) <= self.depth:
            raw.chunk_hash(chunk)
            self.chunks[path] = chunk

    def clear(self) -> None:
        self.chunks.clear()


def _raw_io(store: ChunkStore):
    """The store's reads and writes of encoded chunks: its own `get_raw`/`put_raw` when it has them (the ledger's
    table), else through its `get_many`/`put` of Chunk objects."""
    get_raw, put_raw = getattr(store, "get_raw", None), getattr(store, "put_raw", None)
    if get_raw is None:
        def get_raw(paths):
            return {p: encode_chunk(c) for p, c in store.get_many(paths).items()}
    if put_raw is None:
        def put_raw(path, data):
            store.put(path, decode_chunk(data))
    return get_raw, put_raw


# --- updates -------------------------------------------------------------------------------------------

def apply(store: ChunkStore, changes: Mapping[bytes, bytes] | Iterable[tuple[bytes, bytes]], *,
          root: bytes | None = None, cache: ChunkCache | None = None) -> bytes:
    """Set every key of `changes` to its value hash (adding new keys) and return the new root hash.

    Works level by level: every chunk on a changed path is read once (one read per level) and written once,
    however many of the changes pass through it; then hashes are made bottom up, each changed chunk re-hashing
    only the nodes above its changed entries, and encoded as a splice of the bytes read (kit/state_map_raw.py).
    The changes are sorted once: a chunk's share of them is a range, split by its next nibble with a binary
    search.

    With `root` (the map's current root hash, as the store holds it) and a `cache`, chunks whose hash their
    parent names are taken from the cache instead of the store, and the changed upper chunks are kept there.
    """
    items = dict(changes.items() if isinstance(changes, Mapping) else changes)
    for key, value in items.items():
        if type(key) is not bytes or type(value) is not bytes or len(key) != 32 or len(value) != 32:
            _check32("key", key)
            _check32("value hash", value)
    get_raw, put_raw = _raw_io(store)
    top = None
    if root is not None:
        _check32("root hash", root)
        if root == PLACEHOLDER:
            top = raw.EMPTY
        elif cache is not None:
            top = cache.get_raw(b"", root)
    if top is None:
        data = get_raw([b""]).get(b"")
        top = raw.parse(data) if data is not None else raw.EMPTY
    if not items:
        return raw.chunk_hash(top)
    keys = sorted(items)
    nibbles = [chunk_path(k) for k in keys]  # a chunk's path is a prefix of its keys' nibbles
    # a chunk to change: (path, chunk before, first and end of its keys, a leaf pushed down into it or None,
    # its entries to set (index -> encoded entry), its parent's entries to set, its index in its parent)
    level = [(b"", top, 0, len(keys), None, {}, None, 0)]
    levels = []
    while level:
        levels.append(level)
        wanted, found, split = [], {}, []
        for node in level:
            path, before, lo, hi, pushed = node[:5]
            depth = len(path)
            groups, i = [], lo
            while i < hi:  # the keys' groups by their next nibble
                n = nibbles[i][depth]
                j = i + 1 if i + 1 == hi or nibbles[i + 1][depth] != n else bisect_left(
                    nibbles, path + bytes((n + 1,)), i + 1, hi)
                groups.append((n, i, j))
                i = j
            split.append(groups)
            if pushed is not None:
                continue  # a new chunk: nothing below it to read
            for n, _, _ in groups:
                if before.children >> n & 1:
                    child_path = path + bytes((n,))
                    hit = cache.get_raw(child_path, raw.child_hash(before, n)) if cache is not None else None
                    if hit is None:
                        wanted.append(child_path)
                    else:
                        found[child_path] = hit
        if wanted:
            for child_path, data in get_raw(wanted).items():
                found[child_path] = raw.parse(data)
        below = []
        for node, groups in zip(level, split):
            path, before, _, _, pushed, sets = node[:6]
            depth = len(path)
            if pushed is not None and all(n != pushed[depth] for n, _, _ in groups):
                sets[pushed[depth]] = pushed[64:]  # the pushed-down leaf has an entry of its own here
                pushed = None
            for n, i, j in groups:
                if pushed is not None and pushed[depth] == n:  # it goes further down with these keys
                    below.append((path + bytes((n,)), raw.EMPTY, i, j, pushed, {}, sets, n))
                    continue
                if before.children >> n & 1:
                    child_path = path + bytes((n,))
                    chunk = found.get(child_path)
                    if chunk is None:
                        raise ValueError(f"state-map chunk {child_path.hex()} is missing from the store")
                    below.append((child_path, chunk, i, j, None, {}, sets, n))
                    continue
                entry = raw.entry(before, n)  # a leaf or nothing
                if j - i == 1 and (entry is None or keys[i] == entry[1:33]):
                    sets[n] = b"L" + keys[i] + items[keys[i]]
                    continue
                child_path = path + bytes((n,))
                down = None
                if entry is not None:  # a leaf: pushed down into a new chunk, unless one of the keys replaces it
                    k = bisect_left(keys, entry[1:33], i, j)
                    if k == j or keys[k] != entry[1:33]:
                        down = chunk_path(entry[1:33]) + entry
                below.append((child_path, raw.EMPTY, i, j, down, {}, sets, n))
        level = below
    for level in reversed(levels):  # deepest first: a parent sets its children's new hashes
        for path, before, _, _, _, sets, parent, n in level:
            chunk, data = raw.update(before, sets)
            digest = raw.chunk_hash(chunk)
            put_raw(path, data)
            if cache is not None:
                cache.put_raw(path, chunk)
            if parent is None:
                return digest
            parent[n] = b"C" + digest
    raise AssertionError("unreachable: the root chunk is the last one made")


# --- building a whole map at once ----------------------------------------------------------------------

def build_chunks(items: Sequence[bytes]) -> Iterator[tuple[bytes, bytes, bytes]]:
    """Yield every chunk of the map whose entries are `items`, each the 64 bytes key ‖ value hash, sorted
    ascending with no key twice, as (path, encoded chunk, its hash); each chunk comes after the chunks below it,
    the root chunk (path b"", whose hash is the map's root) last. Nothing is yielded for an empty map.

    The same chunks, byte for byte, as `apply` makes from an empty map in any order (a property test checks it)
    — built bottom up: each range of keys sharing a path is split by its next nibble with a binary search on the
    keys themselves, and every chunk is hashed once (kit/state_map_raw.py). Packed entries keep a 10 M map's
    input near 1 GB.
    """
    previous = b""
    for item in items:
        if type(item) is not bytes or len(item) != 64:
            raise ValueError(f"build_chunks takes 64-byte key ‖ value hash entries, got {item!r:.40}")
        if item[:32] <= previous:
            raise ValueError("build_chunks needs keys sorted ascending, each once")
        previous = item[:32]
    if items:
        yield from _build(items, 0, len(items), b"")


def _build(items: Sequence[bytes], lo: int, hi: int, path: bytes):
    depth = len(path)
    byte, odd = depth >> 1, depth & 1
    prefix = items[lo][:byte]  # the whole bytes of the path, shared by every key in lo..hi
    sets, start = {}, lo
    while start < hi:
        b = items[start][byte]
        n = b & 15 if odd else b >> 4
        if start + 1 == hi or (items[start + 1][byte] & 15 if odd else items[start + 1][byte] >> 4) != n:
            end = start + 1
        elif n == 15:
            end = hi
        else:  # the first key whose nibble here is above n
            end = bisect_left(items, prefix + bytes(((b & 0xF0) | (n + 1) if odd else (n + 1) << 4,)), start + 1, hi)
        if end - start == 1:
            sets[n] = b"L" + items[start]
        else:
            digest = yield from _build(items, start, end, path + bytes((n,)))
            sets[n] = b"C" + digest
        start = end
    chunk, data = raw.update(raw.EMPTY, sets)
    digest = raw.chunk_hash(chunk)
    yield path, data, digest
    return digest


def build(store: ChunkStore, items: Mapping[bytes, bytes] | Iterable[tuple[bytes, bytes]]) -> bytes:
    """Write the whole map of `items` into an empty store with `build_chunks`; return its root hash."""
    pairs = dict(items.items() if isinstance(items, Mapping) else items)
    for key, value in pairs.items():
        _check32("key", key)
        _check32("value hash", value)
    root, put_raw = PLACEHOLDER, _raw_io(store)[1]
    for path, data, digest in build_chunks(sorted(k + v for k, v in pairs.items())):
        put_raw(path, data)
        if not path:
            root = digest
    return root


# --- proofs --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Proof:
    """Where the path of a key ends (a leaf, or nothing) and its siblings' hashes, top down."""

    siblings: tuple[bytes, ...]
    leaf: Leaf | None

    def __post_init__(self):
        if len(self.siblings) > 256:
            raise ProofError("a state-map proof has at most 256 siblings")


def chunk_path(key: bytes) -> bytes:
    """Return the path of the chunks a key's proof walks: the key's nibbles, one byte each; the chunk at depth d
    has the path's first d bytes (the root chunk the empty path)."""
    return key.hex().translate(_NIBBLE_BYTES).encode("latin-1")


class StaleRead(ValueError):
    """A chunk read for a proof is not the one its parent names: the map changed between two reads."""


def prove(store: ChunkStore, key: bytes, *, root: bytes | None = None, cache: ChunkCache | None = None) -> Proof:
    """Return the proof for `key`: of its value if it is in the map, of its absence if not.

    Reads the chunks on the key's path with one read for READ_AHEAD levels of chunks (each path asked for is
    one index probe, so not many more than a path needs), and more only if the path goes deeper.

    Given the map's `root` hash, every chunk on the path is checked against the hash its parent names (so a
    proof is never stitched from two states of a map changing meanwhile: StaleRead), and with a `cache` the
    upper chunks come from it and only the path below them is read. A store with a `current_root()` method
    and a `cache` attribute (ledger/state_map.py's ChunkTable) gets this by default, retried on a StaleRead.
    """
    _check32("key", key)
    if root is None and cache is None and hasattr(store, "current_root"):
        cache = getattr(store, "cache", None)
        for _ in range(3):
            try:
                return _prove(store, key, store.current_root(), cache)
            except StaleRead:
                continue
        return _prove(store, key, None, None)
    if root is not None:
        _check32("root hash", root)
    return _prove(store, key, root, cache)


def _prove(store: ChunkStore, key: bytes, root: bytes | None, cache: ChunkCache | None) -> Proof:
    siblings: list[bytes] = []
    nibbles = chunk_path(key)
    if root == PLACEHOLDER:
        return Proof((), None)
    get_raw = _raw_io(store)[0]
    found: dict[bytes, bytes] = {}
    depth, expected = 0, root
    while True:
        path = nibbles[:depth]
        chunk = cache.get_raw(path, expected) if cache is not None and expected is not None else None
        if chunk is None:
            if path not in found:
                # one read for the rest of the path: READ_AHEAD levels of chunks at a time, enough for the
                # whole path below the cached levels of a map of fewer than about 16^(3 + READ_AHEAD) keys
                found.update(get_raw([nibbles[:d] for d in range(depth, min(depth + READ_AHEAD, 65))]))
            data = found.get(path)
            if data is None:
                if expected is not None:
                    raise StaleRead(f"state-map chunk {path.hex()} is missing from the store")
                if depth:
                    raise ValueError(f"state-map chunk {path.hex()} is missing from the store")
                chunk = raw.EMPTY
            else:
                chunk = raw.parse(data)
            if expected is not None:
                if raw.chunk_hash(chunk) != expected:
                    raise StaleRead(f"state-map chunk {path.hex()} does not have the hash its parent names")
                if cache is not None:
                    cache.put_raw(path, chunk)
        end, entry = raw.walk(chunk, nibbles[depth], siblings)
        if end == "empty":
            return Proof(tuple(siblings), None)
        if end == "leaf":
            return Proof(tuple(siblings), Leaf(entry[1:33], entry[33:65]))
        expected = entry if expected is not None else None
        depth += 1


def verify(root: bytes, key: bytes, proof: Proof) -> bytes | None:
    """Check a proof against a root: return the key's value hash, or None if the proof shows it is absent.

    Raises ProofError when the proof does not lead to the root, or its leaf is not on the key's path.
    """
    _check32("root hash", root, ProofError)
    _check32("key", key, ProofError)
    depth = len(proof.siblings)
    if proof.leaf is None:
        h = PLACEHOLDER
    else:
        other = proof.leaf.key
        _check32("leaf key", other, ProofError)
        _check32("leaf value hash", proof.leaf.value_hash, ProofError)
        if other != key and any(_bit(other, d) != _bit(key, d) for d in range(depth)):
            raise ProofError("the proof's leaf is not on the path of the key it is about")
        h = leaf_hash(other, proof.leaf.value_hash)
    for d in range(depth - 1, -1, -1):
        sibling = proof.siblings[d]
        h = node_hash(sibling, h) if _bit(key, d) else node_hash(h, sibling)
    if h != root:
        raise ProofError("the proof does not lead to the map root it was checked against")
    if proof.leaf is not None and proof.leaf.key == key:
        return proof.leaf.value_hash
    return None


def encode_proof(proof: Proof) -> bytes:
    """Serialize a proof compactly: depth, a bitmap of non-empty siblings, those siblings, then the terminal.

    Empty siblings (PLACEHOLDER) are left out, so a proof in a map of n keys takes about 32·log2(n) bytes.
    """
    depth = len(proof.siblings)
    bitmap = 0
    kept = []
    for i, s in enumerate(proof.siblings):
        if s != PLACEHOLDER:
            bitmap |= 1 << i
            kept.append(s)
    nbytes = (depth + 7) // 8
    out = depth.to_bytes(2, "big") + bitmap.to_bytes(nbytes, "little") + b"".join(kept)
    if proof.leaf is None:
        return out + b"\x00"
    return out + b"\x01" + proof.leaf.key + proof.leaf.value_hash


def decode_proof(data: bytes) -> Proof:
    """Read a proof written by encode_proof, refusing anything it would not write."""
    if len(data) < 3 or len(data) > MAX_PROOF_BYTES:
        raise ProofError(f"a state-map proof is 3 to {MAX_PROOF_BYTES} bytes, got {len(data)}")
    depth = int.from_bytes(data[:2], "big")
    if depth > 256:
        raise ProofError(f"a state-map proof is at most 256 levels deep, this one says {depth}")
    nbytes = (depth + 7) // 8
    bitmap = int.from_bytes(data[2:2 + nbytes], "little")
    if bitmap >> depth:
        raise ProofError("the proof's sibling bitmap marks levels below its depth")
    pos, siblings = 2 + nbytes, []
    for i in range(depth):
        if bitmap >> i & 1:
            s = data[pos:pos + 32]
            if len(s) != 32 or s == PLACEHOLDER:
                raise ProofError(f"sibling {i} of the proof is cut short or spelled as empty")
            siblings.append(s)
            pos += 32
        else:
            siblings.append(PLACEHOLDER)
    tail = data[pos:]
    if tail == b"\x00":
        return Proof(tuple(siblings), None)
    if len(tail) == 65 and tail[:1] == b"\x01":
        return Proof(tuple(siblings), Leaf(tail[1:33], tail[33:65]))
    raise ProofError("the proof's terminal is neither empty (0x00) nor a leaf (0x01, key, value hash)")


def _check32(what: str, value: bytes, error: type[Exception] = ValueError) -> None:
    if not isinstance(value, bytes | bytearray) or len(value) != 32:
        raise error(f"a state-map {what} is 32 bytes, got {value!r:.40}")
