"""Figures counted on the date from the places' rows (`stats_span`): a county's, and a city's by dimension.

A figure kept as daily deltas (`contributions.kept_as_delta`: every total down to the cities, the valid certificates
and organizations by dimension down to the provinces) is a range sum of `stats_delta`. Every other one is counted
here from the rows of the region's own certificates: valid certificates are the valid runs covering the date,
certified organizations their distinct holders (a holder is at one place on any day, so a region's organizations
are the sum over its places), a period count the changes starting in it (one range of the key per place: bounded by
the period's events). A region's rows are the keys of its places' chains — the region's own and its descendants'
(equality, not a text range: a PostgreSQL collation may not order `>` as its byte), so a read is bounded by the
region's own certificates (a county of a 10 M register holds ~3,500 of them, a city ~30,000).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certbridge.stats.contributions import DIMENSIONS, NATION, SPAN_COLUMNS, UNKNOWN_REGION, kept_as_delta
from certbridge.stats.fold import CHAIN, Places
from certbridge.stats.models import StatsSpan
from certbridge.stats.timeline import STATUS_FLOWS

S = StatsSpan
FLOW_MEASURES = ("issued", *STATUS_FLOWS)


def place(session: Session, region: str) -> tuple[int, list[str]]:
    """Return a region's depth (0: the nation) and the chains of its places: its own and its descendants'."""
    places = Places.of(session)
    known = places.__dict__.setdefault("_places", {})  # kept with the region table it was read from
    if region not in known:
        if region == NATION:  # (its figures by dimension in a period: every place's key)
            known[region] = 0, [CHAIN.join(places.ancestors(code)) for code in places.parent] + [
                CHAIN.join((NATION, UNKNOWN_REGION))]
        elif region == UNKNOWN_REGION or region not in places.parent:
            known[region] = 1, [CHAIN.join((NATION, UNKNOWN_REGION))]
        else:
            known[region] = (len(places.ancestors(region)) - 1,
                             [CHAIN.join(places.ancestors(code)) for code in places.descendants(region)])
    return known[region]


def _where(chains: list[str], measure: str, dim: str, value: str) -> list[Any]:
    clauses = [S.chain.in_(chains), S.measure == ("valid" if measure in ("certificates", "organizations")
                                                  else measure)]
    if dim != "all":
        clauses.append(getattr(S, SPAN_COLUMNS[dim]) == value)
    return clauses


def _on(measure: str, on: date, start: date | None = None) -> list[Any]:
    """The rows a figure on a date counts: valid runs covering it, or (a flow) changes up to it / in a period."""
    if measure in ("certificates", "organizations"):
        return [S.start <= on, S.until > on]
    return [S.start <= on] + ([S.start >= start] if start is not None else [])


def figure(session: Session, chains: list[str], *, measure: str, on: date, dim: str = "all", value: str = "",
           start: date | None = None) -> int:
    """Return one figure on a date (a flow: up to the date, or in [start, on]); the region's certificates and
    organizations come from one read, its five period counts from another."""
    kind, counts = _both(measure)
    if kind == "valid":
        row = _memo(session, ("figure", tuple(chains), dim, value, on), lambda: session.execute(
            select(*counts).where(*_where(chains, measure, dim, value), *_on(measure, on))).one())
        return int(row[1 if measure == "organizations" else 0] or 0)
    where = [S.chain.in_(chains), S.measure.in_(FLOW_MEASURES), *_on(measure, on, start)]
    if dim != "all":
        where.append(getattr(S, SPAN_COLUMNS[dim]) == value)
    found = _memo(session, ("flows", tuple(chains), dim, value, on, start), lambda: dict(session.execute(
        select(S.measure, func.count()).where(*where).group_by(S.measure)).all()))
    return int(found.get(measure, 0))


def _memo(session: Session, key: tuple, compute: Any) -> Any:
    """Return what `compute()` returns, kept in the session (the certificates' and the organizations' counts of a
    table come from one read of the region's rows); whatever writes statistics rows in the session drops it
    (`session.info[MEMO]`: fold.apply_deltas, fold.write_spans, fold.reset, whole._clear)."""
    memo = session.info.setdefault(MEMO, {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


MEMO = "stats_live"


def _both(measure: str) -> tuple[str, list[Any]]:
    """Return which rows a measure counts ("valid" for both stocks) and the counts to read of them."""
    if measure in ("certificates", "organizations"):
        return "valid", [func.count(), func.count(func.distinct(S.holder_id))]
    return measure, [func.count()]


def by_value(session: Session, chains: list[str], *, measure: str, dim: str, on: date,
             start: date | None = None) -> dict[str, int]:
    """Return a figure on a date (a flow: in [start, on]) by a dimension's values (zeros left out)."""
    column = getattr(S, SPAN_COLUMNS[dim])
    kind, counts = _both(measure)
    rows = _memo(session, ("by_value", tuple(chains), kind, dim, on, start), lambda: session.execute(
        select(column, *counts).where(*_where(chains, measure, "all", ""), *_on(measure, on, start))
        .group_by(column)).all())
    at = 2 if measure == "organizations" else 1
    return {r[0]: int(r[at]) for r in rows if r[at]}


def by_child(session: Session, chains: list[str], depth: int, *, measure: str, on: date, dim: str = "all",
             value: str = "") -> dict[str, int]:
    """Return a figure on a date for each child region (depth + 1 of the chains), summed over its places."""
    kind, counts = _both(measure)
    rows = _memo(session, ("by_child", tuple(chains), kind, dim, value, on), lambda: session.execute(
        select(S.chain, *counts).where(*_where(chains, measure, dim, value), *_on(measure, on))
        .group_by(S.chain)).all())
    at = 2 if measure == "organizations" else 1
    out: dict[str, int] = defaultdict(int)
    for chain, n in ((r[0], r[at]) for r in rows):
        parts = chain.split(CHAIN)
        if len(parts) > depth + 1 and n:
            out[parts[depth + 1]] += int(n)
    return dict(out)


def running(session: Session, chains: list[str], *, measure: str, days: list[date], dim: str = "all",
            value: str = "") -> list[int]:
    """Return a figure on each of several days from one read of the region's rows."""
    kind = _both(measure)[0]
    rows = _memo(session, ("running", tuple(chains), kind, dim, value, max(days)), lambda: session.execute(
        select(S.start, S.until, S.holder_id).where(*_where(chains, measure, dim, value), S.start <= max(days))).all())
    if measure not in ("certificates", "organizations"):
        starts = sorted(_as_date(r[0]) for r in rows)
        return [bisect_right(starts, day) for day in days]
    if measure == "organizations":  # a holder counts once while any of its runs holds: the union of its runs
        runs: dict[int, list[tuple[date, date]]] = defaultdict(list)
        for start, until, holder in rows:
            runs[holder].append((_as_date(start), _as_date(until)))
        rows = [(lo, hi, h) for h, spans in runs.items() for lo, hi in _union(spans)]
    starts = sorted(_as_date(r[0]) for r in rows)
    ends = sorted(_as_date(r[1]) for r in rows)
    return [bisect_right(starts, day) - bisect_right(ends, day) for day in days]


def _union(spans: list[tuple[date, date]]) -> list[tuple[date, date]]:
    out: list[list[date]] = []
    for lo, hi in sorted(spans):
        if out and lo <= out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return [(lo, hi) for lo, hi in out]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def every_figure(session: Session, *, on: date) -> dict[tuple[str, str, str, str], int]:
    """Return every figure on a date that is not kept as deltas, {(measure, region, dim, value): n}, from one scan
    of the places' rows (`certbridge stats recompute`)."""
    counts: dict[tuple, int] = defaultdict(int)
    holders: dict[tuple, set[int]] = defaultdict(set)
    rows = session.execute(select(S.chain, S.measure, S.until, S.holder_id,
                                  *[getattr(S, c) for c in SPAN_COLUMNS.values()]).where(S.start <= on))
    for chain, measure, until, holder, *values in rows:
        if measure == "valid" and _as_date(until) <= on:
            continue
        facts = dict(zip(SPAN_COLUMNS, values, strict=True))
        for depth, region in enumerate(chain.split(CHAIN)):
            for dim in DIMENSIONS:
                if kept_as_delta(depth, dim, "certificates" if measure == "valid" else measure):
                    continue
                value = facts[dim] if dim != "all" else ""
                if measure == "valid":
                    counts["certificates", region, dim, value] += 1
                    holders[region, dim, value].add(holder)
                else:
                    counts[measure, region, dim, value] += 1
    for (region, dim, value), found in holders.items():
        counts["organizations", region, dim, value] = len(found)
    return dict(counts)
