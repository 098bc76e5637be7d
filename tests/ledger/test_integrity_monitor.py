"""The integrity monitor: at start-up and in the background it notices a deleted tail event or a corrupted
stored hash, stops signing, warns verifiers, and says so on /healthz; appending never writes over a hole."""

from __future__ import annotations

import json
import logging

from fastapi.testclient import TestClient
from sqlalchemy import text

from certbridge.app import create_app
from certbridge.db import read_session, write_session
from certbridge.ledger.background import run_integrity_check


def _sql(sessions, statement: str, **params) -> None:
    with write_session(sessions) as session:
        session.execute(text(statement), params)


def _head(sessions) -> int:
    with read_session(sessions) as db:
        return db.scalar(text("SELECT size FROM ledger_head WHERE id = 1"))


def _restart(settings):
    """A fresh server process on the same database (its start-up check runs in the lifespan)."""
    application = create_app(settings)
    application.state.ledger_interval = None  # no background loop: the start-up check is what we test
    return application


def test_a_healthy_server_says_ok(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_a_deleted_last_event_is_noticed_at_start_up_and_nothing_is_appended_over_it(
        client, issue, world, sessions, settings, cli, caplog):
    cert = issue()
    last = _head(sessions) - 1
    _sql(sessions, "DELETE FROM ledger_event WHERE seq = :seq", seq=last)
    application = _restart(settings)
    with caplog.at_level(logging.ERROR), TestClient(application) as restarted:
        health = restarted.get("/healthz", headers={"Accept-Language": "en"})
        assert health.status_code == 503
        body = health.json()
        assert body["status"] == "degraded"
        assert any(p["code"] == "integrity.event_missing" and p["params"]["seq"] == last for p in body["problems"])
        assert f"event {last} is missing" in body["messages"][0]
        # Nothing is signed any more, and verifying says why.
        assert restarted.get(f"/api/v1/certificates/{cert['id']}/token").status_code == 503
        assert restarted.get(f"/api/v1/certificates/{cert['id']}/receipt.json").status_code == 503
        verdict = restarted.get("/api/v1/verify", params={"number": cert["number"]},
                                headers={"Accept-Language": "en"}).json()
        assert "integrity" in verdict["integrity_warning"].lower()
        zh = restarted.get("/api/v1/verify", params={"number": cert["number"]}).json()
        assert "完整性" in zh["integrity_warning"]
        assert "完整性" in restarted.get("/verify", params={"number": cert["number"]}).text
        # A write would append over the hole: refused, and the log is left as it was.
        from tests.world import certificate_payload
        r = restarted.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_a"),
                           json=certificate_payload(world, number="00126Q26777R0M/4500"))
        assert r.status_code == 503, r.text
        assert _head(sessions) == last + 1
    assert any("integrity" in rec.getMessage() for rec in caplog.records)
    result = cli("ledger", "verify", "--no-replay")
    assert result.exit_code == 1 and f"Event {last} is missing" in result.output


def test_a_corrupted_stored_hash_is_noticed_by_the_background_check(client, app, issue, sessions):
    issue()
    assert client.get("/healthz").status_code == 200
    with read_session(sessions) as db:
        leaf = db.scalar(text("SELECT max(idx) FROM ledger_hash"))
    _sql(sessions, "UPDATE ledger_hash SET hash = :h WHERE idx = :i", h=b"\x07" * 32, i=leaf)
    run_integrity_check(app)  # one round of the background runner
    health = client.get("/healthz")
    assert health.status_code == 503
    assert {p["code"] for p in health.json()["problems"]} & {"integrity.stored_hash", "integrity.tree_root"}
    # No checkpoint is signed over it any more, even after a new write.
    with read_session(sessions) as db:
        before = db.scalar(text("SELECT count(*) FROM ledger_checkpoint"))
    issue()
    with read_session(sessions) as db:
        assert db.scalar(text("SELECT count(*) FROM ledger_checkpoint")) == before


def test_a_row_edited_behind_the_services_back_is_noticed_when_its_events_are_checked(client, app, issue, act,
                                                                                   sessions):
    cert = issue()
    run_integrity_check(app)
    act(cert["id"], "suspend")
    _sql(sessions, "UPDATE certificate SET status = 'valid' WHERE id = :id", id=cert["id"])
    run_integrity_check(app)
    health = client.get("/healthz").json()
    assert health["status"] == "degraded"
    assert {"code": "integrity.row_differs",
            "params": {"table": "certificate", "id": cert["id"], "field": "status"}} in health["problems"]


def test_ledger_verify_clears_a_degraded_state_once_the_database_is_repaired(client, app, issue, sessions, cli):
    issue()
    with read_session(sessions) as db:
        idx, good = db.execute(text("SELECT idx, hash FROM ledger_hash ORDER BY idx DESC LIMIT 1")).one()
    _sql(sessions, "UPDATE ledger_hash SET hash = :h WHERE idx = :i", h=b"\x07" * 32, i=idx)
    run_integrity_check(app)
    assert client.get("/healthz").status_code == 503
    report = json.loads(cli("ledger", "verify", "--json").output)
    assert report["problems"]
    _sql(sessions, "UPDATE ledger_hash SET hash = :h WHERE idx = :i", h=bytes(good), i=idx)
    assert cli("ledger", "verify").exit_code == 0
    run_integrity_check(app)
    assert client.get("/healthz").status_code == 200


def test_the_background_runner_checks_integrity_by_itself(issue, sessions, settings):
    import time

    issue()
    application = create_app(settings)
    application.state.ledger_interval, application.state.integrity_interval = 0.05, 0.1
    with TestClient(application) as running:
        assert running.get("/healthz").status_code == 200
        with read_session(sessions) as db:
            leaf = db.scalar(text("SELECT max(idx) FROM ledger_hash"))
        _sql(sessions, "UPDATE ledger_hash SET hash = :h WHERE idx = :i", h=b"\x07" * 32, i=leaf)
        deadline = time.monotonic() + 20
        while running.get("/healthz").status_code == 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert running.get("/healthz").status_code == 503
