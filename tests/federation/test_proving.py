"""The proof a follower runs on a peer's feed: the compact range agrees with RFC 9162 at every size, and a feed
that skips, alters or re-numbers an entry, or ends early, is refused with what is wrong."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from certbridge.federation.proving import FeedProblem, Frontier, check_items, leaf_of
from certbridge.kit.merkle import root_from_leaves


def test_frontier_root_is_the_rfc9162_root_at_every_size_and_survives_storing():
    leaves = [hashlib.sha256(bytes([i])).digest() for i in range(70)]
    frontier = Frontier()
    for i, leaf in enumerate(leaves):
        frontier.append(leaf)
        stored = Frontier.load(frontier.size, frontier.pack())
        assert stored.root() == root_from_leaves(leaves[:i + 1])


def _items(n: int) -> list[dict]:
    items = []
    for seq in range(n):
        if seq % 3 == 2:  # a private event: a redaction marker only
            leaf = hashlib.sha256(b"\x00private" + bytes([seq])).digest()
            items.append({"seq": seq, "leaf_hash": base64.b64encode(leaf).decode(), "public": False})
            continue
        body = json.dumps({"seq": seq, "type": "certificate.issued", "data": {"state": {"status": "valid"}}},
                          separators=(",", ":"))
        items.append({"seq": seq, "leaf_hash": base64.b64encode(leaf_of(body)).decode(), "public": True,
                      "event": body})
    return items


def _root(items: list[dict]) -> bytes:
    return root_from_leaves([base64.b64decode(i["leaf_hash"]) for i in items])


def test_an_honest_feed_is_proven_incrementally():
    items = _items(11)
    frontier = Frontier()
    first = check_items(frontier, items[:6], size=6, root=_root(items[:6]))
    rest = check_items(frontier, items[6:], size=11, root=_root(items))
    assert [e["seq"] for e in first + rest] == [i["seq"] for i in items if i["public"]]


@pytest.mark.parametrize(("change", "code"), [
    (lambda items: items.pop(4), "withheld"),
    (lambda items: items.pop(), "withheld"),
    (lambda items: items[4].update(event=items[4]["event"].replace("valid", "withdrawn")), "tampered"),
    (lambda items: items[4].update(leaf_hash=items[5]["leaf_hash"]), "tampered"),
    (lambda items: items[5].update(leaf_hash=base64.b64encode(b"\x01" * 32).decode()), "root_mismatch"),
])
def test_a_dishonest_feed_is_refused(change, code):
    items = _items(9)
    root = _root(items)
    change(items)
    with pytest.raises(FeedProblem) as caught:
        check_items(Frontier(), items, size=9, root=root)
    assert caught.value.code == code
