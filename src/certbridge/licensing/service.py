"""Licensing decisions: a CB approval, change or renewal (and a lab's 资质认定) applies the registry change
and creates its 双公示 licensing record in one transaction; publication and withdrawal by the deadlines."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.errors import InvalidInput, NotFound, RuleViolation
from certbridge.ledger.journal import record_event
from certbridge.i18n.catalog import render
from certbridge.kit.workdays import WorkdayCalendar
from certbridge.licensing import disclosure
from certbridge.licensing.deadlines import calendar_for, workday_deadline
from certbridge.licensing.models import LicensingRecord
from certbridge.licensing.schemas import DecisionIn
from certbridge.licensing.parameters import publicity_setting
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.registry import bodies, labs
from certbridge.registry.models import CertificationBody, Lab
from certbridge.registry.service import check_uscc


def licensing_state(record: LicensingRecord) -> dict[str, Any]:
    """Return a licensing record's state as events carry it."""
    return {key: getattr(record, key) for key in (
        "kind", "subject_type", "subject_id", "party_name", "party_type", "party_uscc", "legal_representative",
        "document_name", "document_number", "category", "licence_name", "licence_number", "content",
        "decided_on", "valid_from", "valid_to", "authority", "authority_uscc", "data_source", "data_source_uscc",
        "remarks", "supersedes_id", "publication_due_on", "published_on", "decision_changed_on",
        "withdrawal_due_on", "withdrawn_on", "withdrawal_reason")}


def get_licensing_record(session: Session, record_id: int) -> LicensingRecord:
    """Get a licensing record by its id."""
    record = session.get(LicensingRecord, record_id)
    if record is None:
        raise NotFound("licensing.not_found", id=record_id)
    return record


def _latest_for(session: Session, subject_type: str, subject_id: int) -> LicensingRecord | None:
    stmt = (select(LicensingRecord).where(LicensingRecord.subject_type == subject_type,
                                          LicensingRecord.subject_id == subject_id,
                                          LicensingRecord.withdrawn_on.is_(None))
            .order_by(LicensingRecord.decided_on.desc(), LicensingRecord.id.desc()))
    return session.scalars(stmt).first()


def create_licensing_record(
    session: Session, *, principal: Principal, kind: str, subject_type: str | None, subject_id: int | None,
    party_name: str, party_uscc: str | None, decision: DecisionIn, licence_number: str | None,
    valid_from: date, valid_to: date | None, content: str, party_type: str = "legal_person",
    supersedes_id: int | None = None, calendar: WorkdayCalendar | None = None, today: date | None = None,
) -> LicensingRecord:
    """Record a licensing decision for 双公示, with its publication deadline in working days."""
    require_regulator(principal)
    authority_uscc, _ = check_uscc(decision.authority_uscc, field="decision.authority_uscc")
    source_uscc = authority_uscc
    if decision.data_source_uscc:
        source_uscc, _ = check_uscc(decision.data_source_uscc, field="decision.data_source_uscc")
    if valid_to is not None and valid_to < valid_from:
        raise InvalidInput("date.order", field="valid_to", start=valid_from, end=valid_to)
    if decision.decided_on > (today or date.today()):
        raise InvalidInput("licensing.decided_in_future", field="decision.decided_on", date=decision.decided_on)
    deadline = workday_deadline(calendar or calendar_for(), decision.decided_on,
                                publicity_setting(session, "licensing_publication_workdays"), session)
    record = LicensingRecord(
        kind=kind, subject_type=subject_type, subject_id=subject_id, party_name=party_name, party_type=party_type,
        party_uscc=party_uscc, legal_representative=decision.legal_representative,
        document_name=decision.document_name or render(f"licensing.document.{kind}", "zh"),
        document_number=decision.document_number.strip(), category=decision.category,
        licence_name=decision.licence_name or render(f"licensing.licence.{subject_type or 'other'}", "zh"),
        licence_number=licence_number, content=decision.content or content, decided_on=decision.decided_on,
        valid_from=valid_from, valid_to=valid_to, authority=decision.authority.strip(), authority_uscc=authority_uscc,
        data_source=(decision.data_source or decision.authority).strip(), data_source_uscc=source_uscc,
        remarks=decision.remarks, supersedes_id=supersedes_id, publication_due_on=deadline.due_on,
        deadline_provisional_year=deadline.provisional_year,
    )
    session.add(record)
    session.flush()
    record_event(session, type="licensing.recorded", subject_type="licensing_record", subject_id=record.id,
                 actor=principal.actor, data={"state": licensing_state(record),
                                              "deadline_provisional_year": deadline.provisional_year})
    if decision.publish:
        publish_licensing_record(session, principal=principal, record_id=record.id, on=today or date.today())
    return record


def _fields_text(codes: list[str]) -> str:
    return "、".join(codes)


def record_approval(session: Session, *, principal: Principal, body: CertificationBody, decision: DecisionIn,
                    calendar: WorkdayCalendar | None = None, today: date | None = None) -> LicensingRecord:
    """Create the licensing record of a body approved elsewhere (the regulator console) in its transaction."""
    content = render("licensing.content.approval", "zh", fields=_fields_text([f.field_code for f in body.fields]))
    return create_licensing_record(
        session, principal=principal, kind="approval", subject_type="body", subject_id=body.id, party_name=body.name,
        party_uscc=body.uscc, decision=decision, licence_number=body.approval_number, valid_from=body.approved_on,
        valid_to=body.valid_until, content=content, calendar=calendar, today=today)


def approve_body_with_record(session: Session, *, principal: Principal, body: dict[str, Any], decision: DecisionIn,
                             calendar: WorkdayCalendar | None = None,
                             today: date | None = None) -> tuple[CertificationBody, LicensingRecord]:
    """Approve a certification body and create its licensing record in the same transaction."""
    item = bodies.approve_body(session, principal=principal, **body)
    content = render("licensing.content.approval", "zh", fields=_fields_text([f.field_code for f in item.fields]))
    record = create_licensing_record(
        session, principal=principal, kind="approval", subject_type="body", subject_id=item.id, party_name=item.name,
        party_uscc=item.uscc, decision=decision, licence_number=item.approval_number, valid_from=item.approved_on,
        valid_to=item.valid_until, content=content, calendar=calendar, today=today)
    return item, record


def changed_text(changes: dict[str, Any]) -> str:
    """Return what a change decision changes, for its public record (the ID hash never; the new name yes)."""
    names = sorted(k for k in changes if k not in ("legal_rep_fingerprint", "legal_representative"))
    if changes.get("legal_representative"):  # 法定代表人变更: the new name is public, the ID hash never is
        names.append(f"法定代表人变更为{changes['legal_representative']}")
    return ", ".join(names)


def change_body_with_record(session: Session, *, principal: Principal, body_id: int, changes: dict[str, Any],
                            decision: DecisionIn, calendar: WorkdayCalendar | None = None,
                            today: date | None = None) -> tuple[CertificationBody, LicensingRecord]:
    """Change a body's approval (fields, particulars) and record the licensing change decision."""
    if not changes:
        raise InvalidInput("licensing.no_change", field="changes")
    previous = _latest_for(session, "body", body_id)
    item = bodies.change_body(session, principal=principal, body_id=body_id, changes=changes)
    content = render("licensing.content.change", "zh", fields=_fields_text([f.field_code for f in item.fields]),
                     changed=changed_text(changes))
    record = create_licensing_record(
        session, principal=principal, kind="change", subject_type="body", subject_id=item.id, party_name=item.name,
        party_uscc=item.uscc, decision=decision, licence_number=item.approval_number,
        valid_from=decision.decided_on, valid_to=item.valid_until, content=content,
        supersedes_id=previous.id if previous else None, calendar=calendar, today=today)
    return item, record


def renew_body_with_record(session: Session, *, principal: Principal, body_id: int, valid_until: date,
                           decision: DecisionIn, calendar: WorkdayCalendar | None = None,
                           today: date | None = None) -> tuple[CertificationBody, LicensingRecord]:
    """Renew a body's approval to a new end date and record the renewal decision."""
    current = bodies.get_body(session, body_id)
    if current.status != "approved":
        raise RuleViolation("licensing.renew_not_approved", current=current.status)
    if current.valid_until is not None and valid_until <= current.valid_until:
        raise InvalidInput("licensing.renewal_not_later", field="valid_until", current=current.valid_until)
    previous = _latest_for(session, "body", body_id)
    item = bodies.change_body(session, principal=principal, body_id=body_id, changes={"valid_until": valid_until})
    content = render("licensing.content.renewal", "zh", valid_until=valid_until.isoformat(),
                     fields=_fields_text([f.field_code for f in item.fields]))
    record = create_licensing_record(
        session, principal=principal, kind="renewal", subject_type="body", subject_id=item.id, party_name=item.name,
        party_uscc=item.uscc, decision=decision, licence_number=item.approval_number,
        valid_from=decision.decided_on, valid_to=valid_until, content=content,
        supersedes_id=previous.id if previous else None, calendar=calendar, today=today)
    return item, record


def qualify_lab_with_record(session: Session, *, principal: Principal, lab: dict[str, Any], decision: DecisionIn,
                            calendar: WorkdayCalendar | None = None,
                            today: date | None = None) -> tuple[Lab, LicensingRecord]:
    """Record a lab's 资质认定 and its licensing record in the same transaction."""
    item = labs.qualify_lab(session, principal=principal, **lab)
    content = render("licensing.content.qualification", "zh", count=len(item.capabilities))
    record = create_licensing_record(
        session, principal=principal, kind="qualification", subject_type="lab", subject_id=item.id,
        party_name=item.name, party_uscc=item.uscc, decision=decision, licence_number=item.cma_number,
        valid_from=item.qualified_on, valid_to=item.valid_until, content=content, calendar=calendar, today=today)
    return item, record


def publish_licensing_record(session: Session, *, principal: Principal, record_id: int,
                             on: date | None = None) -> LicensingRecord:
    """Publish a licensing record on the public portal."""
    require_regulator(principal)
    record = get_licensing_record(session, record_id)
    disclosure.publish(session, record, principal=principal, event_prefix="licensing",
                       subject_type="licensing_record", on=on)
    return record


def withdraw_licensing_record(session: Session, *, principal: Principal, record_id: int, decision_changed_on: date,
                              reason: str, on: date | None = None,
                              calendar: WorkdayCalendar | None = None) -> LicensingRecord:
    """Withdraw a licensing record's publication because its decision was changed or annulled."""
    require_regulator(principal)
    record = get_licensing_record(session, record_id)
    disclosure.withdraw(session, record, principal=principal, event_prefix="licensing",
                        subject_type="licensing_record", decision_changed_on=decision_changed_on, reason=reason,
                        on=on, calendar=calendar)
    return record
