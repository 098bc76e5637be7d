"""One door for every step on a case, by its action name (case_flow.TRANSITIONS): the handlers' and applicants'
pages and the JSON API all call `take_step`, so a step has the same rules, errors and events wherever it is taken."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from certbridge.errors import InvalidInput
from certbridge.kit.workdays import WorkdayCalendar
from certbridge.licensing import case_flow, cases
from certbridge.licensing.case_decisions import (
    Authority,
    approve,
    assign_review,
    follow_commitment,
    issue_licence,
    regulator_step,
)
from certbridge.licensing.case_models import LicensingCase
from certbridge.principal import Principal


def take_step(session: Session, *, principal: Principal, case_id: int, action: str, authority: Authority,
              note: str | None = None, on: date | None = None, team: Sequence[int] = (),
              handler_email: str | None = None, calendar: WorkdayCalendar | None = None) -> LicensingCase:
    """Take one step of a case: an applicant's (submit, resubmit, rectified, withdraw) or a regulator's (accept,
    reject, 补正, review team, findings, rectification, approve, refuse, licence, 告知承诺 check)."""
    step = case_flow.TRANSITIONS.get(action)
    if step is None:
        raise InvalidInput("licensing_case.action_unknown", field="action", action=action)
    if step.side == "applicant":
        return cases.applicant_step(session, principal=principal, case_id=case_id, action=action, on=on, note=note,
                                    handler_email=handler_email, calendar=calendar)
    common = {"principal": principal, "case_id": case_id, "on": on, "calendar": calendar}
    if action == "assign_review":
        return assign_review(session, person_ids=list(team), **common)
    if action == "approve":
        return approve(session, note=note, **common)
    if action == "issue_licence":
        return issue_licence(session, authority=authority, **common)
    if action in ("confirm_commitment", "revoke_commitment"):
        return follow_commitment(session, note=note or "", truthful=action == "confirm_commitment", **common)
    return regulator_step(session, action=action, note=note, **common)
