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

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from certbridge.certificates.models import Audit, AuditAuditor, Certificate
from certbridge.complaints.models import Complaint, ComplaintLink
from certbridge.credit.models import Penalty
from certbridge.credit.recognized import PENALTY, SPOT_CHECK, recognized_facts, source_label
from certbridge.ledger.journal import LedgerEvent
from certbridge.registry.models import CertificationBody, Restriction
from certbridge.risk import auditors
from certbridge.risk.auditors import AUDITORS_READ, EVIDENCE_MAX, audit_minimums
from certbridge.risk.auditors import chunks as _chunks
from certbridge.risk.disclosures import late_report
from certbridge.risk.models import RiskAudit, RiskCertificate, RiskCount, RiskTally

Values = dict[int, tuple[float, dict]]
FAILED_RESULTS = frozenset({"corrected", "pending_follow_up", "refused_serious", "unreachable"})
PACE_RECENT_DAYS = 30


def _only(column, ids: Iterable[int] | None):
    return True if ids is None else column.in_(list(ids))


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


def _auditor_values(session: Session, signal: str, ids: list[int] | None, today: date, window: int) -> Values:
    """One auditor signal: within `compute` (which puts the wanted auditor signals and their windows in
    session.info) the three are computed together, in one pass over the auditors' audits."""
    shared = session.info.get(AUDITORS_READ)
    if shared is not None and shared["today"] == today and shared["ids"] == ids and \
            shared["windows"].get(signal) == window:
        if "results" not in shared:
            shared["results"] = auditors.auditor_signals(session, ids, today, shared["windows"])
        return shared["results"][signal]
    return auditors.auditor_signals(session, ids, today, {signal: window})[signal]


def auditor_load(session: Session, ids: list[int] | None, today: date, window: int) -> Values:
    """An auditor's audit days in the window (a day counted once however many audits it holds)."""
    return _auditor_values(session, "auditor_load", ids, today, window)


def double_booked(session: Session, ids: list[int] | None, today: date, window: int) -> Values:
    """The same auditor recorded at audits of two different organizations on the same day (a paper audit)."""
    return _auditor_values(session, "double_booked", ids, today, window)


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
