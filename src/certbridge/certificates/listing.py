"""Totals and sorted pages of certificate lists (the search results, a body's console, the API).

The generic part (the total, the sort check, the page number) is the page kit's (web/listing.py), which every
other list uses; what is particular here is the name search's bounded set of matching holders.

The default list order (holder then certificate for a name search, id otherwise) pages with a cursor and
costs the same whatever the number of matches (see queries.py). Two things a person expects of a list are
added here, both bounded so a common word stays cheap:

- **Total.** Counted exactly up to `COUNT_CAP` (10,000) certificates; past that the total is shown as
  "10,000+" (`capped`). A name search counts the certificates of at most `COUNT_CAP` matching holders.
- **Sorting** by number, holder, issue date, expiry date or status, either way. A sorted list pages by
  position (`page`, 20 to a page by default) over the same bounded set — the first `COUNT_CAP` matches — and
  says so when the set was capped; the sort is kept in every page link.
"""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from certbridge.certificates.models import Certificate
from certbridge.certificates.queries import CertificateFilter, _narrowed
from certbridge.errors import InvalidInput
from certbridge.kit.query_kind import classify_query
from certbridge.registry.models import Organization
from certbridge.registry.search import matching_ids_select, name_match
from certbridge.web.listing import COUNT_CAP, Total
from certbridge.web.listing import check_sort as check_sort_of

__all__ = ["COUNT_CAP", "SORTS", "Total", "check_sort", "count_certificates", "sorted_page"]
SORT_COLUMNS = {"number": Certificate.number, "holder": Organization.name, "issued_on": Certificate.issued_on,
                "expires_on": Certificate.expires_on, "status": Certificate.status}
SORTS = tuple(name for key in SORT_COLUMNS for name in (key, "-" + key))


def check_sort(value: str | None) -> str | None:
    """Return a certificate list's sort key (`number`, `-expires_on` …) or None; refuse an unknown one."""
    return check_sort_of(value, list(SORT_COLUMNS))


def _matching(session: Session, flt: CertificateFilter) -> Select:
    """Return certificate ids matching a filter, the query included, over at most COUNT_CAP holders."""
    stmt = _narrowed(session, select(Certificate.id), flt)
    if not flt.q:
        return stmt
    kind, term = classify_query(flt.q)
    if kind == "uscc":
        holder = select(Organization.id).where(Organization.uscc == term)
        return stmt.where(Certificate.organization_id.in_(holder))
    match = name_match(session, flt.q if kind == "number" else term)
    conditions = []
    if match is not None:
        way, value = match
        holders = matching_ids_select(way).params(name_match=value, holders_after=0, holders_limit=COUNT_CAP + 1)
        conditions.append(Certificate.organization_id.in_(select(holders.subquery().c.id)))
    if kind == "number":
        conditions.append(Certificate.number == term)
    return stmt.where(or_(*conditions)) if conditions else stmt.where(Certificate.id < 0)


def count_certificates(session: Session, flt: CertificateFilter) -> Total:
    """Return the list's total, exact up to COUNT_CAP."""
    bounded = _matching(session, flt).limit(COUNT_CAP + 1).subquery()
    count = session.scalar(select(func.count()).select_from(bounded)) or 0
    return Total(min(count, COUNT_CAP), count > COUNT_CAP)


def sorted_page(session: Session, flt: CertificateFilter, sort: str, *, page: int = 1,
                limit: int = 20) -> list[Certificate]:
    """Return one page (1-based) of a list in a chosen order, ties broken by certificate id, with one more
    certificate than the page holds when another page follows."""
    if page < 1 or (page - 1) * limit >= COUNT_CAP:
        raise InvalidInput("list.bad_page", field="page", max=COUNT_CAP // limit)
    key = SORT_COLUMNS[sort.lstrip("-")]
    order = key.desc() if sort.startswith("-") else key.asc()
    ids = _matching(session, flt).limit(COUNT_CAP).subquery()
    stmt = (select(Certificate).join(Organization, Organization.id == Certificate.organization_id)
            .where(Certificate.id.in_(select(ids.c.id)))
            .order_by(order, Certificate.id).offset((page - 1) * limit).limit(limit + 1))
    return list(session.scalars(stmt))
