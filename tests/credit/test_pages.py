"""Credit and 双公示 pages: public penalties, list and licensing records; the regulator's console forms."""

from __future__ import annotations

import re

from tests.credit.conftest import AUTHORITY_USCC
from tests.web.conftest import csrf_from, sign_in


def post(client, page, action, data):
    token = csrf_from(client.get(page).text)
    return client.post(action, data={**data, "csrf_token": token}, follow_redirects=False)


def test_the_public_sees_published_penalties_only(client, world, penalty_body):
    reg = world.auth("regulator")
    published = client.post("/api/v1/credit/penalties", headers=reg,
                            json=penalty_body(decided_on="2025-06-03", publish=True)).json()
    hidden = client.post("/api/v1/credit/penalties", headers=reg, json=penalty_body(
        decided_on="2025-06-03", decision_number="北市监处罚〔2025〕9号")).json()
    page = client.get("/publicity/penalties").text
    assert "北市监处罚〔2024〕88号" in page and "北市监处罚〔2025〕9号" not in page
    detail = client.get(f"/publicity/penalties/{published['id']}").text
    assert "在产品包装上使用已撤销的认证证书编号" in detail and "0.5" in detail and "2028-06-03" in detail
    assert client.get(f"/publicity/penalties/{hidden['id']}").status_code == 404
    assert "Penalties" in client.get("/publicity/penalties?lang=en").text


def test_the_regulator_records_publishes_and_lists_from_the_console(client, world):
    assert sign_in(client, "regulator").status_code == 303
    console = client.get("/regulator/credit")
    assert console.status_code == 200 and "登记行政处罚" in console.text and "处罚与名单" in console.text
    r = post(client, "/regulator/credit", "/regulator/credit/penalties", {
        "party_name": "北海市海城区示例电子有限公司", "party_uscc": world.uscc["org1"], "decision_number": "页面〔2025〕1号",
        "violation_type": "冒用认证证书", "facts": "事实", "legal_basis": "依据", "categories": "警告、罚款",
        "content": "警告并罚款", "fine_wan": "0.3", "decided_on": "2025-06-03", "authority": "北海市市场监督管理局",
        "authority_uscc": AUTHORITY_USCC, "sector": "general"})
    assert r.status_code == 303 and "已保存" in client.get(r.headers["location"]).text
    missing = post(client, "/regulator/credit", "/regulator/credit/penalties", {
        "party_name": "x", "party_uscc": world.uscc["org1"], "decision_number": "页面〔2025〕2号",
        "violation_type": "x", "facts": "x", "legal_basis": "x", "categories": "罚款", "content": "x",
        "decided_on": "2025-06-03", "authority": "x", "authority_uscc": AUTHORITY_USCC})
    assert "请填写罚款金额" in client.get(missing.headers["location"]).text
    page = client.get("/regulator/credit").text
    action = re.search(r'action="(/regulator/credit/penalties/\d+/publish)"', page).group(1)
    post(client, "/regulator/credit", action, {})
    assert "页面〔2025〕1号" in client.get("/publicity/penalties").text
    r = post(client, "/regulator/credit", "/regulator/credit/listings", {
        "subject_type": "organization", "subject_id": str(world.ids["org2"]), "reason": "伪造证书",
        "decision_number": "北市监失信〔2025〕1号", "authority": "北海市市场监督管理局"})
    assert r.status_code == 303
    assert "北海格力电器配件有限公司" in client.get("/publicity/dishonesty-list").text
    r = post(client, "/regulator/credit", "/regulator/credit/bars", {
        "target": "person", "subject_id": str(world.ids["a2"]), "kind": "lifetime", "reason": "严重违法",
        "decision_number": "国市监〔2025〕3号"})
    assert "已保存" in client.get(r.headers["location"]).text
    assert client.get(f"/api/v1/restrictions?subject_type=person&subject_id={world.ids['a2']}").json()[0]["kind"] \
        == "lifetime_ban"


def test_licensing_records_publish_from_the_console(client, world):
    from tests.licensing.test_licensing import approval

    created = client.post("/api/v1/licensing/bodies", headers=world.auth("regulator"), json=approval()).json()
    assert "广西新认证有限公司" not in client.get("/publicity/licensing").text
    sign_in(client, "regulator")
    post(client, "/regulator/credit", f"/regulator/credit/licensing/{created['record']['id']}/publish", {})
    page = client.get("/publicity/licensing").text
    assert "广西新认证有限公司" in page and "CNCA-R-2024-099" in page and "有效" in page
    assert client.get("/regulator/credit", headers={}).status_code == 200
