"""The public-service directory: a company finds a lab by what it needs tested, and compares labs."""

from __future__ import annotations

from datetime import date

from certbridge.db import write_session
from certbridge.principal import SYSTEM
from certbridge.registry import labs


def _second_lab(sessions) -> int:
    with write_session(sessions) as session:
        lab = labs.qualify_lab(session, principal=SYSTEM, cma_number="241500340999", name="南宁市电器安全检测中心",
                               qualified_on=date(2024, 3, 1), region_code="450100",
                               capabilities=[{"category": "家用电器", "item": "泄漏电流", "standard": "GB 4706.1-2005"},
                                             {"category": "食品", "item": "镉的测定", "standard": "GB 5009.15-2023"}])
        return lab.id


def test_a_lab_is_found_by_test_parameter_and_standard_and_compared(client, sessions, world):
    other = _second_lab(sessions)
    found = client.get("/api/v1/directory/labs", params={"parameter": "铅"}).json()
    assert [p["name"] for p in found] == ["北海市产品质量检验所"]
    assert found[0]["matched"] == [{"category": "食品", "item": "铅的测定", "standard": "GB 5009.12-2023"}]
    assert found[0]["penalties"] == [] and found[0]["spot_checks"] == []
    by_standard = client.get("/api/v1/directory/labs", params={"standard": "gb 4706.1"}).json()
    assert [p["id"] for p in by_standard] == [other]
    both = client.get("/api/v1/directory/labs", params={"parameter": "食品"}).json()
    assert len(both) == 2
    in_beihai = client.get("/api/v1/directory/labs", params={"parameter": "食品", "region": "450500"}).json()
    assert [p["id"] for p in in_beihai] == [world.ids["lab"]]
    refused = client.get("/api/v1/directory/labs", headers={"Accept-Language": "en"})
    assert refused.status_code == 422 and "test parameter" in refused.json()["detail"]
    page = client.get("/directory", params={"parameter": "泄漏电流"})
    assert page.status_code == 200 and "南宁市电器安全检测中心" in page.text and "北海市产品质量检验所" not in page.text
    compare = client.get(f"/directory/compare?lab={world.ids['lab']}&lab={other}")
    assert "镉的测定" in compare.text and "铅的测定" in compare.text


def test_bodies_are_found_by_scheme(client, world):
    found = client.get("/api/v1/directory/bodies", params={"scheme": "ccc"}).json()
    assert [b["id"] for b in found] == [world.ids["body_a"]]
    assert client.get("/api/v1/directory/bodies", params={"scheme": "NOPE"}).status_code == 422
