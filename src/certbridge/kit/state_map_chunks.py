"""The state map's chunks: how a 16-way chunk (4 binary levels of the sparse Merkle tree) is held, hashed,
encoded and decoded (kit/state_map.py defines the tree and its proofs; this module is its storage unit).

A chunk holds 16 entries: empty, a leaf (key and value hash), or the hash of a deeper chunk. Its binary
subtrees are hashed bottom up in a 32-slot heap (`_heap`), kept with the chunk so a change re-hashes only its
path (`_rehash`), and stored after its entries so a chunk read back is hashed only for its leaves.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from hashlib import sha256
from typing import Protocol

PLACEHOLDER = bytes(32)
_LEAF, _NODE = b"\x02", b"\x03"
_FANOUT, _LEVELS = 16, 4  # a chunk: 16 entries, 4 binary levels
_EMPTY, _SINGLE, _MULTI = 0, 1, 2  # a subtree of a chunk: empty, a single (lifted) leaf, two or more leaves


def leaf_hash(key: bytes, value_hash: bytes) -> bytes:
    """Return the hash of the leaf that maps `key` to `value_hash`."""
    return sha256(_LEAF + key + value_hash).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the hash of a subtree with two or more leaves, from its halves' hashes."""
    return sha256(_NODE + left + right).digest()


# --- chunks and their store ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Leaf:
    key: bytes
    value_hash: bytes


@dataclass(frozen=True, slots=True)
class Child:
    """A deeper chunk, known here by its hash."""

    hash: bytes


Entry = Leaf | Child | None


class Chunk(list):
    """A chunk's 16 entries, remembering its hashes (`_heap`) once they have been made."""

    __slots__ = ("heap",)

    def __init__(self, entries=(None,) * 16, heap=None) -> None:
        super().__init__(entries)
        self.heap = heap


class ChunkStore(Protocol):
    """Where chunks live, by nibble path (one byte per nibble; the root chunk's path is b"").

    `get_many` returns the chunks found among `paths` (missing ones are left out); `put` records a new or
    changed chunk. A database store reads with one query per call and writes when its transaction ends.
    """

    def get_many(self, paths: list[bytes]) -> dict[bytes, list[Entry]]: ...

    def put(self, path: bytes, chunk: list[Entry]) -> None: ...


def encode_chunk(chunk: list[Entry]) -> bytes:
    """Serialize a chunk: a 16-bit presence bitmap, then per present entry a type byte and its fields, then the
    hashes of the chunk's inner nodes that hold two or more leaves (heap nodes 15 down to 1, 32 bytes each).

    The inner hashes are what re-hashing a chunk costs; stored, a chunk read back is hashed only for its leaf
    entries, and a change re-hashes only its path. They are derived data: `decode_chunk` accepts a chunk without
    them (as written before they were stored), and the integrity check (`ledger.state_map.root_of_chunks`)
    recomputes every hash from the entries instead of trusting them. A Chunk's remembered hashes are written as
    they are: change a chunk only as a new `Chunk(entries)`.
    """
    bitmap, out = 0, [b""]
    for i, entry in enumerate(chunk):
        if entry is None:
            continue
        bitmap |= 1 << i
        if type(entry) is Leaf:
            out += (b"L", entry.key, entry.value_hash)
        else:
            out += (b"C", entry.hash)
    out[0] = bitmap.to_bytes(2, "big")
    hashes, kinds, _ = _heap(chunk)
    out += [hashes[j] for j in range(15, 0, -1) if kinds[j] == _MULTI]
    return b"".join(out)


_DECODED: OrderedDict[bytes, Chunk] = OrderedDict()  # encoded chunk -> decoded chunk with its hashes (contents never change)
DECODE_CACHE = 20_000  # chunks (about 80 MB)


def decode_chunk(data: bytes) -> Chunk:
    """Read a chunk written by encode_chunk: a fresh copy of its entries, with its hashes made once per content
    (an encoded chunk read before is neither decoded nor hashed again; the copy may be changed freely, but then
    it must be hashed afresh: wrap it in a new `Chunk`)."""
    cached = _DECODED.get(data)
    if cached is None:
        cached = _decode(data)
        _heap(cached)
        if len(_DECODED) >= DECODE_CACHE:
            _DECODED.popitem(last=False)
        _DECODED[data] = cached
    return Chunk(cached, cached.heap)


def _decode(data: bytes) -> Chunk:
    bitmap, pos, chunk = int.from_bytes(data[:2], "big"), 2, Chunk()
    for i in range(_FANOUT):
        if not bitmap >> i & 1:
            continue
        kind = data[pos:pos + 1]
        if kind == b"L":
            chunk[i] = Leaf(data[pos + 1:pos + 33], data[pos + 33:pos + 65])
            pos += 65
        elif kind == b"C":
            chunk[i] = Child(data[pos + 1:pos + 33])
            pos += 33
        else:
            raise ValueError(f"state-map chunk entry {i} has unknown type {kind!r}")
    if pos != len(data):
        _stored_heap(chunk, data, pos)
    return chunk


def _stored_heap(chunk: Chunk, data: bytes, pos: int) -> None:
    """Give a decoded chunk its hashes from the inner hashes stored after its entries (see encode_chunk)."""
    hashes, kinds, leaves = _entry_level(chunk)
    for j in range(15, 0, -1):
        kl, kr = kinds[2 * j], kinds[2 * j + 1]
        if kl == _EMPTY and kr != _MULTI:
            hashes[j], kinds[j], leaves[j] = hashes[2 * j + 1], kr, leaves[2 * j + 1]
        elif kr == _EMPTY and kl != _MULTI:
            hashes[j], kinds[j], leaves[j] = hashes[2 * j], kl, leaves[2 * j]
        else:
            stored = data[pos:pos + 32]
            if len(stored) != 32:
                raise ValueError("state-map chunk has fewer inner hashes than its entries need")
            hashes[j], kinds[j] = stored, _MULTI
            pos += 32
    if pos != len(data):
        raise ValueError("state-map chunk has trailing bytes")
    chunk.heap = (hashes, kinds, leaves)


def _entry_level(chunk: list[Entry]) -> tuple[list[bytes], list[int], list[Entry]]:
    """Return a chunk's heap (32 slots) with only its entries' level (16..31) filled in."""
    hashes: list[bytes] = [PLACEHOLDER] * 32
    kinds = [_EMPTY] * 32
    leaves: list[Entry] = [None] * 32
    for i, entry in enumerate(chunk):
        if entry is None:
            continue
        j = 16 + i
        if type(entry) is Leaf:
            hashes[j], kinds[j], leaves[j] = sha256(_LEAF + entry.key + entry.value_hash).digest(), _SINGLE, entry
        else:
            hashes[j], kinds[j] = entry.hash, _MULTI
    return hashes, kinds, leaves


def _entry_hash(entry: Entry) -> bytes:
    if entry is None:
        return PLACEHOLDER
    if isinstance(entry, Leaf):
        return leaf_hash(entry.key, entry.value_hash)
    return entry.hash



def _heap(chunk: list[Entry]) -> tuple[list[bytes], list[int], list[Entry]]:
    """Hash a chunk's binary subtrees bottom up: heap index 1 is the chunk, 16..31 its entries.

    Returns per heap index its hash, its kind (empty, a single lifted leaf, or two or more leaves) and, for a
    single, which leaf it is. At most 15 node hashes and one leaf hash per leaf entry. A Chunk keeps the result.
    """
    if type(chunk) is Chunk and chunk.heap is not None:
        return chunk.heap
    hashes, kinds, leaves = _entry_level(chunk)
    for j in range(15, 0, -1):
        _combine(hashes, kinds, leaves, j)
    if type(chunk) is Chunk:
        chunk.heap = (hashes, kinds, leaves)
    return hashes, kinds, leaves


def _combine(hashes: list[bytes], kinds: list[int], leaves: list[Entry], j: int) -> None:
    """Make heap node j from its two children: an empty side lifts a single leaf; anything else is a node hash."""
    left, right = 2 * j, 2 * j + 1
    kl, kr = kinds[left], kinds[right]
    if kl == _EMPTY and kr != _MULTI:
        hashes[j], kinds[j], leaves[j] = hashes[right], kr, leaves[right]
    elif kr == _EMPTY and kl != _MULTI:
        hashes[j], kinds[j], leaves[j] = hashes[left], kl, leaves[left]
    else:
        hashes[j], kinds[j], leaves[j] = sha256(_NODE + hashes[left] + hashes[right]).digest(), _MULTI, None


def _rehash(chunk: Chunk, old: tuple[list[bytes], list[int], list[Entry]], changed: Iterable[int]) -> None:
    """Give a changed chunk its hashes from its old ones: only the changed entries and their ancestors."""
    hashes, kinds, leaves = old[0][:], old[1][:], old[2][:]
    up = 0  # bit j set: heap node j is above a changed entry
    for n in changed:
        j, entry = 16 + n, chunk[n]
        if entry is None:
            hashes[j], kinds[j], leaves[j] = PLACEHOLDER, _EMPTY, None
        elif type(entry) is Leaf:
            hashes[j], kinds[j], leaves[j] = sha256(_LEAF + entry.key + entry.value_hash).digest(), _SINGLE, entry
        else:
            hashes[j], kinds[j], leaves[j] = entry.hash, _MULTI, None
        j >>= 1
        while j:
            up |= 1 << j
            j >>= 1
    for j in range(15, 0, -1):
        if not up >> j & 1:
            continue
        left, right = 2 * j, 2 * j + 1
        kl, kr = kinds[left], kinds[right]
        if kl == _EMPTY and kr != _MULTI:
            hashes[j], kinds[j], leaves[j] = hashes[right], kr, leaves[right]
        elif kr == _EMPTY and kl != _MULTI:
            hashes[j], kinds[j], leaves[j] = hashes[left], kl, leaves[left]
        else:
            hashes[j], kinds[j], leaves[j] = sha256(_NODE + hashes[left] + hashes[right]).digest(), _MULTI, None
    chunk.heap = (hashes, kinds, leaves)


def chunk_hash(chunk: list[Entry]) -> bytes:
    """Return the hash of the subtree a chunk holds."""
    return _heap(chunk)[0][1]
