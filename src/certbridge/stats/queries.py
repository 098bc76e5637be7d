"""Reading the figures: a figure on a date is a sum of deltas up to that day, a period count a sum between days —
or, for a figure not kept as deltas (a county's; a city's tables; a period count by dimension:
`contributions.kept_as_delta`), a count of the region's own places' rows on the date (`live.py`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certbridge.registry.models import Region
from certbridge.stats import live
from certbridge.stats.contributions import NATION, STOCKS, UNKNOWN_REGION, kept_as_delta  # noqa: F401 (queries.STOCKS)
from certbridge.stats.models import StatsCursor, StatsDelta, StatsYear

FLOWS = ("issued", "suspended", "withdrawn", "expired", "cancelled")  # figures counted over a period


def checkpoint(session: Session) -> dict[str, Any]:
    """Return the checkpoint the stored figures were computed at: tree size and root (hex)."""
    row = session.get(StatsCursor, 1)
    if row is None:
        return {"tree_size": 0, "root_hash": None}
    return {"tree_size": row.size, "root_hash": row.root_hash.hex() if row.root_hash else None}


def _summed(session: Session, key: dict[str, Any], *, end: date, start: date | None = None,
            by: str | None = None) -> dict[Any, int]:
    """Return the deltas of a key (column → value, or a list of values) summed over [start, end] (start None: from
    the first), {value of the `by` column: sum} ({None: sum} without it): whole years from `stats_year`, the days of
    a partly covered year from `stats_delta` — at most two years of days, however long the history."""
    out: dict[Any, int] = defaultdict(int)

    def add(model: Any, *where: Any) -> None:
        clauses = [getattr(model, c).in_(v) if isinstance(v, list) else getattr(model, c) == v for c, v in key.items()]
        columns = [getattr(model, by)] if by else []
        rows = session.execute(select(*columns, func.sum(model.delta)).where(*clauses, *where)
                               .group_by(*columns)) if by else [(session.scalar(
                                   select(func.sum(model.delta)).where(*clauses, *where)),)]
        for *group, n in rows:
            if n:
                out[group[0] if group else None] += int(n)

    D, Y = StatsDelta, StatsYear
    if start is not None and start.year == end.year:
        add(D, D.day >= start, D.day <= end)
    else:
        if start is not None:
            add(D, D.day >= start, D.day <= date(start.year, 12, 31))
        add(Y, Y.year < end.year, *([Y.year > start.year] if start is not None else []))
        add(D, D.day >= date(end.year, 1, 1), D.day <= end)
    return out


def _key(measure: str, region: str | list[str], dim: str, value: str | None = None) -> dict[str, Any]:
    return {"measure": measure, "region": region, "dim": dim, **({"value": value} if value is not None else {})}


def figure(session: Session, *, measure: str, region: str = NATION, on: date, dim: str = "all",
           value: str = "") -> int:
    """Return one figure on a date."""
    depth, chains = live.place(session, region)
    if not kept_as_delta(depth, dim, measure):
        return live.figure(session, chains, measure=measure, on=on, dim=dim, value=value)
    return _summed(session, _key(measure, region, dim, value), end=on).get(None, 0)


def period(session: Session, *, measure: str, region: str = NATION, start: date, end: date, dim: str = "all",
           value: str = "") -> int:
    """Return how many events of a kind (issued, suspended …) fell in a period (both days included)."""
    depth, chains = live.place(session, region)
    if not kept_as_delta(depth, dim, measure):
        return live.figure(session, chains, measure=measure, on=end, start=start, dim=dim, value=value)
    return _summed(session, _key(measure, region, dim, value), start=start, end=end).get(None, 0)


def by_value(session: Session, *, measure: str, region: str = NATION, dim: str, on: date) -> dict[str, int]:
    """Return a figure on a date broken down by a dimension's values (zeros left out)."""
    depth, chains = live.place(session, region)
    if not kept_as_delta(depth, dim, measure):
        return live.by_value(session, chains, measure=measure, dim=dim, on=on)
    return {v: n for v, n in _summed(session, _key(measure, region, dim), end=on, by="value").items() if n}


def period_by_value(session: Session, *, measure: str, region: str, dim: str, start: date, end: date) -> dict[str, int]:
    """Return a period count broken down by a dimension's values."""
    depth, chains = live.place(session, region)
    if not kept_as_delta(depth, dim, measure):
        return live.by_value(session, chains, measure=measure, dim=dim, on=end, start=start)
    return {v: n for v, n in _summed(session, _key(measure, region, dim), start=start, end=end, by="value").items()
            if n}


def child_regions(session: Session, region: str) -> list[Region]:
    """Return the regions directly under a region (provinces under the nation)."""
    if region == NATION:
        return list(session.scalars(select(Region).where(Region.parent_code.is_(None)).order_by(Region.code)))
    return list(session.scalars(select(Region).where(Region.parent_code == region).order_by(Region.code)))


def by_child(session: Session, *, measure: str, region: str, on: date, dim: str = "all", value: str = "",
             codes: list[str]) -> dict[str, int]:
    """Return a figure on a date for each of the given child regions (and 'unknown' under the nation)."""
    depth, chains = live.place(session, region)
    if not kept_as_delta(depth + 1, dim, measure):
        found = live.by_child(session, chains, depth, measure=measure, on=on, dim=dim, value=value)
        return {code: n for code, n in found.items() if code in codes}
    keys = list(codes) + ([UNKNOWN_REGION] if region == NATION else [])
    return {code: n for code, n in _summed(session, _key(measure, keys, dim, value), end=on, by="region").items()
            if code in keys}


def running(session: Session, *, measure: str, region: str, dim: str = "all", value: str = "",
            days: list[date]) -> list[int]:
    """Return a figure on each of several days (ascending), from one read of its deltas."""
    depth, chains = live.place(session, region)
    if not kept_as_delta(depth, dim, measure):
        return live.running(session, chains, measure=measure, days=days, dim=dim, value=value)
    first = date(min(days).year, 1, 1)  # the years before the first day's: their sums (at most ~30 rows)
    total = _summed(session, _key(measure, region, dim, value), end=first - timedelta(days=1)).get(None, 0) \
        if first > date.min else 0
    rows = session.execute(select(StatsDelta.day, StatsDelta.delta).where(
        StatsDelta.measure == measure, StatsDelta.region == region, StatsDelta.dim == dim,
        StatsDelta.value == value, StatsDelta.day >= first, StatsDelta.day <= max(days)).order_by(StatsDelta.day)).all()
    out, i = [], 0
    for day in days:
        while i < len(rows) and _as_date(rows[i][0]) <= day:
            total += rows[i][1]
            i += 1
        out.append(total)
    return out


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def region_prefix(session: Session, region: str) -> str:
    """Return the leading digits every code inside a region shares ("" for the nation, 2 a province, 4 a city)."""
    if region == NATION:
        return ""
    row = session.get(Region, region)
    return region[:{"province": 2, "city": 4}.get(row.level if row is not None else "", 6)]
