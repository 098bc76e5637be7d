"""Regulator console: dashboard, bodies, labs, people, schemes, restrictions, fake-certificate reports."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import func, select

from certbridge.certificates import workflow
from certbridge.certificates.models import Certificate
from certbridge.certificates.schemas import StatusChangeIn
from certbridge.db import read_session, write_session
from certbridge.principal import SYSTEM
from certbridge.kit.dates import add_months
from certbridge.registry.bodies import change_body, set_body_status
from certbridge.registry.models import CertificationBody, Person, PersonRegistration, Restriction
from certbridge.web.dashboard import PANEL_PROVIDERS, DashboardItem, DashboardPanel, register_panel_provider
from tests.web.conftest import csrf_from, post_form


def _stat_after(html: str, label: str) -> int:
    return int(re.search(re.escape(label) + r'.*?<p class="stat">(\d+)</p>', html, re.S).group(1))


def test_only_regulators_open_the_console(client, signed_in):
    assert client.get("/regulator", follow_redirects=False).headers["location"].startswith("/login")
    signed_in("cb_a")
    r = client.get("/regulator/bodies")
    assert r.status_code == 403 and "只有监管部门可以执行此操作" in r.text


def test_dashboard_counts_what_needs_action(client, sessions, world, signed_in, make_certificate):
    with write_session(sessions) as db:
        change_body(db, principal=SYSTEM, body_id=world.ids["body_b"],
                    changes={"valid_until": date.today() + timedelta(days=30)})
    cid = make_certificate("00126Q26301R0M/4500", issued_on=(date.today() - timedelta(days=200)).isoformat())
    with write_session(sessions) as db:
        workflow.suspend_certificate(db, principal=SYSTEM, certificate_id=cid,
                                     change=StatusChangeIn(reason="x", on=date.today() - timedelta(days=20),
                                                           until=date.today() - timedelta(days=1)))
    client.post("/report", data={"number": "FAKE123", "csrf_token": csrf_from(client.get("/report").text)})
    signed_in("regulator")
    page = client.get("/regulator").text
    assert _stat_after(page, "90 天内批准到期的机构") == 1 and "南方检验认证有限公司" in page
    assert _stat_after(page, SUSPENDED_TODAY) == 0  # its suspension is over: withdrawn by its effective status
    assert _stat_after(page, "待处理的假证书举报") == 1
    en = client.get("/regulator?lang=en").text
    assert "Body approvals lapsing within 90 days" in en


SUSPENDED_TODAY = "今日处于暂停状态的证书（任何公开用途均视为无效）"
SURVEILLANCE_OVERDUE = "监督审核逾期的有效管理体系证书"


def test_dashboard_counts_certificates_by_their_effective_status(client, sessions, world, signed_in,
                                                                   make_certificate):
    today = date.today()
    make_certificate("00126Q26311R0M/4500", issued_on=(today - timedelta(days=400)).isoformat())
    ended = make_certificate("00126Q26312R0M/4500", issued_on=(today - timedelta(days=200)).isoformat())
    running = make_certificate("00126Q26313R0M/4500", issued_on=(today - timedelta(days=200)).isoformat())
    with write_session(sessions) as db:
        workflow.suspend_certificate(db, principal=SYSTEM, certificate_id=ended, change=StatusChangeIn(
            reason="x", on=today - timedelta(days=20), until=today - timedelta(days=1)))
        workflow.suspend_certificate(db, principal=SYSTEM, certificate_id=running, change=StatusChangeIn(
            reason="x", on=today - timedelta(days=5), until=today + timedelta(days=30)))
    signed_in("regulator")
    page = client.get("/regulator").text
    assert _stat_after(page, SUSPENDED_TODAY) == 1  # the suspension still running; the other one is withdrawn
    listed = client.get("/?status=suspended").text  # the list the count links to shows the same certificate
    assert "00126Q26313R0M/4500" in listed and "00126Q26312R0M/4500" not in listed
    assert _stat_after(page, SURVEILLANCE_OVERDUE) == 1  # issued 400 days ago, never audited since
    # Body A's approval was revoked 4 months ago: the grace period is over, its certificates are withdrawn today
    # (before the sweep records it), so none is suspended or valid with surveillance overdue any more.
    with write_session(sessions) as db:
        set_body_status(db, principal=SYSTEM, body_id=world.ids["body_a"], status="revoked", reason="x",
                        on=add_months(today, -4))
    page = client.get("/regulator").text
    assert _stat_after(page, SUSPENDED_TODAY) == 0 and _stat_after(page, SURVEILLANCE_OVERDUE) == 0


def test_dashboard_takes_panels_from_other_capabilities(client, signed_in):
    def spot_checks(session, principal, lang):
        return [DashboardPanel("抽查" if lang == "zh" else "Spot checks",
                               [DashboardItem("待公示的抽查结果", 4, "/supervision", "bad")], order=15)]

    register_panel_provider(spot_checks)
    try:
        signed_in("regulator")
        page = client.get("/regulator").text
        assert "待公示的抽查结果" in page and _stat_after(page, "待公示的抽查结果") == 4
        assert page.index("批准与资质") < page.index("抽查") < page.index("公众举报")
    finally:
        PANEL_PROVIDERS.remove(spot_checks)


def test_approve_a_body_with_field_errors_first(client, sessions, signed_in):
    signed_in("regulator")
    bad = post_form(client, "/regulator/bodies/new", data={"code": "00999", "approval_number": "CNCA-2020-1",
                                                           "name": "新机构", "approved_on": "2025-01-01"})
    assert bad.status_code == 422 and 'id="f-approval_number-error"' in bad.text
    assert "CNCA-R-年份-三位序号" in bad.text
    good = post_form(client, "/regulator/bodies/new", data={"code": "00999", "approval_number": "CNCA-R-2025-999",
                                                            "name": "新机构认证有限公司", "approved_on": "2025-01-01",
                                                            "fields": ["SYS-QMS", "SYS-EMS"]})
    assert good.status_code == 303
    with read_session(sessions) as db:
        body = db.scalar(select(CertificationBody).where(CertificationBody.code == "00999"))
        assert sorted(f.field_code for f in body.fields) == ["SYS-EMS", "SYS-QMS"]
    assert "新机构认证有限公司" in client.get("/bodies").text


def test_change_fields_and_validity(client, sessions, world, signed_in):
    signed_in("regulator")
    page = f"/regulator/bodies/{world.ids['body_b']}"
    r = post_form(client, page, data={"name": "南方检验认证有限公司", "valid_until": "2030-12-31",
                                      "fields": ["SYS-QMS", "SYS-EMS"]})
    assert r.status_code == 303
    with read_session(sessions) as db:
        body = db.get(CertificationBody, world.ids["body_b"])
        assert body.valid_until == date(2030, 12, 31) and len(body.fields) == 2


def test_suspending_an_approval_is_confirmed_then_applied(client, sessions, world, signed_in):
    signed_in("regulator")
    page = f"/regulator/bodies/{world.ids['body_a']}"
    review = post_form(client, page, f"{page}/status", data={"status": "suspended", "reason": "国市监认〔2026〕1号",
                                                             "step": "review"})
    assert review.status_code == 200
    assert "北部湾质量认证中心有限公司 将显示为暂停，恢复前不能颁发任何新证书" in review.text
    with read_session(sessions) as db:
        assert db.get(CertificationBody, world.ids["body_a"]).status == "approved"
    done = client.post(f"{page}/status", data={"csrf_token": csrf_from(review.text), "step": "confirm",
                                                 "status": "suspended", "reason": "国市监认〔2026〕1号"},
                       follow_redirects=True)
    assert "北部湾质量认证中心有限公司 现在的状态：暂停。" in done.text
    with read_session(sessions) as db:
        assert db.get(CertificationBody, world.ids["body_a"]).status == "suspended"
    refused = post_form(client, page, f"{page}/status", data={"status": "withdrawn", "reason": "", "step": "review"})
    assert refused.status_code == 422 and "「原因」为必填项" in refused.text


def test_labs_register(client, sessions, world, signed_in):
    signed_in("regulator")
    bad = post_form(client, "/regulator/labs/new",
                    data={"cma_number": "123", "name": "某检测站", "qualified_on": "2025-01-01"})
    assert bad.status_code == 422 and "应为 12 位数字" in bad.text
    good = post_form(client, "/regulator/labs/new", data={
        "cma_number": "251500340999", "name": "北海市食品检测站", "qualified_on": "2025-01-01",
        "capabilities": "食品 | 铅的测定 | GB 5009.12-2023\n食品 | 镉的测定"})
    assert good.status_code == 303
    lab_page = client.get(good.headers["location"]).text
    assert "镉的测定" in lab_page and "2031-01-01" in lab_page
    edit = post_form(client, f"/regulator/labs/{world.ids['lab']}", data={
        "name": "北海市产品质量检验所", "status": "suspended", "valid_until": "2030-03-01", "capabilities": "食品 | 铅的测定"})
    assert edit.status_code == 303
    assert "暂停" in client.get(f"/labs/{world.ids['lab']}").text


def test_people_register_and_revoke_a_registration(client, sessions, world, signed_in):
    signed_in("regulator")
    missing_body = post_form(client, "/regulator/people/new", data={"name": "孙丽", "kind": "auditor"})
    assert missing_body.status_code == 422 and "审核员必须隶属于一个认证机构" in missing_body.text
    r = post_form(client, "/regulator/people/new", data={"name": "孙丽", "kind": "auditor",
                                                         "body_id": str(world.ids["body_a"]),
                                                         "number": "2025-N1QMS-1000009", "field": "QMS"})
    assert r.status_code == 303
    person_page = r.headers["location"]
    assert "2025-N1QMS-1000009" in client.get(person_page).text
    revoke = post_form(client, person_page, "/regulator/registrations/revoke", data={
        "number": "2025-N1QMS-1000009", "reason": "出具虚假认证结论", "person_id": person_page.rsplit("/", 1)[1]})
    assert revoke.status_code == 303
    with read_session(sessions) as db:
        reg = db.scalar(select(PersonRegistration).where(PersonRegistration.number == "2025-N1QMS-1000009"))
        assert reg.status == "revoked"
    listing = client.get("/regulator/people?kind=auditor").text
    assert "孙丽" in listing and "周敏" not in listing


def test_schemes_page_shows_rules_and_transitions(client, signed_in):
    signed_in("regulator")
    page = client.get("/regulator/schemes").text
    assert "强制性产品认证" in page and "GB/T 22080-2016" in page and "2025-10-31" in page


def test_impose_and_lift_a_restriction(client, sessions, world, signed_in, make_certificate):
    signed_in("regulator")
    r = post_form(client, "/regulator/restrictions", data={
        "subject_type": "organization", "subject_ref": world.uscc["org2"], "kind": "dishonesty_list",
        "reason": "伪造检验报告", "starts_on": date.today().isoformat(), "source": "北市监罚〔2026〕3号"})
    assert r.status_code == 303
    page = client.get("/regulator/restrictions").text
    assert "北海格力电器配件有限公司" in page and "伪造检验报告" in page
    assert "已列入严重违法失信名单" in client.get(f"/organizations/{world.ids['org2']}").text
    with read_session(sessions) as db:
        rid = db.scalar(select(Restriction.id).where(Restriction.reason == "伪造检验报告"))
    lifted = post_form(client, "/regulator/restrictions", f"/regulator/restrictions/{rid}/lift",
                       data={"reason": "信用修复"})
    assert lifted.status_code == 303
    assert "已列入严重违法失信名单" not in client.get(f"/organizations/{world.ids['org2']}").text
    unknown = post_form(client, "/regulator/restrictions", data={
        "subject_type": "organization", "subject_ref": "NOSUCHCODE", "kind": "dishonesty_list", "reason": "x"})
    assert unknown.status_code == 422 and "找不到「NOSUCHCODE」对应的对象" in unknown.text


def test_regulator_pages_have_no_certificate_write_without_body(client, signed_in, make_certificate):
    cid = make_certificate("00126Q26302R0M/4500")
    signed_in("regulator")
    assert client.get(f"/cb/certificates/{cid}").status_code == 403
    with read_session(client.app.state.sessions) as db:
        assert db.get(Certificate, cid).status == "valid"


def test_register_lists_show_bodies_and_labs(client, sessions, world, signed_in):
    with write_session(sessions) as db:
        change_body(db, principal=SYSTEM, body_id=world.ids["body_b"],
                    changes={"valid_until": date.today() + timedelta(days=10)})
    signed_in("regulator")
    bodies = client.get("/regulator/bodies").text
    assert "CNCA-R-2002-126" in bodies and "CNCA-R-2005-213" in bodies and "批准有效" in bodies
    lapsing = client.get("/regulator/bodies?lapsing=1").text
    assert "南方检验认证有限公司" in lapsing and "北部湾质量认证中心有限公司" not in lapsing
    labs = client.get("/regulator/labs").text
    assert "241500340123" in labs and "北海市产品质量检验所" in labs
    en = client.get("/regulator/labs?lang=en").text
    assert "Register of labs" in en and "Record a qualification" in en


def test_register_lists_have_totals_and_sort_links_that_reverse(client, sessions, world, signed_in):
    """The bodies, labs and people registers show their total and sort on the server, with links a person
    clicks (no script needed); a second click reverses; the filter is kept; an unknown sort is refused in words."""
    signed_in("regulator")
    with read_session(sessions) as db:
        codes = sorted(db.scalars(select(CertificationBody.code)))
        people_count = db.scalar(select(func.count()).select_from(Person).where(Person.kind == "auditor"))
    page = client.get("/regulator/bodies").text
    assert f"共 {len(codes)} 条" in page and 'href="/regulator/bodies?sort=-code"' not in page
    by_code = client.get("/regulator/bodies?sort=code").text
    assert 'href="/regulator/bodies?sort=-code"' in by_code  # the current key's link reverses it
    shown = re.findall(r'<td data-label="机构代码" class="mono">([^<]+)</td>', by_code)
    assert shown == codes
    reversed_page = client.get("/regulator/bodies?sort=-code").text
    assert re.findall(r'<td data-label="机构代码" class="mono">([^<]+)</td>', reversed_page) == codes[::-1]
    auditors = client.get("/regulator/people?kind=auditor&sort=name").text
    assert f"共 {people_count} 条" in auditors and "kind=auditor&amp;sort=-name" in auditors
    assert "共" in client.get("/regulator/labs?sort=-valid_until").text
    bad = client.get("/regulator/labs?sort=password")
    assert bad.status_code == 422 and "password" in bad.text


def test_the_restrictions_in_force_have_a_total_and_sort_by_start(client, sessions, signed_in):
    signed_in("regulator")
    with read_session(sessions) as db:
        in_force = [r for r in db.scalars(select(Restriction).where(Restriction.lifted_on.is_(None)))
                    if r.ends_on is None or r.ends_on >= date.today()]
    page = client.get("/regulator/restrictions?sort=starts_on").text
    assert f"共 {len(in_force)} 条" in page and 'href="/regulator/restrictions?sort=-starts_on"' in page
    shown = re.findall(r"· (\d{4}-\d{2}-\d{2}) – ", page)
    assert shown == sorted(shown) and len(shown) == len(in_force)


def test_the_spot_check_plans_have_a_total_and_sort_by_name(client, sessions, signed_in):
    from certbridge.supervision import plans

    with write_session(sessions) as db:
        for name in ("乙计划", "甲计划", "丙计划"):
            plans.create_plan(db, principal=SYSTEM, year=date.today().year, name=name, authority="北海市市场监督管理局")
    signed_in("regulator")
    page = client.get("/regulator/supervision?sort=-name").text
    assert "共 3 条" in page and 'href="/regulator/supervision?sort=name"' in page
    listed = re.findall(r"· (.计划)</a>", page.split('id="plans"')[1])
    assert listed == sorted(["乙计划", "甲计划", "丙计划"], reverse=True)
