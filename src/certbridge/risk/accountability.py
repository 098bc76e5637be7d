"""Accountability: everything one auditor took part in, and the review a finding against them opens."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.certificates.models import Audit, AuditAuditor, Certificate
from certbridge.complaints.handling import complaints_about
from certbridge.complaints.routing import authority_name
from certbridge.errors import InvalidInput, NotFound, RuleViolation
from certbridge.ledger.journal import record_event
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.registry.models import Person
from certbridge.risk.models import EarlyWarning
from certbridge.risk.subjects import subject_region
from certbridge.risk.warnings import _fingerprint, warning_state


def person_record(session: Session, person_id: int) -> dict:
    """Return every audit (with its certificate) and every complaint one person took part in or is named in."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("not_found")
    audits = [{"audit_id": a.id, "kind": a.kind, "start_on": a.start_on, "end_on": a.end_on, "role": role,
               "certificate_id": c.id, "certificate": c.number, "holder": c.holder_name, "status": c.status}
              for a, role, c in session.execute(
                  select(Audit, AuditAuditor.role, Certificate).join(AuditAuditor, AuditAuditor.audit_id == Audit.id)
                  .join(Certificate, Certificate.id == Audit.certificate_id)
                  .where(AuditAuditor.person_id == person_id).order_by(Audit.start_on, Audit.id))]
    return {"person": person, "audits": audits, "certificates": sorted({a["certificate_id"] for a in audits}),
            "complaints": complaints_about(session, "person", person_id)}


def open_review(session: Session, *, principal: Principal, person_id: int, finding: str | None,
                on: date | None = None) -> EarlyWarning:
    """A finding against a person opens a review of every certificate and audit they took part in."""
    require_regulator(principal)
    finding = (finding or "").strip()
    if not finding:
        raise InvalidInput("field.required", field="finding")
    if len(finding) > 2000:
        raise InvalidInput("field.too_long", field="finding", max=2000)
    record = person_record(session, person_id)
    if session.scalar(select(EarlyWarning.id).where(EarlyWarning.subject_type == "person",
                                                    EarlyWarning.subject_id == person_id,
                                                    EarlyWarning.reason == "review",
                                                    EarlyWarning.status == "open")) is not None:
        raise RuleViolation("risk.review_open")
    evidence = {"finding": finding, "certificates": record["certificates"],
                "audits": [a["audit_id"] for a in record["audits"]]}
    region = subject_region(session, "person", person_id)
    item = EarlyWarning(subject_type="person", subject_id=person_id, subject_name=record["person"].name,
                        reason="review", score=0, evidence=evidence, fingerprint=_fingerprint(evidence),
                        region_code=region, authority=authority_name(session, region), status="open",
                        raised_on=on or date.today())
    session.add(item)
    session.flush()
    record_event(session, type="risk.review_opened", subject_type="early_warning", subject_id=item.id,
                 actor=principal.actor, public=False, data={"state": warning_state(item), "finding": finding,
                                                            "certificates": evidence["certificates"],
                                                            "audits": evidence["audits"]})
    return item
