"""A server SIGKILLed in the middle of a burst of lifecycle changes loses no acknowledged change.

A client subprocess (tests/reliability/lifecycle_driver.py) suspends, restores, withdraws, re-scopes and
audits certificates through a real `certbridge serve`, writing down every 2xx it gets. Meanwhile the server
is killed with SIGKILL at seeded random moments and started again on the same port. Afterwards: the database
is sound, the ledger verifies, every acknowledged change is in the rows and in the ledger, and no change is
half applied (each certificate's row equals the state its last events say).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time

import httpx
from sqlalchemy import text

from tests.reliability.conftest import REPO, assert_database_sound, assert_ledger_verifies
from tests.world import certificate_payload

SEED = int(os.environ.get("CERTBRIDGE_CRASH_SEED", "7305"))
CERTIFICATES = 6
KILLS = 3


def issue_certificates(url: str, world) -> list[int]:
    """Issue the certificates the client will change, as body A over HTTP."""
    ids = []
    for i in range(CERTIFICATES):
        r = httpx.post(f"{url}/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_a"),
                       json=certificate_payload(world, number=f"00126Q28{i:03d}R0M"), timeout=30)
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    return ids


def events_of(conn, cert_id: int) -> list[dict]:
    """Return a certificate's events, oldest first, as their hashed bodies."""
    rows = conn.execute(text("SELECT body FROM ledger_event WHERE subject_type = 'certificate' AND subject_id = :id "
                             "ORDER BY seq"), {"id": str(cert_id)}).scalars()
    return [json.loads(body) for body in rows]


def last_state(events: list[dict], field: str):
    """Return the value the last event that set `field` gave it."""
    return next(e["data"]["state"][field] for e in reversed(events) if field in e["data"].get("state", {}))


def test_acknowledged_changes_survive_server_kills_and_none_is_half_applied(instance, servers, world, tmp_path):
    rng = random.Random(SEED)
    server = servers(warm=True).start()
    ids = issue_certificates(server.url, world)
    acks, stop = tmp_path / "acks.jsonl", tmp_path / "stop"
    spec = tmp_path / "driver.json"
    spec.write_text(json.dumps({"url": server.url, "token": world.tokens["cb_a"], "certificates": ids,
                                "seed": SEED, "acks": str(acks), "stop": str(stop)}))
    driver = subprocess.Popen([sys.executable, "-m", "tests.reliability.lifecycle_driver", str(spec)], cwd=REPO,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.5, 2.5))
            assert driver.poll() is None, driver.stdout.read().decode()
            server.kill()
            time.sleep(rng.uniform(0.0, 0.3))
            server.start()
        time.sleep(rng.uniform(0.5, 1.5))
    finally:
        stop.touch()
        output = driver.communicate(timeout=60)[0].decode()
    assert driver.returncode == 0, output
    server.kill()  # the last one too: the checks below are what an operator would run after a crash

    answered = [json.loads(line) for line in acks.read_text(encoding="utf-8").splitlines()]
    refused = [a for a in answered if a["status"] is not None and a["status"] >= 300 and a["status"] != 409]
    assert refused == [], refused[:3]  # 409 = a stale version after an unanswered request; nothing else
    acknowledged = [a for a in answered if a["status"] is not None and a["status"] < 300]
    unknown = [a for a in answered if a["status"] is None]
    print(f"{len(acknowledged)} acknowledged, {len(unknown)} cut off by a kill")
    assert len(acknowledged) >= 10, f"only {len(acknowledged)} changes went through"

    assert_database_sound(instance)
    assert_ledger_verifies(instance)
    engine = instance.engine()
    try:
        with engine.connect() as conn:
            for cid in ids:
                events = events_of(conn, cid)
                row = conn.execute(text("SELECT status, status_reason, scope, version FROM certificate WHERE id = :id"),
                                   {"id": cid}).one()
                audits = conn.execute(text("SELECT start_on FROM audit WHERE certificate_id = :id"),
                                      {"id": cid}).scalars().all()
                # Not half applied: the row is what its last events say, and every audit row has its event.
                assert (row.status, row.status_reason, row.scope) == (
                    last_state(events, "status"), last_state(events, "status_reason"), last_state(events, "scope"))
                assert len(audits) == len(last_state(events, "audits"))
                mine = [a for a in acknowledged if a["certificate"] == cid]
                assert row.version >= max((a["version"] for a in mine), default=1)
                for ack in mine:
                    body = ack["request"]
                    if ack["action"] == "scope":
                        assert any(e["data"]["state"].get("scope") == body["scope"] for e in events), ack
                    elif ack["action"] == "audits":
                        assert any(e["type"] == "certificate.audited" and e["data"]["audit"]["start_on"] ==
                                   body["start_on"] for e in events), ack
                        assert body["start_on"] in {str(d)[:10] for d in audits}, ack
                    else:
                        assert any(e["data"].get("state", {}).get("status_reason") == body["reason"]
                                   and e["data"]["state"]["status"] == ack["state"] for e in events), ack
    finally:
        engine.dispose()
