"""Read queries over certificates: filtered, cursor-paginated lists and the search box.

A search by name returns certificates by holder, then certificate — key (organization id, certificate id) —
so a page is found by walking the matching holders in id order, a few at a time, and stops as soon as it is
full: a common word matching tens of thousands of names costs about what a rare one does. Other lists (no
query, a 统一社会信用代码) go in certificate id order, key (certificate id,).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from certbridge.certificates.effective_status_sql import status_filter
from certbridge.certificates.models import Certificate
from certbridge.certificates.verification import public_view_select, views_on_session
from certbridge.db import compiled_once, run_compiled
from certbridge.errors import InvalidInput
from certbridge.kit.query_kind import classify_query
from certbridge.registry.models import Organization
from certbridge.registry.regions import region_and_descendants
from certbridge.registry.search import matching_ids_select, name_match

# Holders read per round while filling a page: the first round takes as many holders as the page has
# places (most have one or more certificates); each further round four times more, so a filter that
# passes few of their certificates needs few rounds, up to a bound that keeps the statements small.
HOLDER_BATCH_GROWTH = 4
HOLDER_BATCH_MAX = 4000

PageKey = tuple[int, ...]


@dataclass(frozen=True)
class CertificateFilter:
    """What a certificate list is narrowed by."""

    q: str | None = None
    status: str | None = None
    scheme: str | None = None
    grade: str | None = None
    body_id: int | None = None
    region_code: str | None = None
    organization_id: int | None = None


def orders_by_holder(flt: CertificateFilter) -> bool:
    """Return whether results come by holder, then certificate (the query searches names), not by id."""
    return bool(flt.q) and classify_query(flt.q)[0] in ("name", "number")


def page_keys(flt: CertificateFilter, certificates: list[tuple[int, int]]) -> list[PageKey]:
    """Return the keys a page continues after, for (organization id, certificate id) of its certificates."""
    if orders_by_holder(flt):
        return list(certificates)
    return [(certificate_id,) for _, certificate_id in certificates]


def _narrowed(session: Session, stmt: Select, flt: CertificateFilter, on: date | None = None) -> Select:
    """Narrow a statement over certificates by everything in a filter but the query.

    `status` is the effective status on `on` (effective_status_sql), bound as "on" when `on` is given, else
    left for the caller to bind.
    """
    if flt.status:
        stmt = stmt.where(status_filter(flt.status, bindparam("on", on, type_=Date) if on else None))
    if flt.scheme:
        stmt = stmt.where(Certificate.scheme_code == flt.scheme.upper())
    if flt.grade:
        stmt = stmt.where(Certificate.grade == flt.grade.upper())
    if flt.body_id:
        stmt = stmt.where(Certificate.body_id == flt.body_id)
    if flt.organization_id:
        stmt = stmt.where(Certificate.organization_id == flt.organization_id)
    if flt.region_code:
        stmt = stmt.where(Certificate.region_code.in_(region_and_descendants(session, flt.region_code)))
    return stmt


def _checked_key(after: PageKey, size: int) -> PageKey:
    """Return a cursor key of the expected size (zeros for the first page); refuse one of another list."""
    if not after:
        return (0,) * size
    if len(after) != size:
        raise InvalidInput("pagination.bad_cursor", field="cursor")
    return after


def _id_page_select(session: Session, flt: CertificateFilter, after: PageKey, limit: int,
                    what=Certificate.id, on: date | None = None) -> Select:
    """Return the statement of a page of a list in id order (no query, or a USCC), selecting `what`."""
    (after_id,) = _checked_key(after, 1)
    stmt = select(what).where(Certificate.id > after_id)
    if flt.q:
        kind, term = classify_query(flt.q)
        if kind == "uscc":
            stmt = stmt.join(Organization, Organization.id == Certificate.organization_id).where(
                Organization.uscc == term)
    return _narrowed(session, stmt, flt, on).order_by(Certificate.id).limit(limit)


# --- name searches: (holder, certificate) order, one compiled statement per round ------------------------

_FILTER_COLUMNS = {"scheme": Certificate.scheme_code, "grade": Certificate.grade, "body_id": Certificate.body_id,
                   "organization_id": Certificate.organization_id}  # status: the effective one, below


def _filter_values(session: Session, flt: CertificateFilter) -> dict[str, Any]:
    """Return the bind values of a filter's narrowing (the query aside), region_0… for a region's codes."""
    values: dict[str, Any] = {"status": flt.status, "scheme": flt.scheme.upper() if flt.scheme else None,
                              "grade": flt.grade.upper() if flt.grade else None,
                              "body_id": flt.body_id, "organization_id": flt.organization_id}
    values = {k: v for k, v in values.items() if v}
    if flt.region_code:
        codes = region_and_descendants(session, flt.region_code)
        values.update({f"region_{i}": code for i, code in enumerate(codes)})
        values["regions"] = len(codes)
    return values


def _bind(name: str):
    return bindparam(name, None)  # no value when compiling; given when run


def _holder_page_statement(dialect, match: str, values: dict[str, Any]):
    """Return one round's public views, compiled once per shape (`db.compiled_once`).

    `match` is a name matching way of `registry.search` — the next holders after `holders_after`, at most
    `holders_limit`; each row then also carries how many holders that was and the last one's id — or
    "number" (the certificates numbered `number`). Either way the page continues after (`after_org`,
    `after_id`) and holds at most `remaining` certificates.
    """
    filters = tuple(k for k in _FILTER_COLUMNS if k in values)

    def build():
        org, after_org = Certificate.organization_id, _bind("after_org")
        conds = [or_(org > after_org, and_(org == after_org, Certificate.id > _bind("after_id")))]
        conds += [_FILTER_COLUMNS[k] == _bind(k) for k in filters]
        if values.get("status"):
            conds.append(status_filter(values["status"], _bind("on")))
        if "regions" in values:
            conds.append(Certificate.region_code.in_([_bind(f"region_{i}") for i in range(values["regions"])]))
        holders = None
        if match == "number":
            conds.append(Certificate.number == _bind("number"))
        else:
            # Materialized: the name index is read once, for the page and for the two figures about the round.
            holders = matching_ids_select(match).cte("holders").prefix_with("MATERIALIZED")
            conds.append(org.in_(select(holders.c.id)))
        page = select(Certificate.id).where(*conds).order_by(org, Certificate.id).limit(_bind("remaining"))
        stmt = public_view_select(Certificate.id.in_(page.correlate(None)), org, Certificate.id)
        if holders is not None:
            stmt = stmt.add_columns(select(func.count()).select_from(holders).scalar_subquery(),
                                    select(func.max(holders.c.id)).scalar_subquery())
        return stmt

    return compiled_once(dialect, ("search_views", match, filters, values.get("regions"), values.get("status")),
                         build)


def _run(session: Session, compiled, values: dict[str, Any]) -> list[tuple]:
    """Run a compiled statement of a search round on the session's connection (inside its transaction)."""
    # Never a prepared generic plan: how many names a LIKE pattern matches decides between walking the
    # primary key (a common word) and the trigram index (a rare one), so each query is planned for its value.
    return run_compiled(session, compiled, values, plan_per_value=True)


def _holder_page_views(session: Session, flt: CertificateFilter, after: PageKey, limit: int,
                       on: date) -> list[dict[str, Any]]:
    """Return the public views of a page of a name search, in (holder, certificate) order.

    Matching holders are read in id order, `limit` of them first and more per round, and their
    certificates through the index on certificate.organization_id, until the page is full. A query shaped
    like a certificate number also matches that number, whoever holds it.
    """
    after_org, after_id = _checked_key(after, 2)
    kind, term = classify_query(flt.q)
    dialect = session.get_bind().dialect
    values = {**_filter_values(session, flt), "after_org": after_org, "after_id": after_id, "on": on}
    numbered: list[dict[str, Any]] = []
    if kind == "number":
        # A number names a handful of certificates; merged by key with the name matches below.
        numbered = views_on_session(session, _run(session, _holder_page_statement(dialect, "number", values),
                                                  {**values, "number": term, "remaining": limit}), on)
    match = name_match(session, flt.q if kind == "number" else term)
    views: list[dict[str, Any]] = []
    holders_after, batch = max(after_org - 1, 0), limit
    while match is not None and len(views) < limit:
        way, value = match
        values.update(name_match=value, holders_after=holders_after, holders_limit=batch)
        rows = _run(session, _holder_page_statement(dialect, way, values), {**values, "remaining": limit - len(views)})
        views += views_on_session(session, rows, on)
        if len(views) == limit:
            break
        if rows:
            read, last = rows[0][-2:]
        else:  # none of these holders' certificates passed the filter: where did the holders end?
            ids = _run(session, compiled_once(dialect, ("search_holders", way), lambda: matching_ids_select(way)),
                       values)
            read, last = len(ids), ids[-1][0] if ids else None
        if read < batch:
            break
        holders_after, batch = last, min(batch * HOLDER_BATCH_GROWTH, HOLDER_BATCH_MAX)
    if numbered:
        merged = {v["id"]: v for v in numbered + views}
        views = sorted(merged.values(), key=lambda v: (v["holder"]["organization_id"], v["id"]))[:limit]
    return views


def list_certificates(session: Session, flt: CertificateFilter, *, after: PageKey = (),
                      limit: int = 20) -> list[Certificate]:
    """Return a page of certificates matching a filter, after a cursor key (see `page_keys`)."""
    on = date.today()
    if not orders_by_holder(flt):
        return list(session.scalars(_id_page_select(session, flt, after, limit, Certificate, on)))
    ids = [v["id"] for v in _holder_page_views(session, flt, after, limit, on)]
    by_id = {c.id: c for c in session.scalars(select(Certificate).where(Certificate.id.in_(ids)))} if ids else {}
    return [by_id[i] for i in ids]


def search_public_views(session: Session, flt: CertificateFilter, *, after: PageKey = (), limit: int = 20,
                        on: date | None = None) -> list[dict[str, Any]]:
    """Return the public views (as `verification.public_certificate` shapes them) of a page of matches.

    One statement in the common case: the page's certificate ids (nested), their bodies, holders and holder
    list entries, all joined; a name search that needs more holders than the page has places takes more.
    """
    on = on or date.today()
    if orders_by_holder(flt):
        return _holder_page_views(session, flt, after, limit, on)
    ids = _id_page_select(session, flt, after, limit).correlate(None)
    rows = session.execute(public_view_select(Certificate.id.in_(ids), Certificate.id), {"on": on}).all()
    return views_on_session(session, rows, on)
