"""The figures one statistics view shows, assembled once for the page, the JSON API, the CLI and the downloads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.errors import InvalidInput
from certbridge.kit.dates import add_months
from certbridge.registry.models import CertificationBody, Region, Scheme
from certbridge.stats import queries
from certbridge.stats.contributions import DIMENSIONS, NATION, UNKNOWN_REGION

BREAKDOWNS = tuple(d for d in DIMENSIONS if d != "all")
TYPE_NAMES = {"system": ("管理体系认证", "Management system"), "product": ("产品认证", "Product"),
              "service": ("服务认证", "Service")}
NATION_NAMES = ("全国", "Nationwide")
UNKNOWN_NAMES = ("地区不详", "Region not known")
NOT_GIVEN = ("未注明", "Not given")
MAX_PERIOD_YEARS = 20


@dataclass
class Line:
    """One row of a table: a key, its name in Chinese and English, valid certificates and certified organizations."""

    key: str
    zh: str
    en: str
    certificates: int
    organizations: int

    def name(self, lang: str) -> str:
        """Return the name in a language."""
        return self.zh if lang == "zh" else self.en


@dataclass
class Overview:
    """A region's figures on a date."""

    region: str
    path: list[Line]  # the nation, then the region's ancestors and the region (figures filled for the last only)
    on: date
    checkpoint: dict[str, Any]
    certificates: int
    organizations: int
    children: list[Line] = field(default_factory=list)


def parse_day(text: str | None, default: date) -> date:
    """Return a date from YYYY-MM-DD text (the default when empty), refusing anything else."""
    if not text:
        return default
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("stats.date_format", field="on", value=text[:40]) from None


def check_region(session: Session, code: str | None) -> str:
    """Return a known region code (the nation when empty), refusing an unknown one."""
    code = (code or "").strip() or NATION
    if code in (NATION, UNKNOWN_REGION) or session.get(Region, code) is not None:
        return code
    raise InvalidInput("stats.region_unknown", field="region", code=code[:20])


def check_dimension(dim: str) -> str:
    """Return a known breakdown dimension, refusing anything else."""
    if dim not in BREAKDOWNS:
        raise InvalidInput("stats.dimension_unknown", field="by", dim=dim[:30], allowed=", ".join(BREAKDOWNS))
    return dim


def region_names(session: Session, code: str) -> tuple[str, str]:
    """Return a region's names in Chinese and English (the English is its code with the Chinese name)."""
    if code == NATION:
        return NATION_NAMES
    if code == UNKNOWN_REGION:
        return UNKNOWN_NAMES
    region = session.get(Region, code)
    return (region.name, f"{region.name} ({code})") if region else (code, code)


def region_path(session: Session, code: str) -> list[Line]:
    """Return the nation, then the region's ancestors down to it, as lines without figures."""
    chain, at = [], code
    while at and at not in (NATION, UNKNOWN_REGION):
        region = session.get(Region, at)
        if region is None:
            break
        chain.append(Line(region.code, region.name, f"{region.name} ({region.code})", 0, 0))
        at = region.parent_code
    lines = [Line(NATION, *NATION_NAMES, 0, 0), *reversed(chain)]
    if code == UNKNOWN_REGION:
        lines.append(Line(UNKNOWN_REGION, *UNKNOWN_NAMES, 0, 0))
    return lines


def overview(session: Session, *, region: str, on: date) -> Overview:
    """Return a region's figures on a date with one line per sub-region (drill-down)."""
    kids = queries.child_regions(session, region) if region != UNKNOWN_REGION else []
    codes = [k.code for k in kids]
    certs = queries.by_child(session, measure="certificates", region=region, on=on, codes=codes)
    orgs = queries.by_child(session, measure="organizations", region=region, on=on, codes=codes)
    children = [Line(k.code, k.name, f"{k.name} ({k.code})", certs.get(k.code, 0), orgs.get(k.code, 0)) for k in kids]
    if region == NATION and (certs.get(UNKNOWN_REGION) or orgs.get(UNKNOWN_REGION)):
        children.append(Line(UNKNOWN_REGION, *UNKNOWN_NAMES, certs.get(UNKNOWN_REGION, 0), orgs.get(UNKNOWN_REGION, 0)))
    return Overview(region, region_path(session, region), on, queries.checkpoint(session),
                    queries.figure(session, measure="certificates", region=region, on=on),
                    queries.figure(session, measure="organizations", region=region, on=on), children)


def value_names(session: Session, dim: str, values: list[str]) -> dict[str, tuple[str, str]]:
    """Return display names of a dimension's values in Chinese and English."""
    if dim == "scheme":
        found = {c: (n, e) for c, n, e in session.execute(select(Scheme.code, Scheme.name, Scheme.name_en)
                                                            .where(Scheme.code.in_(values)))}
    elif dim == "body":
        ids = [int(v) for v in values if v.isdigit()]
        found = {str(i): (n, e or n) for i, n, e in session.execute(
            select(CertificationBody.id, CertificationBody.name, CertificationBody.name_en)
            .where(CertificationBody.id.in_(ids)))}
    elif dim == "type":
        found = dict(TYPE_NAMES)
    else:
        found = {v: (v, v) for v in values if v}
    return {v: found.get(v, NOT_GIVEN if not v else (v, v)) for v in values}


def breakdown(session: Session, *, region: str, dim: str, on: date) -> list[Line]:
    """Return a region's figures on a date by the values of one dimension, largest first."""
    certs = queries.by_value(session, measure="certificates", region=region, dim=dim, on=on)
    orgs = queries.by_value(session, measure="organizations", region=region, dim=dim, on=on)
    values = sorted(set(certs) | set(orgs), key=lambda v: (-certs.get(v, 0), v))
    names = value_names(session, dim, values)
    return [Line(v, *names[v], certs.get(v, 0), orgs.get(v, 0)) for v in values]


def changes(session: Session, *, region: str, start: date, end: date) -> dict[str, int]:
    """Return how many certificates were newly issued, suspended, withdrawn, expired and cancelled in a period."""
    if start > end:
        raise InvalidInput("stats.period_reversed", field="start", start=start.isoformat(), end=end.isoformat())
    if (end - start).days > 366 * MAX_PERIOD_YEARS:
        raise InvalidInput("stats.period_too_long", field="start", years=MAX_PERIOD_YEARS)
    return {m: queries.period(session, measure=m, region=region, start=start, end=end) for m in queries.FLOWS}


def series(session: Session, *, region: str, on: date, months: int = 24, years: int = 6) -> dict[str, Any]:
    """Return the monthly and yearly figures up to a date, each with the change against a year before."""
    month_days = [_month_end(on, -i) for i in range(months - 1, -1, -1)]
    year_days = [min(on, date(on.year - i, 12, 31)) for i in range(years - 1, -1, -1)]
    out: dict[str, Any] = {}
    for name, days in (("monthly", month_days), ("yearly", year_days)):
        before = [_year_before(d) for d in days]
        points = []
        every = sorted(set(days) | set(before))  # one read of the figure's rows for both
        for measure in queries.STOCKS:
            found = dict(zip(every, queries.running(session, measure=measure, region=region, days=every), strict=True))
            now, then = [found[d] for d in days], [found[d] for d in before]
            for i, day in enumerate(days):
                if len(points) <= i:
                    points.append({"date": day.isoformat()})
                points[i][measure] = now[i]
                points[i][f"{measure}_year_before"] = then[i]
                points[i][f"{measure}_change"] = now[i] - then[i]
        out[name] = points
    return out


def _month_end(on: date, shift: int) -> date:
    """Return the last day of the month `shift` months from `on` (shift ≤ 0; `on` itself for its own month)."""
    if shift == 0:
        return on
    first = add_months(on.replace(day=1), shift + 1)
    return date.fromordinal(first.toordinal() - 1)


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
