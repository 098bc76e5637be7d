"""Issuing certificates and recording audits; lifecycle changes live in workflow.py."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from certbridge.accreditation.service import check_accreditation
from certbridge.certificates.models import Audit, AuditAuditor, Certificate, CertificateSite
from certbridge.certificates.rules import (
    body_facts,
    check_audit,
    check_body_may_issue,
    check_holder,
    check_number_and_dates,
    check_product,
    holder_bars_of,
    person_bars_of,
    registrations_of,
    scheme_facts,
)
from certbridge.certificates.schemas import AuditIn, CertificateIn, SiteIn
from certbridge.certificates.snapshots import audit_state, certificate_state
from certbridge.errors import Conflict, InvalidInput, NotFound
from certbridge.registry.countries import abroad
from certbridge.ledger.journal import record_event
from certbridge.policy import require_body_operator
from certbridge.principal import Principal
from certbridge.registry.bodies import get_body
from certbridge.registry.models import Organization, Scheme
from certbridge.registry.schemes import check_grade, scheme_grades
from certbridge.registry.schemas_lookup import resolve_standard
from certbridge.registry.service import (
    check_region,
    check_uscc,
    find_organization_by_uscc,
    foreign_organization,
    register_organization,
)


def get_certificate(session: Session, certificate_id: int, *, for_update: bool = False) -> Certificate:
    """Get a certificate by its id."""
    stmt = select(Certificate).where(Certificate.id == certificate_id)
    if for_update:
        stmt = stmt.with_for_update()
    cert = session.scalar(stmt)
    if cert is None:
        raise NotFound("certificate.not_found", id=certificate_id)
    return cert


def find_certificates_by_number(session: Session, number: str, body_id: int | None = None) -> list[Certificate]:
    """Find certificates by number, optionally from one body."""
    stmt = select(Certificate).where(Certificate.number == number.strip().upper())
    if body_id is not None:
        stmt = stmt.where(Certificate.body_id == body_id)
    return list(session.scalars(stmt.options(selectinload(Certificate.sites)).order_by(Certificate.id)))


def _holder(session: Session, principal: Principal, draft: CertificateIn) -> Organization:
    holder = draft.holder
    country = abroad(holder.country, field="holder.country")
    if country:  # a foreign organization has no USCC: keyed by country and its home-register id
        if holder.uscc:
            raise InvalidInput("holder.foreign_has_no_uscc", field="holder.uscc")
        return foreign_organization(session, principal=principal, name=holder.name, country=country,
                                    foreign_id=holder.foreign_id, address=holder.address, name_en=holder.name_en,
                                    field="holder.foreign_id", authorize=False)
    if not holder.uscc:
        raise InvalidInput("field.required", field="holder.uscc")
    code, _ = check_uscc(holder.uscc, field="holder.uscc")
    org = find_organization_by_uscc(session, code)
    if org is None:
        # A body may register a new client: the USCC validator guards it like any organization write.
        org = register_organization(
            session, principal=principal, name=holder.name, uscc=code, address=holder.address,
            region_code=holder.region_code, name_en=holder.name_en, authorize=False,
        )
    return org


def _sites(session: Session, sites: list[SiteIn]) -> list[CertificateSite]:
    out = []
    for index, site in enumerate(sites):
        region = check_region(session, site.region_code, field=f"sites[{index}].region_code")
        out.append(CertificateSite(name=site.name, address=site.address, region_code=region, scope=site.scope))
    return out


def _audit(session: Session, body_id: int, audit: AuditIn, index: int = 0, today: date | None = None) -> Audit:
    numbers = [a.registration_number.strip().upper() for a in audit.auditors]
    registrations = registrations_of(session, numbers)
    bars = person_bars_of(session, [r.person_id for r in registrations.values()])
    people = check_audit(audit.start_on, audit.end_on, numbers, registrations, bars, body_id, today or date.today(),
                         prefix=f"audits[{index}].")
    item = Audit(kind=audit.kind, method=audit.method, start_on=audit.start_on, end_on=audit.end_on)
    for person_id, auditor, number in zip(people, audit.auditors, numbers, strict=True):
        item.auditors.append(AuditAuditor(person_id=person_id, role=auditor.role, registration_number=number))
    return item


def issue_certificate(
    session: Session, *, principal: Principal, body_id: int, draft: CertificateIn, today: date | None = None,
    previous: Certificate | None = None, event_type: str = "certificate.issued",
) -> Certificate:
    """Issue a certificate after every DOMAIN rule: body approval and field, holder, auditors, number."""
    require_body_operator(principal, body_id)
    today = today or date.today()
    body = get_body(session, body_id)
    scheme = session.get(Scheme, draft.scheme.strip().upper())
    if scheme is None:
        raise InvalidInput("scheme.not_found", field="scheme", code=draft.scheme)
    facts = scheme_facts(scheme)
    check_body_may_issue(body_facts(body), facts, scheme.code, draft.issued_on)
    number, expires_on = check_number_and_dates(draft.number, facts, draft.issued_on, draft.expires_on, today)
    if session.scalar(select(Certificate.id).where(Certificate.body_id == body_id, Certificate.number == number)):
        raise Conflict("certificate.number_taken", field="number", number=number, body=body.name)
    check_product(facts, draft.product)
    standard = resolve_standard(session, scheme.code, draft.standard_code, draft.standard_version, draft.issued_on)
    accreditation_body_id, accreditation_number = check_accreditation(
        session, code=draft.accreditation_body, number=draft.accreditation_number, scheme_kind=scheme.kind,
        scheme_code=scheme.code)
    country = abroad(draft.country, field="country") or abroad(draft.holder.country, field="holder.country")
    holder_region = check_region(session, draft.holder.region_code, field="holder.region_code")
    org = _holder(session, principal, draft)
    # bars apply to what is recorded now
    check_holder(holder_bars_of(session, [org.id]).get(org.id, ()), scheme.code, today)
    cert = Certificate(
        number=number, body_id=body_id, organization_id=org.id, scheme_code=scheme.code,
        standard_id=standard.id if standard else None, status="valid", status_changed_on=draft.issued_on,
        issued_on=draft.issued_on, expires_on=expires_on, cycle=(previous.cycle + 1) if previous else 1,
        previous_id=previous.id if previous else None, holder_name=draft.holder.name.strip(),
        holder_address=draft.holder.address or org.address,
        region_code=holder_region or org.region_code,
        scope=draft.scope.strip(), scope_en=draft.scope_en,
        product=draft.product.model_dump(exclude_none=True) if draft.product else None,
        certification_mode=draft.certification_mode,
        grade=check_grade(scheme_grades(session), scheme.code, draft.grade),
        accreditation_body_id=accreditation_body_id, accreditation_number=accreditation_number, country=country,
    )
    cert.sites = _sites(session, draft.sites)
    cert.audits = [_audit(session, body_id, a, i, today) for i, a in enumerate(draft.audits)]
    surveillances = [a.end_on for a in draft.audits if a.kind == "surveillance"]
    cert.last_surveillance_on = max(surveillances) if surveillances else None
    session.add(cert)
    session.flush()
    record_event(session, type=event_type, subject_type="certificate", subject_id=cert.id,
                 actor=principal.actor, data={"state": certificate_state(cert)})
    return cert


def record_audit(session: Session, *, principal: Principal, certificate_id: int, audit: AuditIn) -> Certificate:
    """Record an audit (e.g. surveillance) on a certificate; surveillance resets the interval clock."""
    cert = get_certificate(session, certificate_id, for_update=True)
    require_body_operator(principal, cert.body_id)
    if cert.status not in ("valid", "suspended"):
        raise InvalidInput("certificate.audit_on_final", field="certificate_id", status=cert.status)
    item = _audit(session, cert.body_id, audit)
    cert.audits.append(item)
    if audit.kind == "surveillance" and (cert.last_surveillance_on is None or audit.end_on > cert.last_surveillance_on):
        cert.last_surveillance_on = audit.end_on
    session.flush()
    session.expire(cert, ["audits"])  # reload in start-date order, the order replay and readers see
    record_event(session, type="certificate.audited", subject_type="certificate", subject_id=cert.id,
                 actor=principal.actor,
                 data={"audit": audit_state(item),
                       "state": {"audits": certificate_state(cert)["audits"],
                                 "last_surveillance_on": cert.last_surveillance_on}})
    return cert


def regrade_certificate(session: Session, *, principal: Principal, certificate_id: int, grade: str | None,
                        reason: str) -> Certificate:
    """Change the grade of a certificate in force (a graded certification is re-graded at surveillance)."""
    cert = get_certificate(session, certificate_id, for_update=True)
    require_body_operator(principal, cert.body_id)
    if cert.status not in ("valid", "suspended"):
        raise InvalidInput("certificate.audit_on_final", field="certificate_id", status=cert.status)
    new = check_grade(scheme_grades(session), cert.scheme_code, grade)
    if new == cert.grade:
        return cert
    cert.grade = new
    session.flush()
    record_event(session, type="certificate.graded", subject_type="certificate", subject_id=cert.id,
                 actor=principal.actor, data={"state": {"grade": new}, "reason": reason})
    return cert
