"""The regulator keeps demonstration zones, regional brands and foreign certification bodies on the console (they
were API-only): each form defines what the API defines, a refused form comes back filled in with the reason."""

from __future__ import annotations

from sqlalchemy import select

from certbridge.db import read_session
from certbridge.registry.models import CertificationBody
from tests.leaks import visible_text
from tests.web.conftest import post_form, sign_in
from tests.world import certificate_payload

ZONES = "/regulator/zones"


def test_a_regulator_defines_a_zone_and_a_brand_and_brands_a_certificate_on_the_console(client, world):
    cert = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_a"),
                       json=certificate_payload(world, number="00126B26901")).json()
    sign_in(client, "regulator")
    assert f'href="{ZONES}"' in client.get("/regulator").text
    nested = post_form(client, ZONES, data={"code": "BH-ORG", "name": "北海市有机产品认证示范区", "kind": "organic",
                                            "regions": "450500, 450502", "schemes": "QMS"})
    page = client.get(nested.headers["location"]).text
    assert "地区 450502 已包含在 450500 中" in visible_text(page)
    assert 'value="北海市有机产品认证示范区"' in page and 'value="450500, 450502"' in page  # kept
    made = post_form(client, ZONES, data={"code": "BH-ORG", "name": "北海市有机产品认证示范区", "kind": "organic",
                                          "regions": "450500", "schemes": "QMS", "designated_on": "2024-05-20"})
    assert "已设立示范区 BH-ORG" in visible_text(client.get(made.headers["location"]).text)
    zone = client.get("/api/v1/zones/BH-ORG").json()
    assert zone["regions"] == ["450500"] and zone["schemes"] == ["QMS"] and zone["kind"] == "organic"

    brand = post_form(client, ZONES, "/regulator/brands", data={
        "code": "BEIHAI-Q", "name": "北海优品", "name_en": "Beihai Choice", "regions": "450500", "schemes": "QMS"})
    assert "已设立区域品牌 BEIHAI-Q" in visible_text(client.get(brand.headers["location"]).text)
    unknown = post_form(client, ZONES, "/regulator/brands/certificates",
                        data={"brand_code": "BEIHAI-Q", "body_code": "00126", "number": "NO-SUCH-CERT"})
    assert "找不到机构代码为 00126 、编号为 NO-SUCH-CERT 的证书" in visible_text(
        client.get(unknown.headers["location"]).text)
    done = post_form(client, ZONES, "/regulator/brands/certificates",
                     data={"brand_code": "BEIHAI-Q", "body_code": "00126", "number": "00126B26901"})
    assert "已使用区域品牌 BEIHAI-Q" in visible_text(client.get(done.headers["location"]).text)
    answer = client.get("/api/v1/verify", params={"number": "00126B26901"}).json()
    assert answer["certificates"][0]["brand"]["code"] == "BEIHAI-Q" and cert["number"] == "00126B26901"
    assert "Zones and brands" in visible_text(client.get(ZONES + "?lang=en").text)


def test_a_regulator_registers_a_foreign_body_on_the_accreditation_page(client, world, sessions):
    sign_in(client, "regulator")
    page = "/regulator/accreditation"
    form = {"country": "CN", "foreign_id": "01234567", "name": "Example Certification Ltd",
            "name_en": "Example Certification Ltd", "registered_on": "2026-01-05", "fields": "SYS-QMS"}
    refused = post_form(client, page, "/regulator/accreditation/foreign-bodies", data=form)
    assert refused.status_code == 422 and 'value="01234567"' in refused.text
    assert 'value="SYS-QMS" checked' in refused.text
    made = post_form(client, page, "/regulator/accreditation/foreign-bodies", data={**form, "country": "gb"})
    assert made.status_code == 200, made.text[:1000]
    assert "已登记境外认证机构 Example Certification Ltd，代码 FGB001" in visible_text(made.text)
    assert 'data-foreign="FGB001"' in made.text
    with read_session(sessions) as db:
        body = db.scalar(select(CertificationBody).where(CertificationBody.code == "FGB001"))
        assert (body.approval_number, body.country, [f.field_code for f in body.fields]) == (
            "GB-01234567", "GB", ["SYS-QMS"])
    assert client.post("/regulator/accreditation/foreign-bodies").status_code == 403  # no form token
