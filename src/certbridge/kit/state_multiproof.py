"""One proof for many keys of a state map (kit/state_map.py): every shared node sent once.

A bulk receipt proves hundreds of certificates present and some names absent under one map root. Single
proofs would repeat the top of the tree for each key; a multiproof walks the union of the keys' paths once,
top down, and writes per node of that union one byte and, where only one side is on a path, the other side's
hash:

- `0x00` — the paths end here at an empty subtree (every key through it is absent);
- `0x01` key value_hash — the paths end here at a leaf: the key it holds is present with that value, every
  other key through it is absent;
- `0x02` — both halves hold keys: the left half follows, then the right half;
- `0x03` hash — only the left half holds keys: it follows, and this is the right half's hash;
- `0x04` hash — only the right half holds keys: this is the left half's hash, and the right half follows;
- `0x05` / `0x06` — as 0x03 / 0x04 with an empty (PLACEHOLDER) other half, whose hash is not written.

The keys are not in the proof: the verifier brings them (a bulk receipt names its certificates), sorts them
and walks the same union, so a proof is bound to exactly the keys it was made for. `verify` returns each key's
value hash (None when absent) or raises ProofError when the walk does not lead to the root.

`build` makes the proof straight from a ChunkStore in one walk: the chunks on the keys' paths are read level by
level (one read a level, only chunks that exist) in their stored bytes (kit/state_map_raw.py: never decoded, an
off-path side is a stored hash), and the union is walked once top down, writing each shared node once. The same walk folds the hashes back up, so it also gives the
root the chunks lead to and every key's value: a caller that compares that root with the one it expects has
checked the proof without walking it again. `combine` makes the same bytes from single proofs (`prove`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from hashlib import sha256

from certbridge.kit import state_map_raw as raw
from certbridge.kit.state_map import (
    PLACEHOLDER, ChunkCache, ChunkStore, Proof, ProofError, _raw_io, chunk_path, leaf_hash,
)

__all__ = ["build", "combine", "verify"]

_EMPTY, _LEAF, _BOTH, _LEFT, _RIGHT, _LEFT_EMPTY, _RIGHT_EMPTY = range(7)
MAX_KEYS = 1_000_000


def _bit(key: bytes, depth: int) -> int:
    return (key[depth >> 3] >> (7 - (depth & 7))) & 1


def _split(ints: list[int], lo: int, hi: int, depth: int) -> int:
    """Return the first of the sorted keys lo..hi (sharing their first `depth` bits) whose bit `depth` is 1."""
    shift = 255 - depth
    return bisect_left(ints, ((ints[lo] >> shift) | 1) << shift, lo, hi)


_NODE = b"\x03"
_MASK = raw.MASK  # heap node j of a chunk covers the entries of _MASK[j]


def _read(store: ChunkStore, wanted: list[bytes], cache: ChunkCache | None) -> dict[bytes, raw.Raw]:
    """Read every chunk on the sorted keys' paths in its stored bytes (kit/state_map_raw.py), one read per level,
    asking only for chunks that exist (a parent's entry names a deeper chunk). With a `cache`, a chunk it holds
    is taken from it where its parent names that chunk's very hash, and the upper chunks read are kept there."""
    get_raw = _raw_io(store)[0]
    paths = [chunk_path(k) for k in wanted]
    data = get_raw([b""]).get(b"")
    if data is None:
        return {}
    top = raw.parse(data)
    chunks = {b"": top}
    if cache is not None:
        cache.put_raw(b"", top)
    level = [(b"", 0, len(wanted))]
    depth = 0
    while level:
        below, asked = [], []
        for path, lo, hi in level:
            chunk = chunks[path]
            children = chunk.children
            i = lo
            while i < hi:  # the keys through this chunk, grouped by their next nibble (they are sorted)
                nibble = paths[i][depth]
                j = i + 1
                if j < hi and paths[j][depth] == nibble:
                    j = bisect_left(paths, path + bytes((nibble + 1,)), j, hi) if nibble < 15 else hi
                if children >> nibble & 1:
                    child = path + bytes((nibble,))
                    hit = cache.get_raw(child, raw.child_hash(chunk, nibble)) if cache is not None else None
                    if hit is None:
                        asked.append(child)
                    else:
                        chunks[child] = hit
                    below.append((child, i, j))
                i = j
        if asked:
            found = get_raw(asked)
            missing = [p for p in asked if p not in found]
            if missing:
                raise ValueError(f"state-map chunk {missing[0].hex()} is missing from the store")
            for path in asked:
                chunk = chunks[path] = raw.parse(found[path])
                if cache is not None and len(path) <= cache.depth:
                    cache.put_raw(path, chunk)
        level, depth = below, depth + 1
    return chunks


def build(store: ChunkStore, keys: Iterable[bytes], *, cache: ChunkCache | None = None,
          ) -> tuple[bytes, bytes, dict[bytes, bytes | None]]:
    """Return (multiproof, root, values) for `keys` from the map in `store`, walking their paths' union once.

    `root` is what the chunks read lead to (compare it with the root you expect: equal, the proof verifies
    against it and `values` — each key's value hash, None when absent — are what `verify` would return).
    The bytes are those `combine` makes from the keys' single proofs. The chunks are walked in their stored
    bytes, never decoded: a node's kind is read from the chunk's masks, a side off the paths is the chunk's
    stored hash (or a child's hash, or one leaf hash), and only the nodes on the paths are hashed, once each.
    `cache` (a ChunkCache): upper chunks taken from it where their parent names their hash (see `_read`).
    """
    wanted = sorted(set(keys))
    for k in wanted:
        if not isinstance(k, bytes) or len(k) != 32:
            raise ValueError("a state-map key is 32 bytes")
    chunks = _read(store, wanted, cache)
    top = chunks.get(b"", raw.EMPTY)
    if not wanted:
        return b"", raw.chunk_hash(top), {}
    ints = [int.from_bytes(k, "big") for k in wanted]
    out: list[bytes] = []
    values: dict[bytes, bytes | None] = {}
    other_hash = raw.subtree_hash

    def one(path: bytes, chunk: raw.Raw, j: int, i: int, depth: int) -> bytes:
        """`walk` for a node only key i goes through (most nodes of a large map's proof): a loop down its path,
        then its hashes folded back up."""
        k, sides = ints[i], []
        while True:
            m = chunk.present & _MASK[j]
            if not m:
                out.append(b"\x00")
                values[wanted[i]] = None
                h = PLACEHOLDER
                break
            if j >= 16:
                if chunk.children & m:
                    path += bytes((j - 16,))
                    chunk, j = chunks[path], 1
                    continue
                leaf = raw.entry(chunk, j - 16)
            elif chunk.multi >> j & 1:
                right = k >> (255 - depth) & 1
                other = other_hash(chunk, 2 * j + 1 - right)
                if other == PLACEHOLDER:
                    out.append(b"\x06" if right else b"\x05")
                else:
                    out.append((b"\x04" if right else b"\x03") + other)
                sides.append((other, right))
                j, depth = 2 * j + right, depth + 1
                continue
            else:
                leaf = raw.entry(chunk, m.bit_length() - 1)
            out.append(b"\x01" + leaf[1:65])
            values[wanted[i]] = leaf[33:65] if leaf[1:33] == wanted[i] else None
            h = sha256(b"\x02" + leaf[1:65]).digest()
            break
        for other, right in reversed(sides):
            h = sha256(_NODE + other + h if right else _NODE + h + other).digest()
        return h

    def walk(path: bytes, chunk: raw.Raw, j: int, lo: int, hi: int, depth: int) -> bytes:
        if hi - lo == 1:
            return one(path, chunk, j, lo, depth)
        m = chunk.present & _MASK[j]
        if not m:
            out.append(b"\x00")
            for k in wanted[lo:hi]:
                values[k] = None
            return PLACEHOLDER
        if j >= 16:
            if chunk.children & m:  # a deeper chunk: its heap node 1 is this same subtree
                child = path + bytes((j - 16,))
                return walk(child, chunks[child], 1, lo, hi, depth)
            leaf = raw.entry(chunk, j - 16)
        elif chunk.multi >> j & 1:
            split = _split(ints, lo, hi, depth)
            left, right = 2 * j, 2 * j + 1
            if lo < split < hi:
                out.append(b"\x02")
                h_left = walk(path, chunk, left, lo, split, depth + 1)
                return sha256(_NODE + h_left + walk(path, chunk, right, split, hi, depth + 1)).digest()
            if split == hi:  # every key goes left
                other = other_hash(chunk, right)
                out.append(b"\x05" if other == PLACEHOLDER else b"\x03" + other)
                return sha256(_NODE + walk(path, chunk, left, lo, hi, depth + 1) + other).digest()
            other = other_hash(chunk, left)
            out.append(b"\x06" if other == PLACEHOLDER else b"\x04" + other)
            return sha256(_NODE + other + walk(path, chunk, right, lo, hi, depth + 1)).digest()
        else:  # a single leaf, lifted to this node
            leaf = raw.entry(chunk, m.bit_length() - 1)
        key, value = leaf[1:33], leaf[33:65]
        out.append(b"\x01" + leaf[1:65])
        for k in wanted[lo:hi]:
            values[k] = value if k == key else None
        return sha256(b"\x02" + leaf[1:65]).digest()

    root = walk(b"", top, 1, 0, len(wanted), 0)
    return b"".join(out), root, values


def combine(proofs: Mapping[bytes, Proof]) -> bytes:
    """Return the multiproof of the keys of `proofs` (each its single proof from `state_map.prove`, same root)."""
    keys = sorted(proofs)
    if not keys:
        return b""
    out: list[bytes] = []

    def walk(lo: int, hi: int, depth: int) -> None:
        proof = proofs[keys[lo]]
        if len(proof.siblings) == depth:  # every key through this node ends here (see the module text)
            out.append(b"\x00" if proof.leaf is None else b"\x01" + proof.leaf.key + proof.leaf.value_hash)
            return
        split = next((i for i in range(lo, hi) if _bit(keys[i], depth)), hi)
        if lo < split < hi:
            out.append(b"\x02")
            walk(lo, split, depth + 1)
            walk(split, hi, depth + 1)
            return
        sibling = proof.siblings[depth]
        left = split == hi  # every key goes left
        if sibling == PLACEHOLDER:
            out.append(bytes((_LEFT_EMPTY if left else _RIGHT_EMPTY,)))
        else:
            out.append(bytes((_LEFT if left else _RIGHT,)) + sibling)
        walk(lo, hi, depth + 1)

    walk(0, len(keys), 0)
    return b"".join(out)


def verify(root: bytes, keys: Iterable[bytes], data: bytes) -> dict[bytes, bytes | None]:
    """Check a multiproof for `keys` against a map root; return each key's value hash, None for an absent one."""
    wanted = sorted(set(keys))
    if any(not isinstance(k, bytes) or len(k) != 32 for k in wanted):
        raise ProofError("a state-map key is 32 bytes")
    if not wanted:
        if data:
            raise ProofError("a multiproof for no keys is empty")
        return {}
    if len(wanted) > MAX_KEYS:
        raise ProofError(f"a multiproof is for at most {MAX_KEYS} keys")
    ints = [int.from_bytes(k, "big") for k in wanted]
    values: dict[bytes, bytes | None] = {}
    pos = 0
    end = len(data)

    def take(n: int) -> bytes:
        nonlocal pos
        if pos + n > end:
            raise ProofError("the multiproof is cut short")
        pos += n
        return data[pos - n:pos]

    def _other(written: bool) -> bytes:
        if not written:
            return PLACEHOLDER
        other = take(32)
        if other == PLACEHOLDER:
            raise ProofError("the multiproof spells an empty half as a hash")
        return other

    def walk(lo: int, hi: int, depth: int) -> bytes:
        if depth > 256:
            raise ProofError("the multiproof goes deeper than 256 levels")
        if pos >= end:
            raise ProofError("the multiproof is cut short")
        op = data[pos]
        take(1)
        if op == _EMPTY:
            for k in wanted[lo:hi]:
                values[k] = None
            return PLACEHOLDER
        if op == _LEAF:
            key, value = take(32), take(32)
            # every key here shares the path so far (`depth` bits) with the leaf, or the leaf is not here
            prefix = int.from_bytes(key, "big") >> (256 - depth)
            for i in range(lo, hi):
                k = wanted[i]
                if k != key and ints[i] >> (256 - depth) != prefix:
                    raise ProofError("a leaf of the multiproof is not on the path of a key it is about")
                values[k] = value if k == key else None
            return leaf_hash(key, value)
        if depth == 256:
            raise ProofError("the multiproof goes deeper than 256 levels")
        split = _split(ints, lo, hi, depth)
        if op == _BOTH:
            if not lo < split < hi:
                raise ProofError("the multiproof splits where the keys do not")
            left = walk(lo, split, depth + 1)
            return sha256(_NODE + left + walk(split, hi, depth + 1)).digest()
        if op in (_LEFT, _LEFT_EMPTY):
            if split != hi:
                raise ProofError("the multiproof sends to the left a key that goes right")
            other = _other(op == _LEFT)  # written before the half that follows
            return sha256(_NODE + walk(lo, hi, depth + 1) + other).digest()
        if op in (_RIGHT, _RIGHT_EMPTY):
            if split != lo:
                raise ProofError("the multiproof sends to the right a key that goes left")
            other = _other(op == _RIGHT)
            return sha256(_NODE + other + walk(lo, hi, depth + 1)).digest()
        raise ProofError(f"the multiproof has an unknown step {op}")

    if walk(0, len(wanted), 0) != root:
        raise ProofError("the multiproof does not lead to the map root it was checked against")
    if pos != len(data):
        raise ProofError("the multiproof has trailing bytes")
    return values
