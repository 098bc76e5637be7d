"""Verify by number answered on the event loop: the same bytes as the pooled path, fresh data, dropped connections."""

from __future__ import annotations

import time
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from certbridge.certificates import api as certificates_api
from certbridge.db import make_engine
from tests.conftest import BACKEND
from tests.world import certificate_payload

NUMBERS = ("00126Q26001R0M/4500", "00126Q26002R0M/4500", "00126Q26003R0M/4500", "00126Q26004R0M/4500", "SAME-1",
           " 00126q26001r0m/4500 ", "00126Q99999")


@pytest.fixture
def registry(client, world, issue, act):
    """Issue certificates in every state a buyer can meet (valid, suspended, withdrawn, listed holder, shared number)."""
    issue()
    act(issue(number="00126Q26002R0M/4500")["id"], "suspend")
    act(issue(number="00126Q26003R0M/4500")["id"], "withdraw", reason="获证组织拒绝监督审核", cause="other")
    issue(number="00126Q26004R0M/4500", org="org2")
    issue(number="SAME-1")
    other = client.post(f"/api/v1/bodies/{world.ids['body_b']}/certificates", headers=world.auth("cb_b"),
                        json=certificate_payload(world, number="SAME-1", auditors=("2019-N1QMS-2000001",)))
    assert other.status_code == 201, other.text
    act(other.json()["id"], "suspend", role="cb_b")
    listed = client.post("/api/v1/restrictions", headers=world.auth("regulator"),
                         json={"subject_type": "organization", "subject_id": world.ids["org2"],
                               "kind": "dishonesty_list", "reason": "提供虚假材料",
                               "starts_on": date.today().isoformat()})
    assert listed.status_code == 201, listed.text


def _refuse_thread_pool(*_args, **_kwargs):
    raise AssertionError("verify by number went to the thread pool")


def test_loop_answers_are_byte_for_byte_the_pooled_ones(client, app, registry, monkeypatch):
    with monkeypatch.context() as patched:
        patched.setattr(certificates_api, "run_in_threadpool", _refuse_thread_pool)
        answers = {(n, lang): client.get("/api/v1/verify", params={"number": n}, headers={"Accept-Language": lang})
                   for n in NUMBERS for lang in ("zh", "en")}
    reasons = set()
    for (number, lang), r in answers.items():
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        assert r.content == certificates_api._verification_json(app.state, number, None, lang), (number, lang)
        reasons.add(r.json()["reason"])
    assert reasons == {"valid", "suspended", "withdrawn", "holder_listed", "no_such_number"}
    shared = answers[("SAME-1", "en")].json()
    assert shared["outcome"] == "valid" and len({c["body"]["code"] for c in shared["certificates"]}) == 2


def test_each_answer_reads_the_latest_state(client, issue, act):
    cert = issue()
    assert client.get("/api/v1/verify", params={"number": cert["number"]}).json()["reason"] == "valid"
    act(cert["id"], "suspend")
    assert client.get("/api/v1/verify", params={"number": cert["number"]}).json()["reason"] == "suspended"
    act(cert["id"], "restore")
    assert client.get("/api/v1/verify", params={"number": cert["number"]}).json()["reason"] == "valid"


if BACKEND == "postgresql":  # connections a server can drop exist only there

    def _app_backends(database_url: str, *, terminate: bool) -> int:
        admin = make_engine(database_url).execution_options(isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                         "AND pid <> pg_backend_pid()")).scalars().all()
                for pid in pids if terminate else ():
                    conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            return len(pids)
        finally:
            admin.dispose()

    def test_answers_after_its_connections_are_killed_and_closes_them_at_shutdown(app, settings, world):
        number = {"number": "00126Q99999"}
        with TestClient(app) as client:
            first = client.get("/api/v1/verify", params=number)
            assert first.status_code == 200
            for _ in range(2):  # a connection dropped while idle, then one dropped again right after reconnecting
                assert _app_backends(settings.database_url, terminate=True) >= 1
                again = client.get("/api/v1/verify", params=number)
                assert again.status_code == 200 and again.content == first.content
        deadline = time.monotonic() + 10  # a closed connection's server process takes a moment to exit
        while _app_backends(settings.database_url, terminate=False) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _app_backends(settings.database_url, terminate=False) == 0
