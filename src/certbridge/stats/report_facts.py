"""What supervision and credit did in a month, for the monthly report, read from the log (stats imports neither):
spot-check results recorded in the month (counts by result), penalties decided in the month (how many, and the
published ones by decision number — an unpublished or withdrawn decision is never named in a public report).
A region's report counts the objects and parties registered in that region."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.certificates.models import Certificate
from certbridge.ledger.journal import LedgerEvent
from certbridge.registry.models import CertificationBody, Lab, Organization, Person
from certbridge.stats.queries import region_prefix

MODELS = {"organization": Organization, "body": CertificationBody, "lab": Lab, "person": Person,
          "certificate": Certificate}
# result → (zh, en), as supervision names them
RESULT_NAMES = {"no_problem": ("未发现问题", "no problem found"), "corrected": ("发现问题已整改", "problem found, corrected"),
                "pending_follow_up": ("发现问题待复查", "problem found, follow-up pending"),
                "refused_serious": ("拒绝检查或问题严重", "refused or serious problem"),
                "no_activity": ("无相关活动", "no activity"), "unreachable": ("无法联系", "unreachable")}


def _in_region(session: Session, region: str):
    prefix = region_prefix(session, region)
    if not prefix:
        return lambda kind, sid: True

    def inside(kind: str, sid) -> bool:
        model = MODELS.get(kind)
        thing = session.get(model, int(sid)) if model is not None and sid is not None else None
        code = getattr(thing, "region_code", None) if thing is not None else None
        return bool(code) and code.startswith(prefix)
    return inside


def _events(session: Session, types: tuple[str, ...]):
    for seq, kind, subject_id, body in session.execute(
            select(LedgerEvent.seq, LedgerEvent.type, LedgerEvent.subject_id, LedgerEvent.body)
            .where(LedgerEvent.type.in_(types)).order_by(LedgerEvent.seq)):
        yield seq, kind, subject_id, json.loads(body)["data"]


def spot_checks(session: Session, *, region: str, first: date, as_of: date) -> Counter:
    """Return how many spot-check results of the month there were, by result."""
    inside = _in_region(session, region)
    found: Counter = Counter()
    for _seq, _kind, _sid, data in _events(session, ("inspection.result_recorded",)):
        on = str(data.get("completed_on") or "")
        if first.isoformat() <= on <= as_of.isoformat() and inside(data.get("object_type"), data.get("object_id")):
            found[data.get("result") or "unknown"] += 1
    return found


def penalties(session: Session, *, region: str, first: date, as_of: date) -> tuple[int, list[dict]]:
    """Return how many penalties were decided in the month, and those of them published and not withdrawn."""
    inside = _in_region(session, region)
    states: dict[str, dict] = {}
    for _seq, kind, sid, data in _events(session, ("penalty.decided", "penalty.published", "penalty.withdrawn",
                                                   "penalty.repaired")):
        if kind == "penalty.decided":
            states[sid] = dict(data.get("state") or {})
        elif sid in states:
            states[sid].update(data.get("state") or {})
    decided, published = 0, []
    for state in states.values():
        on = str(state.get("decided_on") or "")
        if not first.isoformat() <= on <= as_of.isoformat() or not inside(state.get("subject_type"),
                                                                           state.get("subject_id")):
            continue
        decided += 1
        if state.get("published_on") and not state.get("withdrawn_on"):
            published.append({"decision_number": state.get("decision_number"), "party": state.get("party_name"),
                              "violation": state.get("violation_type"), "authority": state.get("authority"),
                              "decided_on": on})
    return decided, sorted(published, key=lambda p: (p["decided_on"], p["decision_number"] or ""))
