"""Computing the signals: incrementally per event (the subjects each new log event touches) and all at once.

`follow_log` folds the events past the cursor: it finds the bodies, organizations and auditors each event
concerns and recomputes exactly those — and of those, only the signals the event can change (a certificate's
status change moves only the signals that read certificate statuses: `signals.STATUS_SIGNALS`), the other
signals keeping their stored values. `recompute_all` recomputes every subject and moves the cursor to the
log's end. Both write through `_store`, from the same signal functions, so for the same day they agree (the
tests check it). A subject no event touches keeps the values of the day it was last computed until the next
full recompute moves its time windows forward.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from certbridge.certificates.models import Audit, AuditAuditor, Certificate
from certbridge.complaints.models import Complaint, ComplaintLink
from certbridge.credit.models import Penalty
from certbridge.db import write_session
from certbridge.ledger.journal import LedgerEvent, log_size, record_event
from certbridge.policy import require_regulator
from certbridge.principal import SYSTEM, Principal
from certbridge.registry.models import Restriction
from certbridge.risk.models import RiskCursor, RiskScore, RiskSignal
from certbridge.risk.parameters import Parameter, load_parameters, risk_class
from certbridge.risk.auditors import AUDITOR_SIGNALS, AUDITORS_READ
from certbridge.risk.signals import SIGNALS, STATUS_FIELDS, STATUS_SIGNALS, SUBJECT_TYPES
from certbridge.risk.state import bulk_cache, rebuild, refresh_certificate
from certbridge.risk.subjects import MODELS
from certbridge.risk.warnings import raise_warnings
from certbridge.risk.state import refresh_certificates

Touched = dict[tuple[str, int], frozenset[str] | None]  # subject → the signals it may change (None: any)


def contribution(param: Parameter, value: float) -> int:
    """Return a signal's points: its weight at the threshold, up to twice that above it, nothing below."""
    if value < param.threshold or param.weight == 0:
        return 0
    return round(param.weight * min(value / param.threshold, 2.0))


def compute(session: Session, kind: str, ids: list[int] | None, today: date,
            params: dict[str, Parameter], only: frozenset[str] | None = None) -> dict[int, dict[str, tuple[float, dict]]]:
    """Return {subject id: {signal: (value, evidence)}} for one subject type (None: every subject; `only`: these
    signals)."""
    out: dict[int, dict[str, tuple[float, dict]]] = defaultdict(dict)
    wanted = [(signal, function) for signal, (kinds, function) in SIGNALS.items()
              if kind in kinds and (only is None or signal in only)]
    if kind == "person":  # the auditors' signals, computed together in one pass over their audits
        session.info[AUDITORS_READ] = {"today": today, "ids": ids, "windows": {
            signal: params[signal].window_days for signal, _f in wanted if signal in AUDITOR_SIGNALS}}
    try:
        for signal, function in wanted:
            for sid, found in function(session, kind, ids, today, params[signal].window_days).items():
                out[sid][signal] = found
    finally:
        session.info.pop(AUDITORS_READ, None)
    return out


def _store(session: Session, kind: str, ids: list[int] | None, today: date, params: dict[str, Parameter],
           principal: Principal, only: frozenset[str] | None = None) -> int:
    """Recompute some subjects' signals (all, or `only` these, the others kept as stored), replace their scores
    and raise their warnings."""
    fresh = compute(session, kind, ids, today, params, only)
    stmt = delete(RiskSignal).where(RiskSignal.subject_type == kind)
    if ids is not None:
        stmt = stmt.where(RiskSignal.subject_id.in_(ids))
    if only is not None:
        stmt = stmt.where(RiskSignal.signal.in_(sorted(only)))
    session.execute(stmt)
    results: dict[int, dict[str, tuple[float, dict]]] = defaultdict(dict)
    if only is not None:  # the signals this change cannot move keep their stored values
        for sid, signal, value, evidence in session.execute(
                select(RiskSignal.subject_id, RiskSignal.signal, RiskSignal.value, RiskSignal.evidence)
                .where(RiskSignal.subject_type == kind, RiskSignal.subject_id.in_(ids))):
            results[sid][signal] = (value, evidence)
    for sid, found in fresh.items():
        results[sid].update(found)
    stmt = delete(RiskScore).where(RiskScore.subject_type == kind)
    if ids is not None:
        stmt = stmt.where(RiskScore.subject_id.in_(ids))
    session.execute(stmt)
    scored, signal_rows, score_rows = [], [], []
    for sid in sorted(results):
        score = 0
        for signal, (value, evidence) in sorted(results[sid].items()):
            score += contribution(params[signal], value)
            if signal in fresh.get(sid, {}):
                signal_rows.append({"subject_type": kind, "subject_id": sid, "signal": signal, "value": value,
                                    "triggered": value >= params[signal].threshold, "evidence": evidence})
        score = min(score, 1000)
        score_rows.append({"subject_type": kind, "subject_id": sid, "score": score, "risk_class": risk_class(score),
                           "computed_on": today})
        scored.append((sid, score, results[sid]))
    for rows, model in ((signal_rows, RiskSignal), (score_rows, RiskScore)):  # bulk: many rows a statement
        for start in range(0, len(rows), 5000):
            session.execute(insert(model), rows[start:start + 5000])
    raise_warnings(session, kind, scored, params, today, principal)
    return len(results)


def _cursor(session: Session) -> RiskCursor:
    cursor = session.get(RiskCursor, 1, with_for_update=True)
    if cursor is None:
        cursor = RiskCursor(id=1, last_seq=-1)
        session.add(cursor)
        session.flush()
    return cursor


def recompute_all(session: Session, *, today: date | None = None, principal: Principal = SYSTEM) -> dict[str, int]:
    """Recompute every subject's signals and score, and move the cursor to the end of the log."""
    require_regulator(principal)
    today = today or date.today()
    cursor = _cursor(session)
    end = log_size(session) - 1
    params = load_parameters(session)
    with bulk_cache(session):  # one transaction writing the whole risk state and reading the whole register
        rebuild(session)
        counts = {kind: _store(session, kind, None, today, params, principal) for kind in SUBJECT_TYPES}
    cursor.last_seq = max(cursor.last_seq, end)
    cursor.recomputed_on = today
    record_event(session, type="risk.recomputed", subject_type="risk_cursor", subject_id=1, actor=principal.actor,
                 public=False, data={"on": today, "subjects": counts, "through_seq": end})
    return counts


def recompute_in_chunks(sessions, *, today: date | None = None, principal: Principal = SYSTEM,
                        chunk: int = 5000) -> dict[str, int]:
    """Do what `recompute_all` does in short transactions: the risk state rebuilt (grouped statements) and the
    cursor moved in one, then the subjects of each type `chunk` at a time, each in its own — writers wait for
    one chunk, not for the whole register. Events folded meanwhile by the follower are already in the rebuilt
    state or come after it; a subject recomputed by both gets the same values (the tests check it)."""
    require_regulator(principal)
    today = today or date.today()
    with write_session(sessions) as session:
        cursor = _cursor(session)
        end = log_size(session) - 1
        with bulk_cache(session):
            rebuild(session)
        cursor.last_seq = max(cursor.last_seq, end)
    counts: dict[str, int] = {}
    for kind in SUBJECT_TYPES:
        model, last, counts[kind] = MODELS[kind], 0, 0
        while True:
            with write_session(sessions) as session:
                ids = list(session.scalars(select(model.id).where(model.id > last).order_by(model.id).limit(chunk)))
                if not ids:
                    break
                counts[kind] += _store(session, kind, ids, today, load_parameters(session), principal)
                last = ids[-1]
    with write_session(sessions) as session:
        _cursor(session).recomputed_on = today
        record_event(session, type="risk.recomputed", subject_type="risk_cursor", subject_id=1,
                     actor=principal.actor, public=False, data={"on": today, "subjects": counts, "through_seq": end})
    return counts


def risk_pending(session: Session) -> bool:
    """Tell whether the log holds events the risk follower has not read (two cheap reads)."""
    cursor = session.get(RiskCursor, 1)
    return log_size(session) - 1 > (cursor.last_seq if cursor is not None else -1)


def follow_log(session: Session, *, today: date | None = None, principal: Principal = SYSTEM,
               batch: int = 5000) -> dict[str, int]:
    """Fold the events past the cursor: recompute the signals they can change, of the subjects they touch; return
    how many subjects per type.

    An event changes the signals `subjects_of` says (a certificate's status change: only the signals that read
    certificate statuses, of its body and holder); the others keep their stored values.
    """
    today = today or date.today()
    cursor = _cursor(session)
    touched: dict[str, dict[int, frozenset[str] | None]] = defaultdict(dict)
    refreshed: set[int] = set()  # certificates whose risk state this pass has counted again
    while True:
        events = list(session.scalars(select(LedgerEvent).where(LedgerEvent.seq > cursor.last_seq)
                                      .order_by(LedgerEvent.seq).limit(batch)))
        if not events:
            break
        ahead = _read_ahead(session, events, refreshed)
        for event in events:
            for (kind, sid), signals in subjects_of(session, event, refreshed, ahead).items():
                if sid in touched[kind]:
                    known = touched[kind][sid]
                    signals = None if known is None or signals is None else known | signals
                touched[kind][sid] = signals
        cursor.last_seq = events[-1].seq
    params = load_parameters(session)
    counts: dict[str, int] = {}
    for kind, subjects in touched.items():
        groups: dict[frozenset[str] | None, list[int]] = defaultdict(list)
        for sid, signals in subjects.items():
            groups[signals].append(sid)
        for signals, ids in sorted(groups.items(), key=lambda g: sorted(g[0] or ())):
            counts[kind] = counts.get(kind, 0) + _store(session, kind, sorted(ids), today, params, principal, signals)
    return counts


class _ReadAhead:
    """What a batch of events needs of its certificates, read and refreshed set-wise before the events are walked:
    each certificate's `refresh_certificate` result (taken by its first event in the pass) and its auditors."""

    def __init__(self, moved: dict[int, set[tuple[str, int]]], people: dict[int, list[int]], certificates: dict):
        self.moved, self.people = moved, people
        self.certificates = certificates  # id → (id, body_id, organization_id), of those still there


def _read_ahead(session: Session, events: list[LedgerEvent], refreshed: set[int]) -> _ReadAhead | None:
    """Refresh the batch's certificates at once (`state.refresh_certificates`: a bulk import's thousands of
    events cost a few statements per 500 certificates instead of several per certificate) and read their auditors."""
    ids = list(dict.fromkeys(int(e.subject_id) for e in events
                             if e.subject_type == "certificate" and e.subject_id.isdigit()))
    if len(ids) < 2:
        return None
    certificates: dict = {}
    for start in range(0, len(ids), 500):
        certificates.update((row.id, row) for row in session.execute(select(
            Certificate.id, Certificate.body_id, Certificate.organization_id).where(
            Certificate.id.in_(ids[start:start + 500]))))
    fresh = [i for i in ids if i not in refreshed]
    moved = refresh_certificates(session, fresh)
    refreshed.update(fresh)
    people: dict[int, list[int]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        for certificate_id, person_id in session.execute(select(Audit.certificate_id, AuditAuditor.person_id).join(
                AuditAuditor, AuditAuditor.audit_id == Audit.id).where(Audit.certificate_id.in_(part))):
            people[certificate_id].append(person_id)
    return _ReadAhead(moved, people, certificates)


def _certificate_subjects(session: Session, event: LedgerEvent, certificate_id: int,
                          refreshed: set[int] | None, ahead: _ReadAhead | None = None) -> Touched:
    moved: set[tuple[str, int]] = set()
    if ahead is not None and certificate_id in ahead.people:  # refreshed with its batch; its first event takes
        moved = ahead.moved.pop(certificate_id, set())  # what the refresh returned
    elif refreshed is None or certificate_id not in refreshed:  # count it again in the risk state, once a pass
        moved = refresh_certificate(session, certificate_id)
        if refreshed is not None:
            refreshed.add(certificate_id)
    if ahead is not None and certificate_id in ahead.people:
        cert = ahead.certificates.get(certificate_id)
    else:
        cert = session.get(Certificate, certificate_id)
    if cert is None:
        return dict.fromkeys(moved)
    change = (json.loads(event.body).get("data") or {}).get("state") or {}
    if change and set(change) <= STATUS_FIELDS and not moved:  # a status change: its body's and holder's status
        return {("body", cert.body_id): STATUS_SIGNALS, ("organization", cert.organization_id): STATUS_SIGNALS}
    found: Touched = {("body", cert.body_id): None, ("organization", cert.organization_id): None}
    found.update(dict.fromkeys(moved))
    people = ahead.people[cert.id] if ahead is not None and cert.id in ahead.people else session.scalars(
        select(AuditAuditor.person_id).join(Audit).where(Audit.certificate_id == cert.id))
    found.update({("person", p): None for p in people})
    return found


def subjects_of(session: Session, event: LedgerEvent, refreshed: set[int] | None = None,
                ahead: _ReadAhead | None = None) -> Touched:
    """Return the (type, id) of every body, organization and auditor one log event may change a signal of, each
    with the signals it may change (None: any). A certificate's event first counts it again in the risk state
    (`state.refresh_certificate`; `refreshed`: the certificates already counted again in this pass)."""
    kind, raw = event.subject_type, event.subject_id
    if not raw.isdigit():
        return {}
    sid = int(raw)
    if kind == "certificate":
        return _certificate_subjects(session, event, sid, refreshed, ahead)
    return dict.fromkeys(_other_subjects(session, event, kind, sid))


def _other_subjects(session: Session, event: LedgerEvent, kind: str, sid: int) -> set[tuple[str, int]]:
    if kind in ("body", "organization", "person"):
        return {(kind, sid)}
    if kind == "complaint":
        item = session.get(Complaint, sid)
        if item is None:
            return set()
        found = {("body", item.body_id), ("organization", item.organization_id)} - {("body", None),
                                                                                    ("organization", None)}
        found |= {(t, i) for t, i in session.execute(select(ComplaintLink.target_type, ComplaintLink.target_id).where(
            ComplaintLink.complaint_id == sid)) if t in SUBJECT_TYPES}
        return found
    if kind == "penalty":
        row = session.get(Penalty, sid)
        return {(row.subject_type, row.subject_id)} if row and row.subject_type in SUBJECT_TYPES and row.subject_id \
            else set()
    if kind == "restriction":
        row = session.get(Restriction, sid)
        return {(row.subject_type, row.subject_id)} if row and row.subject_type in SUBJECT_TYPES else set()
    if kind == "recognized_fact":  # a peer's result or penalty recognized or withdrawn here (监管互认)
        data = json.loads(event.body)["data"]
        subject = (data.get("object_type"), data.get("object_id")) if "object_type" in data else \
            ((data.get("state") or {}).get("subject_type"), (data.get("state") or {}).get("subject_id"))
        return {(subject[0], int(subject[1]))} if subject[0] in SUBJECT_TYPES and subject[1] else set()
    if kind == "inspection_task" and event.type == "inspection.result_recorded":
        data = json.loads(event.body)["data"]
        if data.get("object_type") in SUBJECT_TYPES and data.get("object_id"):
            return {(data["object_type"], int(data["object_id"]))}
    return set()
