"""Early warnings: raised when a score or a warning signal crosses its threshold, routed to the regulator of the
subject's region, tracked to a decision (dismiss with a reason, inspect, penalize).

One warning per subject and reason stays open; its evidence is refreshed while it is open. Once decided, the
same evidence never raises it again — new evidence (another complaint, another double booking) does.
"""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certbridge.complaints.routing import authority_name
from certbridge.errors import InvalidInput, NotFound, RuleViolation
from certbridge.kit.canonical_json import canonical_bytes
from certbridge.ledger.journal import EventDraft, record_event, record_events
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.risk.models import EarlyWarning
from certbridge.risk.parameters import Parameter
from certbridge.risk.subjects import load_subjects, subject_name, subject_region

DECISIONS = ("dismissed", "inspect", "penalize")


def warning_state(w: EarlyWarning) -> dict:
    """Return a warning's state as its events carry it."""
    return {"subject_type": w.subject_type, "subject_id": w.subject_id, "reason": w.reason, "score": w.score,
            "region_code": w.region_code, "authority": w.authority, "status": w.status,
            "fingerprint": w.fingerprint, "decision_reason": w.decision_reason}


def _fingerprint(evidence: dict) -> str:
    return hashlib.sha256(canonical_bytes(evidence)).hexdigest()


def raise_warnings(session: Session, kind: str, scored: list, params: dict[str, Parameter], today: date,
                   principal: Principal) -> list[EarlyWarning]:
    """Raise or refresh the warnings of freshly scored subjects: [(id, score, {signal: (value, evidence)})]."""
    wanted = []
    for sid, score, signals in scored:
        reasons = {}
        if score >= params["score"].threshold:
            reasons["score"] = {"score": score, "signals": {s: {"value": v, **e} for s, (v, e) in signals.items()
                                                            if v >= params[s].threshold}}
        for signal, (value, evidence) in signals.items():
            if params[signal].warn and value >= params[signal].threshold:
                reasons[signal] = {"value": value, **evidence}
        wanted.extend((sid, reason, score, evidence) for reason, evidence in sorted(reasons.items()))
    if not wanted:
        return []
    existing: dict[tuple[int, str], list[EarlyWarning]] = {}
    ids = sorted({sid for sid, *_ in wanted})
    for start in range(0, len(ids), 500):
        for row in session.scalars(select(EarlyWarning).where(EarlyWarning.subject_type == kind,
                                                              EarlyWarning.subject_id.in_(ids[start:start + 500]))):
            existing.setdefault((row.subject_id, row.reason), []).append(row)
    routes: dict[str | None, str] = {}
    raised, drafts = [], []
    prints = [_fingerprint(evidence) for _sid, _reason, _score, evidence in wanted]
    load_subjects(session, kind, sorted({  # the subjects of new warnings: names and regions in a few statements
        sid for (sid, reason, _s, _e), fingerprint in zip(wanted, prints)
        if all(r.fingerprint != fingerprint and r.status != "open" for r in existing.get((sid, reason), []))}))
    for (sid, reason, score, evidence), fingerprint in zip(wanted, prints):
        rows = existing.get((sid, reason), [])
        if any(r.fingerprint == fingerprint for r in rows):
            continue
        current = next((r for r in rows if r.status == "open"), None)
        if current is not None:
            current.evidence, current.fingerprint, current.score = evidence, fingerprint, score
            drafts.append(("risk.warning_updated", current))
            continue
        region = subject_region(session, kind, sid)
        if region not in routes:
            routes[region] = authority_name(session, region)
        item = EarlyWarning(subject_type=kind, subject_id=sid, subject_name=subject_name(session, kind, sid),
                            reason=reason, score=score, evidence=evidence, fingerprint=fingerprint,
                            region_code=region, authority=routes[region], status="open", raised_on=today)
        session.add(item)
        raised.append(item)
        drafts.append(("risk.warning_raised", item))
    session.flush()
    if drafts:
        record_events(session, [EventDraft(type_, "early_warning", str(item.id), principal.actor,
                                           {"state": warning_state(item)}, False) for type_, item in drafts])
    return raised


def decide_warning(session: Session, *, principal: Principal, warning_id: int, decision: str, reason: str | None,
                   on: date | None = None) -> EarlyWarning:
    """Decide an open warning: dismiss it (a reason is required), send an inspection, or penalize."""
    require_regulator(principal)
    item = session.get(EarlyWarning, warning_id)
    if item is None:
        raise NotFound("not_found")
    if item.status != "open":
        raise RuleViolation("risk.warning_decided", status=item.status)
    if decision not in DECISIONS:
        raise InvalidInput("risk.decision", field="decision", allowed="、".join(DECISIONS))
    reason = (reason or "").strip()
    if decision == "dismissed" and not reason:
        raise InvalidInput("risk.dismiss_reason", field="reason")
    if len(reason) > 2000:
        raise InvalidInput("field.too_long", field="reason", max=2000)
    item.status, item.decision_reason, item.decided_on = decision, reason or None, on or date.today()
    item.decided_by = principal.actor
    session.flush()
    record_event(session, type="risk.warning_decided", subject_type="early_warning", subject_id=item.id,
                 actor=principal.actor, public=False, data={"state": warning_state(item)})
    return item


def list_warnings(session: Session, *, status: str | None = "open", region: str | None = None,
                  limit: int = 100, after_id: int = 0) -> list[EarlyWarning]:
    """List warnings, newest first, by status and responsible region (before `after_id`, when paging)."""
    stmt = select(EarlyWarning)
    if after_id:
        stmt = stmt.where(EarlyWarning.id < after_id)
    if status:
        stmt = stmt.where(EarlyWarning.status == status)
    if region:
        stmt = stmt.where(EarlyWarning.region_code == region)
    return list(session.scalars(stmt.order_by(EarlyWarning.id.desc()).limit(limit)))


def count_open_warnings(session: Session) -> int:
    """Return how many warnings wait for a decision."""
    return session.scalar(select(func.count()).select_from(EarlyWarning).where(EarlyWarning.status == "open")) or 0
