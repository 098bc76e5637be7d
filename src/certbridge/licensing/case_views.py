"""What the case pages show: each case with its state, its step's deadline, the working days left and who
holds it; the queue of open cases by deadline; the history of steps."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.i18n.catalog import render
from certbridge.licensing import case_flow
from certbridge.licensing.case_models import LicensingCase
from certbridge.licensing.cases import attachments_of, steps_of
from certbridge.licensing.deadlines import calendar_for, provisional_message
from certbridge.licensing.workday_notices import effective_calendar
from certbridge.registry.models import Person


def _days_left(session: Session, due: date | None, today: date) -> int | None:
    if due is None:
        return None
    return effective_calendar(session, calendar_for()).workdays_between(today, due)


def case_summary(session: Session, case: LicensingCase, lang: str, today: date | None = None) -> dict[str, Any]:
    """Return a case as a row of a list: number, kind, state, deadline, days left and who holds it."""
    today = today or date.today()
    return {
        "id": case.id, "number": case.number, "name": case.applicant_name, "state": case.state, "kind": case.kind,
        "subject_type": case.subject_type, "subject_id": case.subject_id, "procedure": case.procedure,
        "state_label": render(f"licensing_case.state.{case.state}", lang),
        "kind_label": render(f"licensing_case.kind.{case.kind}", lang),
        "subject_label": render(f"licensing_case.subject.{case.subject_type}", lang),
        "procedure_label": render(f"licensing_case.procedure.{case.procedure}", lang),
        "due_on": case.due_on, "days_left": _days_left(session, case.due_on, today),
        "provisional": provisional_message(case.due_provisional_year, lang),
        "holder": "applicant" if case.state in case_flow.APPLICANT_TURN else (case.handler or "—"),
        "open": case.state in case_flow.OPEN_STATES or case.state == "draft",
        "licence_number": case.licence_number, "verification_due_on": case.verification_due_on,
    }


def case_detail(session: Session, case: LicensingCase, lang: str, side: str) -> dict[str, Any]:
    """Return a case with its application, files, steps (each with its deadline) and the actions open to a side."""
    view = case_summary(session, case, lang)
    view.update({
        "case": case, "application": case.application, "missing": case.missing, "findings": case.findings,
        "reason": case.reason, "team": case.review_team,
        "attachments": attachments_of(session, case.id),
        "steps": [{"action": render(f"licensing_case.action.{s.action}", lang), "on": s.on,
                   "state": render(f"licensing_case.state.{s.to_state}", lang), "due_on": s.due_on,
                   "provisional": s.due_provisional_year is not None, "note": s.note}
                  for s in steps_of(session, case.id)],
        "actions": case_flow.actions_for(case.state, side, procedure=case.procedure, kind=case.kind,
                                         verified=case.verified_on is not None),
    })
    return view


def queue(session: Session, lang: str, *, state: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Return the open cases (or those in one state), the nearest deadline first."""
    stmt = select(LicensingCase)
    stmt = stmt.where(LicensingCase.state == state) if state else stmt.where(
        LicensingCase.state.in_(case_flow.OPEN_STATES))
    stmt = stmt.order_by(LicensingCase.due_on.is_(None), LicensingCase.due_on, LicensingCase.id).limit(limit)
    return [case_summary(session, c, lang) for c in session.scalars(stmt)]


def commitments_due(session: Session, lang: str, limit: int = 100) -> list[dict[str, Any]]:
    """Return the 告知承诺 licences whose commitment is still to be verified, the earliest check first."""
    stmt = (select(LicensingCase).where(LicensingCase.procedure == "commitment", LicensingCase.state == "licensed",
                                        LicensingCase.verified_on.is_(None))
            .order_by(LicensingCase.verification_due_on).limit(limit))
    return [case_summary(session, c, lang) for c in session.scalars(stmt)]


def cases_of_applicant(session: Session, user_id: int, lang: str) -> list[dict[str, Any]]:
    """Return an applicant's cases, the newest first."""
    stmt = select(LicensingCase).where(LicensingCase.applicant_user_id == user_id).order_by(LicensingCase.id.desc())
    return [case_summary(session, c, lang) for c in session.scalars(stmt.limit(200))]


def reviewer_options(session: Session) -> list[tuple[int, str]]:
    """Return the inspectors and experts a review team may be drawn from, as (id, "name (employer)")."""
    stmt = select(Person).where(Person.kind.in_(("inspector", "expert"))).order_by(Person.name).limit(500)
    return [(p.id, f"{p.name}（{p.employer or '—'}）") for p in session.scalars(stmt)]
