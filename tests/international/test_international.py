"""International recognition end to end, in process: foreign bodies and holders, accreditation and its MLA
verdict in verification, the IAF export, demonstration zones against the statistics, regional brands."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from certbridge.db import read_session
from certbridge.ledger.integrate import integrate_pending
from certbridge.stats import queries
from tests.web.conftest import post_form, sign_in
from tests.world import certificate_payload

ISSUED = "2025-06-02"


def _foreign_body(client, world, fields=("SYS-QMS", "SYS-OTHER", "PRD-VOL")) -> dict:
    r = client.post("/api/v1/bodies/foreign", headers=world.auth("regulator"), json={
        "country": "GB", "foreign_id": "01234567", "name": "Example Certification Ltd",
        "fields": list(fields), "registered_on": "2010-01-04"})
    assert r.status_code == 201, r.text
    return r.json()


def _foreign_certificate(number: str, scheme: str = "QMS", **extra) -> dict:
    payload = {"number": number, "scheme": scheme, "scope": "Design and manufacture of valves",
               "issued_on": ISSUED, "country": "GB",
               "holder": {"name": "Example Valves Ltd", "country": "GB", "foreign_id": "SC123456",
                          "address": "1 High Street, Glasgow"}}
    payload.update(extra)
    return payload


def _issue(client, world, body_id: int, payload: dict, role: str = "regulator"):
    return client.post(f"/api/v1/bodies/{body_id}/certificates", headers=world.auth(role), json=payload)


def test_a_foreign_certificate_under_an_mla_signatory_verifies_with_that_label(client, world):
    body = _foreign_body(client, world)
    assert body["code"] == "FGB001" and body["approval_number"] == "GB-01234567" and body["country"] == "GB"
    r = _issue(client, world, body["id"], _foreign_certificate("GB-Q-1001", accreditation_body="UKAS",
                                                               accreditation_number="UKAS 0001"))
    assert r.status_code == 201, r.text
    assert r.json()["holder"]["uscc"] is None and r.json()["holder"]["country"] == "GB"

    answer = client.get("/api/v1/verify", params={"number": "GB-Q-1001"}).json()
    assert answer["outcome"] == "valid", answer
    cert = answer["certificates"][0]
    assert cert["accreditation"]["covered"] is True and cert["accreditation"]["arrangement"] == "IAF MLA"
    assert cert["accreditation"]["label"].startswith("认可证书：由 UKAS（IAF MLA 签署方）认可，覆盖 QMS")
    assert cert["body"]["country"] == "GB" and cert["country"] == "GB"
    english = client.get("/api/v1/verify", params={"number": "GB-Q-1001", "body": "FGB001"},
                         headers={"Accept-Language": "en"}).json()["certificates"][0]
    assert "UKAS is an IAF MLA signatory for QMS" in english["accreditation"]["label"]
    page = client.get("/verify", params={"number": "GB-Q-1001"})
    assert "UKAS（IAF MLA 签署方）" in page.text and "境外认证机构（GB）" in page.text
    assert "境外获证组织：GB" in page.text
    detail = client.get(f"/certificates/{cert['id']}")
    assert "国际互认" in detail.text and "UKAS 0001" in detail.text


def test_a_certificate_not_covered_says_so_and_a_scope_never_accredited_is_refused(client, world):
    body = _foreign_body(client, world)
    # UKAS accredits other management systems (IPMS falls there) but is not recognized for them under the MLA
    r = _issue(client, world, body["id"], _foreign_certificate("GB-IP-7", scheme="IPMS", accreditation_body="UKAS",
                                                               accreditation_number="UKAS 0001",
                                                               standard_code="GB/T 29490", standard_version="2023"))
    assert r.status_code == 201, r.text
    cert = client.get("/api/v1/verify", params={"number": "GB-IP-7"}).json()["certificates"][0]
    assert cert["accreditation"]["covered"] is False
    assert "不是覆盖" in cert["accreditation"]["label"] and "不在国际互认范围内" in cert["accreditation"]["label"]
    # an MLA membership that ended: covered before, not after (the answer is for a date)
    kab = client.get("/api/v1/accreditation-bodies/KAB").json()
    scopes = [s | ({"signatory_until": "2025-12-31"} if s["sub_scope"] == "QMS" else {}) for s in kab["scopes"]]
    r = client.put("/api/v1/accreditation-bodies/KAB", headers=world.auth("regulator"),
                   json={k: kab[k] for k in ("name", "name_en", "country", "website", "note")} | {"scopes": scopes})
    assert r.status_code == 200, r.text
    r = _issue(client, world, body["id"], _foreign_certificate("GB-Q-KAB", accreditation_body="KAB",
                                                               accreditation_number="KAB-MS-1"))
    assert r.status_code == 201, r.text
    later = client.get("/api/v1/verify", params={"number": "GB-Q-KAB"}).json()["certificates"][0]
    assert later["accreditation"]["covered"] is False
    with read_session(client.app.state.sessions) as db:
        from certbridge.certificates.verification import verify_number
        earlier = verify_number(db, "GB-Q-KAB", on=date(2025, 12, 1)).certificates[0]
    assert earlier["accreditation"]["covered"] is True
    # KAB accredits no product certification; an unknown accreditation body is refused too
    refused = _issue(client, world, body["id"], _foreign_certificate("GB-Q-9", accreditation_body="XYZAB",
                                                                     accreditation_number="1"))
    assert refused.status_code == 422 and "XYZAB" in refused.text
    product = _foreign_certificate("GB-P-1", scheme="VOL", accreditation_body="KAB", accreditation_number="K-1",
                                   product={"name": "Valves", "manufacturer": "Example Valves Ltd"})
    refused = _issue(client, world, body["id"], product)
    assert refused.status_code == 422 and refused.json()["code"] == "accreditation.scheme_not_accredited", refused.text
    product["accreditation_body"] = "UKAS"  # UKAS is recognized for product certification (ISO/IEC 17065)
    assert _issue(client, world, body["id"], product).status_code == 201


def test_a_foreign_holder_needs_no_uscc_while_a_chinese_holder_with_a_bad_uscc_is_refused(client, world):
    # a Chinese body's overseas certificate: holder in Viet Nam, no USCC, recorded with the country
    abroad = certificate_payload(world, number="00126Q26VN1", country="VN",
                                 holder={"name": "Công ty TNHH Ví Dụ", "country": "VN", "foreign_id": "0312345678"})
    r = _issue(client, world, world.ids["body_a"], abroad, role="cb_a")
    assert r.status_code == 201, r.text
    assert r.json()["holder"]["country"] == "VN" and r.json()["holder"]["uscc"] is None
    answer = client.get("/api/v1/verify", params={"number": "00126Q26VN1"}).json()
    assert answer["outcome"] == "valid" and answer["certificates"][0]["country"] == "VN"
    # the same foreign holder is found again by its key, not registered twice
    again = certificate_payload(world, number="00126Q26VN2", country="VN",
                                holder={"name": "Công ty TNHH Ví Dụ", "country": "VN", "foreign_id": "0312345678"})
    assert _issue(client, world, world.ids["body_a"], again, role="cb_a").json()["holder"]["organization_id"] == \
        r.json()["holder"]["organization_id"]
    renewed = client.post(f"/api/v1/certificates/{r.json()['id']}/renew", headers=world.auth("cb_a"), json={
        "number": "00126Q26VN1R1", "issued_on": "2025-09-01"})
    assert renewed.status_code == 201 and renewed.json()["holder"]["organization_id"] == \
        r.json()["holder"]["organization_id"], renewed.text
    bad = certificate_payload(world, number="00126Q26BAD")
    bad["holder"]["uscc"] = "91350100M000100Y4Z"
    refused = _issue(client, world, world.ids["body_a"], bad, role="cb_a")
    assert refused.status_code == 422 and "holder.uscc" in refused.text
    missing = certificate_payload(world, number="00126Q26NO")
    missing["holder"].pop("uscc")
    assert _issue(client, world, world.ids["body_a"], missing, role="cb_a").status_code == 422
    with_uscc = certificate_payload(world, number="00126Q26VN3", holder={
        "name": "Công ty", "country": "VN", "foreign_id": "1", "uscc": world.uscc["org1"]})
    refused = _issue(client, world, world.ids["body_a"], with_uscc, role="cb_a")
    assert refused.status_code == 422 and refused.json()["code"] == "holder.foreign_has_no_uscc"


def test_iaf_export_carries_the_accreditation(client, world):
    body = _foreign_body(client, world)
    assert _issue(client, world, body["id"], _foreign_certificate(
        "GB-Q-1", accreditation_body="UKAS", accreditation_number="UKAS 0001")).status_code == 201
    assert _issue(client, world, body["id"], _foreign_certificate("GB-Q-2")).status_code == 201
    r = client.get(f"/api/v1/bodies/{body['id']}/certificates/iaf.xlsx", headers=world.auth("regulator"))
    assert r.status_code == 200, r.text
    rows = list(load_workbook(io.BytesIO(r.content)).active.values)
    head = rows[0]
    got = {row[head.index("Certificate Number")]: (row[head.index("Accreditation Status")],
                                                   row[head.index("Accreditation Body")],
                                                   row[head.index("Certified Entity Unique ID")],
                                                   row[head.index("Certified Entity Country/Economy")])
           for row in rows[1:]}
    assert got == {"GB-Q-1": ("Accredited", "UKAS", "SC123456", "GB"),
                   "GB-Q-2": ("Non-Accredited", None, "SC123456", "GB")}


def test_a_demonstration_zone_shows_the_statistics_of_its_regions_and_schemes(client, world, sessions, settings):
    for i, (org, scheme) in enumerate((("org1", "QMS"), ("org2", "QMS"), ("org1", "EMS"))):
        extra = {} if scheme == "QMS" else {"standard_code": "GB/T 24001", "standard_version": "2016"}
        r = _issue(client, world, world.ids["body_a"], certificate_payload(
            world, number=f"00126Z2600{i}", org=org, scheme=scheme, **extra), role="cb_a")
        assert r.status_code == 201, r.text
    integrate_pending(sessions, settings=settings)
    r = client.post("/api/v1/zones", headers=world.auth("regulator"), json={
        "code": "BH-QUALITY", "name": "北海市质量认证示范区", "kind": "quality", "regions": ["450500", "110000"],
        "schemes": ["QMS", "EMS"], "designated_on": "2024-05-20"})
    assert r.status_code == 201, r.text
    nested = client.post("/api/v1/zones", headers=world.auth("regulator"), json={
        "code": "BAD", "name": "嵌套", "kind": "other", "regions": ["450500", "450502"], "schemes": ["QMS"]})
    assert nested.status_code == 422 and nested.json()["code"] == "zone.regions_nested"
    zone = client.get("/api/v1/zones/BH-QUALITY").json()
    with read_session(sessions) as db:
        expected = {(region, scheme): queries.figure(db, measure="certificates", region=region, on=date.today(),
                                                     dim="scheme", value=scheme)
                    for region in ("450500", "110000") for scheme in ("QMS", "EMS")}
    assert {(x["region"], x["scheme"]): x["certificates"] for x in zone["rows"]} == expected
    assert zone["certificates"] == sum(expected.values()) and expected["450500", "QMS"] >= 2
    assert expected["450500", "EMS"] >= 1
    page = client.get("/zones/BH-QUALITY")
    assert page.status_code == 200 and "北海市质量认证示范区" in page.text
    assert f'<strong id="zone-certificates">{zone["certificates"]}</strong>' in page.text
    assert "00126Z26000" in page.text and "BH-QUALITY" in client.get("/zones").text


def test_a_regional_brand_is_shown_on_the_certificate_and_in_verification(client, world):
    cert = _issue(client, world, world.ids["body_a"], certificate_payload(world, number="00126B26001"),
                  role="cb_a").json()
    r = client.post("/api/v1/brands", headers=world.auth("regulator"), json={
        "code": "BEIHAI-Q", "name": "北海优品", "name_en": "Beihai Choice", "regions": ["450500"],
        "schemes": ["QMS"]})
    assert r.status_code == 201, r.text
    assert client.post("/api/v1/brands/BEIHAI-Q/certificates", headers=world.auth("cb_a"),
                       json={"certificate_id": cert["id"]}).status_code == 403
    r = client.post("/api/v1/brands/BEIHAI-Q/certificates", headers=world.auth("regulator"),
                    json={"certificate_id": cert["id"]})
    assert r.status_code == 200, r.text
    answer = client.get("/api/v1/verify", params={"number": "00126B26001"}).json()
    assert answer["certificates"][0]["brand"] == {"code": "BEIHAI-Q", "name": "北海优品", "name_en": "Beihai Choice"}
    assert "北海优品" in client.get(f"/certificates/{cert['id']}").text
    client.post("/api/v1/brands", headers=world.auth("regulator"), json={
        "code": "GZ-Q", "name": "广州优品", "regions": ["440100"], "schemes": ["QMS"]})
    outside = client.post("/api/v1/brands/GZ-Q/certificates", headers=world.auth("regulator"),
                          json={"certificate_id": cert["id"]})
    assert outside.status_code == 422 and outside.json()["code"] == "brand.outside"


def test_regulators_keep_the_accreditation_bodies_and_import_them(client, world):
    listed = {b["code"]: b for b in client.get("/api/v1/accreditation-bodies").json()}
    assert {"CNAS", "UKAS", "DAKKS", "ANAB", "JAB"} <= set(listed)
    cnas = listed["CNAS"]
    assert cnas["country"] == "CN" and {"main_scope": "17021-1", "sub_scope": "QMS", "arrangement": "IAF MLA",
                                        "signatory_since": "1998-01-22", "signatory_until": None} in cnas["scopes"]
    csv = ("code,name,name_en,country,main_scope,sub_scope,arrangement,signatory_since,signatory_until\n"
           "INAB,爱尔兰国家认可委员会,Irish National Accreditation Board,IE,17021-1,QMS,IAF MLA,2004-01-01,\n"
           "INAB,爱尔兰国家认可委员会,Irish National Accreditation Board,IE,17065,,,,\n").encode()
    r = client.post("/api/v1/accreditation-bodies/import", headers=world.auth("regulator"),
                    files={"file": ("ab.csv", csv, "text/csv")})
    assert r.status_code == 200 and r.json() == {"recorded": ["INAB"]}, r.text
    inab = client.get("/api/v1/accreditation-bodies/INAB").json()
    assert [(s["main_scope"], s["sub_scope"], s["arrangement"]) for s in inab["scopes"]] == [
        ("17021-1", "QMS", "IAF MLA"), ("17065", "", None)]
    bad = csv.replace(b"17065", b"9999")
    r = client.post("/api/v1/accreditation-bodies/import", headers=world.auth("regulator"),
                    files={"file": ("ab.csv", bad, "text/csv")})
    assert r.status_code == 422 and "9999" in r.text
    assert client.put("/api/v1/accreditation-bodies/INAB", headers=world.auth("cb_a"), json={
        "name": "x", "name_en": "x", "country": "IE"}).status_code == 403


def test_the_console_page_lists_the_bodies_and_imports_a_file(client, world):
    assert sign_in(client, "regulator").status_code == 303
    page = client.get("/regulator/accreditation")
    assert page.status_code == 200 and "英国皇家认可委员会" in page.text and "示例日期" in page.text
    csv = "code,name,name_en,country,main_scope,sub_scope,arrangement,signatory_since\n" \
          "SAC-SG,新加坡认可委员会,Singapore Accreditation Council,SG,17021-1,EMS,IAF MLA,2003-06-01\n"
    done = post_form(client, "/regulator/accreditation", "/regulator/accreditation/import",
                     files={"file": ("ab.csv", csv.encode(), "text/csv")})
    assert done.status_code == 200 and "已登记：SAC-SG" in done.text and 'id="ab-SAC-SG"' in done.text
    bad = post_form(client, "/regulator/accreditation", "/regulator/accreditation/import",
                    files={"file": ("ab.csv", csv.replace("SG,17021-1", "SGP,17021-1").encode(), "text/csv")})
    assert bad.status_code == 422 and "SGP" in bad.text
