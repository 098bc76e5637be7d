"""Risk in JSON: scores and one subject's signals with their evidence, early warnings and their decisions, the
weights and thresholds (regulators); bodies' public commitments and annual reports (public to read, filed by the
body). The same service functions as the pages. Consumer alerts are served as feeds: `/alerts.json`, `/alerts.atom`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from certbridge.api.deps import AuthedPrincipal, ReadDB, WriteDB
from certbridge.api.pagination import decode_cursor, next_cursor
from certbridge.api.params import Id
from certbridge.api.problems import PROBLEM_RESPONSES
from certbridge.api.routing import APIRouter
from certbridge.errors import NotFound
from certbridge.kit.input_model import CleanInput
from certbridge.policy import require_regulator_reader
from certbridge.risk.disclosures import body_disclosures, file_annual_report, publish_commitment, set_report_rule
from certbridge.risk.models import BodyDisclosure, EarlyWarning, RiskScore, RiskSignal
from certbridge.risk.parameters import load_parameters, set_parameter
from certbridge.risk.subjects import MODELS, subject_name
from certbridge.risk.warnings import decide_warning, list_warnings

router = APIRouter(prefix="/api/v1", tags=["risk"], responses=PROBLEM_RESPONSES)
SubjectType = Literal["body", "organization", "person"]
Limit = Annotated[int, Query(ge=1, le=200)]


class DecisionIn(BaseModel):
    """A warning's decision: dismiss (with the reason), inspect, or penalize."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["dismissed", "inspect", "penalize"] = Field(examples=["inspect"])
    reason: str | None = Field(default=None, max_length=4000, examples=["已安排专项检查"])


class ParameterIn(BaseModel):
    """One signal's weight (points at the threshold), threshold, window in days, and whether it warns alone."""

    model_config = ConfigDict(extra="forbid")

    weight: int = Field(ge=0, le=1000, examples=[150])
    threshold: float = Field(gt=0, examples=[3])
    window_days: int = Field(ge=0, le=3650, examples=[365])
    warn: bool = False


class RuleIn(BaseModel):
    """When annual reports are due: by this month and day of the year after the one reported on."""

    model_config = ConfigDict(extra="forbid")

    due_month: int = Field(ge=1, le=12, examples=[3])
    due_day: int = Field(ge=1, le=31, examples=[31])
    first_year: int = Field(ge=2000, le=2100, examples=[2026], description="The first year a report is due on")


class CommitmentIn(CleanInput):
    """A body's public commitment (公开承诺), its full text."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=20000, examples=["本机构承诺：审核人员均到现场实施审核……"])


class AnnualReportIn(CommitmentIn):
    """A body's annual work report (年度工作报告) on a past year; certbridge adds the figures it counts."""

    year: int = Field(ge=2000, le=2100, examples=[2026])


def warning_view(w: EarlyWarning) -> dict[str, Any]:
    """Return a warning with its evidence, routing and decision."""
    return {"id": w.id, "subject_type": w.subject_type, "subject_id": w.subject_id, "subject_name": w.subject_name,
            "reason": w.reason, "score": w.score, "evidence": w.evidence, "region_code": w.region_code,
            "authority": w.authority, "status": w.status, "decision_reason": w.decision_reason,
            "raised_on": w.raised_on, "decided_on": w.decided_on, "decided_by": w.decided_by}


def disclosure_view(d: BodyDisclosure | None) -> dict[str, Any] | None:
    """Return a commitment or an annual report as published."""
    if d is None:
        return None
    return {"id": d.id, "kind": d.kind, "year": d.year, "text": d.text, "figures": d.figures or None,
            "filed_on": d.filed_on, "due_on": d.due_on, "late": bool(d.due_on and d.filed_on > d.due_on)}


@router.get("/risk/scores", summary="The highest risk scores (regulators)")
def scores(db: ReadDB, principal: AuthedPrincipal, type: SubjectType = "body",
           risk_class: Literal["A", "B", "C", "D"] | None = None, limit: Limit = 100) -> dict[str, Any]:
    """List the subjects of one type by score, highest first (optionally of one risk class A–D)."""
    require_regulator_reader(principal)
    stmt = select(RiskScore).where(RiskScore.subject_type == type)
    if risk_class:
        stmt = stmt.where(RiskScore.risk_class == risk_class)
    rows = db.scalars(stmt.order_by(RiskScore.score.desc(), RiskScore.subject_id).limit(limit))
    return {"type": type, "items": [{"subject_id": r.subject_id, "name": subject_name(db, type, r.subject_id),
                                     "score": r.score, "risk_class": r.risk_class, "computed_on": r.computed_on}
                                    for r in rows]}


@router.get("/risk/subjects/{subject_type}/{subject_id}", summary="One subject's risk signals with evidence")
def subject(subject_type: SubjectType, subject_id: Id, db: ReadDB, principal: AuthedPrincipal) -> dict[str, Any]:
    """Return a body's, organization's or auditor's score and class, every signal with its value, threshold,
    weight and evidence, and its warnings (regulators)."""
    require_regulator_reader(principal)
    if db.get(MODELS[subject_type], subject_id) is None:
        raise NotFound("not_found")
    params = load_parameters(db)
    score = db.get(RiskScore, (subject_type, subject_id))
    signals = db.scalars(select(RiskSignal).where(RiskSignal.subject_type == subject_type,
                                                  RiskSignal.subject_id == subject_id).order_by(RiskSignal.signal))
    warnings = db.scalars(select(EarlyWarning).where(EarlyWarning.subject_type == subject_type,
                                                     EarlyWarning.subject_id == subject_id)
                          .order_by(EarlyWarning.id.desc()))
    return {"subject_type": subject_type, "subject_id": subject_id, "name": subject_name(db, subject_type, subject_id),
            "score": score.score if score else 0, "risk_class": score.risk_class if score else "A",
            "computed_on": score.computed_on if score else None,
            "signals": [{"signal": s.signal, "value": s.value, "triggered": s.triggered,
                         "threshold": params[s.signal].threshold, "weight": params[s.signal].weight,
                         "window_days": params[s.signal].window_days, "evidence": s.evidence} for s in signals],
            "warnings": [warning_view(w) for w in warnings]}


@router.get("/risk/warnings", summary="Early warnings (regulators)")
def warnings(db: ReadDB, principal: AuthedPrincipal,
             status: Literal["open", "dismissed", "inspect", "penalize", "all"] = "open",
             region: Annotated[str | None, Query(max_length=6)] = None,
             cursor: Annotated[str | None, Query(max_length=200)] = None, limit: Limit = 50) -> dict[str, Any]:
    """List early warnings newest first, by status (open by default) and responsible region, with evidence."""
    require_regulator_reader(principal)
    items = list_warnings(db, status=None if status == "all" else status, region=region, limit=limit,
                          after_id=decode_cursor(cursor))
    return {"items": [warning_view(w) for w in items], "next_cursor": next_cursor([w.id for w in items], limit)}


@router.post("/risk/warnings/{warning_id}/decide", summary="Decide an early warning")
def decide(warning_id: Id, body: DecisionIn, db: WriteDB, principal: AuthedPrincipal) -> dict[str, Any]:
    """Decide an open warning (regulators): dismiss it with a reason, order an inspection, or open penalty
    proceedings. Recorded in the log; a decided warning is refused (409)."""
    return warning_view(decide_warning(db, principal=principal, warning_id=warning_id, decision=body.decision,
                                       reason=body.reason))


@router.get("/risk/parameters", summary="Weights, thresholds and windows of the signals (regulators)")
def parameters(db: ReadDB, principal: AuthedPrincipal) -> dict[str, Any]:
    """Return every signal's weight, threshold, window and whether crossing it alone raises a warning."""
    require_regulator_reader(principal)
    return {"items": [{"signal": p.signal, "weight": p.weight, "threshold": p.threshold,
                       "window_days": p.window_days, "warn": p.warn} for p in load_parameters(db).values()]}


@router.put("/risk/parameters/{signal}", summary="Change a signal's parameters")
def put_parameter(signal: Annotated[str, Path(max_length=30)], body: ParameterIn, db: WriteDB,
                  principal: AuthedPrincipal) -> dict[str, Any]:
    """Change one signal's weight, threshold, window or warning flag (regulators; logged; used from the next
    computation)."""
    row = set_parameter(db, principal=principal, signal=signal, weight=body.weight, threshold=body.threshold,
                        window_days=body.window_days, warn=body.warn)
    return {"signal": row.signal, "weight": row.weight, "threshold": row.threshold, "window_days": row.window_days,
            "warn": row.warn}


@router.put("/risk/disclosure-rule", summary="Change when annual reports are due")
def put_rule(body: RuleIn, db: WriteDB, principal: AuthedPrincipal) -> dict[str, Any]:
    """Set the annual report's due date (month and day of the following year) and the first year it is due on
    (regulators; logged). The `late_report` signal reads it."""
    rule = set_report_rule(db, principal=principal, due_month=body.due_month, due_day=body.due_day,
                           first_year=body.first_year)
    return {"due_month": rule.due_month, "due_day": rule.due_day, "first_year": rule.first_year}


def _disclosures(db, body_id: int) -> dict[str, Any]:
    found = body_disclosures(db, body_id)
    rule = found["rule"]
    return {"body_id": body_id, "commitment": disclosure_view(found["commitment"]),
            "annual_reports": [disclosure_view(r) for r in found["reports"]],
            "missing_reports": [{"year": m["year"], "due_on": m["due_on"]} for m in found["missing"]],
            "rule": {"due_month": rule.due_month, "due_day": rule.due_day, "first_year": rule.first_year},
            "as_of": date.today()}


@router.get("/bodies/{body_id}/disclosures", summary="A body's public commitment and annual reports")
def disclosures(body_id: Id, db: ReadDB) -> dict[str, Any]:
    """Return a certification body's public commitment in force, its annual work reports (newest first, each with
    the figures counted at filing and whether it came late) and the years whose report is overdue. Public."""
    return _disclosures(db, body_id)


@router.post("/bodies/{body_id}/commitment", status_code=201, summary="Publish a body's public commitment")
def post_commitment(body_id: Id, body: CommitmentIn, db: WriteDB, principal: AuthedPrincipal) -> dict[str, Any]:
    """Publish the body's public commitment (its operators, or a regulator); it replaces the previous one."""
    publish_commitment(db, principal=principal, body_id=body_id, text=body.text)
    return _disclosures(db, body_id)


@router.post("/bodies/{body_id}/annual-reports", status_code=201, summary="File a body's annual report")
def post_annual_report(body_id: Id, body: AnnualReportIn, db: WriteDB, principal: AuthedPrincipal) -> dict[str, Any]:
    """File the body's annual work report on a past year (its operators, or a regulator), once per year. Filed
    after the due date it is marked late and counts in the `late_report` risk signal."""
    file_annual_report(db, principal=principal, body_id=body_id, year=body.year, text=body.text)
    return _disclosures(db, body_id)
