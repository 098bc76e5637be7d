"""The served log read by a generic C2SP tlog-tiles client that knows only the specs (tlog-tiles, checkpoint,
RFC 6962/9162 hashing) and nothing of certbridge: every tile at every level, every entry bundle, inclusion of
every entry (private ones too) and consistency between two checkpoints.

The reader below is written from the specs alone on purpose: no certbridge module checks certbridge here.
"""

from __future__ import annotations

import base64
import gzip
from hashlib import sha256

from certbridge.db import write_session
from certbridge.ledger.journal import EventDraft, record_events
from certbridge.ledger.private_entries import committed_entry

WIDTH = 256  # tlog-tiles: a full tile has 256 hashes (height 8)


class SpecReader:
    """A tlog-tiles client: fetches /log/... and checks everything against a checkpoint's size and root."""

    def __init__(self, get) -> None:
        self.get = get

    def checkpoint(self) -> tuple[int, bytes]:
        body = self.get("checkpoint").decode().split("\n\n", 1)[0].split("\n")  # origin, size, root, extensions
        return int(body[1]), base64.b64decode(body[2])

    @staticmethod
    def _index(n: int) -> str:  # tlog-tiles: N in groups of three digits, all but the last prefixed by "x"
        groups = []
        while True:
            groups.append(f"{n % 1000:03d}")
            n //= 1000
            if not n:
                break
        return "/".join([f"x{g}" for g in reversed(groups[1:])] + [groups[0]])

    def tile(self, level: str | int, n: int, width: int) -> bytes:
        path = f"tile/{level}/{self._index(n)}" + ("" if width == WIDTH else f".p/{width}")
        return self.get(path)

    def leaves(self, size: int) -> list[bytes]:
        """Fetch every entry bundle of a tree of `size` and return the RFC 6962 leaf hash of every entry."""
        out = []
        for n in range((size + WIDTH - 1) // WIDTH):
            width = min(WIDTH, size - n * WIDTH)
            data, pos = self.tile("entries", n, width), 0
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            for _ in range(width):  # tlog-tiles: each entry is a big-endian uint16 length and its bytes
                length = int.from_bytes(data[pos:pos + 2], "big")
                out.append(sha256(b"\x00" + data[pos + 2:pos + 2 + length]).digest())
                pos += 2 + length
            assert pos == len(data), f"entry bundle {n} has trailing bytes"
        return out

    @staticmethod
    def root(leaves: list[bytes]) -> bytes:
        """RFC 6962 Merkle Tree Hash."""
        if not leaves:
            return sha256(b"").digest()
        if len(leaves) == 1:
            return leaves[0]
        k = 1 << ((len(leaves) - 1).bit_length() - 1)
        return sha256(b"\x01" + SpecReader.root(leaves[:k]) + SpecReader.root(leaves[k:])).digest()

    def check_every_tile(self, size: int, leaves: list[bytes]) -> int:
        """Check every hash tile of the tree at every level against hashes made from the entries; return how many."""
        checked, level, hashes = 0, 0, leaves  # hashes: the complete subtrees of height 8·level, left to right
        while hashes:
            for n in range((len(hashes) + WIDTH - 1) // WIDTH):
                part = hashes[n * WIDTH:(n + 1) * WIDTH]
                assert self.tile(level, n, len(part)) == b"".join(part), f"tile {level}/{n}"
                checked += 1
            hashes = [self.root(hashes[i * WIDTH:(i + 1) * WIDTH]) for i in range(len(hashes) // WIDTH)]
            level += 1
        return checked


def _client_get(client):
    def get(path: str) -> bytes:
        r = client.get("/log/" + path)
        assert r.status_code == 200, (path, r.status_code)
        return r.content
    return get


def test_a_generic_tile_client_verifies_every_tile_entry_and_both_checkpoints(client, sessions):
    with write_session(sessions) as session:  # private and public events, past one full tile
        record_events(session, [EventDraft("test.appended", "test", str(i), "system", {"i": i}, public=i % 3 != 0)
                                for i in range(300)])
    reader = SpecReader(_client_get(client))
    size, root = reader.checkpoint()
    leaves = reader.leaves(size)
    assert reader.root(leaves) == root  # every entry, private ones included, is in the checkpoint's tree
    assert reader.check_every_tile(size, leaves) >= 3

    with write_session(sessions) as session:
        record_events(session, [EventDraft("test.appended", "test", str(i), "system", {"i": i}, public=False)
                                for i in range(300, 600)])
    new_size, new_root = reader.checkpoint()
    assert new_size > size + 256
    new_leaves = reader.leaves(new_size)
    assert reader.root(new_leaves) == new_root
    assert reader.root(new_leaves[:size]) == root  # consistency: the old tree is a prefix of the new one
    assert reader.check_every_tile(new_size, new_leaves) == 4  # three level-0 tiles, one level-1 tile of 2


def test_a_private_entry_reveals_nothing_and_is_bound_to_its_body():
    body = b'{"data":{"username":"alice"},"seq":7}'
    a, b = committed_entry(7, bytes(16), body), committed_entry(7, bytes(15) + b"\x01", body)
    assert a != b and b"alice" not in a  # a fresh nonce: the same body commits differently, and is not in it
    assert committed_entry(7, bytes(16), body + b" ") != a
