"""Licensing cases: filing, attachments, and every step of case_flow.TRANSITIONS with its working-day deadline.

Each step is a row in `licensing_case_step` and an event `licensing_case.<action>` in the caller's transaction;
decisions are public events, the application's content (people, equipment) is not.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from certbridge.kit.workdays import WorkdayCalendar
from certbridge.ledger.journal import record_event
from certbridge.licensing import case_flow
from certbridge.licensing.attachments import check_attachment, store_attachment
from certbridge.licensing.case_forms import check_application
from certbridge.licensing.case_models import CaseAttachment, CaseStep, LicensingCase
from certbridge.licensing.deadlines import calendar_for, workday_deadline
from certbridge.licensing.notices import add_notice
from certbridge.policy import require_regulator, require_writer
from certbridge.principal import Principal
from certbridge.registry.models import CertificationBody, Lab

DECISIONS = ("reject", "approve", "refuse", "issue_licence", "confirm_commitment", "revoke_commitment")
SUBJECT_MODEL = {"body": CertificationBody, "lab": Lab}


def get_case(session: Session, case_id: int) -> LicensingCase:
    """Get a case by its id."""
    case = session.get(LicensingCase, case_id)
    if case is None:
        raise NotFound("licensing_case.not_found", id=case_id)
    return case


def may_see(principal: Principal, case: LicensingCase) -> bool:
    """Tell whether a principal may read a case (its applicant, or a regulator)."""
    return principal.is_regulator or (principal.user_id is not None and principal.user_id == case.applicant_user_id)


def case_for(session: Session, principal: Principal, case_id: int) -> LicensingCase:
    """Get a case its reader may see (another applicant's case is not found)."""
    case = get_case(session, case_id)
    if not may_see(principal, case):
        raise NotFound("licensing_case.not_found", id=case_id)
    return case


def _may_act_for(session: Session, principal: Principal, subject_type: str, subject_id: int) -> bool:
    if subject_type == "body" and principal.role == "cb_operator" and principal.body_id == subject_id:
        return True
    if subject_type == "lab" and principal.role == "lab_operator" and principal.lab_id == subject_id:
        return True
    return session.scalar(select(LicensingCase.id).where(
        LicensingCase.applicant_user_id == principal.user_id, LicensingCase.subject_type == subject_type,
        LicensingCase.subject_id == subject_id, LicensingCase.state == "licensed").limit(1)) is not None


def file_case(session: Session, *, principal: Principal, kind: str, subject_type: str, procedure: str,
              application: dict[str, Any], subject_id: int | None = None, contact_email: str | None = None,
              today: date | None = None) -> LicensingCase:
    """Start a case as a draft (checked content; attachments next, then submit)."""
    require_writer(principal)
    if principal.role not in ("applicant", "cb_operator", "lab_operator"):
        raise Forbidden("licensing_case.applicants_only")
    today = today or date.today()
    if kind not in case_flow.KINDS:
        raise InvalidInput("licensing_case.kind_unknown", field="kind", kind=kind)
    if subject_type not in SUBJECT_MODEL:
        raise InvalidInput("licensing_case.subject_type_unknown", field="subject_type", value=subject_type)
    if procedure not in case_flow.PROCEDURES or (procedure == "commitment" and kind not in case_flow.COMMITMENT_KINDS):
        raise InvalidInput("licensing_case.procedure_not_allowed", field="procedure", procedure=procedure, kind=kind)
    subject = None
    if kind != "application":
        subject = session.get(SUBJECT_MODEL[subject_type], subject_id) if subject_id else None
        if subject is None:
            raise InvalidInput("licensing_case.subject_required", field="subject_id")
        if not _may_act_for(session, principal, subject_type, subject.id):
            raise Forbidden("licensing_case.not_your_subject")
    content = check_application(session, kind=kind, subject_type=subject_type, data=application, subject=subject,
                                today=today)
    if contact_email is not None and contact_email.strip() and "@" not in contact_email:
        raise InvalidInput("licensing_case.email_format", field="contact_email")
    name = content.get("name") or subject.name
    uscc = content.get("uscc") or (subject.uscc if subject else None)
    case = LicensingCase(number=f"pending-{uuid.uuid4().hex[:20]}", kind=kind, subject_type=subject_type,
                         subject_id=subject.id if subject else None, procedure=procedure, state="draft",
                         applicant_user_id=principal.user_id, applicant_name=name, applicant_uscc=uscc,
                         contact_email=(contact_email or "").strip() or None, application=content,
                         state_since=today)
    session.add(case)
    session.flush()
    case.number = f"XK-{today.year}-{case.id:06d}"
    session.add(CaseStep(case_id=case.id, action="file", from_state=None, to_state="draft", on=today,
                         actor=principal.actor))
    session.flush()
    record_event(session, type="licensing_case.filed", subject_type="licensing_case", subject_id=case.id,
                 actor=principal.actor, public=False,
                 data={"state": {"number": case.number, "kind": kind, "subject_type": subject_type,
                                 "subject_id": case.subject_id, "procedure": procedure, "application": content}})
    return case


def attach_file(session: Session, *, principal: Principal, case_id: int, filename: str, data: bytes,
                data_dir: Any, max_bytes: int) -> CaseAttachment:
    """Attach a file to a draft or a case being corrected; stored by its hash, the hash in the event."""
    case = case_for(session, principal, case_id)
    if principal.user_id != case.applicant_user_id:
        raise Forbidden("licensing_case.applicant_only")
    if case.state not in ("draft", "correcting", "rectifying"):
        raise RuleViolation("licensing_case.attach_state", state=case.state)
    filename = (filename or "attachment").strip()[-200:]
    kind = check_attachment(data, filename, max_bytes=max_bytes)
    digest = store_attachment(data_dir, data)
    item = CaseAttachment(case_id=case.id, sha256=digest, filename=filename, content_type=kind, size=len(data))
    session.add(item)
    session.flush()
    record_event(session, type="licensing_case.attached", subject_type="licensing_case", subject_id=case.id,
                 actor=principal.actor, public=False,
                 data={"sha256": digest, "filename": filename, "content_type": kind, "size": len(data)})
    return item


def move(session: Session, *, principal: Principal, case: LicensingCase, action: str, on: date | None = None,
         note: str | None = None, extra: dict[str, Any] | None = None,
         calendar: WorkdayCalendar | None = None, handler_email: str | None = None) -> CaseStep:
    """Take one step of the table: check side and state, set the next deadline, record the step and its event."""
    step = case_flow.TRANSITIONS.get(action)
    if step is None:
        raise InvalidInput("licensing_case.action_unknown", field="action", action=action)
    if step.side == "regulator":
        require_regulator(principal)
    else:
        require_writer(principal)
        if principal.user_id != case.applicant_user_id:
            raise Forbidden("licensing_case.applicant_only")
    if not case_flow.allowed(case.state, action, procedure=case.procedure, kind=case.kind,
                             verified=case.verified_on is not None):
        raise RuleViolation("licensing_case.transition", action=action, state=case.state)
    today = date.today()
    on = on or today
    if on > today:
        raise InvalidInput("licensing_case.date_in_future", field="on", date=on)
    if on < case.state_since:
        raise InvalidInput("licensing_case.date_before_step", field="on", date=on, since=case.state_since)
    deadline = (workday_deadline(calendar or calendar_for(), on, case_flow.limit_workdays(session, step.limit),
                                 session) if step.limit else None)
    before = case.state
    case.state, case.state_since = step.target, on
    case.due_on = deadline.due_on if deadline else None
    case.due_provisional_year = deadline.provisional_year if deadline else None
    if step.side == "regulator":
        case.handler = principal.username
    row = CaseStep(case_id=case.id, action=action, from_state=before, to_state=step.target, on=on,
                   due_on=case.due_on, due_provisional_year=case.due_provisional_year, actor=principal.actor,
                   note=(note or "").strip() or None)
    session.add(row)
    session.flush()
    record_event(session, type=f"licensing_case.{action}", subject_type="licensing_case", subject_id=case.id,
                 actor=principal.actor, public=action in DECISIONS,
                 data={"state": {"state": case.state, "state_since": on, "due_on": case.due_on},
                       "from": before, "number": case.number, "note": row.note,
                       "due_provisional_year": case.due_provisional_year, **(extra or {})})
    if step.side == "regulator":
        add_notice(session, case, audience="applicant", code=f"licensing_case.notice.{action}",
                   email_to=case.contact_email, due_on=case.due_on or "—", note=row.note or "")
    else:
        add_notice(session, case, audience="handler", code=f"licensing_case.notice.{action}",
                   email_to=handler_email, due_on=case.due_on or "—", note=row.note or "")
    return row


def applicant_step(session: Session, *, principal: Principal, case_id: int, action: str,
                   on: date | None = None, note: str | None = None, handler_email: str | None = None,
                   calendar: WorkdayCalendar | None = None) -> LicensingCase:
    """Take an applicant's step: submit, resubmit (after 补正), report rectification done, or withdraw."""
    case = case_for(session, principal, case_id)
    if case_flow.TRANSITIONS.get(action) is None or case_flow.TRANSITIONS[action].side != "applicant":
        raise InvalidInput("licensing_case.action_unknown", field="action", action=action)
    if action in ("submit", "resubmit") and case.kind == "application":
        has_files = session.scalar(select(CaseAttachment.id).where(CaseAttachment.case_id == case.id).limit(1))
        if not has_files:
            raise InvalidInput("licensing_case.attachments_required", field="attachment")
    move(session, principal=principal, case=case, action=action, on=on, note=note, handler_email=handler_email,
         calendar=calendar)
    return case


def steps_of(session: Session, case_id: int) -> list[CaseStep]:
    """Return a case's steps in order."""
    return list(session.scalars(select(CaseStep).where(CaseStep.case_id == case_id).order_by(CaseStep.id)))


def attachments_of(session: Session, case_id: int) -> list[CaseAttachment]:
    """Return a case's attachments in order."""
    return list(session.scalars(select(CaseAttachment).where(CaseAttachment.case_id == case_id)
                                .order_by(CaseAttachment.id)))
