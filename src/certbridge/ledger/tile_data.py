"""C2SP tlog-tiles resources read out of the stored-hash array: hash tiles and entry bundles.

Every entry of an entry bundle is the data its leaf hash covers, so a generic tlog-tiles client verifies every
bundle against the level-0 tiles: a public event's body, a private event's committed form
(ledger/private_entries.py: a random nonce's commitment to the body, never the body). Only private events
written before committed entries existed are served as a redaction marker, the canonical JSON
``{"leaf_hash":"<base64>","redacted":true,"seq":N}``, which does not hash to the leaf; a client recognises
it by ``"redacted":true`` and takes the leaf hash from the tile.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.errors import NotFound
from certbridge.ledger.journal import LedgerEvent
from certbridge.kit.tiles import TILE_HEIGHT, TILE_WIDTH, Tile, encode_entry_bundle, read_tile_data
from certbridge.ledger.private_entries import bundle_entry
from certbridge.ledger.proofs import integrated_size
from certbridge.ledger.store import LedgerCorrupt, hash_reader


def tile_exists(tile: Tile, tree_size: int) -> bool:
    """Tell whether a tile (or bundle) of this width is part of the tree of tree_size."""
    level = max(tile.level, 0) * TILE_HEIGHT
    return ((tile.n * TILE_WIDTH + tile.width) << level) <= tree_size


def tile_bytes(session: Session, tile: Tile) -> bytes:
    """Return a hash tile's bytes: its width times 32 bytes."""
    if tile.is_entry_bundle or not tile_exists(tile, integrated_size(session)):
        raise NotFound("ledger.tile_not_found", path=tile.path())
    return read_tile_data(tile, hash_reader(session))


def entry_bundle_bytes(session: Session, tile: Tile) -> bytes:
    """Return an entry bundle: public event bodies, private events' committed forms (or legacy markers)."""
    if not tile.is_entry_bundle or not tile_exists(tile, integrated_size(session)):
        raise NotFound("ledger.tile_not_found", path=tile.path())
    start = tile.n * TILE_WIDTH
    rows = session.execute(
        select(LedgerEvent.seq, LedgerEvent.public, LedgerEvent.body, LedgerEvent.leaf_hash, LedgerEvent.nonce)
        .where(LedgerEvent.seq >= start, LedgerEvent.seq < start + tile.width).order_by(LedgerEvent.seq)
    ).all()
    if len(rows) != tile.width:
        raise LedgerCorrupt("ledger.event_missing", seq=start)
    return encode_entry_bundle(
        bundle_entry(row.seq, row.public, row.body.encode("utf-8"), row.nonce, row.leaf_hash) for row in rows
    )
