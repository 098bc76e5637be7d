"""Regulators manage the registries; every bad input gets its reason; the public reads."""

from __future__ import annotations

import pytest


def test_register_organization_with_identifiers_and_region_from_uscc(client, world):
    r = client.post("/api/v1/organizations", headers=world.auth("regulator"),
                    json={"name": "福州示例机械有限公司", "uscc": "91350100M000100Y43",
                          "identifiers": [{"scheme": "org_code", "value": "M000100Y4"},
                                          {"scheme": "lei", "value": "5493001KJTIIGC8Y1R12"}]})
    assert r.status_code == 201, r.text
    org = r.json()
    assert org["region_code"] == "350100"
    assert {(i["scheme"], i["value"]) for i in org["identifiers"]} == {
        ("uscc", "91350100M000100Y43"), ("org_code", "M000100Y4"), ("lei", "5493001KJTIIGC8Y1R12")}
    dup = client.post("/api/v1/organizations", headers=world.auth("regulator"),
                      json={"name": "另一家", "uscc": "91350100m000100y43"})
    assert dup.status_code == 409 and dup.json()["code"] == "organization.uscc_taken"
    found = client.get("/api/v1/organizations", params={"uscc": "91350100M000100Y43"}).json()["items"]
    assert [o["name"] for o in found] == ["福州示例机械有限公司"]


@pytest.mark.parametrize(
    ("uscc", "code", "fragment"),
    [
        ("91350100M000100Y4", "uscc.length", "18"),
        ("91350100M0O0100Y43", "uscc.bad_character", "O"),
        ("91350100M000100Y4Z", "uscc.bad_character", "Z"),
    ],
)
def test_invalid_uscc_is_refused_with_the_reason(client, world, uscc, code, fragment):
    r = client.post("/api/v1/organizations", headers=world.auth("regulator"), json={"name": "某公司", "uscc": uscc})
    assert r.status_code == 422
    assert r.json()["code"] == code and fragment in r.json()["detail"]
    assert r.json()["errors"][0]["field"] == "uscc"


def test_uscc_endpoint_explains_expected_check_character(client):
    r = client.get("/api/v1/uscc/91350100M000100Y44", headers={"Accept-Language": "en"}).json()
    assert r["status"] == "checksum_failed"
    assert any("3" in m for m in r["messages"])
    assert client.get("/api/v1/uscc/91350100M000100Y43").json() == {
        "code": "91350100M000100Y43", "status": "valid", "messages": [], "warnings": []}


def test_merge_moves_identifiers_certificates_and_keeps_history(client, world):
    from tests.world import certificate_payload

    a = client.post("/api/v1/organizations", headers=world.auth("regulator"),
                    json={"name": "重复登记公司", "uscc": "91350100M000100Y43",
                          "identifiers": [{"scheme": "reg_no", "value": "450500000012345"}]}).json()
    payload = certificate_payload(world, number="MERGE-1")
    payload["holder"] = {"name": "重复登记公司", "uscc": "91350100M000100Y43"}
    cert = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_a"),
                       json=payload).json()
    r = client.post(f"/api/v1/organizations/{world.ids['org2']}/merge", headers=world.auth("regulator"),
                    json={"source_id": a["id"], "reason": "同一法人重复登记"})
    assert r.status_code == 200, r.text
    assert ("reg_no", "450500000012345") in {(i["scheme"], i["value"]) for i in r.json()["identifiers"]}
    assert client.get(f"/api/v1/organizations/{a['id']}").json()["merged_into_id"] == world.ids["org2"]
    moved = client.get(f"/api/v1/certificates/{cert['id']}").json()
    assert moved["holder"]["organization_id"] == world.ids["org2"]
    assert client.get(f"/api/v1/certificates/{cert['id']}/history").json()[-1]["type"] == "certificate.holder_merged"


def test_body_approval_rules(client, world):
    base = {"code": "00999", "approval_number": "CNCA-R-2026-999", "name": "新设认证有限公司",
            "fields": ["SYS-QMS"], "approved_on": "2026-01-05"}
    bad_number = client.post("/api/v1/bodies", headers=world.auth("regulator"), json={**base, "approval_number": "R-2026-1"})
    assert bad_number.status_code == 422 and "CNCA-R" in bad_number.json()["detail"]
    foreign = client.post("/api/v1/bodies", headers=world.auth("regulator"), json={**base, "foreign_invested": True})
    assert foreign.status_code == 422 and foreign.json()["code"] == "body.approval_number_kind"
    unknown_field = client.post("/api/v1/bodies", headers=world.auth("regulator"), json={**base, "fields": ["NOPE"]})
    assert unknown_field.status_code == 422 and "NOPE" in unknown_field.json()["detail"]
    ok = client.post("/api/v1/bodies", headers=world.auth("regulator"), json=base)
    assert ok.status_code == 201 and ok.json()["status"] == "approved"
    dup = client.post("/api/v1/bodies", headers=world.auth("regulator"), json={**base, "code": "01000"})
    assert dup.status_code == 409 and dup.json()["code"] == "body.approval_number_taken"
    by_cb = client.post("/api/v1/bodies", headers=world.auth("cb_a"), json={**base, "code": "01001"})
    assert by_cb.status_code == 403 and by_cb.json()["code"] == "auth.regulator_only"


def test_body_status_state_machine(client, world):
    url = f"/api/v1/bodies/{world.ids['body_b']}/status"
    h = world.auth("regulator")
    assert client.post(url, headers=h, json={"status": "approved", "reason": "x"}).status_code == 409
    assert client.post(url, headers=h, json={"status": "suspended", "reason": "年度报告未提交"}).status_code == 200
    assert client.post(url, headers=h, json={"status": "revoked", "reason": "整改不到位"}).status_code == 200
    final = client.post(url, headers=h, json={"status": "approved", "reason": "x"})
    assert final.status_code == 409 and "撤销批准" in final.json()["detail"]
    body = client.get(f"/api/v1/bodies/{world.ids['body_b']}").json()
    assert body["status"] == "revoked" and body["status_reason"] == "整改不到位"


def test_labs_directory_and_operator_scope(client, world):
    lab_url = f"/api/v1/labs/{world.ids['lab']}"
    new_scope = {"capabilities": [{"category": "食品", "item": "镉的测定", "standard": "GB 5009.15-2023"}]}
    r = client.patch(lab_url, headers=world.auth("lab"), json=new_scope)  # the scope changes only through a case
    assert r.status_code == 409 and r.json()["code"] == "lab.scope_through_case"
    r = client.patch(lab_url, headers=world.auth("regulator"), json=new_scope)
    assert r.status_code == 200 and r.json()["capabilities"][0]["item"] == "镉的测定"
    status = client.patch(lab_url, headers=world.auth("lab"), json={"status": "valid"})
    assert status.status_code == 422 and status.json()["code"] == "lab.status_regulator_only"
    other = client.patch(lab_url, headers=world.auth("cb_a"), json={"name": "x"})
    assert other.status_code == 403
    bad = client.post("/api/v1/labs", headers=world.auth("regulator"),
                      json={"cma_number": "12AB", "name": "x", "qualified_on": "2025-01-01"})
    assert bad.status_code == 422 and "12 位数字" in bad.json()["detail"]
    listing = client.get("/api/v1/labs").json()["items"]
    assert listing[0]["valid_until"] == "2030-03-01"  # 6 years by default


def test_people_directory_hides_inspectors_from_the_public(client, world):
    public = client.get("/api/v1/people").json()["items"]
    assert {p["kind"] for p in public} == {"auditor"}
    regulator = client.get("/api/v1/people", headers=world.auth("regulator")).json()["items"]
    assert "inspector" in {p["kind"] for p in regulator}
    hidden = client.get(f"/api/v1/people/{world.ids['inspector']}")
    assert hidden.status_code == 404
    bad = client.post("/api/v1/people", headers=world.auth("regulator"), json={"name": "无机构", "kind": "auditor"})
    assert bad.status_code == 422 and bad.json()["code"] == "person.auditor_needs_body"


def test_regions_come_from_gb2260(client):
    provinces = client.get("/api/v1/regions").json()
    assert len(provinces) == 34 and {"code": "450000", "name": "广西壮族自治区", "level": "province",
                                     "parent_code": None, "full_name": "广西壮族自治区"} in provinces
    beihai = client.get("/api/v1/regions", params={"parent": "450500"}).json()
    assert {r["name"] for r in beihai} >= {"海城区", "银海区", "铁山港区", "合浦县"}


def test_standards_and_schemes_show_configurable_rules(client):
    schemes = {s["code"]: s for s in client.get("/api/v1/schemes").json()}
    assert schemes["CCC"]["validity_years"] == 5 and schemes["CCC"]["max_suspension_months"] == 12
    assert schemes["QMS"]["max_suspension_months"] == 6 and schemes["QMS"]["reapply_block_months"] == 12
    isms = client.get("/api/v1/standards", params={"scheme": "ISMS"}).json()
    old = next(s for s in isms if s["version"] == "2016")
    assert old["transition_deadline"] == "2025-10-31" and old["superseded_by_id"] is not None


def test_restrictions_impose_and_lift(client, world):
    r = client.post("/api/v1/restrictions", headers=world.auth("regulator"),
                    json={"subject_type": "organization", "subject_id": world.ids["org2"], "kind": "dishonesty_list",
                          "reason": "虚假宣传", "starts_on": "2026-01-01", "ends_on": "2025-01-01"})
    assert r.status_code == 422 and r.json()["code"] == "date.order"
    r = client.post("/api/v1/restrictions", headers=world.auth("regulator"),
                    json={"subject_type": "organization", "subject_id": world.ids["org2"], "kind": "dishonesty_list",
                          "reason": "虚假宣传", "starts_on": "2026-01-01"})
    rid = r.json()["id"]
    listed = client.get("/api/v1/restrictions", params={"subject_type": "organization",
                                                        "subject_id": world.ids["org2"]}).json()
    assert [x["id"] for x in listed] == [rid]
    assert client.post(f"/api/v1/restrictions/{rid}/lift", headers=world.auth("regulator"),
                       json={"reason": "信用修复"}).status_code == 200
    assert client.get("/api/v1/restrictions", params={"subject_type": "organization",
                                                      "subject_id": world.ids["org2"]}).json() == []
