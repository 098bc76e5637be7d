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
from tests.web.conftest import sign_in


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


def test_a_case_deadline_in_a_year_without_a_notice_is_counted_for_that_year_and_recomputed(
        client, sessions, settings, world):
    from certbridge.supervision.workday_years import calendar_years

    who = applicant(sessions)
    case_id = filed(sessions, who, on=date(2026, 12, 1), data_dir=settings.data_dir)
    _step(sessions, case_id, "accept", on=date(2026, 12, 4))  # due 2027-01-04, counted by the rule for 2027
    with read_session(sessions) as db:
        before = {y["year"]: y for y in calendar_years(db, today=date(2026, 12, 6))}
    assert before[2027]["source"] == "provisional" and before[2027]["provisional_deadlines"] == 1
    handler = world.auth("regulator")
    sign_in(client, "regulator")
    row = client.get("/regulator/workdays").text.split(">2027</td>", 1)[1].split("</tr>", 1)[0]
    assert row.rstrip().endswith(">1</td>")  # the console's year list counts it too

    with write_session(sessions) as db:
        _, changed = set_year_notice(db, principal=SYSTEM, year=2027, table=NOTICE_2027)
    assert changed["licensing_case_step"] == 1
    assert client.get(f"/api/v1/licensing/cases/{case_id}", headers=handler).json()["due_on"] == "2027-01-05"
    with read_session(sessions) as db:
        after = {y["year"]: y for y in calendar_years(db, today=date(2026, 12, 6))}
    assert after[2027]["provisional_deadlines"] == 0
