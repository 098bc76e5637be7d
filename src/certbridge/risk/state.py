"""The risk state the events keep: what the signals count, per certificate, per audit and per subject.

Signals that would otherwise re-read a body's certificates read this state instead, so the work of one event
does not grow with the body's size:

- `risk_certificate`: per certificate, its body and holder, whether it is valid, the day it was suspended or
  withdrawn (while it is), the day of its first issue (not a renewal); the suspensions signal's evidence is the
  latest rows of an index range of it (body or holder, day in the window).
- `risk_audit`: per audit, its body and — if it was shorter than the scheme's minimum — its start day (the
  evidence of the body's short-audits signal, the latest rows of an index range too).
- `risk_count`: a body's valid certificates (the complaint rate's denominator).
- `risk_tally`: per day, a body's first issues (the pace signal), a body's or holder's certificates suspended or
  withdrawn (suspensions), a body's short audits (short audits): a signal's value sums the days of its window.

`refresh_certificate` is called by the follower for every certificate an event names: it takes back what the
stored rows counted, counts the certificate and its audits as they are now, and stores them (a few primary-key
reads and writes, whatever the body's size). `rebuild` makes all of it again from the register in a few grouped
statements; the full recompute (the regulator's and the leader's daily job) runs it, so any drift is repaired
every day.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import Integer, and_, case, cast, delete, func, insert, literal, select
from sqlalchemy.orm import Session, aliased

from certbridge.certificates.models import Audit, Certificate
from certbridge.db import SQLITE_CACHE_KIB
from certbridge.risk.models import RiskAudit, RiskAuditMinimum, RiskCertificate, RiskCount, RiskTally

SUSPENDED = ("suspended", "withdrawn")
# SQLite page cache of a full recompute's connection while it runs (KiB; pages are allocated only as used). The
# rebuild writes the whole risk state in one transaction (about 1 GB of pages at 10 M certificates, the holders'
# index filled at random): with the connection's usual 16 MB, dirty pages spilled into the WAL mid-transaction and
# were read back from it, and at 10 M the rebuild cost 22x its 1 M figure (11x with this cache; bench/RESULTS.md,
# "Risk, round 4"). The process's peak memory grows by about as much as the cache fills (3.5 GB at 10 M).
BULK_CACHE_KIB = 2 * 1024 * 1024


@contextmanager
def bulk_cache(session: Session) -> Iterator[None]:
    """Give this session's SQLite connection a page cache of BULK_CACHE_KIB while the block runs, then the usual
    one again (SQLite frees the pages beyond it). Nothing on PostgreSQL (its buffers are the server's)."""
    if session.get_bind().dialect.name != "sqlite" or not BULK_CACHE_KIB:
        yield
        return
    connection = session.connection()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{int(BULK_CACHE_KIB)}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")


def _minimums(session: Session) -> dict[tuple[str, str], int]:
    return {(s, k): d for s, k, d in session.execute(select(RiskAuditMinimum.scheme_code, RiskAuditMinimum.audit_kind,
                                                            RiskAuditMinimum.min_days))}


def _bump_count(session: Session, kind: str, sid: int, measure: str, delta: int) -> None:
    row = session.get(RiskCount, (kind, sid, measure))
    if row is None:
        row = RiskCount(subject_type=kind, subject_id=sid, measure=measure, n=0)
        session.add(row)
    row.n += delta


def _bump_tally(session: Session, kind: str, sid: int, measure: str, day: date, delta: int) -> None:
    row = session.get(RiskTally, (kind, sid, measure, day))
    if row is None:
        row = RiskTally(subject_type=kind, subject_id=sid, measure=measure, day=day, n=0)
        session.add(row)
    row.n += delta


def _count(session: Session, row: RiskCertificate, sign: int) -> None:
    if row.valid:
        _bump_count(session, "body", row.body_id, "valid", sign)
    if row.first_issued_on is not None:
        _bump_tally(session, "body", row.body_id, "first_issued", row.first_issued_on, sign)
    if row.suspended_on is not None:
        _bump_tally(session, "body", row.body_id, "suspended", row.suspended_on, sign)
        _bump_tally(session, "organization", row.organization_id, "suspended", row.suspended_on, sign)


def _placed(session: Session, old: RiskCertificate | None, certificate_id: int, cert) -> RiskCertificate:
    """Return the certificate's risk row (added if new) with its body, holder, validity and dates from `cert`."""
    if old is None:
        old = RiskCertificate(certificate_id=certificate_id)
        session.add(old)
    old.body_id, old.organization_id = cert.body_id, cert.organization_id
    old.valid = cert.status == "valid"
    old.suspended_on = cert.status_changed_on if cert.status in SUSPENDED else None
    old.first_issued_on = cert.issued_on if cert.previous_id is None else None
    return old


def refresh_certificate(session: Session, certificate_id: int) -> set[tuple[str, int]]:
    """Count one certificate and its audits as they are now instead of as last counted; return the subjects
    whose state changed owner (the body and holder it was counted under before, if they differ)."""
    old = session.get(RiskCertificate, certificate_id)
    cert = session.get(Certificate, certificate_id)
    before: set[tuple[str, int]] = set()
    if old is not None:
        before = {("body", old.body_id), ("organization", old.organization_id)}
        _count(session, old, -1)
    if cert is None:
        if old is not None:
            session.delete(old)
        for gone in session.scalars(select(RiskAudit).where(RiskAudit.certificate_id == certificate_id,
                                                           RiskAudit.short_on.is_not(None))):
            _bump_tally(session, "body", gone.body_id, "short_audit", gone.short_on, -1)
        session.execute(delete(RiskAudit).where(RiskAudit.certificate_id == certificate_id))
        return before
    old = _placed(session, old, certificate_id, cert)
    _count(session, old, +1)
    minimum = _minimums(session)
    for gone in session.scalars(select(RiskAudit).where(RiskAudit.certificate_id == certificate_id,
                                                       RiskAudit.short_on.is_not(None))):
        _bump_tally(session, "body", gone.body_id, "short_audit", gone.short_on, -1)
    session.execute(delete(RiskAudit).where(RiskAudit.certificate_id == certificate_id))
    for audit in session.scalars(select(Audit).where(Audit.certificate_id == certificate_id)):
        need = minimum.get((cert.scheme_code, audit.kind), minimum.get(("*", audit.kind)))
        short = bool(need) and (audit.end_on - audit.start_on).days + 1 < need
        session.add(RiskAudit(audit_id=audit.id, certificate_id=certificate_id, body_id=cert.body_id,
                              short_on=audit.start_on if short else None))
        if short:
            _bump_tally(session, "body", cert.body_id, "short_audit", audit.start_on, +1)
    session.flush()
    return before - {("body", cert.body_id), ("organization", cert.organization_id)}



def refresh_certificates(session: Session, certificate_ids: list[int]) -> dict[int, set[tuple[str, int]]]:
    """`refresh_certificate` for many certificates at once (a bulk import's events): the same rows and counts
    stored, read and written a few statements per 500 certificates instead of per certificate; return for each
    what `refresh_certificate` returns."""
    moved: dict[int, set[tuple[str, int]]] = {}
    minimum = _minimums(session)
    bumps: dict[tuple, int] = {}  # (RiskCount or RiskTally, primary key) → the sum of its changes

    def bump(model: type, *key: object, delta: int) -> None:
        bumps[model, key] = bumps.get((model, key), 0) + delta

    def count(row: RiskCertificate, sign: int) -> None:  # what `_count` counts, gathered
        if row.valid:
            bump(RiskCount, "body", row.body_id, "valid", delta=sign)
        if row.first_issued_on is not None:
            bump(RiskTally, "body", row.body_id, "first_issued", row.first_issued_on, delta=sign)
        if row.suspended_on is not None:
            bump(RiskTally, "body", row.body_id, "suspended", row.suspended_on, delta=sign)
            bump(RiskTally, "organization", row.organization_id, "suspended", row.suspended_on, delta=sign)

    ids = list(dict.fromkeys(certificate_ids))
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        olds = {r.certificate_id: r for r in session.scalars(
            select(RiskCertificate).where(RiskCertificate.certificate_id.in_(part)))}
        certs = {c.id: c for c in session.execute(select(  # the columns counted, not whole certificates
            Certificate.id, Certificate.body_id, Certificate.organization_id, Certificate.status,
            Certificate.status_changed_on, Certificate.issued_on, Certificate.previous_id, Certificate.scheme_code,
        ).where(Certificate.id.in_(part)))}
        for body_id, short_on in session.execute(select(RiskAudit.body_id, RiskAudit.short_on).where(
                RiskAudit.certificate_id.in_(part), RiskAudit.short_on.is_not(None))):
            bump(RiskTally, "body", body_id, "short_audit", short_on, delta=-1)
        session.execute(delete(RiskAudit).where(RiskAudit.certificate_id.in_(part)))
        audits: dict[int, list] = {}
        for audit in session.execute(select(Audit.id, Audit.certificate_id, Audit.kind, Audit.start_on, Audit.end_on)
                                     .where(Audit.certificate_id.in_(part)).order_by(Audit.id)):
            audits.setdefault(audit.certificate_id, []).append(audit)
        new_audits = []
        for certificate_id in part:
            old, cert = olds.get(certificate_id), certs.get(certificate_id)
            before: set[tuple[str, int]] = set()
            if old is not None:
                before = {("body", old.body_id), ("organization", old.organization_id)}
                count(old, -1)
            if cert is None:
                if old is not None:
                    session.delete(old)
                moved[certificate_id] = before
                continue
            old = _placed(session, old, certificate_id, cert)
            count(old, +1)
            for audit in audits.get(certificate_id, ()):
                need = minimum.get((cert.scheme_code, audit.kind), minimum.get(("*", audit.kind)))
                short = bool(need) and (audit.end_on - audit.start_on).days + 1 < need
                new_audits.append({"audit_id": audit.id, "certificate_id": certificate_id, "body_id": cert.body_id,
                                   "short_on": audit.start_on if short else None})
                if short:
                    bump(RiskTally, "body", cert.body_id, "short_audit", audit.start_on, delta=+1)
            moved[certificate_id] = before - {("body", cert.body_id), ("organization", cert.organization_id)}
        if new_audits:  # through Core: the ORM's bulk insert cost more than the statement
            session.connection().execute(RiskAudit.__table__.insert(), new_audits)
    session.flush()
    for (model, key), delta in bumps.items():  # every row a change touched exists afterwards, as one by one
        row = session.get(model, key)
        if row is None:
            names = ("subject_type", "subject_id", "measure", "day")[:len(key)]
            row = model(**dict(zip(names, key)), n=0)
            session.add(row)
        row.n += delta
    session.flush()
    return moved

def _days(session: Session, start, end):
    """The calendar days from `start` to `end` inclusive, in SQL (the Python `(end - start).days + 1`)."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.julianday(end) - func.julianday(start), Integer) + 1
    return (end - start) + 1


def rebuild(session: Session) -> None:
    """Make the whole risk state again from the register: a few grouped statements, no row through Python."""
    for table in (RiskCount, RiskTally, RiskAudit, RiskCertificate):
        session.execute(delete(table))
    session.execute(insert(RiskCertificate).from_select(
        ["certificate_id", "body_id", "organization_id", "valid", "suspended_on", "first_issued_on"],
        select(Certificate.id, Certificate.body_id, Certificate.organization_id,
               case((Certificate.status == "valid", literal(True)), else_=literal(False)),
               case((Certificate.status.in_(SUSPENDED), Certificate.status_changed_on)),
               case((Certificate.previous_id.is_(None), Certificate.issued_on)))))
    own = aliased(RiskAuditMinimum)
    star = aliased(RiskAuditMinimum)
    need = func.coalesce(own.min_days, star.min_days)
    session.execute(insert(RiskAudit).from_select(
        ["audit_id", "certificate_id", "body_id", "short_on"],
        select(Audit.id, Audit.certificate_id, Certificate.body_id,
               case((and_(need > 0, _days(session, Audit.start_on, Audit.end_on) < need), Audit.start_on)))
        .join(Certificate, Certificate.id == Audit.certificate_id)
        .outerjoin(own, and_(own.scheme_code == Certificate.scheme_code, own.audit_kind == Audit.kind))
        .outerjoin(star, and_(star.scheme_code == "*", star.audit_kind == Audit.kind))))
    session.execute(insert(RiskCount).from_select(
        ["subject_type", "subject_id", "measure", "n"],
        select(literal("body"), RiskCertificate.body_id, literal("valid"), func.count())
        .where(RiskCertificate.valid.is_(True)).group_by(RiskCertificate.body_id)))
    tally = ["subject_type", "subject_id", "measure", "day", "n"]
    for kind, column, measure, day in (("body", RiskCertificate.body_id, "first_issued", RiskCertificate.first_issued_on),
                                       ("body", RiskCertificate.body_id, "suspended", RiskCertificate.suspended_on),
                                       ("organization", RiskCertificate.organization_id, "suspended",
                                        RiskCertificate.suspended_on),
                                       ("body", RiskAudit.body_id, "short_audit", RiskAudit.short_on)):
        session.execute(insert(RiskTally).from_select(tally, select(
            literal(kind), column, literal(measure), day, func.count()).where(day.is_not(None)).group_by(column, day)))
