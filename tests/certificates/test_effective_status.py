"""Issue #15's reported contradictions, as a buyer meets them: one effective status on every surface.

Each test builds the situation through the services (as it arises in real life: dates pass, a body is
revoked, a standard is superseded, a code fails its checksum) and reads it the way users do.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from certbridge.app import create_app
from certbridge.certificates.export import export_rows
from certbridge.certificates.workflow import sweep_due
from certbridge.db import read_session, write_session
from certbridge.ledger.journal import subject_history
from certbridge.kit.dates import add_months
from tests.world import certificate_payload

TODAY = date.today()


@pytest.fixture
def client(app):
    """An HTTP client whose app does not sweep by itself: these tests decide when the sweep runs."""
    app.state.status_sweep = False
    with TestClient(app) as c:
        yield c


def _issue(client, world, number: str, *, issued_on: date, expires_on: date | None = None, **overrides):
    audit = (issued_on - timedelta(days=10)).isoformat()
    payload = certificate_payload(world, number=number, issued_on=issued_on.isoformat(), audits=[
        {"kind": "initial", "method": "FS01", "start_on": audit, "end_on": audit,
         "auditors": [{"registration_number": "2021-N1QMS-1000001", "role": "leader"}]}], **overrides)
    if expires_on is not None:
        payload["expires_on"] = expires_on.isoformat()
    r = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_a"), json=payload)
    assert r.status_code == 201, r.text
    return r.json()


def _verify(client, number: str, lang: str = "zh") -> dict:
    return client.get("/api/v1/verify", params={"number": number}, headers={"Accept-Language": lang}).json()


def _listed(client, cert_id: int, **params) -> bool:
    items = client.get("/api/v1/certificates", params={"limit": 200, **params}).json()["items"]
    return cert_id in [i["id"] for i in items]


def _export_row(sessions, number: str) -> dict:
    with read_session(sessions) as session:
        return next(r for r in export_rows(session) if r["number"] == number)


def test_expired_but_row_valid_is_expired_on_every_surface_and_the_sweep_records_it(client, world, sessions):
    end = TODAY - timedelta(days=1)
    cert = _issue(client, world, "00126Q26901R0M/4500", issued_on=end - timedelta(days=900), expires_on=end)
    v = _verify(client, cert["number"])
    assert v["outcome"] == "not_valid" and v["reason"] == "expired"
    page = client.get(f"/certificates/{cert['id']}").text
    assert "⊘</span> 过期" in page and "✓</span> 有效" not in page  # no "✓ 有效" beside "目前无效"
    assert not _listed(client, cert["id"], status="valid")
    assert cert["recorded_status"] == "valid" and cert["status"] == "expired"  # not swept yet, already expired
    assert v["certificates"][0]["valid_now"] is False
    assert [r["code"] for r in v["certificates"][0]["reasons"]] == ["expired"]
    assert v["certificates"][0]["reasons"][0]["text"] == f"已过期（有效期至 {end.isoformat()}）"
    assert _listed(client, cert["id"], status="expired")
    body_page = client.get(f"/bodies/{world.ids['body_a']}").text  # counts by status on the body's page
    assert "status=expired\">1</a>" in body_page and "status=valid\">0</a>" in body_page
    org_page = client.get(f"/organizations/{world.ids['org1']}").text
    assert "<strong>0</strong> / 1" in org_page
    assert not _listed(client, cert["id"], status="valid", q="示例电子")  # the name search path too
    assert _listed(client, cert["id"], status="expired", q="示例电子")
    row = _export_row(sessions, cert["number"])
    assert (row["status"], row["valid"], row["status_reasons"]) == ("expired", "false", "expired")
    with write_session(sessions) as session:
        assert sweep_due(session, on=TODAY) == {"expired": 1, "withdrawn": 0, "suspended": 0}
    with read_session(sessions) as session:
        last = subject_history(session, "certificate", cert["id"])[-1]
        assert last.type == "certificate.expired" and last.data["state"]["status_changed_on"] == end.isoformat()
    after = client.get(f"/api/v1/certificates/{cert['id']}").json()
    assert (after["recorded_status"], after["status"], after["status_changed_on"]) == ("expired", "expired",
                                                                                      end.isoformat())
    assert _verify(client, cert["number"])["certificates"][0]["reasons"] == v["certificates"][0]["reasons"]
    with write_session(sessions) as session:  # a second sweep finds nothing
        assert sweep_due(session, on=TODAY) == {"expired": 0, "withdrawn": 0, "suspended": 0}


def test_the_app_sweeps_at_start_up(settings, world, sessions, client):
    end = TODAY - timedelta(days=3)
    cert = _issue(client, world, "00126Q26902R0M/4500", issued_on=end - timedelta(days=700), expires_on=end)
    other = create_app(settings)  # another server starting on the same database
    other.state.status_sweep_delay = 0.5
    with TestClient(other):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with read_session(sessions) as session:
                types = [e.type for e in subject_history(session, "certificate", cert["id"])]
            if "certificate.expired" in types:
                break
            time.sleep(0.1)
    other.state.engine.dispose()
    assert types[-1] == "certificate.expired"


def test_a_revoked_bodys_certificates_warn_during_the_grace_period(client, world):
    cert = _issue(client, world, "00126Q26903R0M/4500", issued_on=TODAY - timedelta(days=100))
    r = client.post(f"/api/v1/bodies/{world.ids['body_a']}/status", headers=world.auth("regulator"),
                    json={"status": "revoked", "reason": "出具虚假认证结论"})
    assert r.status_code == 200, r.text
    v = _verify(client, cert["number"])
    assert v["outcome"] == "valid" and v["reason"] == "valid_with_warnings"
    assert "发证机构已被撤销批准" in v["message"]
    until = (add_months(TODAY, 3) - timedelta(days=1)).isoformat()
    assert v["certificates"][0]["reasons"] == [{"code": "body_revoked", "params": {
        "date": TODAY.isoformat(), "until": until}, "text": v["certificates"][0]["reasons"][0]["text"]}]
    assert until in v["message"]
    assert "发证机构已被撤销批准" in client.get(f"/certificates/{cert['id']}").text


def test_a_revoked_bodys_certificates_are_withdrawn_after_the_grace_period(client, world, sessions):
    cert = _issue(client, world, "00126Q26904R0M/4500", issued_on=TODAY - timedelta(days=300))
    revoked_on = add_months(TODAY, -3) - timedelta(days=1)  # grace (3 months) ended yesterday
    r = client.post(f"/api/v1/bodies/{world.ids['body_a']}/status", headers=world.auth("regulator"),
                    json={"status": "revoked", "reason": "出具虚假认证结论", "on": revoked_on.isoformat()})
    assert r.status_code == 200, r.text
    v = _verify(client, cert["number"], lang="en")
    assert v["outcome"] == "not_valid" and v["certificates"][0]["status"] == "withdrawn"
    assert [r["code"] for r in v["certificates"][0]["reasons"]] == ["body_revoked_grace_over"]
    assert "approval was revoked" in v["certificates"][0]["reasons"][0]["text"]
    assert not _listed(client, cert["id"], status="valid") and _listed(client, cert["id"], status="withdrawn")
    with write_session(sessions) as session:
        assert sweep_due(session, on=TODAY)["withdrawn"] == 1
    with read_session(sessions) as session:
        last = subject_history(session, "certificate", cert["id"])[-1]
        assert last.type == "certificate.withdrawn" and last.data["cause"] == "body_revoked"
        assert last.data["state"]["status_changed_on"] == add_months(revoked_on, 3).isoformat()
    assert _verify(client, cert["number"], lang="en")["certificates"][0]["reasons"] == v["certificates"][0]["reasons"]
    future = client.post(f"/api/v1/bodies/{world.ids['body_b']}/status", headers=world.auth("regulator"),
                         json={"status": "suspended", "reason": "x", "on": (TODAY + timedelta(days=1)).isoformat()})
    assert future.status_code == 422 and "不能晚于今天" in future.json()["detail"]


def _supersede_19001(client, world, deadline: date) -> None:
    old = next(s for s in client.get("/api/v1/standards", params={"scheme": "QMS"}).json()
               if s["code"] == "GB/T 19001" and s["version"] == "2016")
    r = client.post("/api/v1/standards", headers=world.auth("regulator"), json={
        "scheme_code": "QMS", "code": "GB/T 19001", "version": "2026", "title": "质量管理体系 要求",
        "published_on": "2026-01-01", "supersedes_id": old["id"], "transition_deadline": deadline.isoformat()})
    assert r.status_code == 201, r.text


def test_a_certificate_on_a_lapsed_standard_is_not_valid(client, world, sessions):
    cert = _issue(client, world, "00126Q26905R0M/4500", issued_on=TODAY - timedelta(days=200))
    deadline = TODAY - timedelta(days=1)
    _supersede_19001(client, world, deadline)
    v = _verify(client, cert["number"])
    assert v["outcome"] == "not_valid" and v["certificates"][0]["status"] == "expired"
    reason = v["certificates"][0]["reasons"][0]
    assert reason["code"] == "standard_transition_over" and "标准换版过渡期已结束" in reason["text"]
    assert reason["params"] == {"standard": "GB/T 19001-2016", "deadline": deadline.isoformat()}
    assert not _listed(client, cert["id"], status="valid")
    assert "标准换版过渡期已结束" in client.get(f"/certificates/{cert['id']}").text
    with write_session(sessions) as session:
        assert sweep_due(session, on=TODAY)["expired"] == 1
    after = _verify(client, cert["number"])["certificates"][0]
    assert after["recorded_status"] == "expired" and after["reasons"][0]["code"] == "standard_transition_over"


def test_a_standard_in_transition_warns(client, world):
    cert = _issue(client, world, "00126Q26906R0M/4500", issued_on=TODAY - timedelta(days=200))
    _supersede_19001(client, world, TODAY)  # last day of the transition
    v = _verify(client, cert["number"])
    assert v["outcome"] == "valid" and v["reason"] == "valid_with_warnings"
    assert [r["code"] for r in v["certificates"][0]["reasons"]] == ["standard_superseded"]


def test_a_uscc_failing_its_checksum_is_shown_on_the_verdict(client, world):
    good = world.uscc["org2"]
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    cert = _issue(client, world, "00126Q26907R0M/4500", issued_on=TODAY - timedelta(days=30),
                  holder={"name": "北海市校验失败示例有限公司", "uscc": bad, "address": "广西北海市"})
    for v in (_verify(client, cert["number"]), client.get(f"/api/v1/verify/holder/{bad}").json()):
        assert v["outcome"] == "valid" and v["reason"] == "valid_with_warnings", v
        assert "信用代码未通过校验，待核实" in v["message"]
        assert [r["code"] for r in v["certificates"][0]["reasons"]] == ["uscc_unverified"]
    assert "信用代码未通过校验，待核实" in client.get(f"/certificates/{cert['id']}").text
    english = _verify(client, cert["number"], lang="en")
    assert "failed its checksum" in english["message"]
