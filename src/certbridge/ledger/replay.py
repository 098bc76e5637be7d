"""Replay: fold each subject's `data.state` from the log and compare it with the current rows.

Events carry the fields of their subject as they became (everything on creation, what changed
after), so folding them in log order gives the state the services wrote. The snapshot functions of
registry and certificates give the same shape from the rows as they are now. Any difference is a
row changed behind the services' back (or an event that lies), and is reported by table, id, field,
expected and found.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, exists, func, select
from sqlalchemy.orm import Session, selectinload

from certbridge.certificates.models import Audit, Certificate
from certbridge.certificates.snapshots import certificate_state
from certbridge.ledger.journal import LedgerEvent
from certbridge.kit.canonical_json import to_json_value
from certbridge.registry.models import CertificationBody, Lab, Organization, Person, Restriction
from certbridge.registry.snapshots import body_state, lab_state, organization_state, person_state, restriction_state

_ABSENT = object()
SUBJECTS_PER_BATCH = 500
# Events whose `data.state` is not their subject's state: the web upload preview wrote one on the body
# subject until 2026-12-06 (now it carries `data.upload`); logs that hold them still replay.
NOT_STATE_TYPES = frozenset({"import.previewed"})


@dataclass(frozen=True)
class ReplayedKind:
    """How to rebuild one subject type: its table, how to load rows, and its snapshot function."""

    subject_type: str
    model: type
    snapshot: Callable[[Any], dict[str, Any]]
    options: tuple = ()

    @property
    def table(self) -> str:
        return self.model.__tablename__


KINDS = (
    ReplayedKind("certificate", Certificate, certificate_state,
                 (selectinload(Certificate.sites), selectinload(Certificate.audits).selectinload(Audit.auditors))),
    ReplayedKind("organization", Organization, organization_state, (selectinload(Organization.identifiers),)),
    ReplayedKind("body", CertificationBody, body_state, (selectinload(CertificationBody.fields),)),
    ReplayedKind("lab", Lab, lab_state, (selectinload(Lab.capabilities),)),
    ReplayedKind("person", Person, person_state, (selectinload(Person.registrations),)),
    ReplayedKind("restriction", Restriction, restriction_state),
)


@dataclass(frozen=True)
class StateMismatch:
    """One field whose row value is not what the log says."""

    subject_type: str
    table: str
    subject_id: str
    field: str
    expected: Any  # from the log; _ABSENT rendered as None with `missing` set
    found: Any
    problem: str = "field"  # field | row_missing | row_unlogged


def fold(bodies: list[str]) -> dict[str, Any]:
    """Fold the `data.state` of a subject's event bodies, in log order."""
    state: dict[str, Any] = {}
    for body in bodies:
        event = json.loads(body)
        if event.get("type") in NOT_STATE_TYPES:
            continue
        data = event.get("data") or {}
        change = data.get("state")
        if isinstance(change, dict):
            state.update(change)
    return state


def first_difference(path: str, want: Any, have: Any) -> tuple[str, Any, Any]:
    """Narrow two differing values down to the first differing element, e.g. audits[1].start_on."""
    if isinstance(want, list) and isinstance(have, list) and len(want) == len(have):
        for i, (a, b) in enumerate(zip(want, have, strict=True)):
            if a != b:
                return first_difference(f"{path}[{i}]", a, b)
    if isinstance(want, dict) and isinstance(have, dict) and set(want) == set(have):
        for key in sorted(want):
            if want[key] != have[key]:
                return first_difference(f"{path}.{key}", want[key], have[key])
    return path, want, have


def compare(kind: ReplayedKind, subject_id: str, expected: dict[str, Any], row: Any) -> list[StateMismatch]:
    """Compare a folded state with a row's snapshot, field by field, naming the first differing element."""
    found = to_json_value(kind.snapshot(row))
    out = []
    for field in sorted(set(expected) | set(found)):
        want, have = expected.get(field, _ABSENT), found.get(field, _ABSENT)
        if want != have:
            path, want, have = first_difference(field, want, have)
            out.append(StateMismatch(kind.subject_type, kind.table, subject_id, path,
                                     None if want is _ABSENT else want, None if have is _ABSENT else have))
    return out


def _subjects(session: Session, kind: ReplayedKind, batch: int) -> Iterator[list[tuple[str, list[str]]]]:
    """Yield batches of (subject id, event bodies in log order), streaming the log by subject."""
    stmt = (select(LedgerEvent.subject_id, LedgerEvent.body)
            .where(LedgerEvent.subject_type == kind.subject_type)
            .order_by(LedgerEvent.subject_id, LedgerEvent.seq)
            .execution_options(yield_per=5000))
    current, bodies, out = None, [], []
    for subject_id, body in session.execute(stmt):
        if subject_id != current:
            if current is not None:
                out.append((current, bodies))
                if len(out) >= batch:
                    yield out
                    out = []
            current, bodies = subject_id, []
        bodies.append(body)
    if current is not None:
        out.append((current, bodies))
    if out:
        yield out


def count_subjects(session: Session, kind: ReplayedKind) -> int:
    """Return how many rows of a kind there are (for progress)."""
    return session.scalar(select(func.count()).select_from(kind.model)) or 0


def replay_kind(session: Session, kind: ReplayedKind, *, on_progress: Callable[[int], None] | None = None,
                batch: int = SUBJECTS_PER_BATCH) -> Iterator[StateMismatch]:
    """Yield every difference between the log and the rows of one subject type."""
    for chunk in _subjects(session, kind, batch):
        ids = [int(sid) for sid, _ in chunk if sid.isdigit()]
        rows = {str(r.id): r for r in session.scalars(select(kind.model).where(kind.model.id.in_(ids))
                                                        .options(*kind.options))}
        for subject_id, bodies in chunk:
            row = rows.get(subject_id)
            if row is None:
                yield StateMismatch(kind.subject_type, kind.table, subject_id, "*", "row", None, "row_missing")
                continue
            yield from compare(kind, subject_id, fold(bodies), row)
        session.expunge_all()  # keep memory flat on big registries
        if on_progress:
            on_progress(len(chunk))
    unlogged = select(kind.model.id).where(~exists(
        select(LedgerEvent.seq).where(LedgerEvent.subject_type == kind.subject_type,
                                      LedgerEvent.subject_id == cast(kind.model.id, String))))
    for (row_id,) in session.execute(unlogged.order_by(kind.model.id)):
        yield StateMismatch(kind.subject_type, kind.table, str(row_id), "*", None, "row", "row_unlogged")
