"""The risk signals, each a pure read of what certbridge already knows, with the evidence behind its value.

Every function takes the subjects to compute (None: all) and returns {subject id: (value, evidence)} for the
subjects whose value is not zero. Spot-check results are read from the log (`inspection.result_recorded`),
never from supervision's tables: supervision depends on risk, not the other way round.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import Date, Integer, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from certbridge.certificates.models import Audit, AuditAuditor, Certificate
from certbridge.complaints.models import Complaint, ComplaintLink
from certbridge.credit.models import Penalty
from certbridge.credit.recognized import PENALTY, SPOT_CHECK, recognized_facts, source_label
from certbridge.ledger.journal import LedgerEvent
from certbridge.registry.models import CertificationBody, Restriction
from certbridge.risk.disclosures import late_report
from certbridge.risk.models import RiskAudit, RiskAuditMinimum, RiskCertificate, RiskCount, RiskTally

Values = dict[int, tuple[float, dict]]
FAILED_RESULTS = frozenset({"corrected", "pending_follow_up", "refused_serious", "unreachable"})
EVIDENCE_MAX = 20  # items of evidence kept per signal (the count is always whole)
PACE_RECENT_DAYS = 30


def _only(column, ids: Iterable[int] | None):
    return True if ids is None else column.in_(list(ids))


def _chunks(ids: list[int] | None, size: int = 500):
    if ids is None:
        yield None
        return
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def complaints(session: Session, kind: str, ids: list[int] | None, today: date, window: int) -> Values:
    """Complaints not rejected, filed in the window, naming the subject or linked to it."""
    since = today - timedelta(days=window)
    found: dict[int, set[str]] = defaultdict(set)
    column = {"body": Complaint.body_id, "organization": Complaint.organization_id}.get(kind)
    recent = and_(Complaint.filed_on > since, Complaint.filed_on <= today, Complaint.status != "rejected")
    for chunk in _chunks(ids):
        if column is not None:
            for sid, number in session.execute(select(column, Complaint.tracking_number).where(
                    recent, column.is_not(None), _only(column, chunk))):
                found[sid].add(number)
        for sid, number in session.execute(
                select(ComplaintLink.target_id, Complaint.tracking_number)
                .join(Complaint, Complaint.id == ComplaintLink.complaint_id)
                .where(recent, ComplaintLink.target_type == kind, _only(ComplaintLink.target_id, chunk))):
            found[sid].add(number)
    return {sid: (float(len(n)), {"complaints": sorted(n)[:EVIDENCE_MAX]}) for sid, n in found.items()}


def complaint_rate(session: Session, ids: list[int] | None, today: date, window: int) -> Values:
    """A body's complaints in the window per 100 of its valid certificates (kept counted: risk/state.py)."""
    counts = complaints(session, "body", ids, today, window)
    out: Values = {}
    for chunk in _chunks(sorted(counts)):
        valid = dict(session.execute(select(RiskCount.subject_id, RiskCount.n).where(
            RiskCount.subject_type == "body", RiskCount.measure == "valid", RiskCount.subject_id.in_(chunk))).all())
        for sid in chunk:
            n = counts[sid][0]
            out[sid] = (round(n * 100 / max(valid.get(sid, 0), 1), 2),
                        {**counts[sid][1], "valid_certificates": valid.get(sid, 0)})
    return out


def _tallied(session: Session, kind: str, measure: str, ids: list[int] | None, since: date, today: date) -> dict:
    """Sum a kept daily tally (risk/state.py) over the window, per subject: at most one row per day of it."""
    return {sid: int(n) for sid, n in session.execute(
        select(RiskTally.subject_id, func.sum(RiskTally.n)).where(
            RiskTally.subject_type == kind, RiskTally.measure == measure, RiskTally.day > since,
            RiskTally.day <= today, _only(RiskTally.subject_id, ids))
        .group_by(RiskTally.subject_id).having(func.sum(RiskTally.n) > 0))}


def _latest(session: Session, stmt, column, day, key, ids: list[int]):
    """Return the latest EVIDENCE_MAX rows of `stmt` per subject (`column`), newest day and id first: one short
    index range per subject asked for, one ranked statement over all of them for a full recompute."""
    order = (day.desc(), key.desc())
    if len(ids) <= 50:
        for sid in ids:
            yield from session.execute(stmt.where(column == sid).order_by(*order).limit(EVIDENCE_MAX))
        return
    ranked = stmt.where(column.in_(ids)).add_columns(
        func.row_number().over(partition_by=column, order_by=order).label("rank")).subquery()
    yield from session.execute(select(*[c for c in ranked.c if c.name != "rank"]).where(
        ranked.c.rank <= EVIDENCE_MAX).order_by(ranked.c.sid, ranked.c.rank))


def suspensions(session: Session, kind: str, ids: list[int] | None, today: date, window: int) -> Values:
    """Certificates of the body or organization suspended or withdrawn in the window: the count kept per day
    (risk/state.py), the latest as evidence — the work is not the body's size."""
    column = RiskCertificate.body_id if kind == "body" else RiskCertificate.organization_id
    since = today - timedelta(days=window)
    out: Values = {}
    for chunk in _chunks(ids):
        counts = _tallied(session, kind, "suspended", chunk, since, today)
        found: dict[int, list] = defaultdict(list)
        for start in range(0, len(counts), 500):
            rows = (select(column.label("sid"), Certificate.number, Certificate.status)
                    .join(Certificate, Certificate.id == RiskCertificate.certificate_id)
                    .where(RiskCertificate.suspended_on > since, RiskCertificate.suspended_on <= today))
            for sid, number, status in _latest(session, rows, column, RiskCertificate.suspended_on,
                                               RiskCertificate.certificate_id, sorted(counts)[start:start + 500]):
                found[sid].append([number, status])
        out.update({sid: (float(n), {"certificates": found[sid]}) for sid, n in counts.items()})
    return out


def failed_checks(session: Session, kind: str, ids: list[int] | None, today: date, window: int) -> Values:
    """Spot checks of the subject that found a problem in the window, read from the log."""
    wanted = None if ids is None else set(ids)
    since = (today - timedelta(days=window)).isoformat()
    found: dict[int, list] = defaultdict(list)
    for seq, body in session.execute(select(LedgerEvent.seq, LedgerEvent.body).where(
            LedgerEvent.type == "inspection.result_recorded").order_by(LedgerEvent.seq)):
        data = json.loads(body)["data"]
        if data.get("object_type") != kind or data.get("result") not in FAILED_RESULTS:
            continue
        sid, on = int(data["object_id"]), str(data.get("completed_on") or "")
        if (wanted is None or sid in wanted) and since < on <= today.isoformat():
            found[sid].append({"seq": seq, "result": data["result"], "on": on})
    for seq, data in recognized_facts(session, SPOT_CHECK):  # a peer's results recognized here (监管互认)
        sid, on = int(data["object_id"]), str(data.get("completed_on") or "")
        if data.get("object_type") == kind and data.get("result") in FAILED_RESULTS and \
                (wanted is None or sid in wanted) and since < on <= today.isoformat():
            found[sid].append({"seq": seq, "result": data["result"], "on": on, "source": data["source"]["instance"],
                               "label": source_label(data["source"], "spot_check")})
    return {sid: (float(len(v)), {"checks": v[:EVIDENCE_MAX]}) for sid, v in found.items()}


def penalties(session: Session, kind: str, ids: list[int] | None, today: date, window: int) -> Values:
    """Penalty decisions against the subject in the window, unless withdrawn or repaired."""
    found: dict[int, list] = defaultdict(list)
    for chunk in _chunks(ids):
        for sid, number, on in session.execute(select(Penalty.subject_id, Penalty.decision_number, Penalty.decided_on)
                                               .where(Penalty.subject_type == kind, _only(Penalty.subject_id, chunk),
                                                      Penalty.withdrawn_on.is_(None), Penalty.repaired_on.is_(None),
                                                      Penalty.decided_on > today - timedelta(days=window),
                                                      Penalty.decided_on <= today).order_by(Penalty.id)):
            found[sid].append([number, on.isoformat()])
    wanted, since = None if ids is None else set(ids), (today - timedelta(days=window)).isoformat()
    for _seq, data in recognized_facts(session, PENALTY):  # a peer's penalties recognized here: [number, on, source]
        state = data["state"]
        sid, on = int(state["subject_id"]), str(state.get("decided_on") or "")
        if state.get("subject_type") == kind and (wanted is None or sid in wanted) and since < on <= today.isoformat():
            found[sid].append([state.get("decision_number"), on, source_label(data["source"], "penalty")])
    return {sid: (float(len(v)), {"penalties": v[:EVIDENCE_MAX]}) for sid, v in found.items()}


def _active(r_starts, r_ends, r_lifted, on: date) -> bool:
    end = min(d for d in (r_ends, r_lifted, date.max) if d is not None)
    return r_starts <= on < end


def issued_while_restricted(session: Session, kind: str, ids: list[int] | None, today: date, window: int) -> Values:
    """Body: certificates issued while the body was restricted or suspended. Auditor: audits while barred."""
    since = today - timedelta(days=window)
    rows = session.execute(select(Restriction.subject_id, Restriction.kind, Restriction.starts_on, Restriction.ends_on,
                                  Restriction.lifted_on).where(Restriction.subject_type == kind,
                                                               _only(Restriction.subject_id, ids))).all()
    spans: dict[int, list] = defaultdict(list)
    for sid, rkind, starts, ends, lifted in rows:
        spans[sid].append((rkind, starts, ends, lifted))
    if kind == "body":
        for body in session.scalars(select(CertificationBody).where(
                CertificationBody.status.in_(("suspended", "revoked", "withdrawn")),
                _only(CertificationBody.id, ids))):
            spans[body.id].append((f"body_{body.status}", body.status_changed_on or body.approved_on, None, None))
    found: dict[int, list] = defaultdict(list)
    for sid, windows in spans.items():
        if kind == "body":
            stmt = select(Certificate.id, Certificate.number, Certificate.issued_on).where(
                Certificate.body_id == sid, Certificate.issued_on > since, Certificate.issued_on <= today)
        else:
            stmt = (select(Audit.id, Certificate.number, Audit.start_on).join(AuditAuditor)
                    .join(Certificate, Certificate.id == Audit.certificate_id)
                    .where(AuditAuditor.person_id == sid, Audit.start_on > since, Audit.start_on <= today))
        for _id, number, on in session.execute(stmt.order_by(_id_column(kind))):
            for rkind, starts, ends, lifted in windows:
                if _active(starts, ends, lifted, on):
                    found[sid].append([number, on.isoformat(), rkind])
                    break
    return {sid: (float(len(v)), {"items": v[:EVIDENCE_MAX]}) for sid, v in found.items()}


def _id_column(kind: str):
    return Certificate.id if kind == "body" else Audit.id


def pace(session: Session, ids: list[int] | None, today: date, window: int) -> Values:
    """A body's certificates issued in the last 30 days against its usual 30 days over the window before."""
    recent_from = today - timedelta(days=PACE_RECENT_DAYS)
    base_from = recent_from - timedelta(days=window)
    out: Values = {}
    tally = (RiskTally.subject_type == "body", RiskTally.measure == "first_issued")
    for chunk in _chunks(ids):
        recent = dict(session.execute(select(RiskTally.subject_id, func.sum(RiskTally.n)).where(
            *tally, RiskTally.day > recent_from, RiskTally.day <= today, _only(RiskTally.subject_id, chunk))
            .group_by(RiskTally.subject_id).having(func.sum(RiskTally.n) > 0)).all())
        base = dict(session.execute(select(RiskTally.subject_id, func.sum(RiskTally.n)).where(
            *tally, RiskTally.day > base_from, RiskTally.day <= recent_from,
            _only(RiskTally.subject_id, sorted(recent) if chunk is None else chunk))
            .group_by(RiskTally.subject_id)).all())
        for sid, n in recent.items():
            usual = int(base.get(sid, 0)) * PACE_RECENT_DAYS / window
            out[sid] = (round(int(n) / max(usual, 1.0), 2), {"last_30_days": int(n), "usual_30_days": round(usual, 2)})
    return out


AUDITOR_SIGNALS = ("auditor_load", "double_booked", "short_audits")
AUDITORS_READ = "risk.auditor_signals"  # session.info key: the auditors' three signals computed in one pass
EPOCH = date(1970, 1, 1)


def _day(session: Session, column):
    """A date column as a whole day number (days since 1970-01-01) in SQL, for day arithmetic on both backends."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.julianday(column) - 2440587.5, Integer)
    return column - literal(EPOCH, Date)


def _greatest(session: Session, *args):
    return (func.max if session.get_bind().dialect.name == "sqlite" else func.greatest)(*args)


def _auditor_values(session: Session, signal: str, ids: list[int] | None, today: date, window: int) -> Values:
    """One auditor signal: within `compute` (which puts the wanted auditor signals and their windows in
    session.info) the three are computed together, in one pass over the auditors' audits."""
    shared = session.info.get(AUDITORS_READ)
    if shared is not None and shared["today"] == today and shared["ids"] == ids and \
            shared["windows"].get(signal) == window:
        if "results" not in shared:
            shared["results"] = auditor_signals(session, ids, today, shared["windows"])
        return shared["results"][signal]
    return auditor_signals(session, ids, today, {signal: window})[signal]


def auditor_signals(session: Session, ids: list[int] | None, today: date, windows: dict[str, int]) -> dict[str, Values]:
    """Compute the auditors' signals set-wise, {signal: Values} for the signals of `windows` ({signal: days}):

    - `auditor_load`: the days covered by an auditor's audits started in the window (a day counted once): their
      lengths summed if no two overlap, else the union of their intervals (`_load_union`);
    - `double_booked`: pairs of audits of two different organizations where the later (in start, id order)
      starts on or before the earlier one ends;
    - `short_audits`: audits shorter than the scheme's minimum (`risk_audit_minimum`, "*" as the default).

    One grouped statement over every auditor's audits (`_first_pass`) gives the load of the auditors whose
    audits do not overlap and flags the others, those who can have a double booking (some audit reaching the
    next one's start) and those who may have a short audit (shorter than the longest minimum of its kind); the
    union of days, the pairs (a self-join of the audits that overlap a neighbour) and the short audits are then
    read, with their evidence (the first 20 in start order) and counts, for the flagged auditors only."""
    since = {signal: today - timedelta(days=days) for signal, days in windows.items()}
    out: dict[str, Values] = {signal: {} for signal in windows}
    minimum = audit_minimums(session) if "short_audits" in windows else {}
    longest: dict[str, int] = {}
    for (_scheme, kind), need in minimum.items():
        longest[kind] = max(longest.get(kind, 0), need)
    doubles, shorts, unions = [], [], {}
    for chunk in _chunks(ids):
        for person, days, audits, overlap, short in session.execute(
                _first_pass(session, chunk, today, since, longest)):
            if "auditor_load" in windows and audits:
                if days is None:
                    unions[person] = int(audits)
                else:
                    out["auditor_load"][person] = (float(days), {"audits": int(audits)})
            if overlap:
                doubles.append(person)
            if short:
                shorts.append(person)
    for chunk in _chunks(sorted(unions)):
        for person, days in session.execute(_load_union(session, chunk, today, since["auditor_load"])):
            out["auditor_load"][person] = (float(days), {"audits": unions[person]})
    if "double_booked" in since:
        for chunk in _chunks(sorted(doubles)):
            for person, a_id, b_id, a_number, b_number, day, _rank, n in session.execute(
                    _pairs(session, chunk, today, since["double_booked"])):
                pairs = out["double_booked"].setdefault(person, (float(n), {"pairs": []}))[1]["pairs"]
                pairs.append({"audits": [a_id, b_id], "certificates": [a_number, b_number], "day": _iso(day)})
    if "short_audits" in since:
        for chunk in _chunks(sorted(shorts)):
            for person, audit_id, number, days, need, _rank, n in session.execute(
                    _short_of_auditors(session, chunk, today, since["short_audits"])):
                found = out["short_audits"].setdefault(person, (float(n), {"audits": []}))[1]["audits"]
                found.append({"audit": audit_id, "certificate": number, "days": int(days), "minimum": int(need)})
    return out


def _iso(day) -> str:
    return day.isoformat() if isinstance(day, date) else str(day)


def _first_pass(session: Session, ids: list[int] | None, today: date, since: dict[str, date],
                longest: dict[str, int]):
    """One window pass over the auditors' audits started in the widest window (each audit with the start of the
    next one, in start and id order), grouped per auditor: the audits in the load's window and their days if
    none of them overlap (else NULL: `_load_union` counts them), whether some audit in the double-booking
    window reaches the start of the next one (only those auditors can be double-booked: an audit reaching a
    later one's start reaches the next one's), and how many may be short (shorter than the longest minimum of
    their kind). Dates are compared as dates (ISO text on SQLite), turned into day numbers only to count days.

    Over every auditor (`ids` None) the window is partitioned by `person_id + 0`, which no index orders: SQLite
    then reads the audits' auditors in audit order (the primary key's index, covering) and each audit beside
    them, both in storage order, and sorts once — partitioned by the bare column it walked the person index
    and fetched every link and its audit at random, two page misses a link once the tables outgrow the cache
    (bench/RESULTS.md, "Risk, round 4"). A few auditors (`ids`) are still read through the person index."""
    person = AuditAuditor.person_id
    partition = person if ids is not None else person + 0
    audits = (select(person.label("person"), Audit.start_on.label("start_on"), Audit.end_on.label("end_on"),
                     Audit.kind.label("kind"), func.lead(Audit.start_on).over(
                         partition_by=partition, order_by=(Audit.start_on, Audit.id)).label("next_start"))
              .join(Audit, Audit.id == AuditAuditor.audit_id)
              .where(Audit.start_on > min(since.values()), Audit.start_on <= today, _only(person, ids)).subquery())
    r = audits.c
    days = count = literal(0)
    if "auditor_load" in since:
        in_load = r.start_on > since["auditor_load"]
        reach = _greatest(session, r.end_on, r.start_on)  # an audit ending before it starts: its first day
        count = func.sum(case((in_load, 1), else_=0))
        days = case((func.max(case((and_(in_load, r.next_start <= reach), 1), else_=0)) == 0, func.sum(case(
            (in_load, _day(session, reach) - _day(session, r.start_on) + 1), else_=0))))
    overlap = literal(0)
    if "double_booked" in since:
        overlap = func.max(case((and_(r.start_on > since["double_booked"], r.next_start <= r.end_on), 1), else_=0))
    short = literal(0)
    if "short_audits" in since and longest:
        need = case({kind: need for kind, need in longest.items()}, value=r.kind, else_=0)
        short = func.sum(case((and_(r.start_on > since["short_audits"], r.kind.in_(sorted(longest)),
                                    _day(session, r.end_on) - _day(session, r.start_on) + 1 < need), 1), else_=0))
    return select(r.person, days, count, overlap, short).group_by(r.person)


def _load_union(session: Session, ids: list[int], today: date, since: date):
    """The days covered by these auditors' overlapping audits in the window: in start order, each audit adds the
    days it reaches beyond the furthest day reached before it."""
    person = AuditAuditor.person_id
    reach = _greatest(session, Audit.end_on, Audit.start_on)
    audits = (select(person.label("person"), Audit.start_on.label("start_on"), reach.label("reach"),
                     func.max(reach).over(partition_by=person, order_by=(Audit.start_on, Audit.id),
                                          rows=(None, -1)).label("reached"))
              .join(Audit, Audit.id == AuditAuditor.audit_id)
              .where(Audit.start_on > since, Audit.start_on <= today, person.in_(ids)).subquery())
    r = audits.c
    added = case((or_(r.reached.is_(None), r.reached < r.start_on),
                  _day(session, r.reach) - _day(session, r.start_on) + 1),
                 (r.reached < r.reach, _day(session, r.reach) - _day(session, r.reached)), else_=0)
    return select(r.person, func.sum(added)).group_by(r.person)


def _pairs(session: Session, ids: list[int], today: date, since: date):
    """The double bookings of these auditors in the window: each pair once (the earlier audit first, in start and
    id order), the first EVIDENCE_MAX per auditor with their rank and the auditor's count. Only audits that
    overlap a neighbour are joined: an audit reaching some later one's start reaches the next one's."""
    person = AuditAuditor.person_id
    order = {"partition_by": person, "order_by": (Audit.start_on, Audit.id)}
    ranked = (select(person.label("person"), Audit.id.label("audit"), Audit.certificate_id.label("certificate"),
                     Audit.start_on.label("start_on"), Audit.end_on.label("end_on"),
                     func.lead(Audit.start_on).over(**order).label("next_start"),
                     func.max(Audit.end_on).over(**order, rows=(None, -1)).label("before"))
              .join(Audit, Audit.id == AuditAuditor.audit_id)
              .where(Audit.start_on > since, Audit.start_on <= today, person.in_(ids)).subquery())
    near = select(ranked).where(or_(ranked.c.next_start <= ranked.c.end_on,
                                    ranked.c.before >= ranked.c.start_on)).cte("near")
    a, b = near.alias("a"), near.alias("b")
    ca, cb = aliased(Certificate), aliased(Certificate)
    pairs = (select(a.c.person, a.c.audit.label("a_id"), b.c.audit.label("b_id"), ca.number.label("a_number"),
                    cb.number.label("b_number"), b.c.start_on.label("day"),
                    func.row_number().over(partition_by=a.c.person, order_by=(a.c.start_on, a.c.audit,
                                                                               b.c.start_on, b.c.audit)).label("rank"),
                    func.count().over(partition_by=a.c.person).label("n"))
             .select_from(a)
             .join(b, and_(b.c.person == a.c.person, b.c.start_on >= a.c.start_on, b.c.start_on <= a.c.end_on,
                           or_(b.c.start_on > a.c.start_on, b.c.audit > a.c.audit)))
             .join(ca, ca.id == a.c.certificate).join(cb, cb.id == b.c.certificate)
             .where(ca.organization_id.is_distinct_from(cb.organization_id)).subquery())
    return select(pairs).where(pairs.c.rank <= EVIDENCE_MAX).order_by(pairs.c.person, pairs.c.rank)


def _short_of_auditors(session: Session, ids: list[int], today: date, since: date):
    """These auditors' audits in the window shorter than their scheme's minimum: the first EVIDENCE_MAX per
    auditor in start order, with their rank and the auditor's count."""
    person = AuditAuditor.person_id
    own, star = aliased(RiskAuditMinimum), aliased(RiskAuditMinimum)
    need = func.coalesce(own.min_days, star.min_days)
    days = _day(session, Audit.end_on) - _day(session, Audit.start_on) + 1
    found = (select(person.label("person"), Audit.id.label("audit"), Certificate.number, days.label("days"),
                    need.label("need"),
                    func.row_number().over(partition_by=person, order_by=(Audit.start_on, Audit.id)).label("rank"),
                    func.count().over(partition_by=person).label("n"))
             .join(Audit, Audit.id == AuditAuditor.audit_id).join(Certificate, Certificate.id == Audit.certificate_id)
             .outerjoin(own, and_(own.scheme_code == Certificate.scheme_code, own.audit_kind == Audit.kind))
             .outerjoin(star, and_(star.scheme_code == "*", star.audit_kind == Audit.kind))
             .where(Audit.start_on > since, Audit.start_on <= today, person.in_(ids), need > 0, days < need)
             .subquery())
    return select(found).where(found.c.rank <= EVIDENCE_MAX).order_by(found.c.person, found.c.rank)


def auditor_load(session: Session, ids: list[int] | None, today: date, window: int) -> Values:
    """An auditor's audit days in the window (a day counted once however many audits it holds)."""
    return _auditor_values(session, "auditor_load", ids, today, window)


def double_booked(session: Session, ids: list[int] | None, today: date, window: int) -> Values:
    """The same auditor recorded at audits of two different organizations on the same day (a paper audit)."""
    return _auditor_values(session, "double_booked", ids, today, window)


def audit_minimums(session: Session) -> dict[tuple[str, str], int]:
    """Return the shortest audit per (scheme, kind); scheme "*" applies where a scheme has no row."""
    return {(s, k): d for s, k, d in session.execute(select(RiskAuditMinimum.scheme_code, RiskAuditMinimum.audit_kind,
                                                            RiskAuditMinimum.min_days))}


def short_audits(session: Session, kind: str, ids: list[int] | None, today: date, window: int) -> Values:
    """Audits shorter than the scheme's minimum, per body (its certificates) or per auditor."""
    if kind == "person":
        return _auditor_values(session, "short_audits", ids, today, window)
    return _short_audits_of_bodies(session, ids, today, window, audit_minimums(session))


def _short_audits_of_bodies(session: Session, ids: list[int] | None, today: date, window: int,
                            minimum: dict[tuple[str, str], int]) -> Values:
    since = today - timedelta(days=window)
    out: Values = {}
    for chunk in _chunks(ids):
        counts = _tallied(session, "body", "short_audit", chunk, since, today)
        rows = (select(RiskAudit.body_id.label("sid"), Audit.id, Audit.start_on, Audit.end_on, Certificate.number,
                       Audit.kind, Certificate.scheme_code)
                .join(Audit, Audit.id == RiskAudit.audit_id).join(Certificate, Certificate.id == Audit.certificate_id)
                .where(RiskAudit.short_on > since, RiskAudit.short_on <= today))
        found: dict[int, list] = defaultdict(list)
        for body, audit_id, start, end, number, akind, scheme in _latest(session, rows, RiskAudit.body_id,
                                                                         RiskAudit.short_on, RiskAudit.audit_id,
                                                                         sorted(counts)):
            found[body].append({"audit": audit_id, "certificate": number, "days": (end - start).days + 1,
                                "minimum": minimum.get((scheme, akind), minimum.get(("*", akind)))})
        out.update({sid: (float(n), {"audits": found[sid]}) for sid, n in counts.items()})
    return out


# signal → (subject types, function(session, kind, ids, today, window))
SIGNALS = {
    "complaints": (("body", "organization", "person"), complaints),
    "complaint_rate": (("body",), lambda s, k, i, t, w: complaint_rate(s, i, t, w)),
    "suspensions": (("body", "organization"), suspensions),
    "failed_checks": (("body", "organization"), failed_checks),
    "penalties": (("body", "organization", "person"), penalties),
    "issued_while_restricted": (("body", "person"), issued_while_restricted),
    "pace": (("body",), lambda s, k, i, t, w: pace(s, i, t, w)),
    "auditor_load": (("person",), lambda s, k, i, t, w: auditor_load(s, i, t, w)),
    "short_audits": (("body", "person"), short_audits),
    "double_booked": (("person",), lambda s, k, i, t, w: double_booked(s, i, t, w)),
    "late_report": (("body",), late_report),  # annual reports late or missing (risk/disclosures.py)
}
SUBJECT_TYPES = ("body", "organization", "person")
# The signals that read a certificate's status (status, status_changed_on, suspended_until, status_reason):
# the only ones a certificate event changing nothing else (suspend, restore, withdraw, cancel, expire) can move,
# so the follower recomputes just these, of the certificate's body and holder. A new signal reading certificate
# statuses is added here too; any other signal needs nothing more than its line in SIGNALS.
STATUS_SIGNALS = frozenset({"complaint_rate", "suspensions"})
STATUS_FIELDS = frozenset({"status", "status_reason", "status_changed_on", "suspended_until"})
