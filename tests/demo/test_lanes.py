"""Parallel lanes: the same data set as one process would make, and a Merkle tree `ledger verify` accepts."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from certbridge.certificates.export import export_certificates
from certbridge.db import make_engine, make_sessionmaker, read_session
from certbridge.demo import dataset, generator
from certbridge.demo.dataset import build_dataset
from certbridge.demo.ledger_tree import TreeBuilder
from certbridge.ledger.journal import EventDraft, LedgerEvent, event_body, log_size
from certbridge.ledger.private_entries import event_leaf
from certbridge.kit.merkle import tree_hash
from certbridge.ledger.integrate import extend_tree
from certbridge.ledger.models import LedgerTree
from certbridge.ledger.verify import verify_everything
from tests.demo.conftest import AS_OF, INTERNATIONAL


def _export_and_verify(settings, path):
    engine = make_engine(settings.resolved_database_url())
    with read_session(make_sessionmaker(engine)) as session:
        export_certificates(session, path)
        report = verify_everything(session)
        tree_size = session.scalar(select(LedgerTree.size))
        events = log_size(session)
    engine.dispose()
    return path.read_bytes(), report, tree_size, events


def test_lanes_write_what_one_process_writes_and_the_ledger_verifies(empty_databases, monkeypatch, tmp_path):
    monkeypatch.setattr(generator, "CERTS_PER_CHUNK", 70)  # 7 chunks, so both lanes take turns
    one, lanes = empty_databases(), empty_databases()
    build_dataset(one, size=450, seed=11, as_of=AS_OF)
    monkeypatch.setattr(dataset, "IN_PROCESS_BELOW", 0)
    build_dataset(lanes, size=450, seed=11, as_of=AS_OF)

    expected, _, _, _ = _export_and_verify(one, tmp_path / "one.csv")
    got, report, tree_size, events = _export_and_verify(lanes, tmp_path / "lanes.csv")
    assert got == expected and got.count(b"\n") == 451 + INTERNATIONAL
    assert report.ok, report.problems
    assert tree_size == events == report.events > 900


def test_tree_builder_hashes_as_integration_does_whatever_order_chunks_arrive_in():
    leaves = [hashlib.sha256(str(i).encode()).digest() for i in range(300)]
    chunks = [(0, leaves[:1]), (1, leaves[1:64]), (64, leaves[64:65]), (65, leaves[65:200]), (200, leaves[200:])]
    tree = TreeBuilder()
    blocks = []
    for first, part in reversed(chunks[1:]):  # all but the first wait for the leaves in front of them
        assert tree.offer(first, part) == []
    blocks += tree.offer(*chunks[0])
    expected, frontier = extend_tree(0, {}, leaves)
    got = [(first + i, h) for first, hashes in blocks for i, h in enumerate(hashes)]
    assert got == expected
    stored = dict(expected)
    assert tree.root() == tree_hash(300, lambda xs: [stored[x] for x in xs])


def test_a_lane_that_fails_stops_the_build_without_leaving_a_data_set(empty_databases, monkeypatch):
    from certbridge.demo import lanes

    monkeypatch.setattr(generator, "CERTS_PER_CHUNK", 70)
    monkeypatch.setattr(dataset, "IN_PROCESS_BELOW", 0)
    prepare = lanes.LoadPlan.prepare

    def fail_on_the_fourth_chunk(plan, orgs, certs, start):
        if start.certificate > 3 * 70:
            raise ValueError("disk on fire")
        return prepare(plan, orgs, certs, start)

    monkeypatch.setattr(lanes.LoadPlan, "prepare", fail_on_the_fourth_chunk)
    settings = empty_databases()
    with pytest.raises(RuntimeError, match="disk on fire"):
        build_dataset(settings, size=450, seed=11, as_of=AS_OF)
    assert dataset.read_manifest(settings) is None
    assert not (settings.data_dir / "certbridge.db").exists()


def test_every_event_a_chunk_writes_is_encoded_as_events_event_body_encodes_it(demo_settings):
    engine = make_engine(demo_settings.resolved_database_url())
    with read_session(make_sessionmaker(engine)) as session:
        rows = session.execute(select(LedgerEvent.seq, LedgerEvent.body, LedgerEvent.leaf_hash, LedgerEvent.public,
                                      LedgerEvent.nonce)).all()
    engine.dispose()
    types = set()
    for seq, body, leaf, public, nonce in rows:
        stored = json.loads(body)
        types.add(stored["type"])
        draft = EventDraft(stored["type"], stored["subject"]["type"], stored["subject"]["id"], stored["actor"],
                           stored["data"])
        at = datetime.strptime(stored["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
        expected = event_body(seq, draft, at, **{k: stored[k] for k in ("prev", "prev_hash") if k in stored})
        # a private event's leaf covers its committed form (ledger/private_entries.py)
        assert (body.encode(), bytes(leaf)) == (expected, event_leaf(seq, public, expected, nonce)), seq
    assert {"organization.registered", "certificate.issued", "certificate.renewed", "certificate.audited",
            "certificate.suspended", "certificate.withdrawn", "restriction.imposed"} <= types
