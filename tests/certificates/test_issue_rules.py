"""Every rule a certificate must pass at issue, each with a bad input and the message a user reads."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.world import certificate_payload

TODAY = date.today()


def post(client, world, payload, role="cb_a", body="body_a", lang="zh"):
    return client.post(f"/api/v1/bodies/{world.ids[body]}/certificates",
                       headers={**world.auth(role), "Accept-Language": lang}, json=payload)


@pytest.mark.parametrize(
    ("number", "code", "zh_fragment"),
    [
        ("00126q26001", "certificate.number_lowercase", "应使用大写字母"),
        ("00126 Q26001", "certificate.number_spaces", "不能包含空格"),
        ("00126Q26001#1", "certificate.number_chars", "「#」"),
        ("00126Q26001（1）", "certificate.number_chars", "不允许的字符"),
    ],
)
def test_certificate_number_format(client, world, number, code, zh_fragment):
    r = post(client, world, certificate_payload(world, number=number))
    assert r.status_code == 422
    assert r.json()["code"] == code and zh_fragment in r.json()["detail"]
    assert r.json()["errors"][0]["field"] == "number"


def test_number_unique_per_body_but_not_across_bodies(client, world):
    assert post(client, world, certificate_payload(world, number="SAME-1")).status_code == 201
    dup = post(client, world, certificate_payload(world, number="SAME-1", org="org2"))
    assert dup.status_code == 409 and dup.json()["code"] == "certificate.number_taken"
    other_body = post(client, world, certificate_payload(world, number="SAME-1", auditors=("2019-N1QMS-2000001",)),
                      role="cb_b", body="body_b")
    assert other_body.status_code == 201, other_body.text
    v = client.get("/api/v1/verify", params={"number": "SAME-1"}).json()
    assert v["outcome"] == "valid" and len(v["certificates"]) == 2


def test_ccc_number_must_be_16_digits_and_product_particulars_required(client, world):
    base = certificate_payload(world, scheme="CCC", standard_code="CNCA-C01-01", standard_version="2014",
                               number="2025012001000123")
    missing = post(client, world, base)
    assert missing.status_code == 422 and missing.json()["code"] == "certificate.product_required"
    product = {"name": "电线电缆", "model": "BV 2.5mm²", "factory": "北海示例线缆厂"}
    bad = post(client, world, {**base, "number": "2025-01-2001", "product": product})
    assert bad.status_code == 422 and bad.json()["code"] == "certificate.number_pattern"
    ok = post(client, world, {**base, "product": product})
    assert ok.status_code == 201, ok.text
    assert ok.json()["expires_on"] == "2030-03-01"  # CCC: 5 years


def test_body_may_certify_only_inside_its_fields(client, world):
    payload = certificate_payload(world, scheme="ISMS", standard_code="GB/T 22080", standard_version="2025")
    r = post(client, world, payload)
    assert r.status_code == 409 and r.json()["code"] == "body.field_not_approved"
    assert "SYS-ISMS" in r.json()["detail"]


def test_suspended_or_revoked_body_issues_nothing(client, world):
    for status in ("suspended", "revoked"):
        if status == "revoked":
            client.post(f"/api/v1/bodies/{world.ids['body_a']}/status", headers=world.auth("regulator"),
                        json={"status": "approved", "reason": "整改完成"})
        r = client.post(f"/api/v1/bodies/{world.ids['body_a']}/status", headers=world.auth("regulator"),
                        json={"status": status, "reason": "监督检查发现严重问题"})
        assert r.status_code == 200, r.text
        refused = post(client, world, certificate_payload(world, number=f"X-{status}"))
        assert refused.status_code == 409 and refused.json()["code"] == "body.not_approved"
        assert "不能颁发证书" in refused.json()["detail"]


def test_lapsed_approval_issues_nothing(client, world):
    r = client.patch(f"/api/v1/bodies/{world.ids['body_a']}", headers=world.auth("regulator"),
                     json={"valid_until": "2024-12-31"})
    assert r.status_code == 200
    refused = post(client, world, certificate_payload(world))
    assert refused.status_code == 409 and refused.json()["code"] == "body.approval_expired"


@pytest.mark.parametrize(
    ("auditor", "status", "code"),
    [
        ("2099-NOPE-0000001", 422, "auditor.unregistered"),
        ("2019-N1QMS-2000001", 409, "auditor.other_body"),
        ("2020-N1QMS-1000003", 409, "auditor.barred"),
    ],
)
def test_auditors_must_be_registered_own_and_not_barred(client, world, auditor, status, code):
    r = post(client, world, certificate_payload(world, auditors=(auditor,)))
    assert r.status_code == status and r.json()["code"] == code


def test_revoked_registration_cannot_audit(client, world):
    r = client.post("/api/v1/registrations/2022-N1QMS-1000002/revoke", headers=world.auth("regulator"),
                    json={"reason": "出具虚假认证结论"})
    assert r.status_code == 200
    refused = post(client, world, certificate_payload(world, auditors=("2022-N1QMS-1000002",)))
    assert refused.status_code == 409 and refused.json()["code"] == "person.registration_not_valid"


def test_listed_organization_is_refused_and_flagged(client, world):
    r = post(client, world, certificate_payload(world))
    assert r.status_code == 201
    listed = client.post("/api/v1/restrictions", headers=world.auth("regulator"),
                         json={"subject_type": "organization", "subject_id": world.ids["org1"],
                               "kind": "dishonesty_list", "reason": "提供虚假材料", "starts_on": TODAY.isoformat()})
    assert listed.status_code == 201
    again = post(client, world, certificate_payload(world, number="00126Q26777R0M/4500"))
    assert again.status_code == 409 and again.json()["code"] == "holder.dishonesty_list"
    v = client.get("/api/v1/verify", params={"number": "00126Q26001R0M/4500"}).json()
    assert v["reason"] == "holder_listed"
    assert v["certificates"][0]["holder"]["flags"] == ["dishonesty_list"]
    org = client.get(f"/api/v1/organizations/{world.ids['org1']}").json()
    assert org["flags"] == ["dishonesty_list"]


def test_holder_uscc_is_validated_with_the_reason(client, world):
    payload = certificate_payload(world)
    payload["holder"] = {"name": "新客户有限公司", "uscc": "91350100M000100Y4"}
    r = post(client, world, payload)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "holder.uscc"
    assert "18" in r.json()["detail"]
    payload["holder"]["uscc"] = "91350100M000100Y44"  # well-formed, wrong check character
    r = post(client, world, payload)
    assert r.status_code == 201, r.text
    org = client.get(f"/api/v1/organizations/{r.json()['holder']['organization_id']}").json()
    assert org["uscc_needs_check"] is True


def test_standard_version_past_transition_is_refused(client, world, sessions):
    from certbridge.db import write_session
    from certbridge.principal import SYSTEM
    from certbridge.registry import bodies

    with write_session(sessions) as s:
        bodies.change_body(s, principal=SYSTEM, body_id=world.ids["body_a"],
                           changes={"fields": ["SYS-QMS", "SYS-EMS", "PRD-CCC", "SYS-ISMS"]})
    old = certificate_payload(world, scheme="ISMS", standard_code="GB/T 22080", standard_version="2016",
                              issued_on=TODAY.isoformat())
    r = post(client, world, old)
    assert r.status_code == 422 and r.json()["code"] == "standard.transition_over"
    assert "2025-10-31" in r.json()["detail"]
    unknown = post(client, world, {**old, "standard_version": "1999"})
    assert unknown.status_code == 422 and unknown.json()["code"] == "standard.unknown"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"issued_on": (TODAY + timedelta(days=3)).isoformat()}, "issued_on", "certificate.issued_in_future"),
        ({"expires_on": "2029-03-02"}, "expires_on", "certificate.validity_too_long"),
        ({"expires_on": "2025-02-01"}, "expires_on", "date.order"),
        ({"scheme": "NOPE"}, "scheme", "scheme.not_found"),
        ({"holder": {"name": "x", "uscc": "91350100M000100Y43", "region_code": "999999"}}, "holder.region_code",
         "region.unknown"),
    ],
)
def test_field_rules(client, world, overrides, field, code):
    r = post(client, world, certificate_payload(world, **overrides))
    assert r.status_code == 422, r.text
    assert r.json()["code"] == code and r.json()["errors"][0]["field"] == field
    en = post(client, world, certificate_payload(world, **overrides), lang="en")
    assert en.json()["detail"] != r.json()["detail"] and en.json()["detail"].isascii()


def test_schema_errors_name_the_field_in_both_languages(client, world):
    payload = certificate_payload(world)
    del payload["scope"]
    payload["issued_on"] = "2025/03/01"
    payload["colour"] = "red"
    zh = post(client, world, payload).json()
    fields = {e["field"]: e["message"] for e in zh["errors"]}
    assert "缺少必填字段「scope」" == fields["scope"]
    assert "YYYY-MM-DD" in fields["issued_on"]
    assert "colour" in fields
    en = post(client, world, payload, lang="en").json()
    assert {e["field"]: e["message"] for e in en["errors"]}["scope"] == "Required field 'scope' is missing"


def test_audit_needs_auditors_and_ordered_dates(client, world):
    payload = certificate_payload(world)
    payload["audits"][0]["auditors"] = []
    r = post(client, world, payload)
    assert r.status_code == 422 and r.json()["code"] == "audit.no_auditors"
    payload = certificate_payload(world)
    payload["audits"][0]["end_on"] = "2025-02-01"
    r = post(client, world, payload)
    assert r.status_code == 422 and r.json()["code"] == "date.order"
