"""Licensing cases: every step of the table allowed and refused, each step's working-day deadline (across a
holiday, into a provisional year), the review team's avoidance, 告知承诺 follow-up and 双公示 per decision."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from certbridge.db import read_session, write_session
from certbridge.errors import Forbidden, InvalidInput, RuleViolation
from certbridge.ledger.journal import LedgerEvent
from certbridge.licensing import case_flow, cases
from certbridge.licensing.case_decisions import assign_review, follow_commitment, issue_licence, regulator_step
from certbridge.licensing.case_decisions import approve as approve_case
from certbridge.licensing.case_models import CaseNotice, LicensingCase
from certbridge.licensing.models import LicensingRecord
from certbridge.principal import Principal
from certbridge.registry.models import CertificationBody, Lab
from tests.licensing.cases_helpers import AUTHORITY, LAB_APPLICATION, applicant, as_filed, filed

REGULATOR = Principal(role="regulator", user_id=2, username="regulator")


def _case(sessions, case_id) -> LicensingCase:
    with read_session(sessions) as db:
        case = db.get(LicensingCase, case_id)
        db.expunge(case)
        return case


def _step(sessions, case_id, action, note="材料齐全", on=None):
    with write_session(sessions) as db:
        regulator_step(db, principal=REGULATOR, case_id=case_id, action=action, note=note, on=on)


def _experts(sessions, world) -> list[int]:
    from certbridge.registry import people
    from certbridge.principal import SYSTEM
    with write_session(sessions) as db:
        ids = [people.register_person(db, principal=SYSTEM, name=name, kind="expert", employer=employer).id
               for name, employer in (("孙评", "广西大学"), ("钱审", "北海市海洋检测技术有限公司"),
                                      ("吴专", "桂林电子科技大学"))]
    return ids


def test_the_table_allows_each_action_only_from_its_states():
    for action, step in case_flow.TRANSITIONS.items():
        for state in case_flow.STATES:
            ok = case_flow.allowed(state, action, procedure="general", kind="application")
            if state not in step.sources:
                assert not ok, (action, state)
    assert case_flow.allowed("accepted", "approve", procedure="commitment", kind="application")
    assert not case_flow.allowed("accepted", "approve", procedure="general", kind="application")
    assert case_flow.allowed("accepted", "approve", procedure="general", kind="cancellation")
    assert not case_flow.allowed("accepted", "assign_review", procedure="commitment", kind="application")
    assert not case_flow.allowed("licensed", "confirm_commitment", procedure="general", kind="application")
    assert not case_flow.allowed("licensed", "confirm_commitment", procedure="commitment", kind="application",
                                 verified=True)
    assert case_flow.actions_for("submitted", "regulator", procedure="general", kind="application") == [
        "accept", "reject", "request_correction"]
    assert case_flow.actions_for("correcting", "applicant", procedure="general", kind="application") == [
        "resubmit", "withdraw"]


def test_a_lab_goes_from_application_to_licence_through_correction_review_and_rectification(
        sessions, world, settings):
    who = applicant(sessions)
    on = date(2026, 9, 28)
    case_id = filed(sessions, who, on=on, data_dir=settings.data_dir, email="apply@example.cn")
    case = _case(sessions, case_id)
    assert case.state == "submitted" and case.number == f"XK-2026-{case_id:06d}"
    assert case.due_on == date(2026, 10, 10)  # 5 working days across National Day 2026 (1–7 Oct off, Sat 10 Oct worked)
    assert case.due_provisional_year is None
    # a refused step changes nothing
    with write_session(sessions) as db, pytest.raises(RuleViolation) as refused:
        regulator_step(db, principal=REGULATOR, case_id=case_id, action="record_findings", note="x", on=on)
    assert refused.value.code == "licensing_case.transition"
    with write_session(sessions) as db, pytest.raises(Forbidden):
        cases.applicant_step(db, principal=REGULATOR, case_id=case_id, action="withdraw", on=on)
    with write_session(sessions) as db, pytest.raises(InvalidInput) as blank:
        regulator_step(db, principal=REGULATOR, case_id=case_id, action="request_correction", note=" ", on=on)
    assert blank.value.field == "note"
    _step(sessions, case_id, "request_correction", note="缺少授权签字人的任命文件", on=date(2026, 9, 29))
    case = _case(sessions, case_id)
    assert case.state == "correcting" and case.missing == "缺少授权签字人的任命文件" and case.due_on is None
    with write_session(sessions) as db:
        cases.applicant_step(db, principal=who, case_id=case_id, action="resubmit", on=date(2026, 9, 30))
    _step(sessions, case_id, "accept", on=date(2026, 10, 9))
    case = _case(sessions, case_id)
    assert case.state == "accepted" and case.due_on == date(2026, 11, 5)  # 20 working days
    members = _experts(sessions, world)
    with write_session(sessions) as db:
        assign_review(db, principal=REGULATOR, case_id=case_id, person_ids=members, on=date(2026, 10, 12))
    case = _case(sessions, case_id)
    assert [m["name"] for m in case.review_team["members"]] == ["孙评", "吴专"]
    assert case.review_team["recused"] == [{"person_id": members[1], "name": "钱审", "reason": "same_employer"}]
    assert case.due_on == date(2026, 12, 14)  # 45 working days
    _step(sessions, case_id, "request_rectification", note="天平未检定", on=date(2026, 11, 2))
    assert _case(sessions, case_id).due_on == date(2026, 12, 14)  # 30 working days
    with write_session(sessions) as db:
        cases.applicant_step(db, principal=who, case_id=case_id, action="rectified", note="已送检", on=date(2026, 11, 20))
    _step(sessions, case_id, "record_findings", note="符合资质认定条件", on=date(2026, 11, 27))
    with write_session(sessions) as db:
        approve_case(db, principal=REGULATOR, case_id=case_id, on=date(2026, 12, 1))
    with write_session(sessions) as db:
        issue_licence(db, principal=REGULATOR, case_id=case_id, authority=AUTHORITY, on=date(2026, 12, 3))
    case = _case(sessions, case_id)
    assert case.state == "licensed" and case.licence_number.startswith("260012")
    with read_session(sessions) as db:
        lab = db.get(Lab, case.subject_id)
        assert lab.name == LAB_APPLICATION["name"] and [c.item for c in lab.capabilities] == ["汞的测定", "铅的测定"]
        record = db.get(LicensingRecord, case.licensing_record_id)
        assert (record.kind, record.decided_on, record.licence_number) == ("qualification", date(2026, 12, 1),
                                                                          case.licence_number)
        assert record.document_number == case.number and record.publication_due_on == date(2026, 12, 10)
        types = [e.type for e in db.scalars(select(LedgerEvent).where(
            LedgerEvent.subject_type == "licensing_case", LedgerEvent.subject_id == str(case_id))
            .order_by(LedgerEvent.seq))]
        assert types == ["licensing_case.filed", "licensing_case.attached", "licensing_case.submit",
                         "licensing_case.request_correction", "licensing_case.resubmit", "licensing_case.accept",
                         "licensing_case.assign_review", "licensing_case.request_rectification",
                         "licensing_case.rectified", "licensing_case.record_findings", "licensing_case.approve",
                         "licensing_case.issue_licence"]
        notices = db.scalars(select(CaseNotice).where(CaseNotice.case_id == case_id, CaseNotice.audience == "applicant"))
        assert [n.code for n in notices][-1] == "licensing_case.notice.issue_licence"


def test_a_deadline_running_into_a_year_without_its_notice_is_provisional(sessions, world, settings):
    who = applicant(sessions)
    case_id = filed(sessions, who, on=date(2026, 12, 1), data_dir=settings.data_dir)
    _step(sessions, case_id, "accept", on=date(2026, 12, 2))
    experts = _experts(sessions, world)
    with write_session(sessions) as db:
        assign_review(db, principal=REGULATOR, case_id=case_id, person_ids=experts, on=date(2026, 12, 4))
    case = _case(sessions, case_id)
    assert case.due_provisional_year == 2027 and case.due_on.year == 2027


def test_a_commitment_approval_is_checked_and_a_false_one_revoked_with_its_record_withdrawn(
        sessions, world, settings):
    who = applicant(sessions)
    case_id = filed(sessions, who, subject_type="body", procedure="commitment", on=date(2026, 11, 2),
                    data_dir=settings.data_dir)
    _step(sessions, case_id, "accept", on=date(2026, 11, 3))
    with write_session(sessions) as db:
        approve_case(db, principal=REGULATOR, case_id=case_id, on=date(2026, 11, 3))
        issue_licence(db, principal=REGULATOR, case_id=case_id, authority=AUTHORITY, on=date(2026, 11, 4))
    case = _case(sessions, case_id)
    assert case.licence_number == "CNCA-R-2026-001" and case.verification_due_on == date(2027, 2, 4)
    with read_session(sessions) as db:
        body = db.get(CertificationBody, case.subject_id)
        assert body.status == "approved" and [f.field_code for f in body.fields] == ["SYS-QMS"]
    with write_session(sessions) as db:
        follow_commitment(db, principal=REGULATOR, case_id=case_id, truthful=False, note="专职审核员人数不实",
                          on=date(2026, 12, 1))
    case = _case(sessions, case_id)
    assert case.state == "revoked"
    with read_session(sessions) as db:
        assert db.get(CertificationBody, case.subject_id).status == "revoked"
        record = db.get(LicensingRecord, case.licensing_record_id)
        assert record.withdrawn_on == date(2026, 12, 1) and record.withdrawal_reason == "专职审核员人数不实"
    with write_session(sessions) as db, pytest.raises(RuleViolation):
        follow_commitment(db, principal=REGULATOR, case_id=case_id, truthful=True, note="x", on=date(2026, 12, 2))


def test_a_scope_change_renewal_and_cancellation_each_make_their_record(sessions, world, settings):
    who = applicant(sessions)
    case_id = filed(sessions, who, procedure="commitment", on=date(2026, 11, 2), data_dir=settings.data_dir)
    _step(sessions, case_id, "accept", on=date(2026, 11, 2))
    with write_session(sessions) as db:
        approve_case(db, principal=REGULATOR, case_id=case_id, on=date(2026, 11, 2))
        issue_licence(db, principal=REGULATOR, case_id=case_id, authority=AUTHORITY, on=date(2026, 11, 3))
    lab_id = _case(sessions, case_id).subject_id
    experts = _experts(sessions, world)
    kinds = {}
    for kind, application in (
            ("change", {"capabilities": LAB_APPLICATION["capabilities"] + "\n水产品 | 镉的测定 | GB 5009.15-2023"}),
            ("renewal", {"valid_until": "2034-12-31"}), ("cancellation", {"reason": "停止检验检测业务"})):
        change_id = filed(sessions, who, kind=kind, subject_id=lab_id, application=application,
                          procedure="general", on=date(2026, 11, 9), data_dir=settings.data_dir)
        _step(sessions, change_id, "accept", on=date(2026, 11, 10))
        if kind != "cancellation":
            with write_session(sessions) as db, pytest.raises(RuleViolation):
                approve_case(db, principal=REGULATOR, case_id=change_id, on=date(2026, 11, 10))
            with write_session(sessions) as db:
                assign_review(db, principal=REGULATOR, case_id=change_id, person_ids=experts,
                              on=date(2026, 11, 11))
            _step(sessions, change_id, "record_findings", note="符合", on=date(2026, 11, 12))
        with write_session(sessions) as db:
            approve_case(db, principal=REGULATOR, case_id=change_id, on=date(2026, 11, 13))
            issue_licence(db, principal=REGULATOR, case_id=change_id, authority=AUTHORITY, on=date(2026, 11, 16))
        with read_session(sessions) as db:
            lab = db.get(Lab, lab_id)
            kinds[kind] = (db.get(LicensingRecord, _case(sessions, change_id).licensing_record_id).kind,
                           len(lab.capabilities), lab.valid_until, lab.status)
    assert kinds["change"][:2] == ("change", 3)
    assert kinds["renewal"][0] == "renewal" and kinds["renewal"][2] == date(2034, 12, 31)
    assert kinds["cancellation"][0] == "other" and kinds["cancellation"][3] == "revoked"


def test_what_an_application_must_say(sessions, world, settings):
    who = applicant(sessions)
    bad = {**LAB_APPLICATION, "capabilities": "水产品 |"}
    with write_session(sessions) as db, pytest.raises(InvalidInput) as err:
        cases.file_case(db, principal=who, kind="application", subject_type="lab", procedure="general",
                        application=bad)
    assert (err.value.code, err.value.field) == ("licensing_case.capability_incomplete", "application.capabilities")
    from tests.licensing.cases_helpers import CB_APPLICATION
    for change, code in (({"capital_wan": "200"}, "licensing_case.capital_low"),
                         ({"auditors": "甲\n乙"}, "licensing_case.auditors_few"),
                         ({"fields": []}, "licensing_case.fields_required")):
        with write_session(sessions) as db, pytest.raises(InvalidInput) as err:
            cases.file_case(db, principal=who, kind="application", subject_type="body", procedure="general",
                            application={**CB_APPLICATION, **change})
        assert err.value.code == code
    with write_session(sessions) as db, pytest.raises(InvalidInput) as err:
        cases.file_case(db, principal=who, kind="cancellation", subject_type="lab", procedure="commitment",
                        application={"reason": "x"}, subject_id=world.ids["lab"])
    assert err.value.code == "licensing_case.procedure_not_allowed"
    with write_session(sessions) as db, pytest.raises(Forbidden):  # not this applicant's lab
        cases.file_case(db, principal=who, kind="change", subject_type="lab", procedure="general",
                        application={"address": "别处"}, subject_id=world.ids["lab"])
    with write_session(sessions) as db:
        case = cases.file_case(db, principal=who, kind="application", subject_type="lab", procedure="general",
                               application=as_filed(LAB_APPLICATION))
        case_id = case.id
    for data, code in ((b"", "licensing_case.attachment_empty"), (b"MZ\x90\x00", "licensing_case.attachment_type"),
                       (b"%PDF-" + b"x" * 2000, "licensing_case.attachment_too_large")):
        with write_session(sessions) as db, pytest.raises(InvalidInput) as err:
            cases.attach_file(db, principal=who, case_id=case_id, filename="a.pdf", data=data,
                              data_dir=settings.data_dir, max_bytes=1024)
        assert err.value.code == code
    with write_session(sessions) as db, pytest.raises(InvalidInput) as err:
        cases.applicant_step(db, principal=who, case_id=case_id, action="submit")
    assert err.value.code == "licensing_case.attachments_required"


def test_the_attachment_is_stored_by_its_hash_and_the_hash_is_in_the_event(sessions, world, settings):
    import hashlib
    from tests.licensing.cases_helpers import PDF
    who = applicant(sessions)
    case_id = filed(sessions, who, data_dir=settings.data_dir)
    digest = hashlib.sha256(PDF).hexdigest()
    assert (settings.data_dir / "attachments" / digest[:2] / digest).read_bytes() == PDF
    with read_session(sessions) as db:
        event = db.scalar(select(LedgerEvent).where(LedgerEvent.type == "licensing_case.attached",
                                                    LedgerEvent.subject_id == str(case_id)))
        assert event.data["sha256"] == digest and event.data["size"] == len(PDF)


def test_a_barred_reviewer_recuses_and_a_team_too_small_is_refused(sessions, world, settings):
    who = applicant(sessions)
    case_id = filed(sessions, who, on=date(2026, 11, 2), data_dir=settings.data_dir)
    _step(sessions, case_id, "accept", on=date(2026, 11, 2))
    experts = _experts(sessions, world)
    from certbridge.registry import restrictions
    from certbridge.principal import SYSTEM
    with write_session(sessions) as db:
        restrictions.impose_restriction(db, principal=SYSTEM, subject_type="person", subject_id=experts[0],
                                        kind="barred", reason="虚假评审", starts_on=date(2026, 1, 1),
                                        ends_on=date(2031, 1, 1), source="测试")
    with write_session(sessions) as db, pytest.raises(InvalidInput) as err:
        assign_review(db, principal=REGULATOR, case_id=case_id, person_ids=experts, on=date(2026, 11, 3))
    assert err.value.code == "licensing_case.team_too_small"
    assert "孙评" in err.value.message("zh") and "钱审" in err.value.message("zh")
    with write_session(sessions) as db, pytest.raises(InvalidInput):
        assign_review(db, principal=REGULATOR, case_id=case_id, person_ids=[world.ids["a1"], experts[2]],
                      on=date(2026, 11, 3))  # an auditor is no reviewer
