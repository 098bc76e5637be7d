"""Read queries over certificates: filtered, cursor-paginated lists and the search box."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from certbridge.certificates.models import Certificate
from certbridge.certificates.verification import public_view_select, public_views_from_rows
from certbridge.kit.query_kind import classify_query
from certbridge.registry.models import Organization
from certbridge.registry.regions import region_and_descendants
from certbridge.registry.search import organization_ids_select

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


def _filtered(session: Session, stmt: Select, flt: CertificateFilter) -> Select | None:
    """Narrow a statement over certificates by a filter; None when nothing can match."""
    if flt.q:
        kind, term = classify_query(flt.q)
        if kind == "uscc":
            stmt = stmt.join(Organization, Organization.id == Certificate.organization_id).where(Organization.uscc == term)
        elif kind == "number":
            by_number = select(Certificate.id).where(Certificate.number == term)
            by_name = organization_ids_select(session, flt.q, limit=NAME_MATCH_CAP)
            matches = Certificate.id.in_(by_number)
            stmt = stmt.where(matches if by_name is None else matches | Certificate.organization_id.in_(by_name))
        elif kind == "name":
            by_name = organization_ids_select(session, term, limit=NAME_MATCH_CAP)
            if by_name is None:
                return None
            stmt = stmt.where(Certificate.organization_id.in_(by_name))
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
    return stmt


def list_certificates(session: Session, flt: CertificateFilter, *, after_id: int = 0, limit: int = 20) -> list[Certificate]:
    """Return certificates matching a filter, in id order after a cursor."""
    stmt = _filtered(session, select(Certificate).where(Certificate.id > after_id), flt)
    if stmt is None:
        return []
    return list(session.scalars(stmt.order_by(Certificate.id).limit(limit)))


def search_public_views(session: Session, flt: CertificateFilter, *, after_id: int = 0, limit: int = 20,
                        on: date | None = None) -> list[dict[str, Any]]:
    """Return the public views (as `verification.public_certificate` shapes them) of a page of matches.

    One statement: the page of matching ids, their bodies, holders and holder list entries, all joined.
    """
    ids = _filtered(session, select(Certificate.id).where(Certificate.id > after_id), flt)
    if ids is None:
        return []
    ids = ids.order_by(Certificate.id).limit(limit).correlate(None)
    on = on or date.today()
    rows = session.execute(public_view_select(Certificate.id.in_(ids), Certificate.id), {"on": on})
    return public_views_from_rows(rows, on)
