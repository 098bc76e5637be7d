"""Online licensing in a real browser: a lab applies, the regulator asks for a correction, the applicant corrects,
review, approval, the licence's QR verifies; then a scope extension is applied for and approved; and a
certification body licensed under 告知承诺 issues its first certificate in its licensed field (and not outside).
Screenshots for docs/licensing-applicants.md and docs/licensing-handlers.md."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlparse

import httpx
from playwright.sync_api import expect
from sqlalchemy import select

from certbridge.auth.service import create_api_key, create_user
from certbridge.db import read_session, write_session
from certbridge.licensing.case_models import LicensingCase
from certbridge.principal import SYSTEM
from certbridge.registry import people
from certbridge.registry.models import Lab
from tests.licensing.cases_helpers import CB_APPLICATION, LAB_APPLICATION, PDF
from tests.world import PASSWORD


def _register_and_login(tab, username: str, name: str) -> None:
    tab.goto("/register")
    tab.get_by_label("用户名").fill(username)
    tab.get_by_label("申请人（单位）名称").fill(name)
    tab.get_by_label("密码").fill(PASSWORD)
    tab.get_by_role("button", name="注册").click()
    expect(tab.locator(".flash")).to_contain_text("申请人账号已注册")
    tab.get_by_label("用户名").fill(username)
    tab.get_by_label("密码").fill(PASSWORD)
    tab.get_by_role("button", name="登录").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("我的行政许可申请")


def _regulator_step(tab, case_url: str, button: str, note: str | None = None, action: str | None = None) -> None:
    tab.goto(case_url)
    if note is not None:
        tab.locator(f"#f-note-{action}").fill(note)
    tab.get_by_role("button", name=button, exact=True).click()
    expect(tab.locator(".flash")).to_contain_text("已办理")


def _review_and_license(tab, case_url: str, shot=None) -> None:
    _regulator_step(tab, case_url, "受理")
    tab.goto(case_url)
    tab.get_by_label("孙评（广西大学）").check()
    tab.get_by_label("吴专（桂林电子科技大学）").check()
    tab.get_by_label("钱审（北海市海洋检测技术有限公司）").check()
    tab.get_by_role("button", name="组建评审组", exact=True).click()
    expect(tab.locator("main")).to_contain_text("钱审（与申请人同一单位）")
    _regulator_step(tab, case_url, "记录评审结论", "人员、设备、环境和管理体系符合资质认定要求", "record_findings")
    _regulator_step(tab, case_url, "准予许可")
    if shot:
        shot(tab, "licensing-handler-case")
    _regulator_step(tab, case_url, "发证")
    expect(tab.locator("main")).to_contain_text("已发证")


def test_a_lab_and_a_body_are_licensed_online(browser, server, app, sessions, world, login, shot, tmp_path):
    with write_session(sessions) as db:
        for name, employer in (("孙评", "广西大学"), ("吴专", "桂林电子科技大学"), ("钱审", LAB_APPLICATION["name"])):
            people.register_person(db, principal=SYSTEM, name=name, kind="expert", employer=employer)
    manual = tmp_path / "质量手册.pdf"
    manual.write_bytes(PDF)
    applicant_ctx = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    regulator_ctx = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    a, r = applicant_ctx.new_page(), regulator_ctx.new_page()
    for tab in (a, r):
        tab.set_default_timeout(20_000)

    # the lab applies
    _register_and_login(a, "hy_lab", LAB_APPLICATION["name"])
    a.get_by_role("link", name="申请检验检测机构资质认定（CMA）").click()
    a.get_by_label("申请人名称").fill(LAB_APPLICATION["name"])
    a.get_by_label("统一社会信用代码").fill(LAB_APPLICATION["uscc"])
    a.locator("#f-legal_representative").fill("黄海")
    a.get_by_label("地址").fill(LAB_APPLICATION["address"])
    a.get_by_label("检测能力").fill("水产品 | 汞的测定")
    a.get_by_label("场所").fill(LAB_APPLICATION["sites"])
    a.get_by_label("仪器设备").fill(LAB_APPLICATION["equipment"])
    a.locator("#f-attachment").set_input_files(str(manual))
    a.get_by_role("button", name="保存申请").click()
    expect(a.locator(".error-summary")).to_contain_text("人员")  # a missing part is named, the rest is kept
    expect(a.get_by_label("申请人名称")).to_have_value(LAB_APPLICATION["name"])
    a.get_by_label("人员（每行一名）").fill(LAB_APPLICATION["personnel"])
    expect(a.get_by_label("法定代表人身份证或护照号码")).to_have_value("")  # never echoed back
    a.get_by_label("法定代表人身份证或护照号码").fill(LAB_APPLICATION["legal_representative_id_number"])
    a.locator("#f-attachment").set_input_files(str(manual))
    shot(a, "licensing-apply")
    a.get_by_role("button", name="保存申请").click()
    expect(a.locator("main")).to_contain_text("草稿（未提交）")
    case_url = a.url
    a.get_by_role("button", name="提交申请").click()
    expect(a.locator("main")).to_contain_text("已提交，待受理")

    # the regulator asks for a correction
    login(r, "regulator")
    r.goto("/licensing/queue")
    expect(r.locator("main")).to_contain_text(LAB_APPLICATION["name"])
    shot(r, "licensing-queue")
    _regulator_step(r, case_url, "要求补正", "缺少授权签字人的任命文件", "request_correction")

    # the applicant corrects
    a.goto("/licensing")
    expect(a.locator("main")).to_contain_text("缺少授权签字人的任命文件")
    a.goto(case_url)
    expect(a.locator("main")).to_contain_text("待补正")
    shot(a, "licensing-applicant-case")
    a.locator("#f-attachment").set_input_files(str(manual))
    a.get_by_role("button", name="上传附件").click()
    a.get_by_role("button", name="提交补正材料").click()
    expect(a.locator("main")).to_contain_text("已提交，待受理")

    # review (with a recusal), approval, licence
    _review_and_license(r, case_url, shot)
    with read_session(sessions) as db:
        case = db.scalar(select(LicensingCase).where(LicensingCase.state == "licensed"))
        number, lab_id = case.licence_number, case.subject_id
    a.goto(case_url)
    a.get_by_role("link", name=number).click()
    expect(a.locator("main")).to_contain_text("汞的测定")
    shot(a, "licensing-licence")
    qr_url = a.locator("#licence-qr-link").get_attribute("href")  # CERTBRIDGE_PUBLIC_URL, not this test server
    a.goto(urlparse(qr_url).path)
    expect(a.locator(".verdict")).to_contain_text("许可证真实，现行有效")

    # a scope extension, applied for and approved
    a.goto(case_url)
    a.get_by_role("link", name="申请： 变更").click()
    a.get_by_label("检测能力").fill("水产品 | 汞的测定\n水产品 | 镉的测定 | GB 5009.15-2023")
    a.get_by_role("button", name="保存申请").click()
    a.get_by_role("button", name="提交申请").click()
    change_url = a.url
    _review_and_license(r, change_url)
    with read_session(sessions) as db:
        assert [c.item for c in db.get(Lab, lab_id).capabilities] == ["汞的测定", "镉的测定"]
    a.goto(f"/licences/{number}")
    expect(a.locator("main")).to_contain_text("镉的测定")

    # a certification body under 告知承诺, then its first certificate in its licensed field
    a.goto("/licensing/apply?kind=application&subject_type=body")
    a.get_by_label("程序").select_option("commitment")
    a.get_by_label("申请人名称").fill(CB_APPLICATION["name"])
    a.get_by_label("统一社会信用代码").fill(CB_APPLICATION["uscc"])
    a.locator("#f-legal_representative").fill("韦明")
    a.get_by_label("地址").fill(CB_APPLICATION["address"])
    a.locator("input[name=fields][value=SYS-QMS]").check()
    a.get_by_label("注册资本").fill("500")
    a.get_by_label("专职认证人员").fill(CB_APPLICATION["auditors"])
    a.locator("#f-attachment").set_input_files(str(manual))
    a.get_by_role("button", name="保存申请").click()
    a.get_by_role("button", name="提交申请").click()
    body_url = a.url
    _regulator_step(r, body_url, "受理")
    _regulator_step(r, body_url, "准予许可")
    _regulator_step(r, body_url, "发证")
    r.goto("/licensing/queue")
    expect(r.locator("#commitments + ul")).to_contain_text(CB_APPLICATION["name"])
    with read_session(sessions) as db:
        body_case = db.scalar(select(LicensingCase).where(LicensingCase.subject_type == "body"))
        body_id = body_case.subject_id
    with write_session(sessions) as db:
        user = create_user(db, principal=SYSTEM, username="gx_clerk", display_name="gx", role="cb_operator",
                           password=PASSWORD, body_id=body_id)
        token = create_api_key(db, principal=SYSTEM, user_id=user.id, name="clerk").token
    issue = {"number": "R2026001Q26001", "scheme": "QMS", "standard_code": "GB/T 19001", "standard_version": "2016",
             "holder": {"name": "北海市海城区示例电子有限公司", "uscc": world.uscc["org1"]},
             "scope": "电子元器件的设计和生产", "issued_on": date.today().isoformat()}
    with httpx.Client(base_url=server, headers={"Authorization": f"Bearer {token}"}) as api:
        first = api.post(f"/api/v1/bodies/{body_id}/certificates", json=issue)
        assert first.status_code == 201, first.text
        outside = api.post(f"/api/v1/bodies/{body_id}/certificates", json={**issue, "number": "R2026001E26001", "scheme": "EMS",
                                                         "standard_code": "GB/T 24001"})
        assert outside.status_code == 409 and outside.json()["code"] == "body.field_not_approved", outside.text
    applicant_ctx.close()
    regulator_ctx.close()
