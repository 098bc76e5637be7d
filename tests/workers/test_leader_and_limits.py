"""Pieces of running several processes, in-process: leader locks, Redis outages, immutable static assets.
Full tiles and daily bulk files were already immutable (tests/ledger/test_tiles.py, tests/opendata/test_bulk_mirror.py).

The processes themselves are in tests/reliability/test_workers.py; here each piece is checked on its own with
the test's real database (PostgreSQL advisory locks or SQLite file locks) and the real app.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from certbridge.app import create_app
from certbridge.db import make_engine
from certbridge.kit.leader import AdvisoryElector, FileElector, elector_for
from tests.conftest import with_environment

NO_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: every call fails at once


def test_one_leader_per_job_name_and_take_over_when_released(database_url):
    engine = make_engine(database_url)
    first, second = elector_for(engine), elector_for(engine)
    try:
        assert isinstance(first, AdvisoryElector if engine.dialect.name == "postgresql" else FileElector)
        assert first.try_lead("ledger") and first.try_lead("stats-fold")
        assert not second.try_lead("ledger")  # held by the other "process"
        assert second.try_lead("status-sweep")  # another name: its own lock
        assert first.still_leading("ledger")
        first.close()  # what the death of the holder does: its connection / file descriptors close
        assert second.try_lead("ledger") and second.try_lead("stats-fold")
        assert not first.try_lead("ledger")
    finally:
        first.close()
        second.close()
        engine.dispose()


def test_a_leader_whose_connection_drops_stops_leading(database_url):
    engine = make_engine(database_url)
    if engine.dialect.name != "postgresql":
        engine.dispose()
        pytest.skip("a dropped connection exists only on PostgreSQL (the file lock dies with the process)")
    first, second = elector_for(engine), elector_for(engine)
    try:
        assert first.try_lead("ledger")
        pid = first._conn.info.backend_pid
        with engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
        assert not first.still_leading("ledger")
        assert second.try_lead("ledger")
    finally:
        first.close()
        second.close()
        engine.dispose()


@pytest.fixture
def redis_down(settings, monkeypatch):
    """An app whose configured Redis does not answer."""
    monkeypatch.setenv("CERTBRIDGE_REDIS_URL", NO_REDIS)
    application = create_app(with_environment(settings))
    with TestClient(application) as client:
        yield client
    application.state.engine.dispose()


def test_redis_down_look_ups_go_on_with_per_process_limits(redis_down, world):
    answer = redis_down.get(f"/api/v1/organizations/{world.ids['org1']}")
    assert answer.status_code == 200
    assert int(answer.headers["RateLimit-Remaining"]) >= 0  # counted here instead


def test_redis_down_sign_ins_writes_and_costly_requests_are_refused_clearly(redis_down, world):
    refused = redis_down.post("/login", data={"username": "cb_a", "password": "x"}, headers={"Accept": "text/html"})
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "5"
    assert "限流服务（Redis）暂时不可用" in refused.text
    write = redis_down.post("/api/v1/certificates", json={}, headers={**world.auth("cb_a"), "Accept-Language": "en"})
    assert write.status_code == 503
    assert write.json()["code"] == "rate_limit.unavailable" and "Redis" in write.json()["detail"]


def test_static_assets_are_linked_by_hash_and_kept_forever(client):
    page = client.get("/")
    css = re.search(r'href="(/static/certbridge\.css\?v=[0-9a-f]{16})"', page.text)
    assert css, "the page links its stylesheet by content hash"
    kept = client.get(css.group(1))
    assert kept.status_code == 200 and kept.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for stale in ("/static/certbridge.css", "/static/certbridge.css?v=0000000000000000"):
        assert client.get(stale).headers["Cache-Control"] == "no-cache"  # revalidated: its bytes may change
