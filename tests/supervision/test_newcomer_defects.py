"""The supervision defects a newcomer hit in the first hour (issue #16), each seen through the pages."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from certbridge.db import read_session
from certbridge.principal import SYSTEM
from certbridge.registry.models import Organization
from certbridge.supervision import directory
from certbridge.supervision.models import InspectionTask, SpotCheckDraw
from tests.supervision.test_pages import post
from tests.web.conftest import sign_in

YEAR = date.today().year


def _plan_with_batch(client, *, matter: dict, region: str = "450500") -> str:
    r = post(client, "/regulator/supervision", "/regulator/supervision/matters", matter)
    assert "已保存" in client.get(r.headers["location"]).text
    r = post(client, "/regulator/supervision", "/regulator/supervision/plans", {
        "year": str(YEAR), "name": "年度计划", "authority": "北海市市场监督管理局", "region_code": region})
    plan_url = r.headers["location"]
    matter_id = re.search(r'<option value="(\d+)"[^>]*>' + matter["code"], client.get(plan_url).text).group(1)
    r = post(client, plan_url, plan_url + "/batches", {
        "name": "第一批", "matter_id": matter_id, "check_type": "random", "starts_on": f"{YEAR}-01-02",
        "ends_on": f"{YEAR}-12-31"})
    saved = client.get(r.headers["location"]).text
    assert "已保存" in saved, re.findall(r'class="flash[^"]*"[^>]*>([^<]*)', saved)
    return plan_url


KEY_MATTER = {"code": "RZ-ORG-21", "name": "证书使用检查", "kind": "key", "subject_type": "organization",
              "legal_basis": "《认证认可条例》", "content": "证书和标志", "method": "现场检查"}


def test_a_draw_that_cannot_assign_inspectors_says_why_and_does_not_claim_success(client, world, sessions, certify):
    certify(4)  # the world has one inspector in 450500; every object needs two
    sign_in(client, "regulator")
    plan_url = _plan_with_batch(client, matter=KEY_MATTER)
    action = re.search(r'action="(/regulator/supervision/batches/\d+/draw)"', client.get(plan_url).text).group(1)
    r = post(client, plan_url, action, {"beacon_source": ""})
    page = client.get(r.headers["location"]).text
    assert "已保存" not in page
    assert "无法抽取" in page and "只有 1 名" in page and "至少需要 2 名" in page
    with read_session(sessions) as s:
        assert s.scalar(select(func.count()).select_from(SpotCheckDraw)) == 0
        assert s.scalar(select(func.count()).select_from(InspectionTask)) == 0


def test_a_directory_with_no_inspectors_in_the_region_is_named(client, world, certify):
    certify(2)
    sign_in(client, "regulator")
    plan_url = _plan_with_batch(client, matter=KEY_MATTER, region="450502")  # the world's inspector is in 450500
    action = re.search(r'action="(/regulator/supervision/batches/\d+/draw)"', client.get(plan_url).text).group(1)
    page = client.get(post(client, plan_url, action, {}).headers["location"]).text
    assert "没有计划地区（450502）的检查人员" in page and "已保存" not in page


def test_a_reveal_that_leaves_objects_without_inspectors_warns_instead_of_saved(client, world, run, certify,
                                                                                  inspectors):
    certify(2)
    staff = inspectors(1)  # two inspectors: enough for the pool, but one must recuse from every object
    orgs = run(lambda s: list(s.scalars(select(Organization.id))))
    for org in orgs:
        run(lambda s, o=org: directory.declare_relationship(
            s, principal=SYSTEM, person_id=staff[1], object_type="organization", object_id=o, kind="relative",
            declared_on=date(2024, 1, 1)))
    sign_in(client, "regulator")
    plan_url = _plan_with_batch(client, matter=KEY_MATTER)
    action = re.search(r'action="(/regulator/supervision/batches/\d+/draw)"', client.get(plan_url).text).group(1)
    draw_url = post(client, plan_url, action, {}).headers["location"]
    page = client.get(post(client, draw_url, draw_url + "/reveal", {}).headers["location"]).text
    assert "已揭晓" in page and "已保存" not in page
    assert "未能抽足 2 名检查人员" in page and "未抽足检查人员的对象" in page


def test_a_general_matter_with_the_default_ratios_saves_its_first_batch(client, world, certify, inspectors):
    certify(4)
    inspectors(2)
    sign_in(client, "regulator")
    general = {**KEY_MATTER, "code": "YB-ORG-21", "kind": "general", "max_ratio": "0.1"}  # the form's own hint
    _plan_with_batch(client, matter=general)


def test_a_refused_form_comes_back_with_the_input_and_the_error_next_to_the_field(client, world):
    sign_in(client, "regulator")
    r = post(client, "/regulator/supervision", "/regulator/supervision/plans", {
        "year": str(YEAR), "name": "二〇二六年度双随机抽查计划", "authority": "北海市市场监督管理局",
        "region_code": "450500", "ratio_A": "0.5", "ratio_D": "0.8"})
    page = client.get(r.headers["location"]).text
    form = page[page.index('action="/regulator/supervision/plans"'):]
    form = form[:form.index("</form>")]
    assert 'value="二〇二六年度双随机抽查计划"' in form and 'value="北海市市场监督管理局"' in form
    assert 'value="450500"' in form and 'value="0.8"' in form and 'value="0.5"' in form
    error = re.search(r'<div class="field has-error">.*?id="(f-[^"]+)-error".*?</div>', form, re.S)
    assert error and error.group(1) == "f-ratio_A" and "不在计划规定的范围" in error.group(0)
    matter_form = page[page.index('action="/regulator/supervision/matters"'):]
    assert "二〇二六年度双随机抽查计划" not in matter_form[:matter_form.index("</form>")]  # only the form sent
    again = client.get("/regulator/supervision").text  # shown once
    assert "二〇二六年度双随机抽查计划" not in again


def test_a_refused_penalty_form_keeps_what_was_typed(client, world):
    sign_in(client, "regulator")
    r = post(client, "/regulator/credit", "/regulator/credit/penalties", {
        "party_name": "北海示例科技有限公司", "party_uscc": "91450500MA5K00000X", "decision_number": "北市监罚〔2026〕9号",
        "violation_type": "虚假宣传", "decided_on": date.today().isoformat(), "facts": "当事人在网站宣传……",
        "legal_basis": "《广告法》", "categories": "罚款", "content": "罚款一万元", "authority": "北海市市场监督管理局",
        "authority_uscc": "not-a-uscc", "samr": "1"})
    page = client.get(r.headers["location"]).text
    form = page[page.index('action="/regulator/credit/penalties"'):]
    form = form[:form.index("</form>")]
    assert 'value="北海示例科技有限公司"' in form and "当事人在网站宣传……" in form and 'value="虚假宣传"' in form
    assert re.search(r'name="samr" value="1" checked', form)
    assert "has-error" in form
