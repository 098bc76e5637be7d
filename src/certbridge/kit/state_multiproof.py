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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from certbridge.kit.state_map import PLACEHOLDER, Proof, ProofError, leaf_hash, node_hash

__all__ = ["combine", "verify"]

_EMPTY, _LEAF, _BOTH, _LEFT, _RIGHT, _LEFT_EMPTY, _RIGHT_EMPTY = range(7)
MAX_KEYS = 1_000_000


def _bit(key: bytes, depth: int) -> int:
    return (key[depth >> 3] >> (7 - (depth & 7))) & 1


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
    values: dict[bytes, bytes | None] = {}
    pos = 0

    def take(n: int) -> bytes:
        nonlocal pos
        part = data[pos:pos + n]
        if len(part) != n:
            raise ProofError("the multiproof is cut short")
        pos += n
        return part

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
        op = take(1)[0]
        if op == _EMPTY:
            for k in wanted[lo:hi]:
                values[k] = None
            return PLACEHOLDER
        if op == _LEAF:
            key, value = take(32), take(32)
            for k in wanted[lo:hi]:
                if k != key and any(_bit(k, d) != _bit(key, d) for d in range(depth)):
                    raise ProofError("a leaf of the multiproof is not on the path of a key it is about")
                values[k] = value if k == key else None
            return leaf_hash(key, value)
        if depth == 256:
            raise ProofError("the multiproof goes deeper than 256 levels")
        split = next((i for i in range(lo, hi) if _bit(wanted[i], depth)), hi)
        if op == _BOTH:
            if not lo < split < hi:
                raise ProofError("the multiproof splits where the keys do not")
            return node_hash(walk(lo, split, depth + 1), walk(split, hi, depth + 1))
        if op in (_LEFT, _LEFT_EMPTY):
            if split != hi:
                raise ProofError("the multiproof sends to the left a key that goes right")
            other = _other(op == _LEFT)  # written before the half that follows
            return node_hash(walk(lo, hi, depth + 1), other)
        if op in (_RIGHT, _RIGHT_EMPTY):
            if split != lo:
                raise ProofError("the multiproof sends to the right a key that goes left")
            other = _other(op == _RIGHT)
            return node_hash(other, walk(lo, hi, depth + 1))
        raise ProofError(f"the multiproof has an unknown step {op}")

    if walk(0, len(wanted), 0) != root:
        raise ProofError("the multiproof does not lead to the map root it was checked against")
    if pos != len(data):
        raise ProofError("the multiproof has trailing bytes")
    return values
