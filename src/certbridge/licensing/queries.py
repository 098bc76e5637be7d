"""Reading licensing records: status, publication state, the public list and the overdue list."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.kit.workdays import WorkdayCalendar
from certbridge.licensing.deadlines import provisional_message
from certbridge.licensing.models import LicensingRecord
from certbridge.registry.models import CertificationBody, Lab


def _superseded_ids(session: Session, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    stmt = select(LicensingRecord.supersedes_id).where(LicensingRecord.supersedes_id.in_(ids),
                                                       LicensingRecord.withdrawn_on.is_(None))
    return {i for i in session.scalars(stmt) if i is not None}


def _subject_ok(session: Session, record: LicensingRecord) -> bool:
    if record.subject_type == "body" and record.subject_id is not None:
        body = session.get(CertificationBody, record.subject_id)
        return body is not None and body.status == "approved"
    if record.subject_type == "lab" and record.subject_id is not None:
        lab = session.get(Lab, record.subject_id)
        return lab is not None and lab.status == "valid"
    return True


def record_status(session: Session, record: LicensingRecord, on: date, superseded: set[int] | None = None) -> str:
    """Return valid or invalid (XK_ZT) for a record on a date."""
    superseded = superseded if superseded is not None else _superseded_ids(session, [record.id])
    if record.withdrawn_on is not None or record.id in superseded:
        return "invalid"
    if record.valid_to is not None and on > record.valid_to:
        return "invalid"
    return "valid" if _subject_ok(session, record) else "invalid"


def licensing_view(session: Session, record: LicensingRecord, *, lang: str = "zh", on: date | None = None,
                   calendar: WorkdayCalendar | None = None, superseded: set[int] | None = None) -> dict[str, Any]:
    """Return a licensing record as the API shows it, with its status and any deadline warning."""
    on = on or date.today()
    warnings = []
    for year in (record.deadline_provisional_year, record.withdrawal_provisional_year):
        if year is not None and (message := provisional_message(year, lang)) not in warnings:
            warnings.append(message)
    late = None
    if record.published_on is not None and record.publication_due_on is not None:
        late = record.published_on > record.publication_due_on
    return {
        "id": record.id, "kind": record.kind, "subject_type": record.subject_type, "subject_id": record.subject_id,
        "party_name": record.party_name, "party_type": record.party_type, "party_uscc": record.party_uscc,
        "legal_representative": record.legal_representative, "document_name": record.document_name,
        "document_number": record.document_number, "category": record.category,
        "licence_name": record.licence_name, "licence_number": record.licence_number, "content": record.content,
        "decided_on": record.decided_on, "valid_from": record.valid_from, "valid_to": record.valid_to,
        "authority": record.authority, "authority_uscc": record.authority_uscc, "data_source": record.data_source,
        "data_source_uscc": record.data_source_uscc, "remarks": record.remarks,
        "status": record_status(session, record, on, superseded),
        "publication_due_on": record.publication_due_on,
        "publication_due_provisional": record.deadline_provisional_year is not None,
        "published_on": record.published_on,
        "published_late": late, "withdrawn_on": record.withdrawn_on, "withdrawal_due_on": record.withdrawal_due_on,
        "withdrawal_due_provisional": record.withdrawal_provisional_year is not None,
        "withdrawal_reason": record.withdrawal_reason, "warnings": warnings,
    }


def list_licensing_records(session: Session, *, after_id: int = 0, limit: int = 50, public_only: bool = False,
                           subject_type: str | None = None, subject_id: int | None = None,
                           q: str | None = None) -> list[LicensingRecord]:
    """List licensing records by id (the public sees only published, not withdrawn ones)."""
    stmt = select(LicensingRecord).where(LicensingRecord.id > after_id)
    if public_only:
        stmt = stmt.where(LicensingRecord.published_on.is_not(None), LicensingRecord.withdrawn_on.is_(None))
    if subject_type:
        stmt = stmt.where(LicensingRecord.subject_type == subject_type)
    if subject_id:
        stmt = stmt.where(LicensingRecord.subject_id == subject_id)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(LicensingRecord.party_name.like(like) | LicensingRecord.party_uscc.like(like)
                          | LicensingRecord.document_number.like(like))
    return list(session.scalars(stmt.order_by(LicensingRecord.id).limit(limit)))


def overdue_licensing_records(session: Session, *, on: date | None = None) -> list[LicensingRecord]:
    """Return unpublished records past their deadline or whose deadline the calendar cannot compute."""
    on = on or date.today()
    stmt = select(LicensingRecord).where(
        LicensingRecord.published_on.is_(None), LicensingRecord.withdrawn_on.is_(None),
        (LicensingRecord.publication_due_on < on) | LicensingRecord.publication_due_on.is_(None))
    return list(session.scalars(stmt.order_by(LicensingRecord.publication_due_on, LicensingRecord.id)))


def superseded_among(session: Session, records: list[LicensingRecord]) -> set[int]:
    """Return which of these records a later decision superseded."""
    return _superseded_ids(session, [r.id for r in records])
