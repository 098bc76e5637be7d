"""C2SP tlog-tiles: paths, tile contents, and proofs computed from tiles alone."""

from __future__ import annotations

from functools import cache

import pytest

from certbridge.kit.merkle import (
    leaf_hash,
    prove_record,
    prove_tree,
    stored_hash_index,
    stored_hashes_for_record,
    tree_hash,
)
from certbridge.kit.tiles import (
    ENTRIES_LEVEL,
    TILE_HEIGHT,
    TILE_WIDTH,
    Tile,
    TileError,
    decode_entry_bundle,
    encode_entry_bundle,
    hash_from_tile,
    hashes_from_tiles,
    new_tiles,
    parse_tile_path,
    read_tile_data,
    tile_for_stored_hash,
    tile_hash_reader,
)
from certbridge.kit.tiles import _tile_for_index as tile_byte_range

MAX_SIZE = 600


class TiledLog:
    """A log that publishes tiles as it grows, the way a tile server would."""

    def __init__(self) -> None:
        self.stored: list[bytes] = []
        self.roots: list[bytes] = []
        self.published: dict[Tile, bytes] = {}

    def read_hashes(self, indexes: list[int]) -> list[bytes]:
        return [self.stored[i] for i in indexes]

    def grow_to(self, size: int) -> None:
        for n in range(len(self.roots), size):
            self.stored.extend(stored_hashes_for_record(n, leaf_hash(n.to_bytes(4, "big")), self.read_hashes))
            for tile in new_tiles(n, n + 1):
                self.published[tile] = read_tile_data(tile, self.read_hashes)
            self.roots.append(tree_hash(n + 1, self.read_hashes))

    def read_tile(self, tile: Tile) -> bytes:
        return self.published[tile]  # a KeyError means we asked for a tile that was never published


@cache
def tiled_log() -> TiledLog:
    log = TiledLog()
    log.grow_to(MAX_SIZE)
    return log


# --- paths ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tile", "path"),
    [
        (Tile(0, 1234067), "tile/0/x001/x234/067"),  # the spec's example
        (Tile(0, 1234067, 8), "tile/0/x001/x234/067.p/8"),
        (Tile(1, 0), "tile/1/000"),
        (Tile(2, 999, 1), "tile/2/999.p/1"),
        (Tile(0, 1000), "tile/0/x001/000"),
        (Tile(63, 123456789), "tile/63/x123/x456/789"),
        (Tile(ENTRIES_LEVEL, 1234067), "tile/entries/x001/x234/067"),
        (Tile(ENTRIES_LEVEL, 5, 255), "tile/entries/005.p/255"),
    ],
)
def test_tile_paths_encode_and_parse(tile: Tile, path: str) -> None:
    assert tile.path() == path
    assert parse_tile_path(path) == tile


def test_tile_paths_round_trip() -> None:
    for level in (ENTRIES_LEVEL, 0, 1, 5, 63):
        for n in (0, 1, 9, 10, 99, 100, 999, 1000, 1001, 999_999, 1_000_000, 10**12 + 7):
            for width in (1, 2, 100, 255, 256):
                tile = Tile(level, n, width)
                assert parse_tile_path(tile.path()) == tile


@pytest.mark.parametrize(
    "path",
    [
        "",
        "tile",
        "tile/0",
        "tiles/0/000",
        "/tile/0/000",
        "tile/0/000/",
        "tile/0/0",  # not three digits
        "tile/0/0000",
        "tile/0/1",
        "tile/00/000",  # leading zero in level
        "tile/+1/000",
        "tile/64/000",  # level above 63
        "tile/-1/000",
        "tile/data/000",  # sumdb's name, not C2SP's
        "tile/8/0/000",  # sumdb's height element
        "tile/0/x000/001",  # non-canonical leading element
        "tile/0/001/234",  # inner element without x
        "tile/0/x001/x234",  # last element with x
        "tile/0/x1/000",
        "tile/0/000.p/0",
        "tile/0/000.p/256",  # a full tile has no .p suffix
        "tile/0/000.p/01",
        "tile/0/000.p/",
        "tile/0/000.p",
        "tile/0/000.p/1/2",
        "tile/0/٠٠٠",  # non-ASCII digits
        "tile/entries/000.p/300",
    ],
)
def test_malformed_tile_paths_are_rejected(path: str) -> None:
    with pytest.raises(TileError, match="malformed tile path"):
        parse_tile_path(path)


def test_tile_coordinates_are_validated() -> None:
    for args in [(64, 0), (-2, 0), (0, -1), (0, 0, 0), (0, 0, 257)]:
        with pytest.raises(TileError):
            Tile(*args)
    assert Tile(0, 3, 7).entry_bundle() == Tile(ENTRIES_LEVEL, 3, 7)
    with pytest.raises(TileError):
        Tile(1, 3).entry_bundle()


# --- tile contents ------------------------------------------------------------------


def test_every_stored_hash_can_be_read_from_its_tile() -> None:
    log = tiled_log()
    for index in range(len(log.stored)):
        tile = tile_for_stored_hash(index)
        data = read_tile_data(tile, log.read_hashes)
        assert len(data) == tile.width * 32
        assert hash_from_tile(tile, data, index) == log.stored[index]
        # A wider tile of the same coordinates serves too.
        wide = Tile(tile.level, tile.n, min(TILE_WIDTH, tile.width + 1))
        if (wide.n << TILE_HEIGHT) + wide.width <= len(log.roots) >> (TILE_HEIGHT * wide.level):
            assert hash_from_tile(wide, read_tile_data(wide, log.read_hashes), index) == log.stored[index]


def test_hash_from_the_wrong_tile_is_rejected() -> None:
    log = tiled_log()
    tile = Tile(0, 1)
    data = log.published[tile]
    with pytest.raises(TileError, match="is in tile/0/000"):
        hash_from_tile(tile, data, 0)
    with pytest.raises(TileError, match="needs 8192 bytes"):
        hash_from_tile(tile, data[:-1], stored_hash_index(0, 256))


def test_new_tiles_match_the_spec_examples() -> None:
    # "a tree of size 70,000 will be represented by 273 full level 0 tiles, one partial level 0 tile
    # of width 112, one full level 1 tile, one partial level 1 tile of width 17, and one partial
    # level 2 tile of width 1"
    assert new_tiles(0, 70_000) == [
        *(Tile(0, n) for n in range(273)),
        Tile(0, 273, 112),
        Tile(1, 0),
        Tile(1, 1, 17),
        Tile(2, 0, 1),
    ]
    # "a tree of size 256 will be represented by a full level 0 tile and a partial level 1 tile of width 1"
    assert new_tiles(0, 256) == [Tile(0, 0), Tile(1, 0, 1)]


@pytest.mark.parametrize(
    ("old", "new", "want"),
    [
        (0, 0, []),
        (1, 1, []),
        (100, 101, [Tile(0, 0, 101)]),
        (255, 257, [Tile(0, 0), Tile(0, 1, 1), Tile(1, 0, 1)]),
        (256, 262, [Tile(0, 1, 6)]),  # level 1 did not change: its partial tile stays
        (262, 600, [Tile(0, 1), Tile(0, 2, 88), Tile(1, 0, 2)]),
        (65535, 65536, [Tile(0, 255), Tile(1, 0), Tile(2, 0, 1)]),
    ],
)
def test_new_tiles_lists_only_what_the_new_tree_needs(old: int, new: int, want: list[Tile]) -> None:
    assert new_tiles(old, new) == want


def test_publishing_new_tiles_at_every_checkpoint_serves_every_proof() -> None:
    # A log that checkpoints now and then publishes only new_tiles(previous, current).
    log = tiled_log()
    published: dict[Tile, bytes] = {}
    checkpoints = [1, 2, 7, 255, 256, 300, 511, 513, MAX_SIZE]
    previous = 0
    for size in checkpoints:
        for tile in new_tiles(previous, size):
            published[tile] = read_tile_data(tile, log.read_hashes)
        previous = size
        reader = tile_hash_reader(size, published.__getitem__, root_hash=log.roots[size - 1])
        for n in range(0, size, 7):
            assert prove_record(size, n, reader) == prove_record(size, n, log.read_hashes)
        for old in checkpoints:
            if old <= size:
                assert prove_tree(size, old, reader) == prove_tree(size, old, log.read_hashes)


# --- proofs from tiles alone --------------------------------------------------------


@pytest.mark.parametrize("authenticate", [True, False], ids=["authenticated", "trusted"])
def test_proofs_from_tiles_equal_direct_proofs(authenticate: bool) -> None:
    log = tiled_log()
    for size in range(1, MAX_SIZE + 1):
        root = log.roots[size - 1]
        reader = tile_hash_reader(size, log.read_tile, root_hash=root if authenticate else None)
        assert tree_hash(size, reader) == root
        for n in sorted({0, 1 % size, size // 3, size // 2, size - 2 if size > 1 else 0, size - 1}):
            assert prove_record(size, n, reader) == prove_record(size, n, log.read_hashes)
        for old in sorted({1, size // 2 or 1, size - 1 or 1, size}):
            assert prove_tree(size, old, reader) == prove_tree(size, old, log.read_hashes)


def test_corrupt_tiles_are_detected_when_authenticating() -> None:
    log = tiled_log()
    size = 555
    root = log.roots[size - 1]

    for victim in [Tile(0, 0), Tile(0, 2, 43), Tile(1, 0, 2)]:
        corrupt = dict(log.published)
        data = bytearray(corrupt[victim])
        data[17] ^= 0x40
        corrupt[victim] = bytes(data)
        with pytest.raises(TileError, match="corrupt"):
            hashes_from_tiles(size, [0, 1, 700, 1000], corrupt.__getitem__, root_hash=root)
    with pytest.raises(TileError, match="corrupt"):
        hashes_from_tiles(size, [0], log.read_tile, root_hash=log.roots[size - 2])


@pytest.mark.parametrize("size", [1, 2, 3, 255, 256, 257, 300, 511, 512, 555, MAX_SIZE])
def test_tampering_with_any_single_hash_is_detected(size: int) -> None:
    # As sumdb's TestTileHashReader: zero the bytes one stored hash comes from in every tile
    # that holds them, then ask for that hash.
    log = tiled_log()
    root = log.roots[size - 1]
    for index in range(stored_hash_index(0, size)):
        victim = tile_for_stored_hash(index)
        _, start, end = tile_byte_range(index)

        def read_tile(tile: Tile) -> bytes:
            data = log.read_tile(tile)
            if (tile.level, tile.n) == (victim.level, victim.n) and end <= len(data):
                data = data[:start] + bytes(end - start) + data[end:]
            return data

        with pytest.raises(TileError, match="corrupt"):
            hashes_from_tiles(size, [index], read_tile, root_hash=root)


def test_tiles_of_the_wrong_length_are_rejected() -> None:
    log = tiled_log()
    with pytest.raises(TileError, match="should be 8192 bytes"):
        hashes_from_tiles(300, [0], lambda tile: log.read_tile(tile)[:-32], root_hash=None)


def test_hashes_outside_the_tree_are_refused() -> None:
    log = tiled_log()
    with pytest.raises(ValueError, match="not in the tree of size 4"):
        hashes_from_tiles(4, [7], log.read_tile, root_hash=log.roots[3])
    with pytest.raises(ValueError):
        hashes_from_tiles(0, [], log.read_tile, root_hash=None)


# --- entry bundles ------------------------------------------------------------------


def test_entry_bundles_round_trip() -> None:
    entries = [b"", b"a", "审核记录".encode(), bytes(range(256)) * 3, b"x" * 65535]
    data = encode_entry_bundle(entries)
    assert data[:2] == b"\x00\x00" and data[2:5] == b"\x00\x01a"
    assert decode_entry_bundle(data, width=len(entries)) == entries
    assert decode_entry_bundle(b"") == []


def test_malformed_entry_bundles_are_rejected() -> None:
    with pytest.raises(TileError, match="length prefix"):
        decode_entry_bundle(b"\x00\x01a\x00")
    with pytest.raises(TileError, match="short of its last entry"):
        decode_entry_bundle(b"\x00\x05abc")
    with pytest.raises(TileError, match="want 3"):
        decode_entry_bundle(encode_entry_bundle([b"a", b"b"]), width=3)
    with pytest.raises(TileError, match="more than 256"):
        decode_entry_bundle(b"\x00\x00" * 257)
    with pytest.raises(TileError, match="65535"):
        encode_entry_bundle([b"x" * 65536])
    with pytest.raises(TileError, match="at most 256"):
        encode_entry_bundle([b""] * 257)
