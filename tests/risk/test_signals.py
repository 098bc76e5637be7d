"""Each risk signal with data that should and should not trigger it, thresholds as data, and the warnings they
raise, routed to the regulator of the subject's region."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from sqlalchemy import select

from certbridge.complaints.filing import file_complaint
from certbridge.db import read_session, write_session
from certbridge.ledger.journal import record_event
from certbridge.principal import ANONYMOUS, SYSTEM, Principal
from certbridge.registry.restrictions import impose_restriction
from certbridge.risk.compute import recompute_all
from certbridge.risk.models import EarlyWarning, RiskAuditMinimum, RiskScore, RiskSignal
from certbridge.risk.parameters import set_parameter
from tests.risk.conftest import TODAY

A1, A2 = "2021-N1QMS-1000001", "2022-N1QMS-1000002"
REGULATOR = Principal(role="regulator", user_id=2, username="regulator")


def _signals(sessions, kind: str, sid: int) -> dict[str, SimpleNamespace]:
    with write_session(sessions) as db:
        recompute_all(db, today=TODAY)
    with read_session(sessions) as db:
        return {s.signal: SimpleNamespace(value=s.value, triggered=s.triggered, evidence=s.evidence)
                for s in db.scalars(select(RiskSignal).where(RiskSignal.subject_type == kind,
                                                             RiskSignal.subject_id == sid))}


def _warnings(sessions, kind: str, sid: int) -> list[SimpleNamespace]:
    with read_session(sessions) as db:
        return [SimpleNamespace(reason=w.reason, region_code=w.region_code, authority=w.authority, status=w.status)
                for w in db.scalars(select(EarlyWarning).where(EarlyWarning.subject_type == kind,
                                                               EarlyWarning.subject_id == sid))]


def test_the_same_auditor_at_two_companies_on_the_same_day_is_a_paper_audit(sessions, world, issue):
    issue("00126Q25001R0M/4500", org="org1", start="2025-02-20", end="2025-02-21", auditors=(A1, A2))
    issue("00126Q25002R0M/4500", org="org2", start="2025-02-21", end="2025-02-22", auditors=(A1,))
    issue("00126Q25003R0M/4500", org="org2", start="2025-02-24", end="2025-02-25", auditors=(A2,))
    a1 = _signals(sessions, "person", world.ids["a1"])["double_booked"]
    assert a1.triggered and a1.value == 1
    assert a1.evidence["pairs"][0]["day"] == "2025-02-21"
    assert a1.evidence["pairs"][0]["certificates"] == ["00126Q25001R0M/4500", "00126Q25002R0M/4500"]
    assert "double_booked" not in _signals(sessions, "person", world.ids["a2"])  # consecutive, not overlapping
    warning, = [w for w in _warnings(sessions, "person", world.ids["a1"]) if w.reason == "double_booked"]
    assert (warning.region_code, warning.authority, warning.status) == ("450500", "北海市市场监督管理局", "open")


def test_two_audits_of_the_same_company_on_one_day_are_not_a_double_booking(sessions, world, issue):
    issue("00126Q25011R0M/4500", org="org1", start="2025-02-20", end="2025-02-21")
    issue("00126Q25012R0M/4500", org="org1", start="2025-02-20", end="2025-02-20", kind="surveillance")
    assert "double_booked" not in _signals(sessions, "person", world.ids["a1"])


def test_an_audit_shorter_than_the_scheme_minimum_is_flagged_and_the_minimum_is_data(sessions, world, issue):
    issue("00126Q25021R0M/4500", start="2025-02-20", end="2025-02-20")  # a one-day initial audit
    issue("00126Q25022R0M/4500", start="2025-02-24", end="2025-02-25", auditors=(A2,))  # two days: enough
    body = _signals(sessions, "body", world.ids["body_a"])["short_audits"]
    assert body.triggered and body.value == 1 and body.evidence["audits"][0]["certificate"] == "00126Q25021R0M/4500"
    assert _signals(sessions, "person", world.ids["a1"])["short_audits"].evidence["audits"][0]["minimum"] == 2
    assert "short_audits" not in _signals(sessions, "person", world.ids["a2"])
    with write_session(sessions) as db:  # a scheme-specific minimum overrides the "*" default
        db.add(RiskAuditMinimum(scheme_code="QMS", audit_kind="initial", min_days=3))
    assert _signals(sessions, "body", world.ids["body_a"])["short_audits"].value == 2
    assert [w.reason for w in _warnings(sessions, "body", world.ids["body_a"])].count("short_audits") == 1


def test_complaints_cross_their_threshold_and_the_threshold_is_data(sessions, world, make_certificate):
    make_certificate("00126Q25031R0M/4500")
    org = world.ids["org1"]
    with write_session(sessions) as db:
        for _ in range(2):
            file_complaint(db, principal=ANONYMOUS, subject_kind="certificate", subject_text="00126Q25031R0M/4500",
                           kind="product_quality", description="质量问题", anonymous=True, on=TODAY)
    signal = _signals(sessions, "organization", org)["complaints"]
    assert signal.value == 2 and not signal.triggered
    with write_session(sessions) as db:
        set_parameter(db, principal=REGULATOR, signal="complaints", weight=150, threshold=2, window_days=365,
                      warn=False)
    signal = _signals(sessions, "organization", org)["complaints"]
    assert signal.triggered and len(signal.evidence["complaints"]) == 2
    with read_session(sessions) as db:
        assert db.get(RiskScore, ("organization", org)).score == 150
    assert _warnings(sessions, "organization", org) == []  # 150 is under the score's warning threshold (500)


def test_certificates_issued_while_the_body_was_restricted(sessions, world, issue):
    issue("00126Q25041R0M/4500", issued_on="2025-03-01")
    with write_session(sessions) as db:
        impose_restriction(db, principal=SYSTEM, subject_type="body", subject_id=world.ids["body_b"], kind="barred",
                           reason="暂停", starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31), source="X")
    assert "issued_while_restricted" not in _signals(sessions, "body", world.ids["body_a"])
    with write_session(sessions) as db:  # a decision recorded late, effective before the issue date
        impose_restriction(db, principal=SYSTEM, subject_type="body", subject_id=world.ids["body_a"],
                           kind="dishonesty_list", reason="严重失信", starts_on=date(2025, 2, 1), ends_on=None,
                           source="国市监认罚〔2025〕3号")
    signal = _signals(sessions, "body", world.ids["body_a"])["issued_while_restricted"]
    assert signal.triggered and signal.evidence["items"][0][0] == "00126Q25041R0M/4500"


def test_issuing_far_above_the_usual_pace(sessions, world, issue):
    for i in range(2):
        issue(f"00126Q2505{i}R0M/4500", issued_on="2025-03-0{}".format(i + 1), start="2025-02-20", end="2025-02-21")
    assert not _signals(sessions, "body", world.ids["body_a"])["pace"].triggered  # 2 in 30 days, usual ≤ 1
    issue("00126Q25059R0M/4500", issued_on="2025-03-05", start="2025-02-24", end="2025-02-25", auditors=(A2,))
    pace = _signals(sessions, "body", world.ids["body_a"])["pace"]
    assert pace.triggered and pace.evidence == {"last_30_days": 3, "usual_30_days": 0.0}


def test_failed_spot_checks_are_read_from_the_log(sessions, world):
    org = world.ids["org2"]
    with write_session(sessions) as db:  # the event supervision records (supervision/tasks.py record_result)
        for result, on in (("no_problem", "2025-01-10"), ("corrected", "2025-02-10")):
            record_event(db, type="inspection.result_recorded", subject_type="inspection_task", subject_id=1,
                         actor="system", public=False,
                         data={"object_type": "organization", "object_id": org, "result": result,
                               "completed_on": on, "failed": result != "no_problem"})
    signal = _signals(sessions, "organization", org)["failed_checks"]
    assert signal.triggered and signal.value == 1 and signal.evidence["checks"][0]["result"] == "corrected"


def test_an_auditors_load_above_capacity(sessions, world, issue):
    issue("00126Q25061R0M/4500", start="2025-02-17", end="2025-02-21")
    load = _signals(sessions, "person", world.ids["a1"])["auditor_load"]
    assert load.value == 5 and not load.triggered
    with write_session(sessions) as db:
        set_parameter(db, principal=REGULATOR, signal="auditor_load", weight=150, threshold=5, window_days=365,
                      warn=True)
    assert _signals(sessions, "person", world.ids["a1"])["auditor_load"].triggered
    assert [w.reason for w in _warnings(sessions, "person", world.ids["a1"])] == ["auditor_load"]
