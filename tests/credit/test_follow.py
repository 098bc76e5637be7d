"""Credit follows every event that changes it at once, not at the monthly recompute."""

from __future__ import annotations

import time
from datetime import date

from fastapi.testclient import TestClient

from certbridge.certificates import workflow
from certbridge.certificates.schemas import StatusChangeIn
from certbridge.db import write_session
from certbridge.principal import SYSTEM
from tests.world import certificate_payload


def record(client, world, subject_id=None, subject_type="organization"):
    return client.get(f"/api/v1/credit/records/{subject_type}/{subject_id or world.ids['org1']}",
                      headers=world.auth("regulator")).json()


def test_penalty_moves_the_class_right_after_it_is_recorded_and_back_when_withdrawn(client, world, penalty_body):
    reg = world.auth("regulator")
    assert record(client, world)["credit_class"] == "B"
    p = client.post("/api/v1/credit/penalties", headers=reg, json=penalty_body(decided_on=date.today().isoformat()))
    assert p.status_code == 201, p.text
    got = record(client, world)  # no recompute in between
    assert got["score"] == 500 and got["credit_class"] == "B"
    client.post("/api/v1/credit/penalties", headers=reg,
                json=penalty_body(decided_on=date.today().isoformat(), decision_number="北市监处罚〔2024〕89号"))
    assert record(client, world)["credit_class"] == "C"
    client.post(f"/api/v1/credit/penalties/{p.json()['id']}/withdraw", headers=reg,
                json={"decision_changed_on": date.today().isoformat(), "reason": "行政复议撤销"})
    assert record(client, world)["score"] == 500 and record(client, world)["credit_class"] == "B"


def test_certificate_withdrawal_and_listing_change_the_class_at_once(client, world):
    cert = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_a"),
                       json=certificate_payload(world)).json()
    client.post(f"/api/v1/certificates/{cert['id']}/suspend", headers=world.auth("cb_a"), json={"reason": "监督审核未按期"})
    assert record(client, world)["factors"]["points"] == {"certificate_suspended": 80}
    client.post(f"/api/v1/certificates/{cert['id']}/withdraw", headers=world.auth("cb_a"),
                json={"reason": "暂停期满未整改", "cause": "holder"})
    assert record(client, world)["credit_class"] == "C"
    listed = client.post("/api/v1/credit/dishonesty-list", headers=world.auth("regulator"),
                         json={"subject_type": "organization", "subject_id": world.ids["org2"], "reason": "虚假认证",
                               "decision_number": "北市监列〔2026〕1号", "authority": "北海市市场监督管理局"})
    assert listed.status_code == 201, listed.text
    assert record(client, world, world.ids["org2"])["credit_class"] == "D"


def test_writes_made_outside_the_servers_requests_are_followed_in_the_background(app, world, sessions):
    """A CLI command (here: the services called straight) records events no request of this server made."""
    app.state.credit_follow_interval = 0.2
    with TestClient(app) as client:
        cert = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_a"),
                           json=certificate_payload(world)).json()
        assert record(client, world)["credit_class"] == "B"
        with write_session(sessions) as session:  # as `certbridge certificates ...` would, in another process
            workflow.suspend_certificate(session, principal=SYSTEM, certificate_id=cert["id"],
                                         change=StatusChangeIn(reason="监督审核未按期"))
            workflow.withdraw_certificate(session, principal=SYSTEM, certificate_id=cert["id"],
                                          change=StatusChangeIn(reason="暂停期满未整改", cause="holder"))
        deadline = time.monotonic() + 30
        while record(client, world)["credit_class"] != "C" and time.monotonic() < deadline:
            time.sleep(0.1)  # no request writes meanwhile: only the background follow-up can move the class
        assert record(client, world)["credit_class"] == "C"
        assert record(client, world)["factors"]["points"].get("certificate_withdrawn")
