"""C2SP tlog-tiles: tile coordinates, paths, and proofs computed from tiles alone.

A tile at level L, number N holds up to 256 consecutive hashes at tree level
8·L, starting at hash N·256 of that level; at level 0 those are leaf hashes. The
rightmost tiles of a tree are partial (width < 256). This is a port of the tile
half of Go's golang.org/x/mod/sumdb/tlog (TileForIndex, HashFromTile, NewTiles,
ReadTileData, TileHashReader) fixed at height 8, with C2SP's path format, which
has no height element. Entry bundles (`tile/entries/...`) are tiles of level -1.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from hashlib import sha256

from certbridge.kit.merkle import HASH_SIZE, ReadHashes, split_stored_hash_index, stored_hash_index

__all__ = [
    "ENTRIES_LEVEL",
    "MAX_LEVEL",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "ReadTile",
    "Tile",
    "TileError",
    "decode_entry_bundle",
    "encode_entry_bundle",
    "hash_from_tile",
    "hashes_from_tiles",
    "new_tiles",
    "parse_tile_path",
    "read_tile_data",
    "tile_for_stored_hash",
    "tile_hash_reader",
]

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_LEVEL = 63
ENTRIES_LEVEL = -1  # the pseudo-level of entry bundles, rendered as "entries"

_PATH_BASE = 1000
_NODE_PREFIX = b"\x01"
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_LAST_ELEMENT = re.compile(r"[0-9]{3}")
_INNER_ELEMENT = re.compile(r"x[0-9]{3}")


class TileError(ValueError):
    """A tile, tile path or entry bundle was malformed or did not match the tree."""


@dataclass(frozen=True, slots=True)
class Tile:
    """A tile's coordinates: level, number within the level, and width in hashes."""

    level: int
    n: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        if not ENTRIES_LEVEL <= self.level <= MAX_LEVEL:
            raise TileError(f"tile level must be between {ENTRIES_LEVEL} and {MAX_LEVEL}, got {self.level}")
        if self.n < 0:
            raise TileError(f"tile number must not be negative, got {self.n}")
        if not 1 <= self.width <= TILE_WIDTH:
            raise TileError(f"tile width must be between 1 and {TILE_WIDTH}, got {self.width}")

    @property
    def is_partial(self) -> bool:
        """Tell whether the tile holds fewer than 256 hashes (or entries)."""
        return self.width < TILE_WIDTH

    @property
    def is_entry_bundle(self) -> bool:
        """Tell whether these are the coordinates of an entry bundle, not of hashes."""
        return self.level == ENTRIES_LEVEL

    def path(self) -> str:
        """Return the C2SP path, e.g. ``tile/0/x001/x234/067.p/8``."""
        n = self.n
        elements = [f"{n % _PATH_BASE:03d}"]
        while n >= _PATH_BASE:
            n //= _PATH_BASE
            elements.append(f"x{n % _PATH_BASE:03d}")
        level = "entries" if self.level == ENTRIES_LEVEL else str(self.level)
        partial = f".p/{self.width}" if self.width < TILE_WIDTH else ""
        return f"tile/{level}/{'/'.join(reversed(elements))}{partial}"

    def entry_bundle(self) -> Tile:
        """Return the entry bundle holding the entries whose hashes this level-0 tile holds."""
        if self.level != 0:
            raise TileError(f"only level-0 tiles have entry bundles, not level {self.level}")
        return Tile(ENTRIES_LEVEL, self.n, self.width)


# Returns the bytes of one tile: exactly tile.width * 32 bytes.
ReadTile = Callable[[Tile], bytes]


def parse_tile_path(path: str) -> Tile:
    """Parse a C2SP tile or entry-bundle path, rejecting any non-canonical form."""
    bad = TileError(f"malformed tile path {path!r}; want tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]")
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "tile":
        raise bad
    if parts[1] == "entries":
        level = ENTRIES_LEVEL
    elif _DECIMAL.fullmatch(parts[1]) and int(parts[1]) <= MAX_LEVEL:
        level = int(parts[1])
    else:
        raise bad
    elements = parts[2:]
    width = TILE_WIDTH
    if len(elements) >= 2 and elements[-2].endswith(".p"):
        w = elements[-1]
        if not _DECIMAL.fullmatch(w) or not 1 <= int(w) < TILE_WIDTH:
            raise bad
        width = int(w)
        elements = [*elements[:-2], elements[-2][: -len(".p")]]
    n = 0
    for i, element in enumerate(elements):
        pattern = _LAST_ELEMENT if i == len(elements) - 1 else _INNER_ELEMENT
        if not pattern.fullmatch(element):
            raise bad
        n = n * _PATH_BASE + int(element[-3:])
    tile = Tile(level, n, width)
    # Re-encoding rejects what the element grammar alone allows, like x000/001.
    if tile.path() != path:
        raise bad
    return tile


def tile_for_stored_hash(index: int) -> Tile:
    """Return the narrowest tile that holds (or lets one compute) the given stored hash."""
    return _tile_for_index(index)[0]


def _tile_for_index(index: int) -> tuple[Tile, int, int]:
    """Return the narrowest tile for a stored hash and the byte range that hashes to it."""
    level, n = split_stored_hash_index(index)
    tile_level = level // TILE_HEIGHT
    level -= tile_level * TILE_HEIGHT  # level inside the tile
    tile_n = (n << level) >> TILE_HEIGHT
    n -= (tile_n << TILE_HEIGHT) >> level  # position inside the tile at that level
    tile = Tile(tile_level, tile_n, (n + 1) << level)
    return tile, (n << level) * HASH_SIZE, ((n + 1) << level) * HASH_SIZE


def hash_from_tile(tile: Tile, data: bytes, index: int) -> bytes:
    """Return the stored hash `index` from the data of `tile` (or of a wider tile)."""
    if tile.is_entry_bundle:
        raise TileError(f"{tile.path()} is an entry bundle, not a tile of hashes")
    if len(data) < tile.width * HASH_SIZE:
        raise TileError(f"{tile.path()} needs {tile.width * HASH_SIZE} bytes, got {len(data)}")
    want, start, end = _tile_for_index(index)
    if tile.level != want.level or tile.n != want.n or tile.width < want.width:
        raise TileError(f"stored hash {index} is in {want.path()}, not in {tile.path()}")
    return _tile_hash(data[start:end])


def _tile_hash(data: bytes) -> bytes:
    """Return the subtree hash over a power-of-two run of hashes in tile data."""
    hashes = [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]
    while len(hashes) > 1:
        hashes = [sha256(_NODE_PREFIX + hashes[i] + hashes[i + 1]).digest() for i in range(0, len(hashes), 2)]
    return hashes[0]


def new_tiles(old_size: int, new_size: int) -> list[Tile]:
    """Return the tiles to publish when the tree grows from old_size to new_size."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"tree sizes must satisfy 0 <= old ({old_size}) <= new ({new_size})")
    # As current sumdb/tlog: only the tiles the new tree strictly needs, that is
    # newly completed full tiles plus one partial tile per level that changed.
    tiles: list[Tile] = []
    level = 0
    while new_size >> (TILE_HEIGHT * level) > 0:
        old_n = old_size >> (TILE_HEIGHT * level)
        new_n = new_size >> (TILE_HEIGHT * level)
        if old_n != new_n:
            for n in range(old_n >> TILE_HEIGHT, new_n >> TILE_HEIGHT):
                tiles.append(Tile(level, n))
            n = new_n >> TILE_HEIGHT
            width = new_n - (n << TILE_HEIGHT)
            if width > 0:
                tiles.append(Tile(level, n, width))
        level += 1
    return tiles


def read_tile_data(tile: Tile, read_hashes: ReadHashes) -> bytes:
    """Return a tile's bytes, read out of the stored-hash array."""
    if tile.is_entry_bundle:
        raise TileError(f"{tile.path()} is an entry bundle, not a tile of hashes")
    start = tile.n << TILE_HEIGHT
    level = tile.level * TILE_HEIGHT
    indexes = [stored_hash_index(level, start + i) for i in range(tile.width)]
    hashes = read_hashes(indexes)
    if len(hashes) != len(indexes) or any(len(h) != HASH_SIZE for h in hashes):
        raise TileError(f"read_hashes returned wrong hashes for {tile.path()}")
    return b"".join(hashes)


def _tile_parent(tile: Tile, k: int, tree_size: int) -> Tile | None:
    """Return the k-th ancestor tile of `tile` as it exists in the tree of tree_size, if any."""
    level = tile.level + k
    n = tile.n >> (k * TILE_HEIGHT)
    limit = tree_size >> (level * TILE_HEIGHT)  # hashes at this tile level in the tree
    if (n << TILE_HEIGHT) >= limit:
        return None
    return Tile(level, n, min(TILE_WIDTH, limit - (n << TILE_HEIGHT)))


def hashes_from_tiles(
    tree_size: int, indexes: Sequence[int], read_tile: ReadTile, *, root_hash: bytes | None
) -> list[bytes]:
    """Return the stored hashes at `indexes` of the tree of tree_size, read from its tiles.

    With `root_hash`, every tile read is first authenticated against that root
    (as sumdb's TileHashReader does), so hashes from an untrusted tile server are
    safe to use. Pass ``root_hash=None`` only when the tiles come from storage
    you already trust, such as the log's own; then only the needed tiles are read.
    """
    if tree_size <= 0:
        raise ValueError(f"tree of size {tree_size} has no hashes")
    end = stored_hash_index(0, tree_size)
    for x in indexes:
        if not 0 <= x < end:
            raise ValueError(f"stored hash {x} is not in the tree of size {tree_size}")
    if root_hash is None:
        return _trusted_hashes(tree_size, indexes, read_tile)
    return _authenticated_hashes(tree_size, indexes, read_tile, root_hash)


def tile_hash_reader(tree_size: int, read_tile: ReadTile, *, root_hash: bytes | None) -> ReadHashes:
    """Return a read_hashes callable for merkle proofs that reads from tiles (see hashes_from_tiles)."""

    def read_hashes(indexes: list[int]) -> list[bytes]:
        return hashes_from_tiles(tree_size, indexes, read_tile, root_hash=root_hash)

    return read_hashes


def _fetch(read_tile: ReadTile, tile: Tile) -> bytes:
    """Read one tile and insist on its exact length."""
    data = read_tile(tile)
    if len(data) != tile.width * HASH_SIZE:
        raise TileError(f"{tile.path()} should be {tile.width * HASH_SIZE} bytes, got {len(data)}")
    return data


def _trusted_hashes(tree_size: int, indexes: Sequence[int], read_tile: ReadTile) -> list[bytes]:
    """Read each needed tile once and pull the hashes out, without authentication."""
    cache: dict[Tile, bytes] = {}
    out = []
    for x in indexes:
        tile = _tile_parent(_tile_for_index(x)[0], 0, tree_size)
        assert tile is not None  # x < stored_hash_index(0, tree_size) guarantees it
        data = cache.get(tile)
        if data is None:
            data = cache[tile] = _fetch(read_tile, tile)
        out.append(hash_from_tile(tile, data, x))
    return out


def _authenticated_hashes(
    tree_size: int, indexes: Sequence[int], read_tile: ReadTile, root_hash: bytes
) -> list[bytes]:
    """Port of sumdb's tileHashReader.ReadHashes: read tiles, prove them, pull out hashes."""
    order: dict[Tile, int] = {}
    tiles: list[Tile] = []

    # First the tiles that recompute the tree hash; if it matches, they are authentic.
    stx = _subtree_indexes(tree_size)
    stx_order = []
    for x in stx:
        tile = _tile_parent(_tile_for_index(x)[0], 0, tree_size)
        assert tile is not None
        if tile not in order:
            order[tile] = len(tiles)
            tiles.append(tile)
        stx_order.append(order[tile])
    # Several subtree hashes often share a tile, so count tiles, not indexes:
    # sumdb once looped from len(stx) here and so skipped checking some tiles.
    proven_by_root = len(tiles)

    # Then the tiles holding the indexes, each after the parents that authenticate it.
    index_order = []
    for x in indexes:
        tile = _tile_for_index(x)[0]
        k = 0
        while True:
            parent = _tile_parent(tile, k, tree_size)
            if parent is None:
                raise TileError(f"no tile of the tree of size {tree_size} covers stored hash {x}")
            if parent in order:
                break
            k += 1
        for j in range(k, -1, -1):
            parent = _tile_parent(tile, j, tree_size)
            assert parent is not None
            if parent not in order:
                if parent.is_partial:
                    # Only full tiles have parents, and this one has one.
                    raise TileError(f"bad tile math for stored hash {x} in tree of size {tree_size}")
                order[parent] = len(tiles)
                tiles.append(parent)
        index_order.append(order[_tile_parent(tile, 0, tree_size)])

    data = [_fetch(read_tile, t) for t in tiles]

    # Parents come before children, so one pass authenticates every tile.
    th = hash_from_tile(tiles[stx_order[-1]], data[stx_order[-1]], stx[-1])
    for i in range(len(stx) - 2, -1, -1):
        h = hash_from_tile(tiles[stx_order[i]], data[stx_order[i]], stx[i])
        th = sha256(_NODE_PREFIX + h + th).digest()
    if th != root_hash:
        raise TileError(f"tiles of the tree of size {tree_size} do not hash to its root; a tile is corrupt")
    for i in range(proven_by_root, len(tiles)):
        tile = tiles[i]
        parent = _tile_parent(tile, 1, tree_size)
        if parent is None or parent not in order:
            raise TileError(f"bad tile math: lost the parent of {tile.path()}")
        j = order[parent]
        want = hash_from_tile(parent, data[j], stored_hash_index(parent.level * TILE_HEIGHT, tile.n))
        if _tile_hash(data[i]) != want:
            raise TileError(f"{tile.path()} does not match its parent {parent.path()}; it is corrupt")

    return [hash_from_tile(tiles[j], data[j], x) for j, x in zip(index_order, indexes, strict=True)]


def _subtree_indexes(tree_size: int) -> list[int]:
    """Return the stored indexes of the complete subtrees whose fold is the tree hash."""
    out = []
    lo = 0
    while lo < tree_size:
        level = (tree_size - lo).bit_length() - 1
        out.append(stored_hash_index(level, lo >> level))
        lo += 1 << level
    return out


def encode_entry_bundle(entries: Iterable[bytes]) -> bytes:
    """Return an entry bundle: each entry prefixed by its big-endian uint16 length."""
    parts = []
    for count, entry in enumerate(entries, 1):
        if count > TILE_WIDTH:
            raise TileError(f"an entry bundle holds at most {TILE_WIDTH} entries")
        if len(entry) > 0xFFFF:
            raise TileError(f"entry of {len(entry)} bytes is longer than the 65535 an entry bundle allows")
        parts.append(len(entry).to_bytes(2, "big"))
        parts.append(entry)
    return b"".join(parts)


def decode_entry_bundle(data: bytes, width: int | None = None) -> list[bytes]:
    """Split an entry bundle into its entries, checking the count when width is given."""
    entries = []
    pos = 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise TileError("entry bundle ends in the middle of a length prefix")
        size = int.from_bytes(data[pos : pos + 2], "big")
        pos += 2
        if pos + size > len(data):
            raise TileError(f"entry bundle ends {pos + size - len(data)} bytes short of its last entry")
        entries.append(data[pos : pos + size])
        pos += size
        if len(entries) > TILE_WIDTH:
            raise TileError(f"entry bundle holds more than {TILE_WIDTH} entries")
    if width is not None and len(entries) != width:
        raise TileError(f"entry bundle holds {len(entries)} entries, want {width}")
    return entries
