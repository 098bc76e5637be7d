"""Public reads on a real streaming replica: the writer reads its own writes, others see a labelled past.

The replica is paused (pg_wal_replay_pause) to make a lag of any length on demand; it is the same server a
production replica is, streaming from the test server.
"""

from __future__ import annotations

import time

import psycopg
import pytest
from fastapi.testclient import TestClient

from certbridge.app import create_app
from certbridge.settings import Settings
from tests.conftest import BACKEND
from tests.world import certificate_payload

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="a streaming replica needs the PostgreSQL pass")

NUMBER = "00126Q26001R0M/4500"


@pytest.fixture
def replicated(replica_server, settings, database_url):
    """Settings for an instance whose public reads go to the replica (which has this test's database)."""
    replica_server.catch_up()  # the CREATE DATABASE of this test's copy has been replayed
    return Settings(**{**{n: getattr(settings, n) for n in settings.model_fields_set},
                       "replica_url": f"{replica_server.url}/{database_url.rsplit('/', 1)[1]}",
                       "replica_max_lag_seconds": 120.0, "replica_sticky_seconds": 120.0})


def _primary_checkpoint(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        return conn.execute("SELECT coalesce(max(size), 0) FROM ledger_checkpoint").fetchone()[0]


def _verify(client, headers=None):
    r = client.get("/api/v1/verify", params={"number": NUMBER}, headers=headers or {})
    assert r.status_code == 200, r.text
    return r


def test_the_writer_never_reads_the_past_and_the_others_are_told_which_checkpoint(
        replica_server, replicated, world, database_url):
    writer = world.auth("cb_a")
    with TestClient(create_app(replicated)) as client:
        r = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=writer,
                        json=certificate_payload(world))
        assert r.status_code == 201, r.text
        cert_id = r.json()["id"]
        assert r.headers["certbridge-write-lsn"] and "cb_lsn=" in r.headers["set-cookie"]
        replica_server.catch_up()
        client.cookies.clear()
        anonymous = _verify(client)
        assert anonymous.json()["outcome"] == "valid"
        assert anonymous.headers["certbridge-read-from"] == "replica"

        replica_server.pause()
        try:
            r = client.post(f"/api/v1/certificates/{cert_id}/suspend", headers=writer, json={"reason": "测试原因"})
            assert r.status_code == 200, r.text
            cookie = client.cookies.get("cb_lsn")
            assert cookie
            # The writer, straight after its write: verify (on the loop) and a search (in a thread) show the change.
            mine = _verify(client, writer)
            assert mine.json()["reason"] == "suspended"
            assert mine.headers["certbridge-read-from"] == "primary"
            found = client.get("/api/v1/certificates", params={"q": NUMBER}, headers=writer)
            assert [c["status"] for c in found.json()["items"]] == ["suspended"]
            assert found.headers["certbridge-read-from"] == "primary"
            # Anyone else reads the replica, still before the write, and is told which checkpoint it reflects.
            client.cookies.clear()
            old = _verify(client)
            assert old.json()["outcome"] == "valid"
            assert old.headers["certbridge-read-from"] == "replica"
            assert 0 <= int(old.headers["certbridge-checkpoint"]) <= _primary_checkpoint(database_url)
            listed = client.get("/api/v1/certificates", params={"q": NUMBER})
            assert [c["status"] for c in listed.json()["items"]] == ["valid"]
            assert listed.headers["certbridge-read-from"] == "replica"
            # Another server process knows nothing of the write but gets its position from the writer: a browser
            # sends the cookie back, an API client the header it was given.
            with TestClient(create_app(replicated)) as other:
                assert _verify(other, {"Cookie": f"cb_lsn={cookie}"}).json()["reason"] == "suspended"
                assert _verify(other, {"Certbridge-Min-LSN": cookie}).json()["reason"] == "suspended"
                assert _verify(other).json()["outcome"] == "valid"
        finally:
            replica_server.resume()

        # Once the replica has replayed the write, everyone reads it there.
        deadline = time.monotonic() + 20
        while True:
            r = _verify(client, writer)
            if r.headers["certbridge-read-from"] == "replica":
                break
            assert time.monotonic() < deadline, "the writer's reads never went back to the replica"
            time.sleep(0.05)
        assert r.json()["reason"] == "suspended"
        client.cookies.clear()
        assert _verify(client).json()["reason"] == "suspended"


def test_reads_answer_from_the_primary_while_the_replica_is_down_or_too_far_behind(
        replica_server, replicated, world, database_url):
    with TestClient(create_app(replicated)) as client:
        assert _verify(client).headers["certbridge-read-from"] == "replica"
        replica_server.stop()
        try:
            for path, params in (("/api/v1/verify", {"number": NUMBER}), ("/api/v1/certificates", {"q": "示例"})):
                r = client.get(path, params=params)
                assert r.status_code == 200, r.text
                assert r.headers["certbridge-read-from"] == "primary"
                assert int(r.headers["certbridge-checkpoint"]) == _primary_checkpoint(database_url)
        finally:
            replica_server.start()
    # Too far behind: replay paused while the primary moves on past the lag limit (0 s here).
    lagging = Settings(**{**{n: getattr(replicated, n) for n in replicated.model_fields_set},
                          "replica_max_lag_seconds": 0.0})
    replica_server.catch_up()
    replica_server.pause()
    try:
        with TestClient(create_app(lagging)) as client:
            r = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_a"),
                            json=certificate_payload(world))
            assert r.status_code == 201, r.text
            client.cookies.clear()
            time.sleep(0.3)  # the replica's state is read again at most every 0.25 s
            r = _verify(client)
            assert r.headers["certbridge-read-from"] == "primary" and r.json()["outcome"] == "valid"
    finally:
        replica_server.resume()


def test_the_checkpoint_an_answer_names_is_remembered_until_a_newer_one_is_there(
        replica_server, replicated, world, database_url):
    writer = world.auth("cb_a")
    # No background signer: a checkpoint it signed on the primary just after start-up would not be on the replica
    # yet, and the first answer would rightly name the replica's older one.
    quiet = replicated.model_copy(update={"background_work": False})
    with TestClient(create_app(quiet)) as client:
        before = _primary_checkpoint(database_url)
        for _ in range(3):  # read once, then remembered: every answer still names the replica's latest checkpoint
            r = _verify(client)
            assert r.headers["certbridge-read-from"] == "replica"
            assert int(r.headers["certbridge-checkpoint"]) == before
        replica_server.pause()
        try:
            r = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=writer,
                            json=certificate_payload(world))
            assert r.status_code == 201, r.text
            after = _primary_checkpoint(database_url)
            assert after > before  # the write's events were integrated and signed before the answer left
            # The writer reads the primary and is named its new checkpoint at once, by verify and by a search.
            mine = _verify(client, writer)
            assert mine.headers["certbridge-read-from"] == "primary"
            assert int(mine.headers["certbridge-checkpoint"]) == after
            found = client.get("/api/v1/certificates", params={"q": NUMBER}, headers=writer)
            assert found.headers["certbridge-read-from"] == "primary"
            assert int(found.headers["certbridge-checkpoint"]) == after
            # Anyone else still reads the paused replica, which holds the old checkpoint only.
            client.cookies.clear()
            old = _verify(client)
            assert old.headers["certbridge-read-from"] == "replica"
            assert int(old.headers["certbridge-checkpoint"]) == before
        finally:
            replica_server.resume()
        replica_server.catch_up()
        deadline = time.monotonic() + 20  # the replica's state (and with it the remembered size) is read again
        while True:
            r = _verify(client)
            if int(r.headers["certbridge-checkpoint"]) == after:
                break
            assert r.headers["certbridge-read-from"] == "replica" and int(r.headers["certbridge-checkpoint"]) == before
            assert time.monotonic() < deadline, "the replica's answers never named its new checkpoint"
            time.sleep(0.05)
        listed = client.get("/api/v1/certificates", params={"q": NUMBER})
        assert listed.headers["certbridge-read-from"] == "replica"
        assert int(listed.headers["certbridge-checkpoint"]) == after


def test_a_position_this_server_did_not_sign_is_ignored(replica_server, replicated, world):
    from certbridge.security.read_routing import position_key, sign_position

    with TestClient(create_app(replicated)) as client:
        r = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_a"),
                        json=certificate_payload(world))
        assert r.status_code == 201, r.text
        genuine = r.headers["certbridge-write-lsn"]
        assert client.cookies.get("cb_lsn") == genuine
        replica_server.catch_up()
        client.cookies.clear()
        mac = genuine.rpartition(".")[2]
        forged = ["FFFFFFFF/FFFFFFFF",  # a bare position, as clients sent before positions were signed
                  f"FFFFFFFF/FFFFFFFF.{mac}",  # a genuine signature on another position
                  sign_position(position_key("another instance's secret key"), 2 ** 64 - 1),  # a foreign one
                  "FFFFFFFF/FFFFFFFF." + "A" * 200]
        for token in forged:
            for headers in ({"Certbridge-Min-LSN": token}, {"Cookie": f"cb_lsn={token}"}):
                r = _verify(client, headers)
                assert r.headers["certbridge-read-from"] == "replica", (token, headers)
        assert _verify(client, {"Certbridge-Min-LSN": genuine}).headers["certbridge-read-from"] == "replica"
