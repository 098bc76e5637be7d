"""What a buyer learns when verifying, including which "not found" case it is, and the search box."""

from __future__ import annotations


def test_not_found_cases_are_distinct(client, world, issue):
    issue()
    none = client.get("/api/v1/verify", params={"number": "00126Q99999"}).json()
    assert none["outcome"] == "not_found" and none["reason"] == "no_such_number"
    assert "可能是伪造证书" in none["message"]
    wrong_body = client.get("/api/v1/verify", params={"number": "00126Q26001R0M/4500", "body": "00213"}).json()
    assert wrong_body["reason"] == "no_such_number_from_body" and "00213" in wrong_body["message"]
    unknown_body = client.get("/api/v1/verify", params={"number": "00126Q26001R0M/4500", "body": "99999"}).json()
    assert unknown_body["reason"] == "unknown_body"
    by_body = client.get("/api/v1/verify", params={"number": "00126Q26001R0M/4500", "body": "CNCA-R-2002-126"}).json()
    assert by_body["outcome"] == "valid"


def test_not_valid_says_status_date_and_reason(client, issue, act):
    cert = issue()
    act(cert["id"], "withdraw", reason="获证组织拒绝监督审核", cause="other")
    v = client.get("/api/v1/verify", params={"number": cert["number"]}, headers={"Accept-Language": "en"}).json()
    assert v["outcome"] == "not_valid" and v["reason"] == "withdrawn"
    c = v["certificates"][0]
    assert c["status_meaning"] == "Withdrawn" and c["valid_now"] is False
    assert "withdrawn on" in v["message"] and "获证组织拒绝监督审核" in v["message"]


def test_verify_by_uscc(client, world, issue):
    issue()
    v = client.get(f"/api/v1/verify/holder/{world.uscc['org1']}").json()
    assert v["outcome"] == "valid" and v["certificates"][0]["holder"]["name"] == "北海市海城区示例电子有限公司"
    nothing = client.get(f"/api/v1/verify/holder/{world.uscc['org2']}").json()
    assert nothing["reason"] == "organization_has_no_certificates"
    unknown = client.get("/api/v1/verify/holder/91350100M000100Y43").json()
    assert unknown["reason"] == "unknown_organization"


def test_search_box_understands_numbers_codes_and_names(client, world, issue):
    issue()
    issue(number="00126Q26002R0M/4500", org="org2")
    for q in ("00126Q26001R0M/4500", world.uscc["org1"], "海城", "示例电子", "北海市海城区示例电子有限公司"):
        items = client.get("/api/v1/certificates", params={"q": q}).json()["items"]
        assert [i["number"] for i in items] == ["00126Q26001R0M/4500"], q
    two_chars = client.get("/api/v1/certificates", params={"q": "格力"}).json()["items"]
    assert [i["holder"]["name"] for i in two_chars] == ["北海格力电器配件有限公司"]
    traditional = client.get("/api/v1/certificates", params={"q": "格力電器"}).json()["items"]
    assert len(traditional) == 1
    both = client.get("/api/v1/certificates", params={"q": "北海"}).json()["items"]
    assert len(both) == 2
    assert client.get("/api/v1/certificates", params={"q": "华为"}).json()["items"] == []


def test_filters_and_cursor_pagination(client, world, issue, act):
    numbers = [f"00126Q2600{i}R0M/4500" for i in range(5)]
    ids = [issue(number=n)["id"] for n in numbers]
    act(ids[0], "suspend")
    page1 = client.get("/api/v1/certificates", params={"limit": 2, "status": "valid"}).json()
    assert len(page1["items"]) == 2 and page1["next_cursor"]
    page2 = client.get("/api/v1/certificates", params={"limit": 2, "status": "valid",
                                                      "cursor": page1["next_cursor"]}).json()
    page3 = client.get("/api/v1/certificates", params={"limit": 2, "status": "valid",
                                                      "cursor": page2["next_cursor"]}).json()
    seen = [i["number"] for p in (page1, page2, page3) for i in p["items"]]
    assert seen == numbers[1:] and page3["next_cursor"] is None
    region = client.get("/api/v1/certificates", params={"region": "450000"}).json()["items"]
    assert len(region) == 5  # the holder is in 450502, under Guangxi
    assert client.get("/api/v1/certificates", params={"region": "110000"}).json()["items"] == []
    bad = client.get("/api/v1/certificates", params={"cursor": "garbage!"})
    assert bad.status_code == 422 and bad.json()["code"] == "pagination.bad_cursor"
