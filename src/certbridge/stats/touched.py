"""What a batch of events touches: the certificates whose statistics may change, and what they can keep.

One scan of the batch's events by key (`ledger_event` between two tree sizes) names the certificates, organizations,
bodies and standards they concern; the certificates' own events are parsed once here, so the fold continues each
certificate's stored fold with them (`timeline.fold_certificate(resume=)`) instead of reading its earlier events.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import orjson
from sqlalchemy.orm import Session

from certbridge.stats.dbapi import _select_in, driver


@dataclass
class Touched:
    """What the events of a batch [start, below) touch: every certificate whose fold or rows may change; those with
    events of their own in the batch (with those events, parsed, in log order); the organizations with events; the
    certificates of the bodies and standards with events (their folds depend on those facts)."""

    certificates: set[int] = field(default_factory=set)
    own: dict[int, list[dict]] = field(default_factory=lambda: defaultdict(list))
    organizations: set[int] = field(default_factory=set)
    through_facts: set[int] = field(default_factory=set)


def touched(session: Session, start: int, below: int) -> Touched:
    """Return what the events in [start, below) touch (one scan of the batch's events, by key)."""
    found: dict[str, set[str]] = defaultdict(set)
    out = Touched()
    conn, mark = driver(session)
    for subject_type, subject_id, body in conn.exec_driver_sql(
            "SELECT subject_type, subject_id, CASE WHEN subject_type = 'certificate' THEN body END FROM ledger_event "
            f"WHERE seq >= {mark} AND seq < {mark} AND subject_type IN ('certificate', 'organization', 'body', "
            "'standard') ORDER BY seq", (start, below)):
        found[subject_type].add(subject_id)
        if body is not None and subject_id.isdigit():
            out.own[int(subject_id)].append(orjson.loads(body))
    out.certificates = {int(i) for i in found["certificate"]}
    for column, kind in (("body_id", "body"), ("standard_id", "standard")):
        ids = sorted(int(i) for i in found[kind] if i.isdigit())
        out.through_facts.update(r[0] for r in _select_in(
            session, f"SELECT id FROM certificate WHERE {column} IN ({{in_}})", ids))
    out.certificates |= out.through_facts
    orgs = sorted(int(i) for i in found["organization"] if i.isdigit())
    out.organizations = set(orgs)
    out.certificates.update(r[0] for r in _select_in(
        session, "SELECT id FROM certificate WHERE organization_id IN ({in_})", orgs))
    out.certificates.update(r[0] for r in _select_in(  # certificates counted under a record that merged since
        session, "SELECT certificate_id FROM stats_certificate WHERE holder_id IN ({in_})", orgs))
    return out
