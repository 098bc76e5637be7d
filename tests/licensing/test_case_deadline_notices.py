"""A holiday notice entered after a case step started moves the step's deadline; both sides see the new date
and why (the notice), in the case's history, their notices and the log."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from certbridge.db import read_session, write_session
from certbridge.ledger.journal import LedgerEvent
from certbridge.principal import SYSTEM
from certbridge.supervision.workday_years import set_year_notice
from tests.licensing.cases_helpers import applicant, filed
from tests.licensing.test_cases import _step
from tests.supervision.test_workday_years import NOTICE_2027


def test_entering_next_years_notice_moves_an_open_cases_deadline_and_says_why(client, sessions, settings, world):
    who = applicant(sessions)
    case_id = filed(sessions, who, on=date(2026, 12, 1), data_dir=settings.data_dir, email="lab@example.com")
    _step(sessions, case_id, "accept", on=date(2026, 12, 4))  # 20 working days: into 2027, provisional
    untouched = filed(sessions, who, on=date(2026, 12, 4), data_dir=settings.data_dir)  # 5 days: ends in 2026
    handler, url = world.auth("regulator"), f"/api/v1/licensing/cases/{case_id}"
    before = client.get(url, headers=handler).json()
    assert before["due_on"] == "2027-01-04" and "2027" in before["provisional"]
    other_before = client.get(f"/api/v1/licensing/cases/{untouched}", headers=handler).json()["due_on"]

    with write_session(sessions) as db:
        _, changed = set_year_notice(db, principal=SYSTEM, year=2027, table=NOTICE_2027)
    assert changed["licensing_case_step"] == 1

    after = client.get(url, headers=handler).json()
    assert after["due_on"] == "2027-01-05" and after["provisional"] is None  # 4 January is off by the notice
    last = after["steps"][-1]
    assert last["action"] == "deadline_recomputed" and last["state"] == "accepted" and last["due_on"] == "2027-01-05"
    assert "2027-01-04 → 2027-01-05" in last["note"] and "国务院办公厅" in last["note"]
    assert client.get(f"/api/v1/licensing/cases/{untouched}", headers=handler).json()["due_on"] == other_before

    with read_session(sessions) as db:
        subjects = list(db.scalars(select(LedgerEvent.subject_id).where(
            LedgerEvent.type == "deadline.recomputed", LedgerEvent.subject_type == "licensing_case")))
    assert subjects == [str(case_id)]
    page = client.get("/licensing/queue", headers=handler).text  # the handlers' notices
    assert "调整为 2027-01-05" in page
