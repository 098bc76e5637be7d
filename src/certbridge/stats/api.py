"""Public statistics in JSON: figures for any date and region, breakdowns, period changes, time series, targets."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import Query, Request

from certbridge.api.problems import PROBLEM_RESPONSES
from certbridge.api.routing import APIRouter
from certbridge.stats import overview as ov
from certbridge.stats.background import current_read
from certbridge.stats.targets import Progress, list_targets, progress

router = APIRouter(prefix="/api/v1", tags=["statistics"], responses=PROBLEM_RESPONSES)
Text = Annotated[str | None, Query(max_length=40)]


def _line(line: ov.Line) -> dict[str, Any]:
    return asdict(line)


@router.get("/stats", summary="Figures of a region on a date")
def stats(request: Request, region: Text = None, on: Text = None) -> dict[str, Any]:
    """Return valid certificates and certified organizations of a region (the nation by default) on a date
    (today by default), with one line per sub-region and the checkpoint the figures were computed at."""
    with current_read(request) as db:
        code, day = ov.check_region(db, region), ov.parse_day(on, date.today())
        view = ov.overview(db, region=code, on=day)
        return {"region": code, "path": [_line(p) for p in view.path], "on": day.isoformat(),
                "checkpoint": view.checkpoint, "certificates": view.certificates,
                "organizations": view.organizations, "children": [_line(c) for c in view.children]}


@router.get("/stats/breakdown", summary="Figures of a region by scheme, type, standard, body or industry")
def breakdown(request: Request, by: Annotated[str, Query(max_length=20)] = "scheme", region: Text = None,
              on: Text = None) -> dict[str, Any]:
    """Return a region's figures on a date by the values of one dimension."""
    with current_read(request) as db:
        code, day, dim = ov.check_region(db, region), ov.parse_day(on, date.today()), ov.check_dimension(by)
        return {"region": code, "on": day.isoformat(), "by": dim, "checkpoint": ov.queries.checkpoint(db),
                "lines": [_line(x) for x in ov.breakdown(db, region=code, dim=dim, on=day)]}


@router.get("/stats/changes", summary="Certificates newly issued, suspended, withdrawn, expired in a period")
def changes(request: Request, region: Text = None, start: Text = None, end: Text = None) -> dict[str, Any]:
    """Return how many certificates of a region changed status in a period (this year to date by default)."""
    today = date.today()
    with current_read(request) as db:
        code = ov.check_region(db, region)
        last = ov.parse_day(end, today)
        first = ov.parse_day(start, last.replace(month=1, day=1))
        return {"region": code, "start": first.isoformat(), "end": last.isoformat(),
                "checkpoint": ov.queries.checkpoint(db), **ov.changes(db, region=code, start=first, end=last)}


@router.get("/stats/series", summary="Monthly and yearly figures with the change against a year before")
def series(request: Request, region: Text = None, on: Text = None) -> dict[str, Any]:
    """Return a region's figures at each month end (24 months) and year end (6 years) up to a date."""
    with current_read(request) as db:
        code, day = ov.check_region(db, region), ov.parse_day(on, date.today())
        return {"region": code, "on": day.isoformat(), "checkpoint": ov.queries.checkpoint(db),
                **ov.series(db, region=code, on=day)}


def progress_view(p: Progress) -> dict[str, Any]:
    """Return a target's progress as JSON-ready data."""
    t = p.target
    return {"id": t.id, "region": t.region_code, "measure": t.measure, "threshold": t.threshold,
            "deadline": t.deadline.isoformat(), "source": t.source, "published": t.published,
            "reference": t.reference, "as_of": p.on.isoformat(), "value": p.value, "gap": p.gap, "met": p.met,
            "projected": p.projected, "schemes": [{"scheme": s, "value": n} for s, n in p.schemes],
            "sub_regions": [{"region": c, "name": name, "value": n} for c, name, n in p.children]}


@router.get("/stats/targets", summary="Published local targets and their progress")
def targets(request: Request, region: Text = None, on: Text = None) -> dict[str, Any]:
    """Return the published targets (of a region, if given) with progress, gap and projection on a date."""
    with current_read(request) as db:
        code = ov.check_region(db, region) if region else None
        day = ov.parse_day(on, date.today())
        return {"on": day.isoformat(), "checkpoint": ov.queries.checkpoint(db),
                "targets": [progress_view(progress(db, t, day)) for t in list_targets(db, region_code=code)]}
