"""The regulator's steps on a case: accept or reject, 补正, the review team (with avoidance), findings,
rectification, the decision, the licence — which applies the registry change and makes its 双公示 record —
and the follow-up of a 告知承诺 approval (confirmed, or revoked for a false commitment)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certbridge.errors import InvalidInput, RuleViolation
from certbridge.kit.dates import add_months
from certbridge.kit.workdays import WorkdayCalendar
from certbridge.licensing import case_flow
from certbridge.licensing.cases import get_case, move
from certbridge.licensing.models import LicensingRecord
from certbridge.licensing.parameters import publicity_setting
from certbridge.licensing.schemas import DecisionIn
from certbridge.licensing.service import (
    approve_body_with_record,
    change_body_with_record,
    changed_text,
    create_licensing_record,
    qualify_lab_with_record,
    renew_body_with_record,
    withdraw_licensing_record,
)
from certbridge.principal import Principal
from certbridge.registry import bodies, labs
from certbridge.registry.avoidance import barred_people, declared_relationships, same_employer
from certbridge.registry.models import CertificationBody, Lab, Person

MIN_REVIEWERS = 2  # as for spot checks: at least two people review


@dataclass(frozen=True)
class Authority:
    """The licensing authority named on decisions (settings.licensing_authority and its USCC)."""

    name: str
    uscc: str


def _needs_text(value: str | None, field: str) -> str:
    if not (value or "").strip():
        raise InvalidInput("field.required", field=field)
    return value.strip()


def regulator_step(session: Session, *, principal: Principal, case_id: int, action: str, note: str | None = None,
                   on: date | None = None, calendar: WorkdayCalendar | None = None) -> Any:
    """Take a regulator's step that needs only a note: accept, reject, 补正, rectification, findings, refuse."""
    case = get_case(session, case_id)
    if action in ("reject", "refuse"):
        case.reason = _needs_text(note, "note")
    elif action == "request_correction":
        case.missing = _needs_text(note, "note")
    elif action in ("record_findings", "request_rectification"):
        case.findings = _needs_text(note, "note")
    elif action not in ("accept",):
        raise InvalidInput("licensing_case.action_unknown", field="action", action=action)
    move(session, principal=principal, case=case, action=action, on=on, note=note, calendar=calendar)
    if action == "refuse":
        case.decided_on = case.state_since
    return case


def assign_review(session: Session, *, principal: Principal, case_id: int, person_ids: list[int],
                  on: date | None = None, calendar: WorkdayCalendar | None = None) -> Any:
    """Assign the review team; anyone barred or working for the applicant recuses (recorded with the reason)."""
    case = get_case(session, case_id)
    on = on or date.today()
    barred = barred_people(session, on)
    records = [(case.subject_type, case.subject_id)] if case.subject_id else []
    declared = declared_relationships(session, person_ids, on=on, party_name=case.applicant_name,
                                      party_uscc=case.applicant_uscc, records=records)
    members, recused = [], []
    for person_id in dict.fromkeys(person_ids):
        person = session.get(Person, person_id)
        if person is None or person.kind not in ("inspector", "expert"):
            raise InvalidInput("licensing_case.reviewer_unknown", field="team", id=person_id)
        body_id = case.subject_id if case.subject_type == "body" else None
        reason = ("barred" if person.id in barred else
                  "same_employer" if same_employer(person, case.applicant_name, body_id) else
                  f"declared_{declared[person.id].kind}" if person.id in declared else None)
        detail = ({"declared_on": declared[person.id].declared_on.isoformat()}
                  if reason and reason.startswith("declared_") else {})
        (recused if reason else members).append({"person_id": person.id, "name": person.name,
                                                 **({"reason": reason} if reason else {}), **detail})
    if len(members) < MIN_REVIEWERS:
        raise InvalidInput("licensing_case.team_too_small", field="team", minimum=MIN_REVIEWERS,
                           count=len(members), recused="、".join(f"{r['name']}" for r in recused) or "—")
    case.review_team = {"members": members, "recused": recused}
    move(session, principal=principal, case=case, action="assign_review", on=on, calendar=calendar,
         note="、".join(m["name"] for m in members), extra={"team": case.review_team})
    return case


def approve(session: Session, *, principal: Principal, case_id: int, note: str | None = None,
            on: date | None = None, calendar: WorkdayCalendar | None = None) -> Any:
    """Decide to grant (the licence follows within its limit)."""
    case = get_case(session, case_id)
    move(session, principal=principal, case=case, action="approve", on=on, note=note, calendar=calendar)
    case.decided_on = case.state_since
    return case


def _next_approval_number(session: Session, year: int) -> str:
    numbers = session.scalars(select(CertificationBody.approval_number).where(
        CertificationBody.approval_number.like(f"CNCA-R-{year}-%")))
    used = [int(m.group(1)) for n in numbers if (m := re.match(rf"^CNCA-R-{year}-(\d{{3}})$", n))]
    return f"CNCA-R-{year}-{max(used, default=0) + 1:03d}"


def _next_cma_number(session: Session, year: int) -> str:
    prefix = f"{year % 100:02d}0012"
    count = session.scalar(select(func.count()).select_from(Lab).where(Lab.cma_number.like(f"{prefix}%"))) or 0
    number = f"{prefix}{count + 1:06d}"
    while session.scalar(select(Lab.id).where(Lab.cma_number == number)):
        count += 1
        number = f"{prefix}{count + 1:06d}"
    return number


def _decision(case: Any, authority: Authority, decided_on: date) -> DecisionIn:
    return DecisionIn(document_number=f"{case.number}", decided_on=decided_on, authority=authority.name,
                      authority_uscc=authority.uscc,
                      legal_representative=case.application.get("legal_representative"))


def _apply(session: Session, principal: Principal, case: Any, decision: DecisionIn, on: date,
           calendar: WorkdayCalendar | None) -> LicensingRecord:
    """Apply the granted case to the registry and return its 双公示 record."""
    app, decided = case.application, case.decided_on
    common = {"principal": principal, "decision": decision, "calendar": calendar, "today": on}
    if case.kind == "application" and case.subject_type == "body":
        number = _next_approval_number(session, decided.year)
        item, record = approve_body_with_record(session, body={
            "code": f"R{number[7:11]}{number[-3:]}", "approval_number": number, "name": app["name"],
            "fields": app["fields"], "approved_on": decided, "valid_until": add_months(decided, 72),
            "uscc": app["uscc"], "address": app.get("address"),
            "legal_rep_fingerprint": app.get("legal_rep_fingerprint")}, **common)
        case.subject_id = item.id
    elif case.kind == "application":
        item, record = qualify_lab_with_record(session, lab={
            "cma_number": _next_cma_number(session, decided.year), "name": app["name"], "qualified_on": decided,
            "uscc": app["uscc"], "address": app.get("address"), "capabilities": app["capabilities"],
            "legal_representative": app.get("legal_representative"),
            "legal_rep_fingerprint": app.get("legal_rep_fingerprint")}, **common)
        case.subject_id = item.id
    elif case.subject_type == "body" and case.kind == "change":
        item, record = change_body_with_record(session, body_id=case.subject_id, changes={
            k: v for k, v in app.items() if k in ("fields", "address", "legal_representative",
                                                 "legal_rep_fingerprint")}, **common)
    elif case.subject_type == "body" and case.kind == "renewal":
        item, record = renew_body_with_record(session, body_id=case.subject_id,
                                              valid_until=date.fromisoformat(app["valid_until"]), **common)
    elif case.subject_type == "body":
        item = bodies.set_body_status(session, principal=principal, body_id=case.subject_id, status="withdrawn",
                                      reason=app["reason"], on=on)
        record = _lab_or_body_record(session, case, item, "other", decision, on, calendar, principal,
                                     valid_to=decided)
    else:
        item, record = _lab_change(session, principal, case, decision, on, calendar)
    case.licence_number = item.approval_number if case.subject_type == "body" else item.cma_number
    return record


def _lab_or_body_record(session, case, item, kind, decision, on, calendar, principal, *, valid_to=None):
    content = {"change": "变更资质认定事项：{what}", "renewal": "延续资质认定有效期至 {until}",
               "other": "依申请注销"}[kind]
    what = changed_text(case.application) if kind == "change" else ""
    return create_licensing_record(
        session, principal=principal, kind=kind, subject_type=case.subject_type, subject_id=item.id,
        party_name=item.name, party_uscc=item.uscc, decision=decision,
        licence_number=getattr(item, "cma_number", None) or getattr(item, "approval_number", None),
        valid_from=case.decided_on, valid_to=valid_to if valid_to is not None else item.valid_until,
        content=content.format(what=what, until=case.application.get("valid_until")), calendar=calendar,
        today=on)


def _lab_change(session, principal, case, decision, on, calendar):
    app = case.application
    if case.kind == "change":
        changes = {k: v for k, v in app.items() if k in ("capabilities", "address", "legal_representative",
                                                         "legal_rep_fingerprint")}
        kind = "change"
    elif case.kind == "renewal":
        changes, kind = {"valid_until": date.fromisoformat(app["valid_until"])}, "renewal"
    else:
        changes, kind = {"status": "revoked"}, "other"
    item = labs.update_lab(session, principal=principal, lab_id=case.subject_id, changes=changes)
    record = _lab_or_body_record(session, case, item, kind, decision, on, calendar, principal,
                                 valid_to=case.decided_on if kind == "other" else None)
    return item, record


def issue_licence(session: Session, *, principal: Principal, case_id: int, authority: Authority,
                  on: date | None = None, calendar: WorkdayCalendar | None = None) -> Any:
    """Issue the licence of an approved case: the registry changes and its 双公示 record is made, at once."""
    case = get_case(session, case_id)
    on = on or date.today()
    if not case_flow.allowed(case.state, "issue_licence", procedure=case.procedure, kind=case.kind):
        raise RuleViolation("licensing_case.transition", action="issue_licence", state=case.state)
    record = _apply(session, principal, case, _decision(case, authority, case.decided_on), on, calendar)
    case.licensing_record_id = record.id
    if case.procedure == "commitment":
        case.verification_due_on = add_months(on, int(publicity_setting(session, "commitment_check_months")))
    move(session, principal=principal, case=case, action="issue_licence", on=on, calendar=calendar,
         note=case.licence_number, extra={"licence_number": case.licence_number, "licensing_record": record.id,
                                          "verification_due_on": case.verification_due_on})
    return case


def follow_commitment(session: Session, *, principal: Principal, case_id: int, truthful: bool, note: str,
                      on: date | None = None, calendar: WorkdayCalendar | None = None) -> Any:
    """Record the check of a 告知承诺: confirmed, or false — the licence is revoked and its record withdrawn."""
    case = get_case(session, case_id)
    on = on or date.today()
    note = _needs_text(note, "note")
    action = "confirm_commitment" if truthful else "revoke_commitment"
    move(session, principal=principal, case=case, action=action, on=on, note=note, calendar=calendar)
    if truthful:
        case.verified_on = on
        return case
    case.reason = note
    if case.subject_type == "body":
        bodies.set_body_status(session, principal=principal, body_id=case.subject_id, status="revoked",
                               reason=note, on=on)
    else:
        labs.update_lab(session, principal=principal, lab_id=case.subject_id, changes={"status": "revoked"})
    if case.licensing_record_id:
        withdraw_licensing_record(session, principal=principal, record_id=case.licensing_record_id,
                                  decision_changed_on=on, reason=note, on=on, calendar=calendar)
    return case
