"""Standards service: search by Chinese and English title and number fragments, supersession and deadlines,
equivalences, the catalogue import's all-or-nothing row errors, and the labs that test to a standard."""

from __future__ import annotations

from tests.qidata.helpers import CATALOGUE, find, import_catalogue, standard_id


def test_catalogue_import_then_search_by_number_fragment_chinese_and_english(client, world):
    r = import_catalogue(client, world)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 7 and r.json()["updated"] == 1 and r.json()["equivalences"] == 2
    assert find(client, "19001") == ["GB/T 19001-2016"]
    assert find(client, "gbt 19001") == ["GB/T 19001-2016"]
    assert find(client, "GB/T19001-2016") == ["GB/T 19001-2016"]
    assert find(client, "9001:2015") == ["DIN EN ISO 9001:2015", "ISO 9001:2015"]
    assert find(client, "4706") == ["GB 4706.1-2005", "GB 4706.1-2024"]
    assert find(client, "铅的测定") == ["GB 5009.12-2023", "GB/T 5009.12-1996"]
    assert find(client, "家用和类似用途电器") == ["GB 4706.1-2005", "GB 4706.1-2024", "IEC 60335-1:2020"]
    assert find(client, "Quality Management") == ["GB/T 19001-2016", "ISO 9001:2015"]
    assert find(client, "qualitätsmanagement") == ["DIN EN ISO 9001:2015"]
    assert find(client, "household", status="current") == ["GB 4706.1-2024", "IEC 60335-1:2020"]
    assert find(client, "铅", status="withdrawn") == ["GB/T 5009.12-1996"]
    assert find(client, "zzz-no-such") == []
    kinds = {i["number"]: i["kind"] for i in client.get("/api/v1/standards/search", params={"q": "9001"}).json()["items"]}
    assert kinds == {"GB/T 19001-2016": "national_recommended", "ISO 9001:2015": "international",
                     "DIN EN ISO 9001:2015": "foreign"}


def test_supersession_carries_status_and_transition_deadline_both_ways(client, world):
    import_catalogue(client, world)
    old = client.get(f"/api/v1/standards/{standard_id(client, 'GB 4706.1-2005')}").json()
    new = client.get(f"/api/v1/standards/{standard_id(client, 'GB 4706.1-2024')}").json()
    assert old["status"] == "superseded" and old["transition_deadline"] == "2026-08-01"
    assert old["superseded_by_id"] == new["id"]
    assert [v["number"] for v in new["versions"]] == ["GB 4706.1-2005", "GB 4706.1-2024"]
    assert [s["number"] for s in new["supersedes"]] == ["GB 4706.1-2005"]
    assert new["status"] == "current" and new["schemes"] == ["CCC"]
    # The reference data's own supersession (GB/T 22080-2016 by -2025) reads the same way.
    isms = client.get(f"/api/v1/standards/{standard_id(client, 'GB/T 22080-2016')}").json()
    assert isms["status"] == "superseded" and isms["transition_deadline"] == "2025-10-31"


def test_equivalences_read_from_either_side(client, world):
    import_catalogue(client, world)
    gb = client.get(f"/api/v1/standards/{standard_id(client, 'GB 4706.1-2024')}").json()
    assert [(e["other"]["number"], e["degree"]) for e in gb["equivalences"]] == [("IEC 60335-1:2020", "MOD")]
    iec = client.get(f"/api/v1/standards/{standard_id(client, 'IEC 60335-1:2020')}").json()
    assert [(e["other"]["number"], e["degree"]) for e in iec["equivalences"]] == [("GB 4706.1-2024", "MOD")]
    qms = client.get(f"/api/v1/standards/{standard_id(client, 'GB/T 19001-2016')}").json()
    assert [(e["other"]["number"], e["degree"]) for e in qms["equivalences"]] == [("ISO 9001:2015", "IDT")]
    r = client.post(f"/api/v1/standards/{gb['id']}/equivalences", headers=world.auth("regulator"),
                    json={"foreign_id": standard_id(client, "GB 4706.1-2005"), "degree": "IDT"})
    assert r.status_code == 422 and r.json()["code"] == "standard.not_foreign"
    r = client.post(f"/api/v1/standards/{gb['id']}/equivalences", headers=world.auth("cb_a"),
                    json={"foreign_id": iec["id"], "degree": "IDT"})
    assert r.status_code == 403


def test_a_catalogue_with_bad_rows_writes_nothing_and_names_each_row(client, world):
    bad = CATALOGUE + "\n".join([
        "GB/T 99999-2020,一个好行,,QMS,SAC,2020-01-01,现行,,,,",
        "GB/T 88888,没有年代号,,QMS,SAC,,现行,,,,",
        "GB/T 77777-2020,状态不对,,QMS,SAC,,作废了,,,,",
        "GB/T 66666-2020,对应不存在,,QMS,SAC,,现行,,,ISO 0000:1999,IDT",
        "GB/T 55555-2020,程度不对,,QMS,SAC,,现行,,,ISO 9001:2015,XYZ",
        "GB/T 44444-2020,日期不对,,QMS,SAC,2020-13-45,现行,,,,",
        "GB/T 33333-2020,没有项目,,,SAC,,现行,,,,",
    ]) + "\n"
    r = import_catalogue(client, world, bad)
    assert r.status_code == 422
    errors = {(e["row"], e["code"]) for e in r.json()["errors"]}
    assert errors == {(11, "standard.version_missing"), (12, "standard.status_unknown"),
                      (13, "standard.equivalent_unknown"), (14, "standard.degree_unknown"),
                      (15, "standard.date_format"), (16, "field.required")}
    assert all(e["message"] for e in r.json()["errors"])
    assert find(client, "99999") == [] and find(client, "4706") == []  # nothing of the file was written
    dry = import_catalogue(client, world, CATALOGUE, dry_run="true")
    assert dry.status_code == 200 and dry.json()["created"] == 7 and find(client, "4706") == []
    assert import_catalogue(client, world).json()["committed"] is True
    again = import_catalogue(client, world)  # the same file again: every row an update, nothing new
    assert again.json()["created"] == 0 and again.json()["updated"] == 8


def test_only_regulators_import_and_enter_standards(client, world):
    r = client.post("/api/v1/standards/import", headers=world.auth("cb_a"),
                    files={"file": ("c.csv", CATALOGUE.encode(), "text/csv")})
    assert r.status_code == 403
    r = client.put("/api/v1/standards/catalogue", headers=world.auth("regulator"), json={
        "code": "JB/T 10000", "version": "2019", "title": "机械行业示例标准", "scheme_code": "VOL",
        "status": "withdrawn"})
    assert r.status_code == 422 and r.json()["code"] == "standard.withdrawn_needs_date"
    r = client.put("/api/v1/standards/catalogue", headers=world.auth("regulator"), json={
        "code": "JB/T 10000", "version": "2019", "title": "机械行业示例标准", "scheme_code": "VOL"})
    assert r.status_code == 200 and r.json()["kind"] == "industry" and r.json()["number"] == "JB/T 10000-2019"


def test_labs_approved_to_test_to_a_standard(client, world):
    # The world's lab lists 铅的测定 to "GB 5009.12-2023" before the catalogue has it: the import links it.
    import_catalogue(client, world)
    std = client.get(f"/api/v1/standards/{standard_id(client, 'GB 5009.12-2023')}").json()
    assert [(lab["name"], lab["item"], lab["restricted"]) for lab in std["labs"]] == [
        ("北海市产品质量检验所", "铅的测定", False)]
    # A lab saved afterwards naming the number without its year is linked to the newest version.
    r = client.post("/api/v1/labs", headers=world.auth("regulator"), json={
        "cma_number": "241500340999", "name": "南宁食品检测中心", "qualified_on": "2025-01-01",
        "capabilities": [{"category": "食品", "item": "铅的测定", "standard": "GB 5009.12"}]})
    assert r.status_code == 201, r.text
    std = client.get(f"/api/v1/standards/{std['id']}").json()
    assert sorted(lab["name"] for lab in std["labs"]) == ["北海市产品质量检验所", "南宁食品检测中心"]
    page = client.get(f"/standards/{std['id']}")
    assert page.status_code == 200 and "南宁食品检测中心" in page.text and "食品安全国家标准 食品中铅的测定" in page.text
