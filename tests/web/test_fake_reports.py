"""Reports of suspected fake certificates: anyone files one; the regulator reads and closes it."""

from __future__ import annotations

import json

from sqlalchemy import select

from certbridge.complaints.models import FakeReport
from certbridge.db import read_session
from certbridge.ledger.journal import LedgerEvent
from tests.web.conftest import csrf_from, post_form


def test_report_form_prefills_the_number_and_records_what_verification_said(client, sessions, make_certificate):
    make_certificate("00126Q26401R0M/4500")
    form = client.get("/report?number=00126Q26401R0M/4500").text
    assert 'value="00126Q26401R0M/4500"' in form and "举报疑似假证书" in form
    r = client.post("/report", data={"csrf_token": csrf_from(form), "number": "00126Q26401R0M/4500",
                                     "holder_name": "某某公司", "where_seen": "招标文件",
                                     "contact": "13800000000"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/report/thanks"
    thanks = client.get("/report/thanks").text
    assert "已提交监管部门" in thanks
    with read_session(sessions) as db:
        report = db.scalar(select(FakeReport))
        assert (report.verification_outcome, report.verification_reason) == ("valid", "valid")
        assert report.certificate_id is not None and report.contact == "13800000000"
        event = db.scalar(select(LedgerEvent).where(LedgerEvent.type == "fake_report.filed"))
        assert event.public is False
        body = json.loads(event.body)
        assert "13800000000" not in event.body and body["data"]["state"]["has_contact"] is True


def test_report_needs_a_number_and_says_so_in_english_too(client):
    r = post_form(client, "/report", data={"number": ""})
    assert r.status_code == 422 and "「证书编号」为必填项" in r.text
    client.cookies.set("lang", "en")
    r = post_form(client, "/report", data={"number": ""})
    assert "&#39;Certificate number&#39; is required" in r.text


def test_regulator_sees_reports_and_closes_them(client, signed_in):
    post_form(client, "/report", data={"number": "FAKE-0001", "where_seen": "产品包装"})
    signed_in("regulator")
    page = client.get("/regulator/reports?status=new").text
    assert "FAKE-0001" in page and "产品包装" in page
    assert "没有任何认证机构颁发过编号为 FAKE-0001 的证书" in page
    report_id = page.split('/regulator/reports/')[1].split("/")[0]
    closed = post_form(client, "/regulator/reports?status=new", f"/regulator/reports/{report_id}/review",
                       data={"note": "已转交执法部门"}, follow_redirects=True)
    assert "举报已办结。" in closed.text and "FAKE-0001" not in closed.text
    assert "已转交执法部门" in client.get("/regulator/reports?status=reviewed").text


def test_reports_are_not_public(client, signed_in):
    assert client.get("/regulator/reports", follow_redirects=False).status_code == 303
    signed_in("cb_a")
    assert client.get("/regulator/reports").status_code == 403


def test_qr_landing_without_or_with_a_bad_token(client):
    r = client.get("/v/not-a-real-token")
    assert r.status_code in (200, 400)
    assert ("二维码不是真实的" in r.text) or ("尚未启用签名二维码" in r.text)
