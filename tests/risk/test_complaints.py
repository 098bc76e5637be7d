"""Complaints: anyone files one with evidence and gets a tracking number; the regulator handles it in time."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import select

from certbridge.complaints import handling
from certbridge.complaints.evidence import evidence_path
from certbridge.complaints.filing import file_complaint
from certbridge.complaints.models import Complaint
from certbridge.credit.models import CreditEntry
from certbridge.db import read_session, write_session
from certbridge.errors import InvalidInput, RuleViolation
from certbridge.ledger.journal import LedgerEvent
from certbridge.principal import ANONYMOUS, Principal
from tests.web.conftest import csrf_from, post_form

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
REGULATOR = Principal(role="regulator", user_id=2, username="regulator")


def _file(client, data, files=None):
    form = client.get("/complaints/new").text
    return client.post("/complaints/new", data={"csrf_token": csrf_from(form), **data}, files=files,
                       follow_redirects=False)


def test_anyone_files_a_complaint_with_evidence_and_follows_it_by_its_tracking_number(client, sessions, settings,
                                                                                      make_certificate):
    cert_id = make_certificate("00126Q26401R0M/4500")
    page = client.get(f"/certificates/{cert_id}").text
    assert f"/complaints/new?certificate={cert_id}" in page
    form = client.get(f"/complaints/new?certificate={cert_id}&number=00126Q26401R0M/4500").text
    assert 'value="00126Q26401R0M/4500"' in form and "投诉举报" in form
    r = client.post("/complaints/new", data={
        "csrf_token": csrf_from(form), "certificate": str(cert_id), "subject_kind": "certificate",
        "subject_text": "00126Q26401R0M/4500", "kind": "malpractice", "description": "审核员从未到过现场",
        "contact": "13800000000"}, files=[("evidence", ("现场照片.png", PNG, "image/png"))], follow_redirects=False)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    number = re.search(r'<h2 class="mono">(TS[0-9A-Z-]+)</h2>', r.text).group(1)
    secret = re.search(r'<code id="complaint-secret">([^<]+)</code>', r.text).group(1)
    assert number.startswith("TS") and "只显示这一次" in r.text and "X-Complaint-Secret" in r.text
    progress = client.get(f"/complaints/track?number={number}").text
    assert number in progress and "已受理，等待审查" not in progress and "已收到，等待受理" in progress
    assert secret not in progress  # shown once, on the answer to the filing only
    # the secret works: with it the filer reads back their own filing; without it, only the progress
    own = client.get(f"/api/v1/complaints/track/{number}", headers={"X-Complaint-Secret": secret}).json()
    assert own["filing"]["description"] == "审核员从未到过现场" and own["filing"]["contact"] == "13800000000"
    assert "filing" not in client.get(f"/api/v1/complaints/track/{number}").json()
    assert client.get(f"/api/v1/complaints/track/{number}",
                      headers={"X-Complaint-Secret": secret[::-1]}).status_code == 403
    with read_session(sessions) as db:
        item = db.scalar(select(Complaint))
        assert (item.certificate_id, item.region_code, item.contact) == (cert_id, "450500", "13800000000")
        assert item.accept_due_on > item.filed_on  # 7 working days
        event = db.scalar(select(LedgerEvent).where(LedgerEvent.type == "complaint.filed"))
        assert event.public is False and "13800000000" not in event.body
        sha = json.loads(event.body)["data"]["evidence"][0]
    assert evidence_path(settings.data_dir, sha).read_bytes() == PNG


def test_bad_complaints_say_what_is_wrong_and_keep_what_was_typed(client):
    r = _file(client, {"subject_kind": "certificate", "subject_text": "X-1", "kind": "other", "description": "假证"})
    assert r.status_code == 422 and "请留下电话或电子邮箱，或勾选匿名投诉" in r.text and 'value="X-1"' in r.text
    r = _file(client, {"subject_kind": "certificate", "subject_text": "X-1", "kind": "other", "description": "假证",
                       "anonymous": "1"}, files=[("evidence", ("a.exe", b"MZ\x90\x00", "image/png"))])
    assert r.status_code == 422 and "不是 JPEG、PNG 或 PDF 文件" in r.text and "假证" in r.text
    r = _file(client, {"subject_kind": "", "subject_text": "", "kind": "other", "description": "x", "anonymous": "1"})
    assert r.status_code == 422 and "请选择投诉对象" in r.text


def test_one_address_files_a_few_complaints_a_day(sessions):
    filer = Principal(role="public", client_ip="203.0.113.9")
    with write_session(sessions) as db:
        for _ in range(2):
            file_complaint(db, principal=filer, subject_kind="product", subject_text="电热水壶", kind="product_quality",
                           description="漏电", anonymous=True, per_address_per_day=2)
        with pytest.raises(RuleViolation) as refused:
            file_complaint(db, principal=filer, subject_kind="product", subject_text="电热水壶",
                           kind="product_quality", description="漏电", anonymous=True, per_address_per_day=2)
        assert refused.value.code == "complaint.daily_cap"
        other = Principal(role="public", client_ip="203.0.113.10")
        file_complaint(db, principal=other, subject_kind="product", subject_text="电热水壶", kind="product_quality",
                       description="漏电", anonymous=True, per_address_per_day=2)


def test_deadlines_are_counted_in_working_days(sessions):
    # Filed on Friday 2026-09-25: 7 working days skip the weekend and the National Day holidays (Oct 1–7) and
    # count Saturday Oct 10, a make-up working day.
    with write_session(sessions) as db:
        item = file_complaint(db, principal=ANONYMOUS, subject_kind="product", subject_text="儿童玩具",
                              kind="product_quality", description="小零件脱落", anonymous=True, on=date(2026, 9, 25))
        assert item.accept_due_on == date(2026, 10, 12)
        assert handling.overdue(item, date(2026, 10, 12)) is None
        assert handling.overdue(item, date(2026, 10, 13)) == "accept"
        handling.accept(db, principal=REGULATOR, complaint_id=item.id, on=date(2026, 10, 13))
        assert item.verify_due_on == date(2026, 11, 3)  # 15 working days
        handling.extend(db, principal=REGULATOR, complaint_id=item.id, note="需要检测报告")
        assert item.verify_due_on == date(2026, 11, 24)  # +15 once
        with pytest.raises(RuleViolation):
            handling.extend(db, principal=REGULATOR, complaint_id=item.id, note="again")
        handling.mediate(db, principal=REGULATOR, complaint_id=item.id, on=date(2026, 11, 2))
        assert item.mediation_due_on == date(2027, 1, 5)  # 45 working days; 2027-01-01 a holiday by rule
        assert handling.overdue(item, date(2027, 1, 5)) is None
        assert handling.overdue(item, date(2027, 1, 6)) == "mediation"


def test_regulator_accepts_links_transfers_and_upholds_which_becomes_a_credit_entry(client, signed_in, sessions,
                                                                                    make_certificate, world):
    make_certificate("00126Q26402R0M/4500")  # the certificate the complaint names
    with write_session(sessions) as db:
        item = file_complaint(db, principal=ANONYMOUS, subject_kind="certificate", subject_text="00126Q26402R0M/4500",
                              kind="fake_certificate", description="证书被冒用", anonymous=True)
        cid = item.id
    signed_in("regulator")
    queue = client.get("/regulator/complaints?status=open").text
    assert item.tracking_number in queue and "证书被冒用" not in queue
    url = f"/regulator/complaints/{cid}"
    assert "匿名" in client.get(url).text
    assert post_form(client, url, f"{url}/accept").status_code == 303
    r = post_form(client, url, f"{url}/link", data={"target_type": "person", "target_id": "999999"},
                  follow_redirects=True)
    assert "没有编号为 999999 的" in r.text and 'value="999999"' in r.text
    post_form(client, url, f"{url}/link", data={"target_type": "person", "target_id": str(world.ids["a1"])})
    r = post_form(client, url, f"{url}/transfer", data={"region_code": "440100", "note": "企业实际在广州"},
                  follow_redirects=True)
    assert "440100" in r.text
    r = post_form(client, url, f"{url}/close", data={"result": "upheld", "note": "查实冒用"}, follow_redirects=True)
    assert "查实冒用" in r.text
    with read_session(sessions) as db:
        assert db.get(Complaint, cid).region_code == "440100"
        kinds = {(e.subject_type, e.kind) for e in db.scalars(select(CreditEntry))}
        assert ("organization", "complaint_upheld") in kinds and ("body", "complaint_upheld") in kinds
    progress = client.get(f"/complaints/track?number={item.tracking_number}").text
    assert "成立" in progress and "查实冒用" in progress and "转交" in progress
    with write_session(sessions) as db, pytest.raises(RuleViolation):
        handling.accept(db, principal=REGULATOR, complaint_id=cid)


def test_complaints_are_for_regulators_only(client, signed_in):
    assert client.get("/regulator/complaints", follow_redirects=False).status_code == 303
    signed_in("cb_a")
    assert client.get("/regulator/complaints").status_code == 403
    assert client.get("/complaints/track?number=TS20260101-XXXXXXXX").status_code == 404


def test_a_reject_needs_a_reason(sessions):
    with write_session(sessions) as db:
        item = file_complaint(db, principal=ANONYMOUS, subject_kind="body", subject_text="00126", kind="malpractice",
                              description="不审核就发证", anonymous=True)
        assert item.body_id is not None
        with pytest.raises(InvalidInput):
            handling.reject(db, principal=REGULATOR, complaint_id=item.id, note=" ")
