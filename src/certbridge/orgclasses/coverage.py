"""How many certified organizations there are, by size class, sector section or region group, on a date.

An organization counts as certified on a date when at least one of its certificates is in force then by the
effective-status rules (certificates/effective_status_sql.py: valid, issued on or before the date, not lapsed by
expiry, transition deadline or its body's exit). Every certified organization falls in exactly one group, those
without the class in "unknown", so the groups sum to the total.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from certbridge.certificates.effective_status_sql import status_filter
from certbridge.certificates.models import Certificate
from certbridge.errors import InvalidInput
from certbridge.orgclasses.region_groups import region_group
from certbridge.registry.models import Organization

GROUPINGS = ("size_class", "sector", "region_group", "service_company")
UNKNOWN = "unknown"


def certified_organizations(as_of: date, scheme_code: str | None = None, grade: str | None = None):
    """Return a subquery of the ids of organizations holding a certificate in force on `as_of`."""
    stmt = select(Certificate.organization_id).where(status_filter("valid", bindparam("on", as_of)))
    if scheme_code:
        stmt = stmt.where(Certificate.scheme_code == scheme_code)
    if grade:
        stmt = stmt.where(Certificate.grade == grade)
    return stmt.distinct().subquery()


def coverage(session: Session, as_of: date, by: str = "size_class", *, scheme_code: str | None = None,
             grade: str | None = None, region_prefix: str = "") -> dict[str, int]:
    """Count certified organizations on `as_of` by size_class | sector (GB/T 4754 section) | region_group.

    Groups with no organization are left out; "unknown" gathers organizations without the class. With a
    `region_prefix` (the GB/T 2260 code's leading digits: 2 a province, 4 a city) only organizations registered
    there count.
    """
    if by not in GROUPINGS:
        raise InvalidInput("orgclass.grouping_unknown", field="by", value=by, known=", ".join(GROUPINGS))
    ids = certified_organizations(as_of, scheme_code, grade)
    key = {"size_class": Organization.size_class, "sector": func.substr(Organization.sector_code, 1, 1),
           "region_group": func.substr(Organization.region_code, 1, 2),
           "service_company": Organization.service_company}[by]
    stmt = select(key, func.count()).select_from(Organization).join(ids, ids.c.organization_id == Organization.id)
    if region_prefix:
        stmt = stmt.where(Organization.region_code.startswith(region_prefix))
    rows = session.execute(stmt.group_by(key)).all()
    out: Counter[str] = Counter()
    for value, count in rows:
        if by == "region_group":
            value = region_group(value)
        elif by == "service_company":
            value = "service" if value else "other"
        out[value or UNKNOWN] += count
    return dict(out)


def certified_count(session: Session, as_of: date, *, scheme_code: str | None = None,
                    grade: str | None = None) -> int:
    """Return how many organizations hold a certificate in force on `as_of` (what every grouping sums to)."""
    ids = certified_organizations(as_of, scheme_code, grade)
    return session.scalar(select(func.count()).select_from(ids)) or 0
