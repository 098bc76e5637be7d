"""Risk follows the log: folding each new event into the subjects it touches gives exactly what a full
recompute gives; warnings are routed by region and decided; the app recomputes after every write."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from certbridge.complaints import handling
from certbridge.complaints.filing import file_complaint
from certbridge.db import read_session, write_session
from certbridge.errors import InvalidInput, RuleViolation
from certbridge.principal import ANONYMOUS, SYSTEM, Principal
from certbridge.registry.restrictions import impose_restriction
from certbridge.risk.compute import follow_log, recompute_all
from certbridge.risk.models import EarlyWarning
from certbridge.risk.parameters import set_parameter
from certbridge.risk.warnings import decide_warning
from tests.risk.conftest import TODAY, risk_snapshot
from tests.web.conftest import post_form

A1, A2 = "2021-N1QMS-1000001", "2022-N1QMS-1000002"
REGULATOR = Principal(role="regulator", user_id=2, username="regulator")


def test_folding_events_one_by_one_agrees_with_a_full_recompute(sessions, world, issue):
    with write_session(sessions) as db:
        recompute_all(db, today=TODAY)  # the cursor starts at the end of the seeded log
    steps = [
        lambda: issue("00126Q25101R0M/4500", org="org1", start="2025-02-20", end="2025-02-21", auditors=(A1, A2)),
        lambda: issue("00126Q25102R0M/4500", org="org2", start="2025-02-21", end="2025-02-21", auditors=(A1,)),
        lambda: issue("00126Q25103R0M/4500", org="org2", start="2025-02-24", end="2025-02-25", auditors=(A2,),
                      issued_on="2025-03-05"),
    ]
    for step in steps:
        step()
        with write_session(sessions) as db:
            follow_log(db, today=TODAY)
    with write_session(sessions) as db:
        item = file_complaint(db, principal=ANONYMOUS, subject_kind="certificate", subject_text="00126Q25102R0M/4500",
                              kind="malpractice", description="未到现场", anonymous=True, on=TODAY)
        handling.accept(db, principal=REGULATOR, complaint_id=item.id, on=TODAY)
        handling.link(db, principal=REGULATOR, complaint_id=item.id, target_type="person", target_id=world.ids["a1"])
        impose_restriction(db, principal=SYSTEM, subject_type="body", subject_id=world.ids["body_a"], kind="barred",
                           reason="暂停", starts_on=date(2025, 3, 2), ends_on=None, source="X")
    with write_session(sessions) as db:
        counts = follow_log(db, today=TODAY)
    assert counts["person"] >= 1 and counts["body"] == 1
    incremental = risk_snapshot(sessions)
    assert any(s[2] == "double_booked" for s in incremental[0]) and any(s[2] == "complaints" for s in incremental[0])
    assert any(s[2] == "issued_while_restricted" for s in incremental[0])
    with write_session(sessions) as db:
        recompute_all(db, today=TODAY)
    assert risk_snapshot(sessions) == incremental
    with write_session(sessions) as db:  # nothing new: folding again changes nothing
        assert follow_log(db, today=TODAY) == {}


def test_a_warning_is_routed_to_the_city_of_a_county_company_and_decided_once(sessions, world):
    org = world.ids["org1"]  # registered in 450502 (海城区), a county of 北海市
    with write_session(sessions) as db:
        for i in range(5):
            file_complaint(db, principal=ANONYMOUS, subject_kind="company", subject_text=world.uscc["org1"],
                           kind="product_quality", description=f"第{i}件", anonymous=True, on=TODAY)
        set_parameter(db, principal=REGULATOR, signal="complaints", weight=300, threshold=2, window_days=365,
                      warn=False)
        recompute_all(db, today=TODAY)
    with read_session(sessions) as db:
        warning = db.scalar(select(EarlyWarning).where(EarlyWarning.subject_id == org,
                                                       EarlyWarning.subject_type == "organization"))
        assert (warning.reason, warning.score, warning.region_code) == ("score", 600, "450500")
        assert warning.evidence["signals"]["complaints"]["value"] == 5
        warning_id = warning.id
    with write_session(sessions) as db:
        with pytest.raises(InvalidInput):
            decide_warning(db, principal=REGULATOR, warning_id=warning_id, decision="dismissed", reason="")
        decide_warning(db, principal=REGULATOR, warning_id=warning_id, decision="inspect", reason="列入专项检查")
        with pytest.raises(RuleViolation):
            decide_warning(db, principal=REGULATOR, warning_id=warning_id, decision="penalize", reason="")
        recompute_all(db, today=TODAY)  # the same evidence raises nothing new
        assert db.scalar(select(EarlyWarning.id).where(EarlyWarning.status == "open")) is None
        file_complaint(db, principal=ANONYMOUS, subject_kind="company", subject_text=world.uscc["org1"],
                       kind="product_quality", description="新投诉", anonymous=True, on=TODAY)
        recompute_all(db, today=TODAY)  # new evidence does
        assert db.scalar(select(EarlyWarning.id).where(EarlyWarning.status == "open")) is not None


def test_the_app_recomputes_after_a_write_and_the_regulator_sees_and_decides(client, signed_in, world, issue):
    issue("00126Q25201R0M/4500", org="org1", start="2025-02-20", end="2025-02-21", auditors=(A1,))
    issue("00126Q25202R0M/4500", org="org2", start="2025-02-21", end="2025-02-22", auditors=(A1,))
    signed_in("regulator")  # the sign-in is a write: the follower folds the certificates' events
    page = client.get("/regulator/warnings").text
    assert "李明" in page and "同一审核员同日出现在两地" in page and "北海市市场监督管理局" in page
    person = client.get(f"/regulator/risk/person/{world.ids['a1']}").text
    assert "00126Q25202R0M/4500" in person and "超过阈值" in person and "此人参与的全部活动" in person
    warning_id = page.split('/regulator/warnings/')[1].split("/")[0]
    r = post_form(client, "/regulator/warnings", f"/regulator/warnings/{warning_id}/decide",
                  data={"decision": "dismissed", "reason": ""}, follow_redirects=True)
    assert "排除预警须说明理由" in r.text
    r = post_form(client, "/regulator/warnings", f"/regulator/warnings/{warning_id}/decide",
                  data={"decision": "inspect", "reason": "安排现场核查"}, follow_redirects=True)
    assert "预警已处理" in r.text
    assert "安排现场核查" in client.get("/regulator/warnings?status=inspect").text
    r = post_form(client, f"/regulator/risk/person/{world.ids['a1']}",
                  f"/regulator/risk/person/{world.ids['a1']}/review", data={"finding": "出具虚假审核报告"},
                  follow_redirects=True)
    assert "已启动全面复查" in r.text
    review = client.get("/regulator/warnings").text
    assert "对此人参与的全部活动进行复查" in review and "出具虚假审核报告" in review
