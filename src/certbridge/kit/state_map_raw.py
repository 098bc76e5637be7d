"""The state map's fold and proof walk on encoded chunks, never decoding them into `Chunk` objects.

Same tree, same chunks byte for byte, same roots and proofs as the `Chunk` form (kit/state_map_chunks.py; property
tests check it): this is only a cheaper way to compute them. A chunk is kept as the bytes it is stored as — a
presence bitmap, its entries (`L` ‖ key ‖ value hash, `C` ‖ child hash) and the hashes of its inner nodes that
hold two or more leaves ("multi" nodes, heap order 15 down to 1) — with three bit masks read from them once:
which entries are present, which are children, which inner nodes are multi. Everything else is found by offset:

- heap node j (1 the chunk, 16..31 its entries) covers the entries of `_MASK[j]`; it is empty when none of them
  is present, a single (lifted) leaf when exactly one is and that one is a leaf, and multi otherwise;
- entry i starts after 65 bytes per leaf and 33 per child before it; multi node j's stored hash is the k-th of
  the tail, k the number of multi nodes above j in heap order.

A change re-hashes only the nodes above the changed entries (an unchanged node's hash is its stored hash, a
child entry's hash, or one leaf hash), and the new chunk is spliced from the old bytes: the bitmap, the entries
with the changed ones put in, the inner hashes with the re-hashed ones put in.
"""

from __future__ import annotations

from hashlib import sha256

PLACEHOLDER = bytes(32)
LEAF, CHILD = 76, 67  # b"L", b"C": an entry's type byte

# entries (bits of the presence bitmap) under heap node j
_MASK = [0] * 32
for _j in range(1, 32):
    _level = _j.bit_length() - 1
    _width = 16 >> _level
    _MASK[_j] = ((1 << _width) - 1) << ((_j - (1 << _level)) * _width)
# the inner heap nodes above entry i (bit j set for each)
_ANCESTORS = [sum(1 << ((16 + i) >> s) for s in range(1, 5)) for i in range(16)]


def _multi(present: int, children: int) -> int:
    """Return the bit mask (bit j) of the inner nodes holding two or more leaves: two or more entries, or a child."""
    ne3 = (present | present >> 1) & 0x5555  # per pair of entries (nodes 8..15): any present
    m3 = ((present & present >> 1) | children | children >> 1) & 0x5555
    ne2 = (ne3 | ne3 >> 2) & 0x1111  # per four (nodes 4..7)
    m2 = (m3 | m3 >> 2 | (ne3 & ne3 >> 2)) & 0x1111
    ne1 = (ne2 | ne2 >> 4) & 0x0101  # per eight (nodes 2, 3)
    m1 = (m2 | m2 >> 4 | (ne2 & ne2 >> 4)) & 0x0101
    m0 = (m1 | m1 >> 8 | (ne1 & ne1 >> 8)) & 1  # the chunk (node 1)
    x = (m3 | m3 >> 1) & 0x3333  # gather every other bit: nodes 8..15 as bits 0..7
    x = (x | x >> 2) & 0x0F0F
    x = (x | x >> 4) & 0x00FF
    y = (m2 | m2 >> 3) & 0x0303  # nodes 4..7 as bits 0..3
    y = (y | y >> 6) & 0x000F
    return x << 8 | y << 4 | ((m1 | m1 >> 7) & 3) << 2 | m0 << 1


class Raw:
    """An encoded chunk with its masks: present entries, child entries, multi inner nodes; `tail` is where its
    inner hashes start. Never changed once made (a fold makes new ones); `hash` is made when first asked."""

    __slots__ = ("data", "present", "children", "multi", "tail", "hash", "seen")

    def __init__(self, data: bytes, present: int, children: int, multi: int, tail: int, digest: bytes | None = None):
        self.data, self.present, self.children, self.multi, self.tail = data, present, children, multi, tail
        self.hash = digest
        self.seen: dict[int, bytes] | None = None  # node hashes proofs asked for (a cached chunk is walked often)


EMPTY = Raw(b"\x00\x00", 0, 0, 0, 2, PLACEHOLDER)


def parse(data: bytes) -> Raw:
    """Read an encoded chunk (kit/state_map_chunks.encode_chunk); a chunk written without its inner hashes (the
    first form) gets them made, as if it had been written with them."""
    present = data[0] << 8 | data[1]
    children, pos, bits = 0, 2, present
    try:
        while bits:
            low = bits & -bits
            kind = data[pos]
            if kind == LEAF:
                pos += 65
            elif kind == CHILD:
                children |= low
                pos += 33
            else:
                raise ValueError(f"state-map chunk entry {low.bit_length() - 1} has unknown type {bytes([kind])!r}")
            bits ^= low
    except IndexError:
        pos = len(data) + 1
    if pos > len(data):
        raise ValueError("state-map chunk is cut short")
    multi = _multi(present, children)
    if len(data) == pos + 32 * multi.bit_count():
        return Raw(data, present, children, multi, pos)
    if len(data) != pos:
        raise ValueError("state-map chunk has trailing bytes or fewer inner hashes than its entries need")
    first = Raw(data, present, children, 0, pos)  # the first form: make the inner hashes
    return update(EMPTY, {i: entry(first, i) for i in range(16) if present >> i & 1})[0]


def _offset(raw: Raw, i: int) -> int:
    below = (1 << i) - 1  # 65 bytes per entry before i, 32 fewer for each child (children are present entries)
    return 2 + 65 * (raw.present & below).bit_count() - 32 * (raw.children & below).bit_count()


def entry(raw: Raw, i: int) -> bytes | None:
    """Return entry i as encoded (`L` ‖ key ‖ value hash or `C` ‖ child hash), or None where it is empty."""
    if not raw.present >> i & 1:
        return None
    start = _offset(raw, i)
    return raw.data[start:start + (33 if raw.children >> i & 1 else 65)]


def child_hash(raw: Raw, i: int) -> bytes:
    """Return the hash of the deeper chunk entry i names (entry i must be a child)."""
    return _hash(raw, 16 + i)


def _stored(raw: Raw, j: int) -> bytes:
    start = raw.tail + 32 * (raw.multi >> (j + 1)).bit_count()
    return raw.data[start:start + 32]


def _hash(raw: Raw, j: int) -> bytes:
    """The hash of heap node j of a chunk."""
    present = raw.present
    m = present & _MASK[j]
    if not m:
        return PLACEHOLDER
    if j < 16 and raw.multi >> j & 1:  # stored: the k-th inner hash, k the multi nodes above j in heap order
        start = raw.tail + 32 * (raw.multi >> (j + 1)).bit_count()
        return raw.data[start:start + 32]
    below = m.bit_length() - 1  # the entry itself, or the single leaf under j, lifted
    start = 2 + 65 * (present & ((1 << below) - 1)).bit_count() - 32 * (raw.children & ((1 << below) - 1)).bit_count()
    if raw.children & m:
        return raw.data[start + 1:start + 33]
    return sha256(b"\x02" + raw.data[start + 1:start + 65]).digest()


MASK = _MASK  # heap node j covers the entries of MASK[j] (read-only)
subtree_hash = _hash  # the hash of heap node j of a chunk (1 the chunk, 16..31 its entries)


def chunk_hash(raw: Raw) -> bytes:
    """The hash of the subtree a chunk holds."""
    if raw.hash is None:
        raw.hash = _hash(raw, 1)
    return raw.hash


def update(old: Raw, sets: dict[int, bytes]) -> tuple[Raw, bytes]:
    """Set entries (index -> encoded entry) of a chunk; return the new chunk and its encoding. Only the nodes
    above the changed entries are hashed again; the rest of the bytes are the old chunk's."""
    if len(sets) == 1:
        ((i, new),) = sets.items()
        return _update_one(old, i, new)
    data, pos, bits, old_children = old.data, 2, old.present, old.children
    entries: list = [None] * 16
    while bits:  # every entry, as read
        low = bits & -bits
        size = 33 if old_children & low else 65
        entries[low.bit_length() - 1] = data[pos:pos + size]
        pos += size
        bits ^= low
    present, children, up = old.present, old_children, 0
    for i, new in sets.items():
        entries[i] = new
        bit = 1 << i
        present |= bit
        if new[0] == CHILD:
            children |= bit
        else:
            children &= ~bit
        up |= _ANCESTORS[i]
    multi = _multi(present, children)
    made: list = [None] * 16
    nodes = []  # the re-hashed nodes, bottom up (heap order descending)
    while up:
        j = up.bit_length() - 1
        up ^= 1 << j
        nodes.append(j)
        if multi >> j & 1:
            left = made[2 * j] if j < 8 else None
            right = made[2 * j + 1] if j < 8 else None
            made[j] = sha256(b"\x03" + (left or _node_hash(old, entries, present, multi, 2 * j))
                             + (right or _node_hash(old, entries, present, multi, 2 * j + 1))).digest()
    pieces = [present.to_bytes(2, "big"), *[e for e in entries if e is not None]]
    tail, old_multi, above = old.tail, old.multi, 16
    for j in nodes:  # the inner hashes, the re-hashed ones put in (the others keep their order)
        pieces.append(data[tail + 32 * (old_multi >> above).bit_count():tail + 32 * (old_multi >> (j + 1)).bit_count()])
        if made[j] is not None:
            pieces.append(made[j])
        above = j
    pieces.append(data[tail + 32 * (old_multi >> above).bit_count():])
    encoded = b"".join(pieces)
    return Raw(encoded, present, children, multi, len(encoded) - 32 * multi.bit_count(), made[1]), encoded


def _node_hash(old: Raw, entries: list, present: int, multi: int, j: int) -> bytes:
    """The hash of node j of a changed chunk that was not re-hashed: an entry, a single leaf, or unchanged."""
    m = present & _MASK[j]
    if not m:
        return PLACEHOLDER
    if j >= 16:
        entry = entries[j - 16]
        return entry[1:] if entry[0] == CHILD else sha256(b"\x02" + entry[1:]).digest()
    if multi >> j & 1:
        return _stored(old, j)  # not above a changed entry: the same subtree as before
    return sha256(b"\x02" + entries[m.bit_length() - 1][1:]).digest()


def _update_one(old: Raw, i: int, new: bytes) -> tuple[Raw, bytes]:
    """`update` for one changed entry: its hash goes up the chunk, each multi node on the way hashed with the
    (unchanged) hash of its other side; a single node passes the leaf's hash up, as the tree lifts the leaf."""
    bit = 1 << i
    present = old.present | bit
    children = old.children | bit if new[0] == CHILD else old.children & ~bit
    multi = _multi(present, children)
    digest = new[1:] if new[0] == CHILD else sha256(b"\x02" + new[1:]).digest()
    data, tail, old_multi = old.data, old.tail, old.multi
    start = _offset(old, i)
    end = start + ((33 if old.children & bit else 65) if old.present & bit else 0)
    pieces = [present.to_bytes(2, "big"), data[2:start], new, data[end:tail]]
    j, above = 16 + i, 16
    while j > 1:
        up = j >> 1
        pieces.append(data[tail + 32 * (old_multi >> above).bit_count():tail + 32 * (old_multi >> (up + 1)).bit_count()])
        if multi >> up & 1:
            other = _hash(old, j ^ 1)
            digest = sha256(b"\x03" + digest + other if j & 1 == 0 else b"\x03" + other + digest).digest()
            pieces.append(digest)
        above = j = up
    encoded = b"".join(pieces)
    return Raw(encoded, present, children, multi, len(encoded) - 32 * multi.bit_count(), digest), encoded


def walk(raw: Raw, nibble: int, siblings: list) -> tuple[str, bytes | None]:
    """Follow a key's 4 bits through a chunk, appending the siblings' hashes; return where the path ends:
    ("empty", None), ("leaf", encoded leaf entry) or ("child", the deeper chunk's hash)."""
    j = 1
    present, children, multi = raw.present, raw.children, raw.multi
    seen = raw.seen
    if seen is None:
        seen = raw.seen = {}
    while True:
        m = present & _MASK[j]
        if not m:
            return "empty", None
        if j >= 16:
            if children & m:
                below = seen.get(j)
                if below is None:
                    below = seen[j] = _hash(raw, j)
                return "child", below
            return "leaf", entry(raw, j - 16)
        if not multi >> j & 1:
            return "leaf", entry(raw, m.bit_length() - 1)
        j = 2 * j + (nibble >> (4 - j.bit_length()) & 1)
        other = seen.get(j ^ 1)
        if other is None:
            other = seen[j ^ 1] = _hash(raw, j ^ 1)
        siblings.append(other)
