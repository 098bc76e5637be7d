"""The auditors' signals — load, double booking, short audits — computed set-wise in SQL, the same on SQLite and
PostgreSQL (risk/signals.py registers them; the tests compare them with a brute-force per-auditor computation).

Over every auditor (the full recompute, `ids` None) each statement reads the audits in storage order and sorts
once; for a few auditors (an event's, a chunk's) it reads their index ranges. The work of a full recompute is
the register's size times a logarithm, not the number of flagged auditors times their audits
(bench/RESULTS.md, "Risk, round 4").
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import Date, Integer, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from certbridge.certificates.models import Audit, AuditAuditor, Certificate
from certbridge.risk.models import RiskAuditMinimum

Values = dict[int, tuple[float, dict]]
EVIDENCE_MAX = 20  # items of evidence kept per signal (the count is always whole)
AUDITOR_SIGNALS = ("auditor_load", "double_booked", "short_audits")
AUDITORS_READ = "risk.auditor_signals"  # session.info key: the auditors' three signals computed in one pass
EPOCH = date(1970, 1, 1)


def chunks(ids: list[int] | None, size: int = 500):
    """Yield `ids` in parts of `size` (or None once: every subject)."""
    if ids is None:
        yield None
        return
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def _day(session: Session, column):
    """A date column as a whole day number (days since 1970-01-01) in SQL, for day arithmetic on both backends."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.julianday(column) - 2440587.5, Integer)
    return column - literal(EPOCH, Date)


def _greatest(session: Session, *args):
    return (func.max if session.get_bind().dialect.name == "sqlite" else func.greatest)(*args)


def _partition(ids: list[int] | None):
    """The auditor column to partition a window by. Over every auditor, `person_id + 0`, which no index orders:
    SQLite then reads the audits' auditors in audit order (the primary key's index, covering) with each audit
    beside them, both in storage order, and sorts once — partitioned by the bare column it walked the person
    index and fetched every link and its audit at random, two page misses a link once the tables outgrow the
    cache. A few auditors (`ids`) are read through the person index, their rows only."""
    return AuditAuditor.person_id if ids is not None else AuditAuditor.person_id + 0


def _only(ids: list[int] | None):
    return True if ids is None else AuditAuditor.person_id.in_(ids)


def audit_minimums(session: Session) -> dict[tuple[str, str], int]:
    """Return the shortest audit per (scheme, kind); scheme "*" applies where a scheme has no row."""
    return {(s, k): d for s, k, d in session.execute(select(RiskAuditMinimum.scheme_code, RiskAuditMinimum.audit_kind,
                                                            RiskAuditMinimum.min_days))}


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
    union of days and the pairs (of the audits that overlap a neighbour) are then read for the flagged auditors
    only, and the short audits — with their evidence (the first 20 in start order) and counts — by one statement
    over the audits shorter than the longest minimum of their kind (of every auditor, or of the flagged ones)."""
    since = {signal: today - timedelta(days=days) for signal, days in windows.items()}
    out: dict[str, Values] = {signal: {} for signal in windows}
    minimum = audit_minimums(session) if "short_audits" in windows else {}
    longest: dict[str, int] = {}
    for (_scheme, kind), need in minimum.items():
        longest[kind] = max(longest.get(kind, 0), need)
    doubles, shorts, unions = [], [], {}
    for chunk in chunks(ids):
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
    for chunk in chunks(sorted(unions)):
        for person, days in session.execute(_load_union(session, chunk, today, since["auditor_load"])):
            out["auditor_load"][person] = (float(days), {"audits": unions[person]})
    if "double_booked" in since:
        for chunk in chunks(sorted(doubles)):
            out["double_booked"].update(_pairs(session, chunk, today, since["double_booked"]))
    if "short_audits" in since and shorts:
        for chunk in chunks(None if ids is None else sorted(shorts)):
            for person, audit_id, number, days, need, _rank, n in session.execute(
                    _short_of_auditors(session, chunk, today, since["short_audits"], longest)):
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
    their kind). Dates are compared as dates (ISO text on SQLite), turned into day numbers only to count days."""
    person = AuditAuditor.person_id
    audits = (select(person.label("person"), Audit.start_on.label("start_on"), Audit.end_on.label("end_on"),
                     Audit.kind.label("kind"), func.lead(Audit.start_on).over(
                         partition_by=_partition(ids), order_by=(Audit.start_on, Audit.id)).label("next_start"))
              .join(Audit, Audit.id == AuditAuditor.audit_id)
              .where(Audit.start_on > min(since.values()), Audit.start_on <= today, _only(ids)).subquery())
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
        short = func.sum(case((and_(r.start_on > since["short_audits"], _maybe_short(session, r, longest)), 1),
                              else_=0))
    return select(r.person, days, count, overlap, short).group_by(r.person)


def _maybe_short(session: Session, audit, longest: dict[str, int]):
    """Whether an audit (columns kind, start_on, end_on) is shorter than the longest minimum of its kind: every
    short audit is, and the test needs the audit's row alone."""
    need = case({kind: need for kind, need in longest.items()}, value=audit.kind, else_=0)
    return and_(audit.kind.in_(sorted(longest)), _day(session, audit.end_on) - _day(session, audit.start_on) + 1 < need)


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


def _near(ids: list[int], today: date, since: date):
    """These auditors' audits in the window that overlap a neighbour in start and id order (an audit reaching some
    later one's start reaches the next one's): (auditor, audit, certificate, start, end)."""
    person = AuditAuditor.person_id
    order = {"partition_by": person, "order_by": (Audit.start_on, Audit.id)}
    ranked = (select(person.label("person"), Audit.id.label("audit"), Audit.certificate_id.label("certificate"),
                     Audit.start_on.label("start_on"), Audit.end_on.label("end_on"),
                     func.lead(Audit.start_on).over(**order).label("next_start"),
                     func.max(Audit.end_on).over(**order, rows=(None, -1)).label("before"))
              .join(Audit, Audit.id == AuditAuditor.audit_id)
              .where(Audit.start_on > since, Audit.start_on <= today, person.in_(ids)).subquery())
    r = ranked.c
    return select(r.person, r.audit, r.certificate, r.start_on, r.end_on).where(
        or_(r.next_start <= r.end_on, r.before >= r.start_on))


def _pairs(session: Session, ids: list[int], today: date, since: date) -> Values:
    """The double bookings of these auditors in the window: each pair once (the earlier audit first, in start and
    id order) whose audits are of two different organizations, the day the later one starts; the count and the
    first EVIDENCE_MAX pairs. The audits overlapping a neighbour are few: they are read, then their certificates
    by key, and paired here (a join of them in SQL let PostgreSQL hash the whole certificate table per chunk)."""
    near: dict[int, list] = defaultdict(list)
    for person, audit, certificate, start, end in session.execute(_near(ids, today, since)):
        near[person].append((start, audit, end, certificate))
    wanted = sorted({row[3] for rows in near.values() for row in rows})
    certificates: dict[int, tuple] = {}
    for chunk in chunks(wanted):
        certificates.update((cid, (number, org)) for cid, number, org in session.execute(
            select(Certificate.id, Certificate.number, Certificate.organization_id).where(Certificate.id.in_(chunk))))
    out: Values = {}
    for person, rows in near.items():
        rows.sort()
        n, pairs = 0, []
        for i, (a_start, a_id, a_end, a_cert) in enumerate(rows):
            for b_start, b_id, _b_end, b_cert in rows[i + 1:]:
                if b_start > a_end:
                    break
                if a_cert in certificates and b_cert in certificates and \
                        certificates[a_cert][1] != certificates[b_cert][1]:
                    n += 1
                    if len(pairs) < EVIDENCE_MAX:
                        pairs.append({"audits": [a_id, b_id], "day": _iso(b_start),
                                      "certificates": [certificates[a_cert][0], certificates[b_cert][0]]})
        if n:
            out[person] = (float(n), {"pairs": pairs})
    return out


def _short_of_auditors(session: Session, ids: list[int] | None, today: date, since: date, longest: dict[str, int]):
    """These auditors' (None: every auditor's) audits in the window shorter than their scheme's minimum: the first
    EVIDENCE_MAX per auditor in start order, with their rank and the auditor's count. Only the audits shorter
    than the longest minimum of their kind are joined to their certificates and minimums."""
    person = AuditAuditor.person_id
    own, star = aliased(RiskAuditMinimum), aliased(RiskAuditMinimum)
    need = func.coalesce(own.min_days, star.min_days)
    days = _day(session, Audit.end_on) - _day(session, Audit.start_on) + 1
    partition = _partition(ids)
    found = (select(person.label("person"), Audit.id.label("audit"), Certificate.number, days.label("days"),
                    need.label("need"),
                    func.row_number().over(partition_by=partition, order_by=(Audit.start_on, Audit.id)).label("rank"),
                    func.count().over(partition_by=partition).label("n"))
             .join(Audit, Audit.id == AuditAuditor.audit_id).join(Certificate, Certificate.id == Audit.certificate_id)
             .outerjoin(own, and_(own.scheme_code == Certificate.scheme_code, own.audit_kind == Audit.kind))
             .outerjoin(star, and_(star.scheme_code == "*", star.audit_kind == Audit.kind))
             .where(Audit.start_on > since, Audit.start_on <= today, _only(ids), _maybe_short(session, Audit, longest),
                    need > 0, days < need)
             .subquery())
    return select(found).where(found.c.rank <= EVIDENCE_MAX).order_by(found.c.person, found.c.rank)
