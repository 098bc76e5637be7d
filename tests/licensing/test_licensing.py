"""A CB approval, change or renewal is a licensing decision: registry change and 双公示 record together."""

from __future__ import annotations

from sqlalchemy import select

from certbridge.db import read_session
from certbridge.ledger.journal import LedgerEvent

AUTHORITY = {"authority": "国家认证认可监督管理委员会", "authority_uscc": "11100000190748334U"}


def approval(**decision):
    return {
        "body": {"code": "00999", "approval_number": "CNCA-R-2024-099", "name": "广西新认证有限公司",
                 "fields": ["SYS-QMS", "SYS-EMS"], "approved_on": "2024-09-27", "valid_until": "2030-09-26",
                 "uscc": "91450100MA6K5774XG", "region_code": "450100"},
        "decision": {"document_number": "国认监认字〔2024〕99号", "decided_on": "2024-09-27", **AUTHORITY, **decision},
    }


def test_approving_a_body_creates_its_licensing_record_in_the_same_transaction(client, world, sessions):
    r = client.post("/api/v1/licensing/bodies", headers=world.auth("regulator"), json=approval())
    assert r.status_code == 201, r.text
    body, record = r.json()["subject"], r.json()["record"]
    assert body["status"] == "approved" and body["approval_number"] == "CNCA-R-2024-099"
    assert record["kind"] == "approval" and record["subject_id"] == body["id"]
    assert record["party_name"] == "广西新认证有限公司" and record["party_uscc"] == "91450100MA6K5774XG"
    assert record["licence_number"] == "CNCA-R-2024-099" and record["licence_name"] == "认证机构批准书"
    assert record["document_name"] == "认证机构批准决定书" and record["category"] == "普通"
    assert record["content"] == "批准从事认证活动，认证领域：SYS-EMS、SYS-QMS"
    assert (record["valid_from"], record["valid_to"]) == ("2024-09-27", "2030-09-26")
    assert record["publication_due_on"] == "2024-10-12"  # 7 working days across National Day 2024
    assert record["status"] == "valid" and record["published_on"] is None
    with read_session(sessions) as s:
        # credit follows the log after each write (credit.* events come after): the approval's own two events
        types = [e.type for e in s.scalars(select(LedgerEvent).where(LedgerEvent.type.not_like("credit.%"))
                                           .order_by(LedgerEvent.seq.desc()).limit(2))]
    assert sorted(types) == ["body.approved", "licensing.recorded"]


def test_a_bad_decision_leaves_no_body_behind(client, world):
    r = client.post("/api/v1/licensing/bodies", headers=world.auth("regulator"),
                    json=approval(authority_uscc="11100000190748334I"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "decision.authority_uscc"
    codes = [b["code"] for b in client.get("/api/v1/bodies").json()["items"]]
    assert "00999" not in codes


def test_publication_and_the_public_list(client, world):
    reg = world.auth("regulator")
    record = client.post("/api/v1/licensing/bodies", headers=reg, json=approval()).json()["record"]
    assert client.get("/api/v1/public/licensing-records").json()["items"] == []
    assert client.get(f"/api/v1/licensing/records/{record['id']}").status_code == 404
    published = client.post(f"/api/v1/licensing/records/{record['id']}/publish", headers=reg, json={"on": "2024-10-12"})
    assert published.json()["published_late"] is False
    public = client.get("/api/v1/public/licensing-records").json()["items"]
    assert [r["document_number"] for r in public] == ["国认监认字〔2024〕99号"]
    twice = client.post(f"/api/v1/licensing/records/{record['id']}/publish", headers=reg, json={})
    assert twice.status_code == 409 and twice.json()["code"] == "publicity.already_published"


def test_change_and_renewal_supersede_the_previous_record(client, world):
    reg = world.auth("regulator")
    created = client.post("/api/v1/licensing/bodies", headers=reg, json=approval(publish=True)).json()
    body_id, first = created["subject"]["id"], created["record"]
    change = client.post(f"/api/v1/licensing/bodies/{body_id}/changes", headers=reg, json={
        "changes": {"fields": ["SYS-QMS", "SYS-EMS", "SYS-OHSMS"]},
        "decision": {"document_number": "国认监认字〔2025〕5号", "decided_on": "2025-01-24", "publish": True,
                     **AUTHORITY}})
    assert change.status_code == 201, change.text
    changed = change.json()["record"]
    assert changed["kind"] == "change" and "SYS-OHSMS" in changed["content"]
    assert changed["publication_due_on"] == "2025-02-10"  # Spring Festival 2025
    assert client.get(f"/api/v1/licensing/records/{first['id']}").json()["status"] == "invalid"
    assert change.json()["subject"]["fields"] == ["SYS-EMS", "SYS-OHSMS", "SYS-QMS"]
    early = client.post(f"/api/v1/licensing/bodies/{body_id}/renewals", headers=reg, json={
        "valid_until": "2029-01-01", "decision": {"document_number": "x", "decided_on": "2025-02-01", **AUTHORITY}})
    assert early.status_code == 422 and early.json()["code"] == "licensing.renewal_not_later"
    renewal = client.post(f"/api/v1/licensing/bodies/{body_id}/renewals", headers=reg, json={
        "valid_until": "2036-09-26", "decision": {"document_number": "国认监认字〔2025〕8号",
                                                  "decided_on": "2025-02-01", **AUTHORITY}}).json()
    assert renewal["record"]["kind"] == "renewal" and renewal["subject"]["valid_until"] == "2036-09-26"
    assert client.get(f"/api/v1/licensing/records/{changed['id']}").json()["status"] == "invalid"


def test_withdrawing_a_changed_decision_is_logged_and_hides_the_record(client, world, sessions):
    reg = world.auth("regulator")
    record = client.post("/api/v1/licensing/bodies", headers=reg, json=approval(publish=True)).json()["record"]
    r = client.post(f"/api/v1/licensing/records/{record['id']}/withdraw", headers=reg,
                    json={"decision_changed_on": "2025-09-30", "reason": "许可决定被依法撤销"})
    assert r.status_code == 200, r.text
    assert r.json()["withdrawal_due_on"] == "2025-10-11" and r.json()["status"] == "invalid"
    assert client.get("/api/v1/public/licensing-records").json()["items"] == []
    with read_session(sessions) as s:
        data = s.scalars(select(LedgerEvent).where(LedgerEvent.type == "licensing.withdrawn")).one().data
    assert data["state"]["withdrawal_reason"] == "许可决定被依法撤销" and data["late"] is True


def test_a_revoked_body_makes_its_record_invalid(client, world):
    reg = world.auth("regulator")
    created = client.post("/api/v1/licensing/bodies", headers=reg, json=approval(publish=True)).json()
    client.post(f"/api/v1/credit/bodies/{created['subject']['id']}/revoke", headers=reg,
                json={"reason": "出具虚假认证结论", "decision_number": "国市监处罚〔2026〕1号"})
    assert client.get(f"/api/v1/licensing/records/{created['record']['id']}").json()["status"] == "invalid"


def test_a_lab_qualification_is_a_licensing_decision_too(client, world):
    r = client.post("/api/v1/licensing/labs", headers=world.auth("regulator"), json={
        "lab": {"cma_number": "241500340999", "name": "北海市食品检验所", "qualified_on": "2024-03-01",
                "region_code": "450500", "capabilities": [{"category": "食品", "item": "铅"}]},
        "decision": {"document_number": "桂市监资认〔2024〕9号", "decided_on": "2024-03-01", "category": "认可",
                     "authority": "广西壮族自治区市场监督管理局", "authority_uscc": "11450500398259791C"}})
    assert r.status_code == 201, r.text
    record = r.json()["record"]
    assert record["kind"] == "qualification" and record["licence_number"] == "241500340999"
    assert record["valid_to"] == "2030-03-01" and record["category"] == "认可"


def test_only_regulators_make_licensing_decisions(client, world):
    assert client.post("/api/v1/licensing/bodies", json=approval()).status_code == 401
    assert client.post("/api/v1/licensing/bodies", headers=world.auth("cb_a"), json=approval()).status_code == 403
