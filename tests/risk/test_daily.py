"""The daily full recompute runs on its own in the leader of "risk-daily": an annual report falls due with no
event at all, and the body's `late_report` signal appears without anyone asking for a recompute."""

from __future__ import annotations

import time
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select

from certbridge.db import read_session, write_session
from certbridge.principal import SYSTEM
from certbridge.risk.daily import recompute_daily
from certbridge.risk.disclosures import file_annual_report, set_report_rule
from certbridge.risk.models import RiskCursor, RiskSignal


def _late_report(sessions, body_id: int) -> tuple[bool, dict] | None:
    with read_session(sessions) as db:
        row = db.scalar(select(RiskSignal).where(RiskSignal.subject_type == "body", RiskSignal.subject_id == body_id,
                                                 RiskSignal.signal == "late_report"))
        return None if row is None else (row.triggered, row.evidence)


def test_the_leader_recomputes_daily_and_a_missing_annual_report_becomes_a_signal_on_its_own(app, sessions, world):
    body_a, body_b = world.ids["body_a"], world.ids["body_b"]
    last_year = date.today().year - 1
    with write_session(sessions) as db:  # reports due every 31 March since two years ago; body B filed them all
        set_report_rule(db, principal=SYSTEM, due_month=3, due_day=31, first_year=last_year - 1)
        for year in (last_year - 1, last_year):
            file_annual_report(db, principal=SYSTEM, body_id=body_b, year=year, text="按时",
                               on=date(year + 1, 1, 15))
    assert _late_report(sessions, body_a) is None
    app.state.risk_daily = True  # the test app starts it off (tests/conftest.py); here it runs at once
    app.state.risk_daily_delay = 0.0
    with TestClient(app):  # no request: the background job alone
        deadline = time.monotonic() + 60
        while (found := _late_report(sessions, body_a)) is None:
            assert time.monotonic() < deadline, "the daily recompute raised no late_report"
            time.sleep(0.05)
        assert "risk-daily" in app.state.elector.held  # it ran in the process that leads the job
    triggered, evidence = found
    overdue = [r["year"] for r in evidence["reports"]]
    assert triggered and overdue == [y for y in (last_year - 1, last_year) if date(y + 1, 3, 31) < date.today()]
    assert _late_report(sessions, body_b) is None
    with read_session(sessions) as db:
        assert db.get(RiskCursor, 1).recomputed_on == date.today()
    assert recompute_daily(sessions) is None  # once a day: the next run that day has nothing to do
