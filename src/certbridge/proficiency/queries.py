"""What proficiency results mean for a lab: its record, the items restricted now, and the unsatisfactory results
as plain facts a risk module can read (no dependency on it: it reads these)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.proficiency.models import PtResult, PtRound, PtScheme

DECISIVE = ("satisfactory", "unsatisfactory")


@dataclass(frozen=True)
class ResultFact:
    """One result with its round and scheme, as a plain record."""

    result_id: int
    lab_id: int
    item: str
    outcome: str
    z_score: float | None
    round_code: str
    parameter: str
    method: str | None
    held_on: date
    scheme_code: str
    scheme_name: str
    provider: str
    foreign_source: str | None


def _facts(stmt) -> list[ResultFact]:
    return [ResultFact(r.id, r.lab_id, r.item, r.outcome, r.z_score, rnd.code, rnd.parameter, rnd.method,
                       rnd.held_on, s.code, s.name, s.provider, s.foreign_source) for r, rnd, s in stmt]


def _joined():
    return (select(PtResult, PtRound, PtScheme).join(PtRound, PtRound.id == PtResult.round_id)
            .join(PtScheme, PtScheme.id == PtRound.scheme_id))


def lab_record(session: Session, lab_id: int) -> list[ResultFact]:
    """Return a lab's results, newest round first."""
    return _facts(session.execute(_joined().where(PtResult.lab_id == lab_id)
                                  .order_by(PtRound.held_on.desc(), PtResult.id.desc())).all())


def restricted_items(session: Session, lab_id: int, on: date | None = None) -> dict[str, ResultFact]:
    """Return the lab's capability items restricted on `on` (default: all recorded rounds), each with the
    unsatisfactory result that restricts it: the item's latest decisive result is unsatisfactory."""
    stmt = _joined().where(PtResult.lab_id == lab_id, PtResult.outcome.in_(DECISIVE))
    if on is not None:
        stmt = stmt.where(PtRound.held_on <= on)
    latest: dict[str, ResultFact] = {}
    for fact in _facts(session.execute(stmt.order_by(PtRound.held_on, PtResult.id)).all()):
        latest[fact.item] = fact
    return {item: fact for item, fact in latest.items() if fact.outcome == "unsatisfactory"}


def restricted_labs(session: Session, lab_ids: list[int]) -> dict[int, set[str]]:
    """Return, for each lab given, the set of its items restricted now (labs with none are left out)."""
    out: dict[int, set[str]] = {}
    for lab_id in sorted(set(lab_ids)):
        items = restricted_items(session, lab_id)
        if items:
            out[lab_id] = set(items)
    return out


def unsatisfactory_results(session: Session, *, since: date | None = None, lab_id: int | None = None) -> list[ResultFact]:
    """Return unsatisfactory results (rounds held on or after `since`), newest first — the fact behind a risk
    signal; whether each still restricts its item is `restricted_items`."""
    stmt = _joined().where(PtResult.outcome == "unsatisfactory")
    if since is not None:
        stmt = stmt.where(PtRound.held_on >= since)
    if lab_id is not None:
        stmt = stmt.where(PtResult.lab_id == lab_id)
    return _facts(session.execute(stmt.order_by(PtRound.held_on.desc(), PtResult.id.desc())).all())
