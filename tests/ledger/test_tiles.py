"""tlog-tiles resources: tiles that kit.tiles authenticates, entry bundles that commit to private bodies, caching."""

from __future__ import annotations

import base64
import gzip
import json

import pytest

from certbridge.db import read_session, write_session
from certbridge.ledger.journal import EventDraft, LedgerEvent, record_events
from certbridge.ledger.private_entries import check_reveal
from certbridge.kit.merkle import leaf_hash, prove_record, prove_tree
from certbridge.kit.tiles import TILE_WIDTH, Tile, decode_entry_bundle, tile_hash_reader
from certbridge.ledger.offline import OfflineCheckError
from tests.ledger.conftest import open_checkpoint, published_keys


def _grow(sessions, count: int) -> None:
    with write_session(sessions) as session:
        record_events(session, [EventDraft("test.appended", "test", str(i), "system", {"i": i}) for i in range(count)])


def _read_tile(client):
    def read(tile: Tile) -> bytes:
        r = client.get("/log/" + tile.path())
        assert r.status_code == 200, (tile.path(), r.text)
        return r.content
    return read


def test_proofs_computed_from_served_tiles_match_the_api(client, sessions):
    _grow(sessions, 600)  # two full level-0 tiles and a partial one
    cp = open_checkpoint(client)
    assert cp.size > 2 * TILE_WIDTH
    reader = tile_hash_reader(cp.size, _read_tile(client), root_hash=cp.root_hash)  # authenticates every tile
    for index in (0, 255, 256, 511, 512, cp.size - 1):
        api = client.get("/api/v1/ledger/proof/inclusion", params={"index": index, "size": cp.size}).json()
        assert [base64.b64encode(h).decode() for h in prove_record(cp.size, index, reader)] == api["proof"]
    api = client.get("/api/v1/ledger/proof/consistency", params={"old": 300, "new": cp.size}).json()
    assert [base64.b64encode(h).decode() for h in prove_tree(cp.size, 300, reader)] == api["proof"]


def test_full_tiles_are_immutable_partial_ones_short_lived_and_missing_ones_404(client, sessions):
    _grow(sessions, 300)
    size = open_checkpoint(client).size
    full = client.get("/log/tile/0/000")
    assert full.status_code == 200 and len(full.content) == 256 * 32
    assert "immutable" in full.headers["cache-control"] and full.headers["content-type"] == "application/octet-stream"
    partial = client.get(f"/log/tile/0/001.p/{size - 256}")
    assert partial.status_code == 200 and len(partial.content) == (size - 256) * 32
    assert "immutable" not in partial.headers["cache-control"]
    assert client.get("/log/tile/1/000.p/1").status_code == 200  # the level-1 hash of the first full tile
    assert client.get("/log/tile/0/002").status_code == 404  # not in the tree yet
    assert client.get(f"/log/tile/0/001.p/{size - 255}").status_code == 404
    assert client.get("/log/tile/0/x000/001").status_code == 404  # non-canonical path


def test_entry_bundles_carry_public_bodies_and_commit_to_private_ones(client, sessions):
    cp = open_checkpoint(client)
    width = min(cp.size, TILE_WIDTH)
    path = f"/log/tile/entries/000.p/{width}" if width < TILE_WIDTH else "/log/tile/entries/000"
    r = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    data = r.content if r.content[:2] != b"\x1f\x8b" else gzip.decompress(r.content)
    entries = decode_entry_bundle(data, width)
    hashes = client.get("/log/" + Tile(0, 0, width).path()).content
    committed = []
    for seq, entry in enumerate(entries):
        assert leaf_hash(entry) == hashes[seq * 32:(seq + 1) * 32]  # every entry, private ones too
        parsed = json.loads(entry)
        assert parsed["seq"] == seq
        if parsed.get("private"):
            assert set(parsed) == {"commitment", "private", "seq"}
            committed.append(seq)
    assert len(committed) >= 7  # the world's user accounts and API keys
    assert b"user.created" not in data and b"api_key.created" not in data
    with read_session(sessions) as session:  # the owner reveals one: nonce and body give the published entry
        event = session.get(LedgerEvent, committed[0])
        assert check_reveal(entries[committed[0]], event.seq, event.nonce, event.body.encode())
        assert not check_reveal(entries[committed[0]], event.seq, event.nonce, event.body.encode() + b" ")


def test_a_private_event_shows_its_leaf_hash_but_not_its_body(client, world):
    size = open_checkpoint(client).size
    # Walking the whole log is more look-ups than an anonymous client may send at once (429): a client with an
    # API key (not a regulator's) draws from its key's quota and sees what the public sees.
    responses = [client.get(f"/api/v1/ledger/events/{seq}", headers=world.auth("cb_a")) for seq in range(size)]
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses if r.status_code != 200][:1]
    events = [r.json() for r in responses]
    private = [e for e in events if not e["public"]]
    assert private and all(e["body"] is None and e["type"] is None and e["leaf_hash"] for e in private)
    as_regulator = client.get(f"/api/v1/ledger/events/{private[0]['seq']}", headers=world.auth("regulator")).json()
    assert as_regulator["body"] is not None and as_regulator["type"].startswith(("user.", "api_key.", "person."))


def test_a_regulator_s_proof_of_a_private_event_reveals_it_and_checks_offline(client, world):
    from certbridge.ledger.offline import check_inclusion

    size = open_checkpoint(client).size
    key = world.auth("cb_a")  # an API key's quota (an anonymous walk of the log would be rate-limited)
    seq = next(s for s in range(size) if not client.get(f"/api/v1/ledger/events/{s}", headers=key).json()["public"])
    public_view = client.get(f"/api/v1/ledger/events/{seq}/proof", headers=key).json()
    assert public_view["event"] is None and public_view["nonce"] is None
    bundle = client.get(f"/api/v1/ledger/events/{seq}/proof", headers=world.auth("regulator")).json()
    assert bundle["event"] is not None and bundle["nonce"]
    checked = check_inclusion(bundle, log_keys=published_keys(client, "log"))
    assert checked["event"]["seq"] == seq
    forged = dict(bundle, event=bundle["event"].replace('"seq"', '"seq" ', 1))
    with pytest.raises(OfflineCheckError):
        check_inclusion(forged, log_keys=published_keys(client, "log"))
