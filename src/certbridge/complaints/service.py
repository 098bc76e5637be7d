"""Reports of suspected fake certificates: filed by anyone, read and closed by regulators (never public)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certbridge.certificates.verification import verify_number
from certbridge.complaints.models import FakeReport
from certbridge.db import utcnow
from certbridge.errors import InvalidInput, NotFound, RuleViolation
from certbridge.ledger.journal import record_event
from certbridge.policy import require_regulator, require_regulator_reader
from certbridge.principal import Principal

LIMITS = {"number": 60, "body_ref": 30, "holder_name": 200, "where_seen": 2000, "contact": 200}


def _clean(values: dict[str, str | None]) -> dict[str, str | None]:
    out = {}
    for name, limit in LIMITS.items():
        value = (values.get(name) or "").strip()
        if len(value) > limit:
            raise InvalidInput("field.too_long", field=name, max=limit)
        out[name] = value or None
    if not out["number"]:
        raise InvalidInput("field.required", field="number")
    out["number"] = out["number"].upper()
    return out


def report_state(report: FakeReport) -> dict:
    """Return a report's state as its events carry it (the reporter's contact is never in the log)."""
    return {"number": report.number, "body_ref": report.body_ref, "holder_name": report.holder_name,
            "verification_outcome": report.verification_outcome, "verification_reason": report.verification_reason,
            "certificate_id": report.certificate_id, "has_contact": bool(report.contact), "status": report.status}


def file_fake_report(session: Session, *, principal: Principal, number: str, body_ref: str | None = None,
                     holder_name: str | None = None, where_seen: str | None = None,
                     contact: str | None = None) -> FakeReport:
    """File a report of a suspected fake certificate with what verification says about its number now."""
    values = _clean({"number": number, "body_ref": body_ref, "holder_name": holder_name, "where_seen": where_seen,
                     "contact": contact})
    answer = verify_number(session, values["number"], values["body_ref"])
    certificate_id = answer.certificates[0]["id"] if len(answer.certificates) == 1 else None
    report = FakeReport(**values, verification_outcome=answer.outcome, verification_reason=answer.reason,
                        certificate_id=certificate_id, status="new")
    session.add(report)
    session.flush()
    record_event(session, type="fake_report.filed", subject_type="fake_report", subject_id=report.id,
                 actor=principal.actor, public=False, data={"state": report_state(report)})
    return report


def review_fake_report(session: Session, *, principal: Principal, report_id: int, note: str) -> FakeReport:
    """Close a report with what the regulator found or did."""
    require_regulator(principal)
    report = session.get(FakeReport, report_id)
    if report is None:
        raise NotFound("not_found")
    if report.status == "reviewed":
        raise RuleViolation("fake_report.already_reviewed", id=report_id)
    if not (note or "").strip():
        raise InvalidInput("field.required", field="note")
    report.status, report.review_note, report.reviewed_at = "reviewed", note.strip()[:2000], utcnow()
    session.flush()
    record_event(session, type="fake_report.reviewed", subject_type="fake_report", subject_id=report.id,
                 actor=principal.actor, public=False,
                 data={"state": {"status": "reviewed"}, "note": report.review_note})
    return report


def list_fake_reports(session: Session, *, principal: Principal, status: str | None = None, after_id: int = 0,
                      limit: int = 50) -> list[FakeReport]:
    """List reports, newest first within the cursor (regulators; a read-only key may read them)."""
    require_regulator_reader(principal)
    stmt = select(FakeReport)
    if status:
        stmt = stmt.where(FakeReport.status == status)
    if after_id:
        stmt = stmt.where(FakeReport.id < after_id)
    return list(session.scalars(stmt.order_by(FakeReport.id.desc()).limit(limit)))


def count_open_reports(session: Session) -> int:
    """Return how many reports wait for a regulator."""
    return session.scalar(select(func.count()).select_from(FakeReport).where(FakeReport.status == "new")) or 0
