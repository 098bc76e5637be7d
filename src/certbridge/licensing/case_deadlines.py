"""Case deadlines counted again when the working-day calendar changes.

A case step's deadline is counted in working days from the day the step started (``cases.move``). When a
regulator enters or corrects a year's holiday notice (放假通知: rest days and make-up working days), every open
case whose current step runs into that year is counted again from its own start with the new calendar. A
deadline that moves is written back with a history step (`deadline_recomputed`: the old and new dates and the
notice that moved it), a notice to the applicant and the handlers, and a `deadline.recomputed` event — so both
sides see the new deadline and why.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from certbridge.kit.workdays import WorkdayCalendar
from certbridge.ledger.journal import record_event
from certbridge.licensing import case_flow
from certbridge.licensing.case_models import CaseStep, LicensingCase
from certbridge.licensing.deadlines import workday_deadline
from certbridge.licensing.notices import add_notice
from certbridge.principal import Principal


def _step_limit(session: Session, case: LicensingCase) -> int | None:
    """Return the working days of the step the case is in (the limit of the transition that opened it)."""
    last = session.scalars(select(CaseStep.action).where(CaseStep.case_id == case.id,
                                                         CaseStep.to_state == case.state,
                                                         CaseStep.action.in_(case_flow.TRANSITIONS))
                           .order_by(CaseStep.id.desc()).limit(1)).first()
    limit = case_flow.TRANSITIONS[last].limit if last else None
    return case_flow.limit_workdays(session, limit) if limit else None


def recompute_case_deadlines(session: Session, *, principal: Principal, calendar: WorkdayCalendar, year: int,
                             source: str | None = None, on: date | None = None) -> int:
    """Count again the deadline of every open case whose current step runs into `year`; return how many moved.

    `calendar` already holds the new notice; `source` names it (shown to the applicant and the handlers).
    """
    on = on or date.today()
    runs_into = (LicensingCase.state_since <= date(year, 12, 31)) & (LicensingCase.due_on >= date(year - 1, 12, 1))
    stmt = (select(LicensingCase).where(LicensingCase.state.in_(case_flow.OPEN_STATES),
                                        LicensingCase.due_on.is_not(None),
                                        # a shift can reach back; a provisional mark on the year always counts
                                        or_(runs_into, LicensingCase.due_provisional_year == year))
            .order_by(LicensingCase.id))
    moved = 0
    for case in session.scalars(stmt):
        workdays = _step_limit(session, case)
        if workdays is None:
            continue
        deadline = workday_deadline(calendar, case.state_since, workdays)
        was = (case.due_on, case.due_provisional_year)
        if was == (deadline.due_on, deadline.provisional_year):
            continue
        case.due_on, case.due_provisional_year = deadline.due_on, deadline.provisional_year
        why = source or str(year)
        session.add(CaseStep(case_id=case.id, action="deadline_recomputed", from_state=case.state,
                             to_state=case.state, on=max(on, case.state_since), due_on=case.due_on,
                             due_provisional_year=case.due_provisional_year, actor=principal.actor,
                             note=f"{was[0].isoformat()} → {case.due_on.isoformat()}（{why}）"))
        session.flush()
        record_event(session, type="deadline.recomputed", subject_type="licensing_case", subject_id=case.id,
                     actor=principal.actor, public=False,
                     data={"state": {"due_on": case.due_on, "due_provisional_year": case.due_provisional_year},
                           "deadline": "licensing_case_step", "was": was[0], "notice_year": year,
                           "source": source})
        for audience, email in (("applicant", case.contact_email), ("handler", None)):
            add_notice(session, case, audience=audience, code="licensing_case.notice.deadline_recomputed",
                       email_to=email, was=was[0], due_on=case.due_on, year=year, source=why)
        moved += 1
    return moved
