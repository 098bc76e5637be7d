"""Recompute the figures from the log alone and compare them with the stored ones (`certbridge stats recompute`).

Nothing stored by the statistics is read: every certificate event below the stored checkpoint's tree size is
folded again in memory with the whole-history fold's scans (`whole.py`: one ordered scan of the organizations'
events, one of the certificates'), holder by holder, and the figures on the date are summed from the result.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certbridge.stats import live
from certbridge.stats.fold import Folder
from certbridge.stats.models import StatsDelta
from certbridge.stats.queries import checkpoint
from certbridge.stats.whole import certificate_folds, load_organizations


def figures_from_log(session: Session, *, on: date, below: int) -> dict[tuple[str, str, str, str], int]:
    """Return every figure on a date, {(measure, region, dim, value): n}, folded from the log below a tree size."""
    folder = Folder(session, below)
    load_organizations(session, folder)
    by_holder: dict[int, list[dict]] = defaultdict(list)
    for _certificate, holder, fold in certificate_folds(session, folder):
        by_holder[holder].append(fold)
    day = on.isoformat()
    out: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for holder_id, certs in by_holder.items():
        for (measure, region, dim, value, when), n in folder.holder(holder_id, certs).items():
            if when <= day:
                out[measure, region, dim, value] += n
    return {k: v for k, v in out.items() if v}


def stored_figures(session: Session, *, on: date) -> dict[tuple[str, str, str, str], int]:
    """Return every stored figure on a date: the delta sums, and the figures counted from the places' rows."""
    rows = session.execute(select(StatsDelta.measure, StatsDelta.region, StatsDelta.dim, StatsDelta.value,
                                  func.sum(StatsDelta.delta)).where(StatsDelta.day <= on)
                           .group_by(StatsDelta.measure, StatsDelta.region, StatsDelta.dim, StatsDelta.value))
    out = {(m, r, d, v): int(n) for m, r, d, v, n in rows if n}
    return {**out, **{k: n for k, n in live.every_figure(session, on=on).items() if n}}


def compare_with_log(session: Session, *, on: date) -> dict[str, Any]:
    """Recompute the figures on a date from the log and list where they differ from the stored ones."""
    at = checkpoint(session)
    rebuilt = figures_from_log(session, on=on, below=at["tree_size"])
    stored = stored_figures(session, on=on)
    keys = sorted(set(rebuilt) | set(stored))
    differences = [{"measure": k[0], "region": k[1], "dim": k[2], "value": k[3], "stored": stored.get(k, 0),
                    "recomputed": rebuilt.get(k, 0)} for k in keys if stored.get(k, 0) != rebuilt.get(k, 0)]
    return {"as_of": on.isoformat(), **at, "compared": len(keys), "differences": differences,
            "recomputed": rebuilt}
