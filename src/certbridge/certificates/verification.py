"""Public verification: what a buyer learns when checking a certificate, with the exact not-found case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.certificates.models import Certificate
from certbridge.registry.bodies import find_body
from certbridge.registry.models import CertificationBody, Organization
from certbridge.registry.restrictions import active_restrictions

# outcome: valid | not_valid | not_found ; reason explains which case it is.


@dataclass
class Verification:
    """The answer to "is this certificate real and valid now?"."""

    outcome: str
    reason: str
    query: dict[str, Any]
    certificates: list[dict[str, Any]] = field(default_factory=list)


def public_certificate(session: Session, cert: Certificate, body: CertificationBody, org: Organization | None,
                       on: date) -> dict[str, Any]:
    """Return the public view of a certificate with status meaning and list flags."""
    holder_flags = []
    if org is not None:
        holder_flags = [r.kind for r in active_restrictions(session, "organization", org.id, on,
                                                            ("dishonesty_list", "permanent_exit"))]
    return {
        "id": cert.id,
        "number": cert.number,
        "status": cert.status,
        "status_reason": cert.status_reason,
        "status_changed_on": cert.status_changed_on.isoformat(),
        "suspended_until": cert.suspended_until.isoformat() if cert.suspended_until else None,
        "valid_now": cert.status == "valid" and cert.issued_on <= on <= cert.expires_on,
        "scheme": cert.scheme_code,
        "issued_on": cert.issued_on.isoformat(),
        "expires_on": cert.expires_on.isoformat(),
        "cycle": cert.cycle,
        "scope": cert.scope,
        "holder": {
            "name": cert.holder_name,
            "uscc": org.uscc if org else None,
            "organization_id": cert.organization_id,
            "region_code": cert.region_code,
            "flags": holder_flags,
        },
        "body": {
            "id": body.id,
            "code": body.code,
            "name": body.name,
            "approval_number": body.approval_number,
            "status": body.status,
        },
    }


def _answer(session: Session, query: dict[str, Any], certs: list[Certificate], on: date) -> Verification:
    bodies = {b.id: b for b in session.scalars(
        select(CertificationBody).where(CertificationBody.id.in_({c.body_id for c in certs})))}
    orgs = {o.id: o for o in session.scalars(
        select(Organization).where(Organization.id.in_({c.organization_id for c in certs})))}
    views = [public_certificate(session, c, bodies[c.body_id], orgs.get(c.organization_id), on) for c in certs]
    if any(v["valid_now"] for v in views):
        listed = any(v["holder"]["flags"] for v in views if v["valid_now"])
        return Verification("valid", "holder_listed" if listed else "valid", query, views)
    return Verification("not_valid", views[0]["status"] if len(views) == 1 else "none_valid", query, views)


def verify_number(session: Session, number: str, body_ref: str | None = None, *, on: date | None = None) -> Verification:
    """Verify a certificate number, optionally from a named body."""
    on = on or date.today()
    number = (number or "").strip().upper()
    query = {"number": number, "body": body_ref}
    stmt = select(Certificate).where(Certificate.number == number)
    if body_ref:
        body = find_body(session, body_ref)
        if body is None:
            return Verification("not_found", "unknown_body", query)
        stmt = stmt.where(Certificate.body_id == body.id)
    certs = list(session.scalars(stmt.order_by(Certificate.id)))
    if not certs:
        return Verification("not_found", "no_such_number_from_body" if body_ref else "no_such_number", query)
    return _answer(session, query, certs, on)


def verify_holder(session: Session, uscc: str, *, on: date | None = None) -> Verification:
    """Verify what certificates an organization holds, by its 统一社会信用代码."""
    on = on or date.today()
    uscc = (uscc or "").strip().upper()
    query = {"uscc": uscc}
    org = session.scalar(select(Organization).where(Organization.uscc == uscc))
    if org is None:
        return Verification("not_found", "unknown_organization", query)
    certs = list(session.scalars(select(Certificate).where(Certificate.organization_id == org.id)
                                 .order_by(Certificate.issued_on.desc(), Certificate.id)))
    if not certs:
        return Verification("not_found", "organization_has_no_certificates", query)
    return _answer(session, query, certs, on)
