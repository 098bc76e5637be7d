"""The licensing pages end to end (TestClient, both backends): an applicant registers and applies as a lab,
the regulator asks for a correction, reviews and approves, the licence is issued with a QR that verifies;
e-mail notices reach a real local SMTP server; the console's body approval makes its 双公示 record."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from certbridge.credentials.licence_tokens import verify_licence_token
from certbridge.db import read_session, write_session
from certbridge.ledger.keys import credential_signer
from certbridge.licensing.case_models import LicensingCase
from certbridge.licensing.models import LicensingRecord
from certbridge.principal import SYSTEM
from certbridge.registry import people
from certbridge.registry.models import CertificationBody
from certbridge.settings import Settings
from tests.leaks import visible_text
from tests.licensing.cases_helpers import LAB_APPLICATION, PDF
from tests.licensing.smtp_sink import SmtpSink
from tests.web.conftest import post_form, sign_in


@pytest.fixture
def sink():
    with SmtpSink() as server:
        yield server


@pytest.fixture
def settings(settings, sink):
    return Settings(**{**{k: getattr(settings, k) for k in settings.model_fields_set}, "smtp_host": "127.0.0.1",
                       "smtp_port": sink.port, "licensing_handler_email": "handlers@regulator.example"})


def _client(app, username: str, password: str | None = None) -> TestClient:
    c = TestClient(app)
    r = sign_in(c, username, password) if password else sign_in(c, username)
    assert r.status_code == 303, r.text
    return c


def _step(client, case_id, action, **data):
    return post_form(client, f"/licensing/cases/{case_id}", f"/licensing/cases/{case_id}/step",
                     data={"action": action, **data})


def test_a_lab_applies_online_and_gets_a_licence_whose_qr_verifies(app, client, sessions, sink, settings):
    r = post_form(client, "/register", data={"username": "hy_lab", "display_name": "北海市海洋检测技术有限公司",
                                             "password": "short"})
    assert r.status_code == 422 and "10" in visible_text(r.text) and 'value="hy_lab"' in r.text
    r = post_form(client, "/register", data={"username": "hy_lab", "display_name": "北海市海洋检测技术有限公司",
                                             "password": "correct-horse-9"})
    assert r.status_code == 303
    applicant = _client(app, "hy_lab", "correct-horse-9")
    form = "/licensing/apply?kind=application&subject_type=lab"
    refused = post_form(applicant, form, "/licensing/apply", data={
        **LAB_APPLICATION, "kind": "application", "subject_type": "lab", "capabilities": "水产品 |",
        "procedure": "general"})
    assert refused.status_code == 422 and "第 1 项检测能力不完整" in visible_text(refused.text)
    assert "北海市海洋检测技术有限公司" in refused.text  # the form keeps what was typed
    made = post_form(applicant, form, "/licensing/apply", data={
        **LAB_APPLICATION, "kind": "application", "subject_type": "lab", "procedure": "general",
        "contact_email": "apply@hy-lab.example"}, files={"attachment": ("质量手册.pdf", PDF, "application/pdf")})
    assert made.status_code == 303, made.text[:2000]
    case_url = made.headers["location"]
    case_id = int(case_url.rsplit("/", 1)[1])
    page = applicant.get(case_url)
    assert "质量手册.pdf" in page.text and "草稿（未提交）" in visible_text(page.text)
    assert applicant.get(f"{case_url}/attachments/1").content == PDF
    r = post_form(applicant, case_url, f"{case_url}/applicant-step", data={"action": "submit"})
    assert r.status_code == 303
    assert "已提交，待受理" in visible_text(applicant.get(case_url).text)

    regulator = _client(app, "regulator")
    queue = visible_text(regulator.get("/licensing/queue").text)
    assert "北海市海洋检测技术有限公司" in queue and "已提交，待受理" in queue
    blank = _step(regulator, case_id, "request_correction", note="")
    assert blank.status_code == 303 and "已提交，待受理" in visible_text(regulator.get(case_url).text)
    assert _step(regulator, case_id, "request_correction", note="缺少授权签字人的任命文件").status_code == 303
    seen = visible_text(applicant.get(case_url).text)
    assert "待补正" in seen and "缺少授权签字人的任命文件" in seen
    assert "缺少授权签字人的任命文件" in visible_text(applicant.get("/licensing").text)  # the console notice
    post_form(applicant, case_url, f"{case_url}/attachments",
              files={"attachment": ("任命文件.pdf", PDF + b"\n% appointment", "application/pdf")})
    post_form(applicant, case_url, f"{case_url}/applicant-step", data={"action": "resubmit"})
    assert _step(regulator, case_id, "accept").status_code == 303
    with write_session(sessions) as db:
        team = [people.register_person(db, principal=SYSTEM, name=name, kind="expert", employer=employer).id
                for name, employer in (("孙评", "广西大学"), ("吴专", "桂林电子科技大学"))]
    assert _step(regulator, case_id, "assign_review", team=[str(i) for i in team]).status_code == 303
    _step(regulator, case_id, "record_findings", note="符合资质认定条件")
    _step(regulator, case_id, "approve")
    _step(regulator, case_id, "issue_licence")
    with read_session(sessions) as db:
        case = db.get(LicensingCase, case_id)
        assert case.state == "licensed"
        number = case.licence_number
        record = db.get(LicensingRecord, case.licensing_record_id)
        assert record.kind == "qualification" and record.licence_number == number
        assert record.authority == "国家认证认可监督管理委员会"
    licence = client.get(f"/licences/{number}")
    text = visible_text(licence.text)
    assert licence.status_code == 200 and "汞的测定" in text and "发证" in text
    token_url = re.search(r'href="(https?://[^"]+/v/l/([^"]+))"', licence.text)
    assert token_url, licence.text
    landing = client.get("/v/l/" + token_url.group(2))
    assert landing.status_code == 200 and "✓" in landing.text
    # offline: the token verifies with the published credential key alone
    key = credential_signer(settings).verifier_key
    assert verify_licence_token(token_url.group(2), [key]).authentic
    tampered = token_url.group(2)[:-3] + ("AAA" if not token_url.group(2).endswith("AAA") else "BBB")
    assert client.get("/v/l/" + tampered).status_code == 400
    # the notices: in the console and by e-mail, to the applicant and to the handlers
    mails = [(to, m["Subject"], m.get_content()) for _, to, m in sink.received]
    assert any(to == ["apply@hy-lab.example"] and "缺少授权签字人的任命文件" in body for to, _, body in mails)
    assert any(to == ["handlers@regulator.example"] and "已提交" in body for to, _, body in mails)
    assert any(to == ["apply@hy-lab.example"] and number in body for to, _, body in mails)


def test_another_applicant_cannot_see_the_case_and_an_applicant_has_no_queue(app, client, sessions):
    for name in ("one_lab", "two_lab"):
        post_form(client, "/register", data={"username": name, "display_name": name, "password": "correct-horse-9"})
    one = _client(app, "one_lab", "correct-horse-9")
    made = post_form(one, "/licensing/apply?kind=application&subject_type=lab", "/licensing/apply", data={
        **LAB_APPLICATION, "kind": "application", "subject_type": "lab", "procedure": "general"})
    case_url = made.headers["location"]
    two = _client(app, "two_lab", "correct-horse-9")
    assert two.get(case_url).status_code == 404
    assert two.get("/licensing/queue").status_code == 403
    assert _step(two, 1, "accept").status_code == 403
    with read_session(sessions) as db:
        assert db.scalar(select(LicensingCase.state)) == "draft"


def test_approving_a_body_in_the_console_makes_its_licensing_record(app, sessions):
    regulator = _client(app, "regulator")
    r = post_form(regulator, "/regulator/bodies/new", data={
        "code": "00777", "approval_number": "CNCA-R-2026-077", "name": "广西桂认认证有限公司",
        "fields": ["SYS-QMS"], "approved_on": date.today().isoformat(), "uscc": "91450103MAF5F9EW6L"})
    assert r.status_code == 303, r.text[:1500]
    with read_session(sessions) as db:
        body = db.scalar(select(CertificationBody).where(CertificationBody.code == "00777"))
        record = db.scalar(select(LicensingRecord).where(LicensingRecord.subject_type == "body",
                                                         LicensingRecord.subject_id == body.id))
        assert record is not None and record.kind == "approval" and record.licence_number == "CNCA-R-2026-077"
        assert record.party_name == "广西桂认认证有限公司" and record.publication_due_on is not None
