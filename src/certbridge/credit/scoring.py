"""Risk score 0–1000 and class A–D from credit entries, with configurable points, decay and bands.

score = base + Σ points(kind) × weight(age), clamped to 0–1000; weight is 1 for the first `full_months`,
`later_weight` until `until_months`, then 0. A subject on the serious-dishonesty list is at least the
`listed_class`. Classes are internal: they weight spot checks and are never published as a rating.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from certbridge.credit.feed import credit_pending, sync_credit_entries
from certbridge.credit.models import CreditEntry, CreditRecord
from certbridge.credit.recognized import recognized_entries
from certbridge.credit.parameters import CLASSES, class_for_score, credit_setting
from certbridge.errors import InvalidInput
from certbridge.ledger.journal import record_event
from certbridge.kit.dates import add_months
from certbridge.policy import require_regulator
from certbridge.principal import SYSTEM, Principal
from certbridge.registry.models import Restriction

Subject = tuple[str, int]


class Scorer:
    """The configured rules, read once per recompute."""

    def __init__(self, session: Session, today: date) -> None:
        self.today = today
        self.bands = credit_setting(session, "bands")
        self.base = int(credit_setting(session, "base_score"))
        self.points = credit_setting(session, "points")
        self.decay = credit_setting(session, "decay")
        self.listed_class = credit_setting(session, "listed_class")

    def weight(self, occurred_on: date) -> float:
        """Return how much a fact of that date still counts."""
        if occurred_on > self.today:
            return 1.0
        if add_months(occurred_on, self.decay["full_months"]) >= self.today:
            return 1.0
        if add_months(occurred_on, self.decay["until_months"]) >= self.today:
            return float(self.decay["later_weight"])
        return 0.0

    def score(self, entries: list[CreditEntry], listed: bool) -> tuple[int, str, dict]:
        """Return (score, class, factors) for a subject's entries."""
        total, factors = float(self.base), defaultdict(float)
        for entry in entries:
            if entry.void:
                continue
            value = self.points.get(entry.kind, 0) * self.weight(entry.occurred_on)
            if value:
                factors[entry.kind] += value
                total += value
        score = max(0, min(1000, round(total)))
        cls = class_for_score(self.bands, score)
        if listed and CLASSES.index(cls) < CLASSES.index(self.listed_class):
            cls = self.listed_class
        return score, cls, {"base": self.base, "points": {k: round(v) for k, v in sorted(factors.items())},
                            "listed": listed}

    def base_class(self) -> str:
        """Return the class of a subject with no entries."""
        return class_for_score(self.bands, self.base)


def _listed_subjects(session: Session, on: date) -> set[Subject]:
    stmt = select(Restriction.subject_type, Restriction.subject_id).where(
        Restriction.kind == "dishonesty_list", Restriction.starts_on <= on,
        Restriction.ends_on.is_(None) | (Restriction.ends_on >= on),
        Restriction.lifted_on.is_(None) | (Restriction.lifted_on > on))
    return {(t, i) for t, i in session.execute(stmt)}


def _of_subjects(session: Session, model, subjects: list[Subject]):
    """Yield the rows of `model` (keyed by subject_type, subject_id) of the given subjects, 500 subjects a query
    (one `Session.get` per subject cost ~0.3 ms each: minutes for the million the first draw after a large load
    rescored)."""
    for start in range(0, len(subjects), 500):
        chunk = subjects[start:start + 500]
        yield from session.scalars(select(model).where(tuple_(model.subject_type, model.subject_id).in_(chunk)))


def _entries_of(session: Session, subjects: list[Subject]) -> dict[Subject, list[CreditEntry]]:
    found: dict[Subject, list[CreditEntry]] = defaultdict(list)
    for entry in _of_subjects(session, CreditEntry, subjects):
        found[(entry.subject_type, entry.subject_id)].append(entry)
    return found


def _records_of(session: Session, subjects: list[Subject]) -> dict[Subject, CreditRecord]:
    return {(r.subject_type, r.subject_id): r for r in _of_subjects(session, CreditRecord, subjects)}


def _store(session: Session, principal: Principal, subjects: list[Subject], scorer: Scorer,
           listed: set[Subject]) -> int:
    changes = 0
    entries = _entries_of(session, subjects)
    records = _records_of(session, subjects)
    for subject in subjects:
        score, cls, factors = scorer.score(entries.get(subject, []), subject in listed)
        record = records.get(subject)
        before = record.credit_class if record else scorer.base_class()
        if record is None:
            record = CreditRecord(subject_type=subject[0], subject_id=subject[1], score=score, credit_class=cls,
                                  computed_on=scorer.today, factors=factors)
            session.add(record)
        else:
            record.score, record.credit_class, record.computed_on, record.factors = score, cls, scorer.today, factors
        if before != cls:
            changes += 1
            record_event(session, type="credit.class_changed", subject_type="credit_record",
                         subject_id=f"{subject[0]}:{subject[1]}", actor=principal.actor, public=False,
                         data={"state": {"score": score, "credit_class": cls, "computed_on": scorer.today},
                               "previous": before, "factors": factors})
    session.flush()
    return changes


def refresh_credit(session: Session, *, principal: Principal, today: date | None = None) -> dict[str, int]:
    """Read new events into entries and rescore only the subjects they touch (cheap; before every draw)."""
    require_regulator(principal)
    today = today or date.today()
    touched = sorted(sync_credit_entries(session))
    changes = _store(session, principal, touched, Scorer(session, today), _listed_subjects(session, today))
    return {"subjects": len(touched), "class_changes": changes}


def follow_events(session: Session, *, today: date | None = None, principal: Principal = SYSTEM) -> dict[str, int]:
    """Rescore the subjects the events recorded since the last call weigh on, in the caller's transaction.

    Credit follows every event that changes it — penalties and their withdrawal or repair, list entries and
    removals, spot-check results, certificate suspensions and withdrawals, bars, body revocations, upheld
    complaints — as soon as the integrator runs (after each write request and in the background), instead of
    waiting for the monthly recompute (which still applies the time decay to everyone).
    """
    if not credit_pending(session):
        return {"subjects": 0, "class_changes": 0}
    today = today or date.today()
    touched = sorted(sync_credit_entries(session))
    if not touched:
        return {"subjects": 0, "class_changes": 0}
    changes = _store(session, principal, touched, Scorer(session, today), _listed_subjects(session, today))
    return {"subjects": len(touched), "class_changes": changes}


def check_subject(subject_type: str | None, subject_id: int | None) -> None:
    """Refuse a one-subject recompute that does not name both the subject's type and id."""
    if subject_type is not None or subject_id is not None:
        if subject_type not in ("organization", "body", "person", "lab") or not subject_id:
            raise InvalidInput("credit.subject_required", field="subject_type")


def recompute_subjects(session: Session, *, today: date, subject_type: str | None = None,
                       subject_id: int | None = None) -> tuple[list[Subject], int]:
    """Read new events into entries; return the subjects to rescore (all, or one) and how many entries came in."""
    check_subject(subject_type, subject_id)
    before = session.scalar(select(CreditEntry.id).order_by(CreditEntry.id.desc()).limit(1)) or 0
    sync_credit_entries(session)
    added = session.scalar(select(CreditEntry.id).order_by(CreditEntry.id.desc()).limit(1)) or 0
    if subject_type is not None:
        return [(subject_type, subject_id)], added - before
    found = set(session.execute(select(CreditEntry.subject_type, CreditEntry.subject_id).distinct()))
    found |= set(session.execute(select(CreditRecord.subject_type, CreditRecord.subject_id)))
    return sorted({(t, i) for t, i in found} | _listed_subjects(session, today)), added - before


def rescore(session: Session, *, principal: Principal, subjects: list[Subject], today: date) -> int:
    """Rescore these subjects (recording each class change); return how many classes changed."""
    return _store(session, principal, subjects, Scorer(session, today), _listed_subjects(session, today))


def record_recomputed(session: Session, *, principal: Principal, today: date, summary: dict[str, int]) -> None:
    """Record that a recompute ran, with what it did."""
    record_event(session, type="credit.recomputed", subject_type="credit", subject_id=today.isoformat(),
                 actor=principal.actor, public=False, data={"state": summary})


def recompute_credit(session: Session, *, principal: Principal, today: date | None = None,
                     subject_type: str | None = None, subject_id: int | None = None) -> dict[str, int]:
    """Recompute scores and classes: every subject with a record, an entry or a listing (monthly), or one.

    One transaction (the CLI's); the console and the API run it as a background job in chunks
    (credit/recompute_job.py).
    """
    require_regulator(principal)
    today = today or date.today()
    subjects, added = recompute_subjects(session, today=today, subject_type=subject_type, subject_id=subject_id)
    changes = rescore(session, principal=principal, subjects=subjects, today=today)
    summary = {"entries_added": added, "subjects": len(subjects), "class_changes": changes}
    record_recomputed(session, principal=principal, today=today, summary=summary)
    return summary


def classes_for(session: Session, subject_type: str, ids: list[int] | None = None) -> tuple[dict[int, str], str]:
    """Return the stored class of each subject of a type (all, or these ids) and the class of the rest."""
    stmt = select(CreditRecord.subject_id, CreditRecord.credit_class).where(CreditRecord.subject_type == subject_type)
    if ids is not None and len(ids) <= 1000:
        stmt = stmt.where(CreditRecord.subject_id.in_(ids))
    found = dict(session.execute(stmt).all())
    return found, class_for_score(credit_setting(session, "bands"), int(credit_setting(session, "base_score")))


def credit_record(session: Session, subject_type: str, subject_id: int) -> dict:
    """Return a subject's credit record (the base class when nothing weighs on it yet)."""
    record = session.get(CreditRecord, (subject_type, subject_id))
    recognized = recognized_entries(session, subject_type, subject_id)  # a peer's results and penalties (监管互认)
    if record is not None:
        return {"subject_type": subject_type, "subject_id": subject_id, "score": record.score,
                "credit_class": record.credit_class, "computed_on": record.computed_on, "factors": record.factors,
                "recognized": recognized}
    scorer = Scorer(session, date.today())
    return {"subject_type": subject_type, "subject_id": subject_id, "score": scorer.base,
            "credit_class": scorer.base_class(), "computed_on": date.today(),
            "factors": {"base": scorer.base, "points": {}, "listed": False}, "recognized": recognized}
