"""Local targets: a region's measure at or above a threshold by a deadline; progress, gap and projection.

Targets are data (DOMAIN.md "Statistics"). Beihai's four (北政办〔2018〕200号) are loaded as reference data.
A regulator enters others; each entry is a ledger event in the same transaction. The projection is the
simplest honest one: the change over the last twelve months, continued in a straight line to the deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.errors import InvalidInput, NotFound
from certbridge.ledger.journal import record_event
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.registry.models import Region
from certbridge.stats import queries
from certbridge.stats.models import StatsTarget

TARGET_MEASURES = ("certificates", "organizations")
BEIHAI = "450500"
BEIHAI_SOURCE = "北政办〔2018〕200号"
REFERENCE_TARGETS = (  # (region, measure, threshold, deadline)
    (BEIHAI, "certificates", 800, date(2020, 12, 31)), (BEIHAI, "organizations", 300, date(2020, 12, 31)),
    (BEIHAI, "certificates", 850, date(2022, 12, 31)), (BEIHAI, "organizations", 320, date(2022, 12, 31)),
)


def _target_state(t: StatsTarget) -> dict[str, Any]:
    return {"region_code": t.region_code, "measure": t.measure, "threshold": t.threshold,
            "deadline": t.deadline.isoformat(), "source": t.source, "published": t.published,
            "reference": t.reference}


def set_target(session: Session, *, principal: Principal, region_code: str, measure: str, threshold: Any,
               deadline: date, source: str, published: bool) -> StatsTarget:
    """Enter a local target after checking its region, measure, threshold and source."""
    require_regulator(principal)
    if session.get(Region, region_code or "") is None:
        raise InvalidInput("stats.region_unknown", field="region_code", code=region_code or "")
    if measure not in TARGET_MEASURES:
        raise InvalidInput("stats.measure_unknown", field="measure", measure=measure,
                           allowed=", ".join(TARGET_MEASURES))
    try:
        number = int(str(threshold).strip())
    except ValueError:
        number = 0
    if not 1 <= number <= 100_000_000:
        raise InvalidInput("stats.threshold_invalid", field="threshold", value=str(threshold))
    if not (source or "").strip():
        raise InvalidInput("stats.source_required", field="source")
    target = StatsTarget(region_code=region_code, measure=measure, threshold=number, deadline=deadline,
                         source=source.strip()[:200], published=bool(published), reference=False,
                         created_by=principal.actor)
    session.add(target)
    session.flush()
    record_event(session, type="stats.target_set", subject_type="stats_target", subject_id=target.id,
                 actor=principal.actor, data={"state": _target_state(target)}, public=target.published)
    return target


def load_reference_targets(session: Session, *, actor: str = "system") -> int:
    """Load Beihai's four targets as published reference data if they are not there; return how many were added."""
    added = 0
    for region, measure, threshold, deadline in REFERENCE_TARGETS:
        exists = session.scalar(select(StatsTarget.id).where(
            StatsTarget.region_code == region, StatsTarget.measure == measure, StatsTarget.deadline == deadline,
            StatsTarget.reference.is_(True)))
        if exists or session.get(Region, region) is None:
            continue
        target = StatsTarget(region_code=region, measure=measure, threshold=threshold, deadline=deadline,
                             source=BEIHAI_SOURCE, published=True, reference=True, created_by=actor)
        session.add(target)
        session.flush()
        record_event(session, type="stats.target_set", subject_type="stats_target", subject_id=target.id,
                     actor=actor, data={"state": _target_state(target)})
        added += 1
    return added


def list_targets(session: Session, *, region_code: str | None = None, published_only: bool = True) -> list[StatsTarget]:
    """List targets (published ones only, unless asked otherwise), by region and deadline."""
    stmt = select(StatsTarget).order_by(StatsTarget.region_code, StatsTarget.deadline, StatsTarget.measure)
    if region_code:
        stmt = stmt.where(StatsTarget.region_code == region_code)
    if published_only:
        stmt = stmt.where(StatsTarget.published.is_(True))
    return list(session.scalars(stmt))


def get_target(session: Session, target_id: int, *, published_only: bool = True) -> StatsTarget:
    """Get a target by its id (a hidden one only for regulators)."""
    target = session.get(StatsTarget, target_id)
    if target is None or (published_only and not target.published):
        raise NotFound("stats.target_not_found", id=target_id)
    return target


@dataclass(frozen=True)
class Progress:
    """Where a target stands on a date."""

    target: StatsTarget
    on: date
    value: int
    gap: int  # how many are still missing (0 when met)
    share: float  # value / threshold, capped at 1.5 for the gauge
    projected: int | None  # the value at the deadline at the last twelve months' pace (None once it has passed)
    met: bool
    schemes: list[tuple[str, int]]  # contributing schemes, largest first
    children: list[tuple[str, str, int]]  # contributing sub-regions (code, name, value), largest first


def progress(session: Session, target: StatsTarget, on: date) -> Progress:
    """Return a target's progress on a date (its value on the deadline once the deadline has passed)."""
    when = min(on, target.deadline)
    value = queries.figure(session, measure=target.measure, region=target.region_code, on=when)
    projected = None
    if on < target.deadline:
        year_ago = queries.figure(session, measure=target.measure, region=target.region_code,
                                  on=on - timedelta(days=365))
        per_day = (value - year_ago) / 365
        projected = max(0, round(value + per_day * (target.deadline - on).days))
    schemes = sorted(queries.by_value(session, measure=target.measure, region=target.region_code, dim="scheme",
                                      on=when).items(), key=lambda kv: -kv[1])
    kids = queries.child_regions(session, target.region_code)
    values = queries.by_child(session, measure=target.measure, region=target.region_code, on=when,
                              codes=[k.code for k in kids])
    children = sorted(((k.code, k.name, values.get(k.code, 0)) for k in kids), key=lambda c: -c[2])
    return Progress(target, when, value, max(target.threshold - value, 0),
                    min(value / target.threshold, 1.5) if target.threshold else 0.0, projected,
                    value >= target.threshold, schemes, [c for c in children if c[2]])
