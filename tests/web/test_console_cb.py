"""Certification-body console: own certificates only, issue form, lifecycle confirmations, export, keys."""

from __future__ import annotations

import io
import re
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from certbridge.certificates.models import Certificate
from certbridge.certificates.schemas import CertificateIn
from certbridge.certificates.service import issue_certificate
from certbridge.db import read_session, write_session
from certbridge.kit.dates import add_months
from certbridge.principal import SYSTEM
from certbridge.registry.bodies import set_body_status
from tests.web.conftest import csrf_from, follow_job, issue_to_two_holders_named_alike, post_form
from tests.world import certificate_payload

GOOD_FORM = {
    "number": "00126Q26100R0M/4500", "scheme": "QMS", "standard": "GB/T 19001|2016", "issued_on": "2025-03-01",
    "holder.name": "北海市海城区示例电子有限公司", "holder.address": "广西北海市海城区北京路 1 号",
    "scope": "电子元器件的设计和生产", "sites[0].name": "一号厂区", "sites[0].address": "北海市工业园 8 号",
    "audits[0].kind": "initial", "audits[0].method": "FS01", "audits[0].start_on": "2025-02-20",
    "audits[0].end_on": "2025-02-21", "audits[0].auditors": "2021-N1QMS-1000001\n2022-N1QMS-1000002", "site_rows": "2",
}


def _status(sessions, cert_id):
    with read_session(sessions) as db:
        return db.scalar(select(Certificate.status).where(Certificate.id == cert_id))


def _body_b_certificate(sessions, world) -> int:
    payload = certificate_payload(world, number="00213Q26001R0M", org="org2", auditors=("2019-N1QMS-2000001",))
    with write_session(sessions) as db:
        return issue_certificate(db, principal=SYSTEM, body_id=world.ids["body_b"],
                                 draft=CertificateIn.model_validate(payload), today=date.today()).id


def test_console_lists_only_the_bodys_own_certificates(client, sessions, world, signed_in, make_certificate):
    make_certificate("00126Q26101R0M/4500")
    _body_b_certificate(sessions, world)
    signed_in("cb_a")
    page = client.get("/cb").text
    assert "北部湾质量认证中心有限公司" in page and "00126Q26101R0M/4500" in page
    assert "00213Q26001R0M" not in page
    assert "00213Q26001R0M" not in client.get("/cb", params={"q": "格力"}).text


def test_another_bodys_certificate_is_not_there(client, sessions, world, signed_in):
    other = _body_b_certificate(sessions, world)
    signed_in("cb_a")
    assert client.get(f"/cb/certificates/{other}").status_code == 404
    assert client.get(f"/cb/certificates/{other}/suspend").status_code == 404
    token = csrf_from(client.get("/cb").text)
    r = client.post(f"/cb/certificates/{other}/suspend", data={"csrf_token": token, "reason": "x", "step": "confirm"})
    assert r.status_code == 404
    assert _status(sessions, other) == "valid"


def test_regulators_and_anonymous_cannot_open_the_cb_console(client, signed_in):
    assert client.get("/cb", follow_redirects=False).status_code == 303
    signed_in("regulator")
    r = client.get("/cb")
    assert r.status_code == 403 and "只有认证机构可以执行此操作" in r.text


def test_issue_form_issues_a_public_certificate(client, sessions, world, signed_in):
    signed_in("cb_a")
    r = post_form(client, "/cb/certificates/new", data={**GOOD_FORM, "holder.uscc": world.uscc["org1"]})
    assert r.status_code == 303, r.text
    detail = client.get(r.headers["location"]).text
    assert "证书 00126Q26100R0M/4500 已颁发，现已公开可查。" in detail
    public = client.get("/", params={"q": "00126Q26100R0M/4500"}).text
    assert "真实有效" in public
    with read_session(sessions) as db:
        cert = db.scalar(select(Certificate).where(Certificate.number == "00126Q26100R0M/4500"))
        assert [s.name for s in cert.sites] == ["一号厂区"]
        assert len(cert.audits) == 1 and len(cert.audits[0].auditors) == 2


def test_issue_form_shows_each_fields_problem_next_to_it(client, world, signed_in):
    signed_in("cb_a")
    bad = {**GOOD_FORM, "holder.uscc": "91350100M000100Y4Z", "scope": ""}
    r = post_form(client, "/cb/certificates/new", data=bad)
    assert r.status_code == 422
    assert "认证范围」为必填项" in r.text
    assert 'id="f-scope-error"' in r.text and 'aria-invalid="true"' in r.text
    assert 'value="北海市海城区示例电子有限公司"' in r.text  # what was typed is kept
    r = post_form(client, "/cb/certificates/new", data={**GOOD_FORM, "holder.uscc": "91350100M000100Y4Z"})
    assert r.status_code == 422
    assert 'id="f-holder-uscc-error"' in r.text
    client.cookies.set("lang", "en")
    r = post_form(client, "/cb/certificates/new", data={**bad, "holder.uscc": world.uscc["org1"]})
    assert "&#39;Scope&#39; is required" in r.text


def test_issue_form_refuses_a_barred_auditor_on_the_auditors_field(client, world, signed_in):
    signed_in("cb_a")
    r = post_form(client, "/cb/certificates/new",
                  data={**GOOD_FORM, "holder.uscc": world.uscc["org1"], "audits[0].auditors": "2020-N1QMS-1000003"})
    assert r.status_code == 409
    assert 'id="f-audits-0-auditors-error"' in r.text
    assert "赵强" in r.text and "被禁止从业" in r.text


def test_more_site_rows_without_javascript(client, signed_in):
    signed_in("cb_a")
    r = post_form(client, "/cb/certificates/new", data={**GOOD_FORM, "add_site": "1"})
    assert r.status_code == 200
    assert 'name="sites[2].name"' in r.text and 'value="一号厂区"' in r.text


def test_suspended_body_sees_why_its_issue_form_refuses(client, sessions, world, signed_in):
    with write_session(sessions) as db:
        set_body_status(db, principal=SYSTEM, body_id=world.ids["body_a"], status="suspended", reason="监督检查发现问题")
    signed_in("cb_a")
    form = client.get("/cb/certificates/new").text
    assert "本机构目前不能颁发证书" in form and "监督检查发现问题" in form
    r = post_form(client, "/cb/certificates/new", data={**GOOD_FORM, "holder.uscc": world.uscc["org1"]})
    assert r.status_code == 409
    assert "认证机构「北部湾质量认证中心有限公司」的批准不在有效状态，不能颁发证书" in r.text


def test_suspend_says_exactly_what_will_happen_then_does_it(client, sessions, signed_in, make_certificate):
    cid = make_certificate("00126Q26102R0M/4500")
    signed_in("cb_a")
    form = client.get(f"/cb/certificates/{cid}/suspend").text
    latest = add_months(date.today(), 6).isoformat()
    assert f"最长可暂停 6 个月，即最晚到 {latest}" in form
    token = csrf_from(form)
    version = re.search(r'name="expected_version" value="(\d+)"', form).group(1)
    until = add_months(date.today(), 3).isoformat()
    review = client.post(f"/cb/certificates/{cid}/suspend", data={
        "csrf_token": token, "step": "review", "reason": "监督审核未按期实施", "on": date.today().isoformat(),
        "until": until, "expected_version": version})
    assert review.status_code == 200
    assert f"暂停后，证书 00126Q26102R0M/4500 自 {date.today().isoformat()} 起在公开查询中显示为无效（暂停），至 {until}。" in review.text
    assert _status(sessions, cid) == "valid"  # the review wrote nothing
    confirm = client.post(f"/cb/certificates/{cid}/suspend", data={
        "csrf_token": csrf_from(review.text), "step": "confirm", "reason": "监督审核未按期实施",
        "on": date.today().isoformat(), "until": until, "expected_version": version}, follow_redirects=False)
    assert confirm.status_code == 303
    assert "证书已暂停。" in client.get(confirm.headers["location"]).text
    assert _status(sessions, cid) == "suspended"
    assert "证书暂停期间不得使用" in client.get(f"/certificates/{cid}").text


def test_too_long_suspension_is_refused_on_its_field(client, sessions, signed_in, make_certificate):
    cid = make_certificate("00126Q26103R0M/4500")
    signed_in("cb_a")
    r = post_form(client, f"/cb/certificates/{cid}/suspend", data={
        "step": "review", "reason": "x", "until": add_months(date.today(), 9).isoformat()})
    assert r.status_code == 422
    assert "暂停期最长 6 个月" in r.text and 'id="f-until-error"' in r.text
    assert _status(sessions, cid) == "valid"


def test_missing_reason_is_required(client, signed_in, make_certificate):
    cid = make_certificate("00126Q26104R0M/4500")
    signed_in("cb_a")
    r = post_form(client, f"/cb/certificates/{cid}/cancel", data={"step": "review", "reason": ""})
    assert r.status_code == 422 and "「原因」为必填项" in r.text


def test_withdraw_warns_of_the_reapplication_block(client, sessions, signed_in, make_certificate):
    cid = make_certificate("00126Q26105R0M/4500")
    signed_in("cb_a")
    r = post_form(client, f"/cb/certificates/{cid}/withdraw", data={"step": "review", "reason": "虚假宣传",
                                                                     "cause": "holder"})
    block_until = add_months(date.today(), 12).isoformat()
    assert "撤销为最终状态，不能恢复" in r.text
    assert f"12 个月内（至 {block_until}），任何认证机构不得受理该组织的 QMS 认证申请" in r.text
    r = post_form(client, f"/cb/certificates/{cid}/withdraw",
                  data={"step": "confirm", "reason": "虚假宣传", "cause": "holder"})
    assert r.status_code == 303 and _status(sessions, cid) == "withdrawn"
    detail = client.get(f"/cb/certificates/{cid}").text
    assert "该证书已处于最终状态" in detail


def test_stale_confirmation_is_refused(client, sessions, signed_in, make_certificate):
    cid = make_certificate("00126Q26106R0M/4500")
    signed_in("cb_a")
    form = client.get(f"/cb/certificates/{cid}/cancel").text
    version = re.search(r'name="expected_version" value="(\d+)"', form).group(1)
    from certbridge.certificates.schemas import ScopeChangeIn
    from certbridge.certificates.workflow import change_scope

    with write_session(sessions) as db:  # someone else changes it meanwhile
        change_scope(db, principal=SYSTEM, certificate_id=cid, change=ScopeChangeIn(scope="新范围", reason="扩大"))
    r = client.post(f"/cb/certificates/{cid}/cancel", data={"csrf_token": csrf_from(form), "step": "confirm",
                                                            "reason": "申请注销", "expected_version": version})
    assert r.status_code == 409 and "证书已被他人修改" in r.text
    assert _status(sessions, cid) == "valid"


def test_renew_change_scope_and_record_audit(client, sessions, signed_in, make_certificate):
    cid = make_certificate("00126Q26107R0M/4500", issued_on="2024-01-10")
    signed_in("cb_a")
    audit = {"audits[0].kind": "surveillance", "audits[0].method": "FS02", "audits[0].start_on": "2025-01-05",
             "audits[0].end_on": "2025-01-05", "audits[0].auditors": "2021-N1QMS-1000001"}
    review = post_form(client, f"/cb/certificates/{cid}/audit", data={"step": "review", **audit})
    assert "下次监督审核应在 2026-01-05 前完成" in review.text
    assert post_form(client, f"/cb/certificates/{cid}/audit", data={"step": "confirm", **audit}).status_code == 303
    scope = {"scope": "电子元器件和线束的设计和生产", "reason": "扩大范围", "sites[0].name": "二号厂区",
             "sites[0].address": "北海市工业园 9 号", "site_rows": "2"}
    review = post_form(client, f"/cb/certificates/{cid}/change_scope", data={"step": "review", **scope})
    assert "公开的认证范围将由“电子元器件的设计和生产”变为“电子元器件和线束的设计和生产”" in review.text
    assert post_form(client, f"/cb/certificates/{cid}/change_scope",
                     data={"step": "confirm", **scope}).status_code == 303
    renew = {"number": "00126Q26107R1M/4500", "issued_on": date.today().isoformat(),
             "audits[0].kind": "recertification", "audits[0].start_on": date.today().isoformat(),
             "audits[0].auditors": "2021-N1QMS-1000001"}
    review = post_form(client, f"/cb/certificates/{cid}/renew", data={"step": "review", **renew})
    assert "颁发新证书 00126Q26107R1M/4500（第 2 周期）" in review.text
    done = post_form(client, f"/cb/certificates/{cid}/renew", data={"step": "confirm", **renew})
    assert done.status_code == 303
    new_page = client.get(done.headers["location"]).text
    assert "00126Q26107R1M/4500" in new_page and "新证书已颁发。" in new_page
    assert _status(sessions, cid) == "expired"
    old_public = client.get(f"/certificates/{cid}").text
    assert "该证书已换发新证" in old_public and "变更范围" in old_public and "记录审核" in old_public


def test_export_is_an_xlsx_of_the_bodys_certificates(client, sessions, world, signed_in, make_certificate):
    make_certificate("00126Q26108R0M/4500")
    _body_b_certificate(sessions, world)
    signed_in("cb_a")
    page = follow_job(client, post_form(client, "/cb", "/cb/export"))
    assert page.status_code == 200 and 'id="job-download"' in page.text, page.text
    r = client.get(re.search(r'href="(/jobs/\d+/file)"', page.text).group(1))
    assert r.status_code == 200 and r.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "attachment" in r.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "number" and [row[0] for row in rows[1:]] == ["00126Q26108R0M/4500"]


def test_api_keys_shown_once_listed_and_revoked(client, world, signed_in):
    signed_in("cb_a")
    r = post_form(client, "/account/keys", data={"name": "ERP 夜间上传"})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    token = re.search(r'id="new-token">(cbk_[^<]+)<', r.text).group(1)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    listing = client.get("/account/keys").text
    assert "ERP 夜间上传" in listing and token not in listing
    key_id = token.split("_")[1]
    revoke = post_form(client, "/account/keys", f"/account/keys/{key_id}/revoke", follow_redirects=True)
    assert f"密钥 {key_id} 已吊销。" in revoke.text
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    blank = post_form(client, "/account/keys", data={"name": ""})
    assert blank.status_code == 422 and "「密钥名称」为必填项" in blank.text


def test_restore_and_expire(client, sessions, signed_in, make_certificate):
    from datetime import timedelta

    from certbridge.certificates import workflow
    from certbridge.certificates.schemas import StatusChangeIn

    cid = make_certificate("00126Q26109R0M/4500")
    with write_session(sessions) as db:
        workflow.suspend_certificate(db, principal=SYSTEM, certificate_id=cid, change=StatusChangeIn(reason="整改中"))
    signed_in("cb_a")
    form = client.get(f"/cb/certificates/{cid}/restore").text
    assert "恢复证书" in form and f"证书 00126Q26109R0M/4500 将自 {date.today().isoformat()} 起在公开查询中重新显示为有效" in form
    assert post_form(client, f"/cb/certificates/{cid}/restore",
                     data={"step": "confirm", "reason": "整改完成"}).status_code == 303
    assert _status(sessions, cid) == "valid"
    early = post_form(client, f"/cb/certificates/{cid}/expire", data={"step": "review", "reason": "到期"})
    assert early.status_code == 409 and "证书有效期至 2028-03-01，尚未到期" in early.text
    old = make_certificate("00126Q26110R0M/4500", issued_on=(date.today() - timedelta(days=3 * 365 + 5)).isoformat())
    review = post_form(client, f"/cb/certificates/{old}/expire", data={"step": "review", "reason": "validity_ended"})
    assert review.status_code == 200 and "过期为最终状态" in review.text


def test_console_name_search_pages_by_holder_then_certificate(client, world, signed_in, make_certificate):
    expected = issue_to_two_holders_named_alike(make_certificate, 30, series=29)
    signed_in("cb_a")
    page1 = client.get("/cb", params={"q": "示例电子"})
    next_url = re.search(r'href="([^"]*cursor=[^"]+)" rel="next"', page1.text).group(1).replace("&amp;", "&")
    page2 = client.get(next_url)
    shown = [n for page in (page1, page2) for n in re.findall(r"00126Q29\d{3}R0M/4500", page.text)]
    assert list(dict.fromkeys(shown)) == expected and 'rel="next"' not in page2.text
