"""Proving a peer's feed complete: every leaf re-hashed, the leaves folded into the peer's signed root.

A `Frontier` is the compact range of a log prefix: one hash per perfect subtree, largest first (their sizes are
the set bits of the size), so appending a leaf merges equal subtrees and the RFC 9162 root is the subtrees
folded from the right. `check_items` takes feed items past the frontier up to a checkpoint's size and says what
is wrong with them, if anything: an index missing (withheld), a body that does not hash to its leaf or says
another index (tampered), or leaves that do not fold into the checkpoint's root.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from certbridge.kit.merkle import node_hash


class FeedProblem(Exception):
    """The peer's feed does not prove its checkpoint: `code` names what (withheld, tampered, root_mismatch…)."""

    def __init__(self, code: str, detail: str, seq: int | None = None) -> None:
        super().__init__(f"{code}: {detail}")
        self.code, self.detail, self.seq = code, detail, seq


@dataclass
class Frontier:
    """The compact range of the first `size` leaves of a log."""

    size: int = 0
    hashes: list[bytes] = field(default_factory=list)

    @classmethod
    def load(cls, size: int, packed: bytes) -> Frontier:
        """Rebuild a frontier from its stored form (the subtree hashes concatenated)."""
        hashes = [packed[i:i + 32] for i in range(0, len(packed), 32)]
        if len(hashes) != bin(size).count("1"):
            raise ValueError(f"a frontier of size {size} needs {bin(size).count('1')} hashes, got {len(hashes)}")
        return cls(size, hashes)

    def pack(self) -> bytes:
        """Return the stored form."""
        return b"".join(self.hashes)

    def append(self, leaf: bytes) -> None:
        """Add the next leaf hash."""
        self.size += 1
        node, merged = leaf, self.size
        while merged % 2 == 0:  # each trailing zero bit of the new size is a merge of two equal subtrees
            node = node_hash(self.hashes.pop(), node)
            merged //= 2
        self.hashes.append(node)

    def root(self) -> bytes:
        """Return the RFC 9162 root hash of the leaves so far."""
        if not self.hashes:
            return hashlib.sha256(b"").digest()
        root = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            root = node_hash(left, root)
        return root


def leaf_of(body: str) -> bytes:
    """Return the leaf hash of an event body: SHA-256(0x00 ‖ body)."""
    return hashlib.sha256(b"\x00" + body.encode("utf-8")).digest()


def _leaf(item: dict[str, Any]) -> bytes:
    try:
        leaf = base64.b64decode(str(item.get("leaf_hash", "")), validate=True)
    except binascii.Error:
        leaf = b""
    if len(leaf) != 32:
        raise FeedProblem("tampered", f"index {item.get('seq')}: the leaf hash is not a 32-byte hash", item.get("seq"))
    return leaf


def checked_event(item: dict[str, Any]) -> dict[str, Any] | None:
    """Return the event a public feed item carries, after checking it hashes to its leaf; None for a marker."""
    seq, leaf = item["seq"], _leaf(item)
    if not item.get("public"):
        return None
    body = item.get("event")
    if not isinstance(body, str) or leaf_of(body) != leaf:
        raise FeedProblem("tampered", f"index {seq}: the event body does not hash to its leaf", seq)
    try:
        event = json.loads(body)
    except ValueError:
        raise FeedProblem("tampered", f"index {seq}: the event body is not JSON", seq) from None
    if not isinstance(event, dict) or event.get("seq") != seq:
        raise FeedProblem("tampered", f"index {seq}: the event body names another index", seq)
    return event


def check_items(frontier: Frontier, items: list[dict[str, Any]], *, size: int,
                root: bytes) -> list[dict[str, Any]]:
    """Append `items` (the feed from frontier.size up to `size`) and prove they fold into `root`.

    Return the public events, in order; raise FeedProblem at the first thing that does not hold.
    """
    events = []
    for item in items:
        seq = item.get("seq")
        if seq != frontier.size:
            raise FeedProblem("withheld", f"expected index {frontier.size}, the feed gave {seq}", frontier.size)
        leaf = _leaf(item)
        event = checked_event(item)
        frontier.append(leaf)
        if event is not None:
            events.append(event)
    if frontier.size != size:
        raise FeedProblem("withheld", f"the feed ended at index {frontier.size - 1}; the checkpoint has {size}",
                          frontier.size)
    if frontier.root() != root:
        raise FeedProblem("root_mismatch", f"the {size} leaves do not fold into the signed root of size {size}")
    return events
