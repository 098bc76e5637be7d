"""Every lifecycle transition, allowed and refused, as a certification body sees it through the API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from certbridge.certificates.workflow import TRANSITIONS

TODAY = date.today()
ACTIONS = ["suspend", "restore", "withdraw", "cancel", "expire"]


def _to_status(act, cert_id: int, status: str) -> None:
    """Drive a fresh certificate (valid) into a status."""
    if status == "valid":
        return
    if status == "suspended":
        assert act(cert_id, "suspend").status_code == 200
    elif status == "withdrawn":
        assert act(cert_id, "withdraw").status_code == 200
    elif status == "cancelled":
        assert act(cert_id, "cancel").status_code == 200


@pytest.mark.parametrize("start", ["valid", "suspended", "withdrawn", "cancelled"])
@pytest.mark.parametrize("action", ["suspend", "restore", "withdraw", "cancel"])
def test_transition_matrix(issue, act, client, start, action):
    cert = issue()
    _to_status(act, cert["id"], start)
    sources, target = TRANSITIONS[action]
    r = act(cert["id"], action)
    if start in sources:
        assert r.status_code == 200, r.text
        assert r.json()["status"] == target
    else:
        assert r.status_code == 409
        problem = r.json()
        assert problem["code"] == "certificate.transition"
        assert "不能执行" in problem["detail"]
        # The certificate did not change.
        assert client.get(f"/api/v1/certificates/{cert['id']}").json()["status"] == start


def test_expire_refused_before_end_of_validity(issue, act):
    cert = issue()
    r = act(cert["id"], "expire")
    assert r.status_code == 409
    assert r.json()["code"] == "certificate.not_yet_expired"


def test_expired_certificate_is_final(issue, act, client, sessions):
    from certbridge.certificates.workflow import sweep_due
    from certbridge.db import write_session

    cert = issue(issued_on="2023-01-10", expires_on="2026-01-09")
    with write_session(sessions) as s:
        counts = sweep_due(s, on=TODAY)
    assert counts["expired"] >= 1
    detail = client.get(f"/api/v1/certificates/{cert['id']}").json()
    assert detail["status"] == "expired" and detail["valid_now"] is False
    for action in ACTIONS:
        assert act(cert["id"], action).status_code == 409
    assert detail["allowed_actions"] == ["renew"]


def test_suspension_has_a_maximum(issue, act, client):
    cert = issue()
    too_long = (TODAY + timedelta(days=200)).isoformat()
    r = act(cert["id"], "suspend", until=too_long)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "until"
    assert "最长 6 个月" in r.json()["detail"]
    r = act(cert["id"], "suspend", until=too_long, lang="en")
    assert "at most 6 months" in r.json()["detail"]
    ok = act(cert["id"], "suspend")
    assert ok.status_code == 200
    assert ok.json()["suspended_until"] is not None


def test_suspended_counts_as_not_valid_everywhere(issue, act, client):
    cert = issue()
    act(cert["id"], "suspend", reason="监督审核未按期实施")
    v = client.get("/api/v1/verify", params={"number": cert["number"]}).json()
    assert v["outcome"] == "not_valid" and v["reason"] == "suspended"
    assert "暂停" in v["message"] and "监督审核未按期实施" in v["message"]
    listed = client.get("/api/v1/certificates", params={"status": "valid", "q": cert["holder"]["uscc"]}).json()
    assert listed["items"] == []


def test_restore_after_suspension_ended_is_refused(issue, act, sessions, client):
    from certbridge.certificates.models import Certificate
    from certbridge.db import write_session

    cert = issue()
    act(cert["id"], "suspend")
    with write_session(sessions) as s:  # the suspension window has passed
        row = s.get(Certificate, cert["id"])
        row.suspended_until = TODAY - timedelta(days=1)
    r = act(cert["id"], "restore")
    assert r.status_code == 409 and r.json()["code"] == "certificate.suspension_ended"


def test_sweep_withdraws_uncorrected_suspension_and_suspends_overdue_surveillance(issue, act, sessions, client):
    from certbridge.certificates.models import Certificate
    from certbridge.certificates.workflow import sweep_due
    from certbridge.db import write_session

    overdue = issue(number="00126Q24001R0M/4500", issued_on=(TODAY - timedelta(days=400)).isoformat())
    suspended = issue(number="00126Q26002R0M/4500")
    act(suspended["id"], "suspend")
    with write_session(sessions) as s:
        s.get(Certificate, suspended["id"]).suspended_until = TODAY - timedelta(days=1)
    with write_session(sessions) as s:
        counts = sweep_due(s, on=TODAY)
    assert counts["withdrawn"] == 1 and counts["suspended"] == 1
    assert client.get(f"/api/v1/certificates/{suspended['id']}").json()["status"] == "withdrawn"
    detail = client.get(f"/api/v1/certificates/{overdue['id']}").json()
    assert detail["status"] == "suspended" and detail["status_reason"] == "surveillance_overdue"


def test_surveillance_audit_resets_the_clock(issue, client, world):
    cert = issue(issued_on=(TODAY - timedelta(days=300)).isoformat())
    audit = {"kind": "surveillance", "method": "FS02", "start_on": TODAY.isoformat(), "end_on": TODAY.isoformat(),
             "auditors": [{"registration_number": "2022-N1QMS-1000002", "role": "leader"}]}
    r = client.post(f"/api/v1/certificates/{cert['id']}/audits", headers=world.auth("cb_a"), json=audit)
    assert r.status_code == 201, r.text
    assert r.json()["last_surveillance_on"] == TODAY.isoformat()
    assert [a["kind"] for a in r.json()["audits"]] == ["initial", "surveillance"]


def test_renewal_links_cycles_and_ends_the_old_one(issue, client, world):
    cert = issue()
    r = client.post(f"/api/v1/certificates/{cert['id']}/renew", headers=world.auth("cb_a"),
                    json={"number": "00126Q26001R1M/4500", "issued_on": TODAY.isoformat()})
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["cycle"] == 2 and new["previous_id"] == cert["id"] and new["status"] == "valid"
    old = client.get(f"/api/v1/certificates/{cert['id']}").json()
    assert old["status"] == "expired" and old["status_reason"] == "renewed"
    again = client.post(f"/api/v1/certificates/{cert['id']}/renew", headers=world.auth("cb_a"),
                        json={"number": "00126Q26001R2M/4500", "issued_on": TODAY.isoformat()})
    assert again.status_code == 409


def test_scope_change_only_on_valid(issue, act, client, world):
    cert = issue()
    r = client.post(f"/api/v1/certificates/{cert['id']}/scope", headers=world.auth("cb_a"),
                    json={"scope": "电子元器件和线束的设计和生产", "reason": "扩大范围"})
    assert r.status_code == 200 and r.json()["scope"] == "电子元器件和线束的设计和生产"
    act(cert["id"], "suspend")
    r = client.post(f"/api/v1/certificates/{cert['id']}/scope", headers=world.auth("cb_a"),
                    json={"scope": "x", "reason": "y"})
    assert r.status_code == 409


def test_stale_version_is_refused(issue, act):
    cert = issue()
    r = act(cert["id"], "suspend", expected_version=cert["version"] + 5)
    assert r.status_code == 409 and r.json()["code"] == "certificate.stale"


def test_withdrawal_for_holder_fault_blocks_reapplication(issue, act, client, world):
    cert = issue()
    assert act(cert["id"], "withdraw", reason="获证组织出现重大质量事故", cause="holder").status_code == 200
    r = client.post(f"/api/v1/bodies/{world.ids['body_b']}/certificates", headers=world.auth("cb_b"),
                    json={**_b_payload(world), "number": "00213Q26009R0M"})
    assert r.status_code == 409
    assert r.json()["code"] == "holder.reapplication_block"
    assert "获证组织出现重大质量事故" in r.json()["detail"]


def test_withdrawal_for_other_cause_does_not_block(issue, act, client, world):
    cert = issue()
    assert act(cert["id"], "withdraw", cause="other").status_code == 200
    r = client.post(f"/api/v1/bodies/{world.ids['body_b']}/certificates", headers=world.auth("cb_b"),
                    json={**_b_payload(world), "number": "00213Q26010R0M"})
    assert r.status_code == 201, r.text


def test_history_lists_every_change_with_actor(issue, act, client):
    cert = issue()
    act(cert["id"], "suspend")
    act(cert["id"], "restore")
    history = client.get(f"/api/v1/certificates/{cert['id']}/history").json()
    assert [h["type"] for h in history] == ["certificate.issued", "certificate.suspended", "certificate.valid"]
    assert all(h["actor"].startswith("user:") for h in history)
    assert history[0]["seq"] < history[1]["seq"] < history[2]["seq"]


def _b_payload(world):
    from tests.world import certificate_payload

    return certificate_payload(world, auditors=("2019-N1QMS-2000001",))


def test_backdated_audit_keeps_history_and_rows_in_the_same_order(issue, client, world):
    cert = issue()
    audit = {"kind": "special", "method": "FS02", "start_on": "2025-01-05", "end_on": "2025-01-05",
             "auditors": [{"registration_number": "2022-N1QMS-1000002", "role": "leader"}]}
    r = client.post(f"/api/v1/certificates/{cert['id']}/audits", headers=world.auth("cb_a"), json=audit)
    assert r.status_code == 201
    rows = [a["start_on"] for a in r.json()["audits"]]
    event = client.get(f"/api/v1/certificates/{cert['id']}/history").json()[-1]
    assert rows == ["2025-01-05", "2025-02-20"]
    assert [a["start_on"] for a in event["data"]["state"]["audits"]] == rows
