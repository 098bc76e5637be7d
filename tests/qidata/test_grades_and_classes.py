"""Graded certification: schemes define grades and sector variants, certificates carry them (API, import),
search filters by grade. Organization classes: size by the 2017 rules, sector, and coverage counts that sum."""

from __future__ import annotations

import random

import pytest

from certbridge.kit.uscc import generate_uscc
from certbridge.orgclasses.size_rules import size_class
from tests.world import certificate_payload


def _grades(client, world):
    auth = world.auth("regulator")
    for item in ({"code": "CONSTRUCTION", "kind": "sector", "name": "工程建设施工企业质量管理（GB/T 50430）",
                  "name_en": "Construction enterprises (GB/T 50430)"},
                 {"code": "AAA", "kind": "grade", "rank": 3, "name": "AAA 级", "name_en": "Grade AAA"}):
        r = client.post("/api/v1/schemes/QMS/grades", headers=auth, json=item)
        assert r.status_code == 201, r.text
    return r.json()


def _issue(client, world, number, **overrides):
    r = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_a"),
                    json=certificate_payload(world, number=number, **overrides))
    return r


def test_a_graded_certificate_is_found_by_its_grade(client, world):
    scheme = _grades(client, world)
    assert [(g["code"], g["kind"]) for g in scheme["grades"]] == [("AAA", "grade"), ("CONSTRUCTION", "sector")]
    graded = _issue(client, world, "00126Q26101R0M/4500", grade="construction")
    assert graded.status_code == 201, graded.text
    assert _issue(client, world, "00126Q26102R0M/4500", org="org2").status_code == 201
    imported = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates/import", headers=world.auth("cb_a"),
                           files={"file": ("c.csv", (
                               "证书编号,认证项目,认证依据,标准版本,获证组织名称,统一社会信用代码,认证范围,颁证日期,认证等级\n"
                               f"00126Q26103R0M/4500,QMS,GB/T 19001,2016,北海格力电器配件有限公司,{world.uscc['org2']},"
                               "空调配件的生产,2025-03-01,AAA\n").encode(), "text/csv")})
    assert imported.status_code == 200, imported.text

    def numbers(**params):
        items = client.get("/api/v1/certificates", params=params).json()["items"]
        return sorted((i["number"], i["grade"]) for i in items)

    assert numbers(grade="CONSTRUCTION") == [("00126Q26101R0M/4500", "CONSTRUCTION")]
    assert numbers(grade="aaa", scheme="QMS") == [("00126Q26103R0M/4500", "AAA")]
    assert numbers(grade="AAA", q="格力") == [("00126Q26103R0M/4500", "AAA")]  # the name search path too
    assert len(numbers(scheme="QMS")) == 3
    page = client.get(f"/certificates/{graded.json()['id']}")
    assert page.status_code == 200 and "CONSTRUCTION · 工程建设施工企业质量管理（GB/T 50430）" in page.text


def test_grades_a_scheme_does_not_define_are_refused(client, world):
    _grades(client, world)
    r = _issue(client, world, "00126Q26111R0M/4500", grade="BBB")
    assert r.status_code == 422 and r.json()["code"] == "grade.unknown"
    assert "AAA" in r.json()["detail"] and "CONSTRUCTION" in r.json()["detail"]
    r = _issue(client, world, "00126E26112R0M/4500", scheme="EMS", grade="AAA", standard_code="GB/T 24001")
    assert r.status_code == 422 and r.json()["code"] == "grade.not_offered"
    again = client.post("/api/v1/schemes/QMS/grades", headers=world.auth("regulator"),
                        json={"code": "AAA", "name": "AAA", "name_en": "AAA"})
    assert again.status_code == 409
    assert client.post("/api/v1/schemes/QMS/grades", headers=world.auth("cb_a"),
                       json={"code": "AA", "name": "AA", "name_en": "AA"}).status_code == 403


@pytest.mark.parametrize(("industry", "figures", "expected"), [
    ("industrial", {"employees": 1000, "revenue_10k": 40000}, "large"),
    ("industrial", {"employees": 999, "revenue_10k": 40000}, "medium"),  # both limits, else one class down
    ("industrial", {"employees": 300, "revenue_10k": 2000}, "medium"),
    ("industrial", {"employees": 20, "revenue_10k": 300}, "small"),
    ("industrial", {"employees": 19, "revenue_10k": 90000}, "micro"),  # micro needs only one indicator
    ("industrial", {"employees": 500}, None),  # not enough to say
    ("retail", {"employees": 9}, "micro"),
    ("construction", {"revenue_10k": 80000, "assets_10k": 80000}, "large"),
    ("real_estate", {"revenue_10k": 200000, "assets_10k": 9999}, "medium"),
    ("software", {"employees": 100, "revenue_10k": 1000}, "medium"),
    ("other", {"employees": 10}, "small"),
])
def test_size_class_follows_the_2017_rules(industry, figures, expected):
    assert size_class(industry, **figures) == expected


def test_coverage_by_size_class_sector_and_region_sums_to_the_certified_total(client, world):
    rng = random.Random(24)
    auth = world.auth("regulator")
    fujian = generate_uscc(rng, region="350100")
    shanxi = generate_uscc(rng, region="140100")
    holders = [("org1", None, None), ("org2", None, None),
               (None, "福州示例软件有限公司", fujian), (None, "太原示例物业有限公司", shanxi)]
    for index, (org, name, uscc) in enumerate(holders):
        payload = certificate_payload(world, number=f"00126Q2620{index}R0M/4500", org=org or "org1")
        if name:
            payload["holder"] = {"name": name, "uscc": uscc, "address": "示例路 1 号"}
        r = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_a"),
                        json=payload)
        assert r.status_code == 201, r.text
    orgs = {o["name"]: o["id"] for o in client.get("/api/v1/organizations", params={"limit": 50}).json()["items"]}
    classes = {
        "北海市海城区示例电子有限公司": {"sector_code": "C39", "employees": 50, "revenue_10k": 800},
        "北海格力电器配件有限公司": {"sector_code": "c38", "employees": 400, "revenue_10k": 5000},
        "福州示例软件有限公司": {"sector_code": "65", "employees": 8, "revenue_10k": 2000},
    }  # 太原示例物业 stays unclassified
    for name, data in classes.items():
        r = client.put(f"/api/v1/organizations/{orgs[name]}/classes", headers=auth, json=data)
        assert r.status_code == 200, r.text
    soft = client.put(f"/api/v1/organizations/{orgs['福州示例软件有限公司']}/classes", headers=auth,
                      json=classes["福州示例软件有限公司"]).json()
    assert soft["size_class"] == "micro" and soft["sector_code"] == "I65" and soft["service_company"] is True

    def cov(by, as_of="2026-01-01"):
        r = client.get("/api/v1/coverage", params={"by": by, "as_of": as_of})
        assert r.status_code == 200, r.text
        body = r.json()
        assert sum(body["groups"].values()) == body["total"]
        return body

    assert cov("size_class")["groups"] == {"small": 1, "medium": 1, "micro": 1, "unknown": 1}
    assert cov("size_class")["total"] == 4
    assert cov("sector")["groups"] == {"C": 2, "I": 1, "unknown": 1}
    assert cov("region_group")["groups"] == {"west": 2, "east": 1, "central": 1}
    assert cov("service_company")["groups"] == {"service": 1, "other": 3}
    assert cov("size_class", "2024-06-01") == {"as_of": "2024-06-01", "by": "size_class", "total": 0, "groups": {}}
    assert cov("region_group", "2028-06-01")["total"] == 0  # three-year certificates have expired by then
    r = client.put(f"/api/v1/organizations/{orgs['太原示例物业有限公司']}/classes", headers=auth,
                   json={"sector_code": "A38"})
    assert r.status_code == 422 and r.json()["code"] == "orgclass.sector_unknown"
    r = client.put(f"/api/v1/organizations/{orgs['太原示例物业有限公司']}/classes", headers=auth,
                   json={"sector_code": "K70", "size_industry": "property_mgmt", "employees": 150, "revenue_10k": 600})
    assert r.status_code == 200 and r.json()["size_class"] == "small"
    assert cov("size_class")["groups"] == {"small": 2, "medium": 1, "micro": 1}
