"""The state map built whole (a demo's bulk load, an upgrade from before the map) equals the map folded event by
event: same root, same chunks, and later folds, proofs and the monitor's replay carry on from it."""

from __future__ import annotations

import base64
import random

import pytest
from sqlalchemy import text

from certbridge.db import read_session, write_session
from certbridge.kit import state_map as sm
from certbridge.ledger import integrate as integration
from certbridge.ledger.journal import EventDraft, LedgerEvent, record_events
from certbridge.ledger.state_map import fold_log, map_position, subject_name, verify_map


@pytest.fixture
def settings(settings):
    """No background integrator: these tests empty the map and must be the only ones to fill it again."""
    return settings.model_copy(update={"background_work": False})


def _history(sessions, rng: random.Random, count: int) -> None:
    """Random events of organizations (mapped by id alone): repeated subjects, some private, several batches."""
    subjects = [str(rng.randrange(1, 10**9)) for _ in range(max(1, count // 3))]
    drafts = [EventDraft("organization.noted", "organization", rng.choice(subjects), "test", {"state": {"n": i}},
                         public=rng.random() < 0.8) for i in range(count)]
    for start in range(0, count, 97):
        with write_session(sessions) as session:
            record_events(session, drafts[start:start + 97])


def _chunks(sessions) -> dict[bytes, bytes]:
    with read_session(sessions) as session:
        return {bytes(p): bytes(c) for p, c in session.execute(text("SELECT path, chunk FROM ledger_map_chunk"))}


def _empty_the_map(sessions) -> None:
    """Back to a log from before the map: no chunks, no position (what an upgraded instance starts from)."""
    with write_session(sessions) as session:
        session.execute(text("DELETE FROM ledger_map_chunk"))
        session.execute(text("DELETE FROM ledger_map"))


def test_a_map_built_whole_from_the_log_equals_the_folded_map(app, client, world, issue, act):
    sessions, settings = app.state.sessions, app.state.settings
    rng = random.Random(22)
    cert = issue()
    act(cert["id"], "suspend")
    for seed in range(3):  # three random histories, each on top of the last
        _history(sessions, rng, rng.randrange(50, 400))
        integration.integrate_pending(sessions, settings=settings, max_leaves=150)  # folded batch by batch
        with read_session(sessions) as session:
            folded = map_position(session)
        chunks = _chunks(sessions)
        _empty_the_map(sessions)
        built = integration.build_map(sessions, min_events=0)
        assert built == folded, seed
        assert _chunks(sessions) == chunks, seed  # the very same stored chunks
        with read_session(sessions) as session:
            events = [(e.seq, e.subject_type, e.subject_id, e.public, e.body, bytes(e.leaf_hash))
                      for e in session.query(LedgerEvent).order_by(LedgerEvent.seq)]
            assert fold_log(events) == built[1]  # a monitor replaying the log agrees
            assert verify_map(session) == []
    # the built map is folded on as usual: the next events, a checkpoint carrying it, proofs that verify
    _history(sessions, rng, 30)
    result = integration.integrate_pending(sessions, settings=settings)
    with read_session(sessions) as session:
        size, root = map_position(session)
        assert size == result.size and verify_map(session) == []
    code = client.get(f"/api/v1/bodies/{world.ids['body_a']}").json()["code"]
    r = client.get("/api/v1/ledger/status", params={"certificate": f"{code}:{cert['number']}"})
    assert r.status_code == 200, r.text
    bundle = r.json()
    proof = sm.decode_proof(base64.b64decode(bundle["map_proof"]))
    key = sm.subject_key(subject_name("certificate", body_code=code, number=cert["number"]))
    assert bundle["present"] and sm.verify(root, key, proof) is not None
    assert len(bundle["events"]) == 2  # issued, then suspended: the latest event is the suspension


def test_catching_up_from_an_empty_map_builds_it_whole_and_signs_a_checkpoint_with_it(app, client, issue):
    sessions, settings = app.state.sessions, app.state.settings
    issue()
    _history(sessions, random.Random(7), 300)
    integration.integrate_pending(sessions, settings=settings)
    with read_session(sessions) as session:
        folded = map_position(session)
    _empty_the_map(sessions)
    result = integration.catch_up_map(sessions, settings=settings, build_from=100)
    assert result is not None and result.size == folded[0] and result.checkpoint_id is not None
    with read_session(sessions) as session:
        assert map_position(session) == folded and verify_map(session) == []
        note = session.execute(text("SELECT note FROM ledger_checkpoint ORDER BY id DESC LIMIT 1")).scalar()
    assert base64.b64encode(folded[1]).decode() in note
    # a map that is not empty is never rebuilt: folds carry on
    assert integration.build_map(sessions, min_events=0) is None
