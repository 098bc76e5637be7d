"""Certified organizations of a region on a date by organization class (orgclasses/coverage.py): size class
(统计上大中小微型企业划分办法) and sector section (GB/T 4754), each grouping summing to the certified organizations."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from certbridge.orgclasses.coverage import UNKNOWN, certified_count, coverage
from certbridge.orgclasses.sectors import SECTIONS
from certbridge.orgclasses.size_rules import SIZE_CLASSES, SIZE_NAMES
from certbridge.stats.queries import region_prefix

UNKNOWN_NAMES = ("未登记", "not recorded")


def class_coverage(session: Session, *, region: str, on: date, lang: str) -> dict:
    """Return the total and, per grouping (size_class, sector), [(key, name, count)] in a stable order."""
    prefix = region_prefix(session, region)
    names = {"size_class": SIZE_NAMES, "sector": {k: (zh, en) for k, (zh, en, _divs) in SECTIONS.items()}}
    order = {"size_class": list(SIZE_CLASSES), "sector": sorted(SECTIONS)}
    out: dict = {"total": certified_count_in(session, on, prefix), "groups": {}}
    for by in ("size_class", "sector"):
        counts = coverage(session, on, by, region_prefix=prefix)
        keys = [k for k in order[by] if k in counts] + ([UNKNOWN] if UNKNOWN in counts else [])
        out["groups"][by] = [(k, names[by].get(k, UNKNOWN_NAMES)[0 if lang == "zh" else 1], counts[k])
                             for k in keys]
    return out


def certified_count_in(session: Session, on: date, prefix: str) -> int:
    """Return the certified organizations registered under a region prefix (all with "")."""
    if not prefix:
        return certified_count(session, on)
    return sum(coverage(session, on, "service_company", region_prefix=prefix).values())
