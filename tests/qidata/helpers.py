"""Shared steps of the quality-infrastructure tests: a catalogue file, a proficiency round, its results."""

from __future__ import annotations

CATALOGUE = "\n".join([
    "标准号,标准名称,英文名称,认证项目,发布机构,发布日期,状态,代替版本,过渡期截止日期,对应国际标准,一致性程度,废止日期",
    "ISO 9001:2015,质量管理体系 要求,Quality management systems — Requirements,QMS,ISO,2015-09-15,现行,,,,",
    "DIN EN ISO 9001:2015,质量管理体系 要求（德国）,Qualitätsmanagementsysteme — Anforderungen,QMS,DIN,2015-11-01,现行,,,,",
    "GB/T 19001-2016,质量管理体系 要求,Quality management systems — Requirements,QMS,SAC,2016-12-30,现行,,,"
    "ISO 9001:2015,IDT",
    "IEC 60335-1:2020,家用和类似用途电器 安全 第1部分,Household and similar electrical appliances — Safety — "
    "Part 1: General requirements,CCC,IEC,2020-09-01,现行,,,,",
    "GB 4706.1-2005,家用和类似用途电器的安全 第1部分：通用要求,Household appliances safety part 1,CCC,SAC,"
    "2005-08-26,现行,,,,",
    "GB 4706.1-2024,家用和类似用途电器的安全 第1部分：通用要求,Household appliances safety part 1,CCC,SAC,"
    "2024-03-15,现行,2005,2026-08-01,IEC 60335-1:2020,MOD",
    "GB 5009.12-2023,食品安全国家标准 食品中铅的测定,Determination of lead in foods,FSMS,NHC,2023-09-06,现行,,,,",
    "GB/T 5009.12-1996,食品中铅的测定,Determination of lead in foods (old),FSMS,MOH,1996-06-19,废止,,,,,2004-01-01",
]) + "\n"


def import_catalogue(client, world, text: str = CATALOGUE, **params):
    """Upload a catalogue CSV as the regulator; return the response."""
    return client.post("/api/v1/standards/import", headers=world.auth("regulator"), params=params,
                       files={"file": ("catalogue.csv", text.encode("utf-8"), "text/csv")})


def find(client, q: str, **params) -> list[str]:
    """Return the numbers a standards search finds."""
    r = client.get("/api/v1/standards/search", params={"q": q, **params})
    assert r.status_code == 200, r.text
    return sorted(item["number"] for item in r.json()["items"])


def standard_id(client, number: str) -> int:
    """Return the id of the standard written `number`."""
    items = [i for i in client.get("/api/v1/standards/search", params={"q": number}).json()["items"]
             if i["number"] == number]
    assert len(items) == 1, (number, items)
    return items[0]["id"]


def pt_round(client, world, *, code: str, held_on: str, scheme_code: str = "CNAS-T0999", foreign: str | None = None,
             parameter: str = "铅的测定") -> int:
    """Record a proficiency-testing round (creating its scheme on first use); return the round id."""
    auth = world.auth("regulator")
    schemes = {s["code"]: s["id"] for s in client.get("/api/v1/proficiency/schemes").json()}
    if scheme_code not in schemes:
        r = client.post("/api/v1/proficiency/schemes", headers=auth, json={
            "code": scheme_code, "name": "食品中重金属测定能力验证", "provider": "中国合格评定国家认可中心",
            "foreign_source": foreign})
        assert r.status_code == 201, r.text
        schemes[scheme_code] = r.json()["id"]
    r = client.post(f"/api/v1/proficiency/schemes/{schemes[scheme_code]}/rounds", headers=auth, json={
        "code": code, "parameter": parameter, "method": "GB 5009.12-2023", "held_on": held_on})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def pt_result(client, world, round_id: int, outcome: str, z: float | None = None, lab_id: int | None = None):
    """Record the world lab's result in a round; return the response."""
    return client.post(f"/api/v1/proficiency/rounds/{round_id}/results", headers=world.auth("regulator"),
                       json={"lab_id": lab_id or world.ids["lab"], "outcome": outcome, "z_score": z})
