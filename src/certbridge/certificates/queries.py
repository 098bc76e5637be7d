"""Read queries over certificates: filtered, cursor-paginated lists and the search box."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.certificates.models import Certificate
from certbridge.kit.query_kind import classify_query
from certbridge.registry.models import Organization
from certbridge.registry.regions import region_and_descendants
from certbridge.registry.search import search_organization_ids

NAME_MATCH_CAP = 2000  # organizations a name query considers; narrower words find the rest


@dataclass(frozen=True)
class CertificateFilter:
    """What a certificate list is narrowed by."""

    q: str | None = None
    status: str | None = None
    scheme: str | None = None
    body_id: int | None = None
    region_code: str | None = None
    organization_id: int | None = None


def list_certificates(session: Session, flt: CertificateFilter, *, after_id: int = 0, limit: int = 20) -> list[Certificate]:
    """Return certificates matching a filter, in id order after a cursor."""
    stmt = select(Certificate).where(Certificate.id > after_id)
    if flt.q:
        kind, term = classify_query(flt.q)
        if kind == "uscc":
            stmt = stmt.join(Organization, Organization.id == Certificate.organization_id).where(Organization.uscc == term)
        elif kind == "number":
            by_number = select(Certificate.id).where(Certificate.number == term)
            org_ids = search_organization_ids(session, flt.q, limit=NAME_MATCH_CAP)
            stmt = stmt.where(Certificate.id.in_(by_number) | Certificate.organization_id.in_(org_ids))
        elif kind == "name":
            org_ids = search_organization_ids(session, term, limit=NAME_MATCH_CAP)
            if not org_ids:
                return []
            stmt = stmt.where(Certificate.organization_id.in_(org_ids))
    if flt.status:
        stmt = stmt.where(Certificate.status == flt.status)
    if flt.scheme:
        stmt = stmt.where(Certificate.scheme_code == flt.scheme.upper())
    if flt.body_id:
        stmt = stmt.where(Certificate.body_id == flt.body_id)
    if flt.organization_id:
        stmt = stmt.where(Certificate.organization_id == flt.organization_id)
    if flt.region_code:
        stmt = stmt.where(Certificate.region_code.in_(region_and_descendants(session, flt.region_code)))
    return list(session.scalars(stmt.order_by(Certificate.id).limit(limit)))
