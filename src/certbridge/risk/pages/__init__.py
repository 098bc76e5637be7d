"""Regulator pages of risk: the riskiest subjects, one subject's signals with evidence (an auditor's whole record),
the early warnings routed by region with their decisions, and the weights and thresholds. Installs the alert
pages, the certificate-page slot, the dashboard panel and the follower too."""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.api.deps import ReadDB
from certbridge.api.params import Id
from certbridge.api.routing import APIRouter, add_routes
from certbridge.complaints.handling import complaints_about
from certbridge.db import write_session
from certbridge.errors import DomainError, InvalidInput, NotFound
from certbridge.principal import Principal
from certbridge.risk import daily, follow
from certbridge.risk.pages import alerts as alert_pages
from certbridge.risk.pages import disclosures as disclosure_pages
from certbridge.risk.accountability import open_review, person_record
from certbridge.risk.compute import recompute_all
from certbridge.risk.models import EarlyWarning, RiskScore, RiskSignal
from certbridge.risk.parameters import load_parameters, set_parameter
from certbridge.risk.subjects import MODELS, subject_name
from certbridge.risk.warnings import count_open_warnings, decide_warning, list_warnings
from certbridge.web.csrf import require_csrf
from certbridge.web.dashboard import DashboardItem, DashboardPanel, register_panel_provider, tone
from certbridge.web.forms import text
from certbridge.web.guards import regulator
from certbridge.web.i18n import N_, gettext
from certbridge.web.nav import REGULATORS, NavEntry, add_nav_entry
from certbridge.web.page_actions import form_done
from certbridge.web.posted import PostedForm
from certbridge.web.slots import fill_slot
from certbridge.web.templating import render, t

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
SIGNAL_WORDS = {
    "complaints": N_("Complaints"), "complaint_rate": N_("Complaints per 100 valid certificates"),
    "suspensions": N_("Certificates suspended or withdrawn"), "failed_checks": N_("Spot checks that found problems"),
    "penalties": N_("Penalties"), "issued_while_restricted": N_("Issued or audited while restricted"),
    "pace": N_("Issuing pace against its usual"), "auditor_load": N_("Audit days in the window"),
    "short_audits": N_("Audits shorter than the scheme minimum"),
    "double_booked": N_("Same auditor at two sites on the same day"), "score": N_("Score"),
    "late_report": N_("Annual reports filed late or missing"),
    "review": N_("Review of everything a person took part in"),
}
TYPE_WORDS = {"body": N_("Certification body"), "organization": N_("Certified organization"),
              "person": N_("Auditor")}
DECISION_WORDS = {"open": N_("Open"), "dismissed": N_("Dismissed"), "inspect": N_("Inspection ordered"),
                  "penalize": N_("Penalty proceedings")}


@router.get("/regulator/risk")
def risk_overview(request: Request, db: ReadDB):
    """The subjects with the highest scores, per type."""
    regulator(request)
    kind = request.query_params.get("type") if request.query_params.get("type") in MODELS else "body"
    rows = list(db.scalars(select(RiskScore).where(RiskScore.subject_type == kind)
                           .order_by(RiskScore.score.desc(), RiskScore.subject_id).limit(100)))
    return render(request, "risk/overview.html", {
        "kind": kind, "rows": [{"r": r, "name": subject_name(db, kind, r.subject_id)} for r in rows],
        "type_words": TYPE_WORDS, "open_warnings": count_open_warnings(db)})


@router.get("/regulator/risk/{subject_type}/{subject_id}")
def risk_subject(request: Request, db: ReadDB, subject_type: str, subject_id: Id):
    """One subject's signals with evidence, its score and warnings; for an auditor, everything they took part in."""
    regulator(request)
    if subject_type not in MODELS or db.get(MODELS[subject_type], subject_id) is None:
        raise NotFound("not_found")
    params = load_parameters(db)
    signals = list(db.scalars(select(RiskSignal).where(RiskSignal.subject_type == subject_type,
                                                       RiskSignal.subject_id == subject_id)
                              .order_by(RiskSignal.signal)))
    return render(request, "risk/subject.html", {
        "kind": subject_type, "sid": subject_id, "name": subject_name(db, subject_type, subject_id),
        "score": db.get(RiskScore, (subject_type, subject_id)), "signals": signals, "params": params,
        "warnings": list(db.scalars(select(EarlyWarning).where(EarlyWarning.subject_type == subject_type,
                                                               EarlyWarning.subject_id == subject_id)
                                    .order_by(EarlyWarning.id.desc()))),
        "complaints": complaints_about(db, subject_type, subject_id),
        "record": person_record(db, subject_id) if subject_type == "person" else None,
        "signal_words": SIGNAL_WORDS, "type_words": TYPE_WORDS, "decision_words": DECISION_WORDS})


@router.post("/regulator/risk/person/{person_id}/review")
def risk_review(request: Request, form: PostedForm, person_id: Id):
    """Record a finding against a person: it opens a review of everything they took part in."""
    principal = regulator(request)
    try:
        with write_session(request.app.state.sessions) as session:
            open_review(session, principal=principal, person_id=person_id, finding=text(form, "finding"))
    except DomainError as exc:
        return form_done(request, f"/regulator/risk/person/{person_id}", exc, form)
    return form_done(request, f"/regulator/risk/person/{person_id}", success=t(request, "A review is opened."))


@router.post("/regulator/risk/recompute")
def risk_recompute(request: Request):
    """Recompute every signal now (also run daily, and incrementally after every write)."""
    principal = regulator(request)
    with write_session(request.app.state.sessions) as session:
        recompute_all(session, principal=principal)
    return form_done(request, "/regulator/risk", success=t(request, "Every signal is recomputed."))


@router.get("/regulator/warnings")
def warnings_page(request: Request, db: ReadDB):
    """Early warnings by status and responsible region, with their evidence and the decision forms."""
    regulator(request)
    status = request.query_params.get("status", "open")
    status = status if status in DECISION_WORDS else None
    region = (request.query_params.get("region") or "")[:6] or None
    return render(request, "risk/warnings.html", {
        "items": list_warnings(db, status=status, region=region, limit=200), "status": status, "region": region,
        "signal_words": SIGNAL_WORDS, "type_words": TYPE_WORDS, "decision_words": DECISION_WORDS})


@router.post("/regulator/warnings/{warning_id}/decide")
def warning_decide(request: Request, form: PostedForm, warning_id: Id):
    """Decide a warning: dismiss (with a reason), inspect, or penalize."""
    principal = regulator(request)
    try:
        with write_session(request.app.state.sessions) as session:
            decide_warning(session, principal=principal, warning_id=warning_id, decision=text(form, "decision"),
                           reason=text(form, "reason"))
    except DomainError as exc:
        return form_done(request, "/regulator/warnings", exc, form)
    return form_done(request, "/regulator/warnings", success=t(request, "The warning is decided."))


@router.get("/regulator/risk/parameters")
def parameters_page(request: Request, db: ReadDB):
    """The weights, thresholds and windows of every signal."""
    regulator(request)
    return render(request, "risk/parameters.html", {"params": load_parameters(db), "signal_words": SIGNAL_WORDS})


@router.post("/regulator/risk/parameters/{signal}")
def parameter_set(request: Request, form: PostedForm, signal: str):
    """Change one signal's parameters (recorded in the log; the next recompute uses them)."""
    principal = regulator(request)
    try:
        try:
            weight, threshold = int(text(form, "weight")), float(text(form, "threshold"))
            window = int(text(form, "window_days"))
        except ValueError:
            raise InvalidInput("risk.number", field="threshold") from None
        with write_session(request.app.state.sessions) as session:
            set_parameter(session, principal=principal, signal=signal, weight=weight, threshold=threshold,
                          window_days=window, warn=text(form, "warn") == "1")
    except DomainError as exc:
        return form_done(request, "/regulator/risk/parameters", exc, form)
    return form_done(request, "/regulator/risk/parameters")


def warnings_panel(session: Session, principal: Principal, lang: str) -> list[DashboardPanel]:
    """Early warnings waiting for a decision."""
    count = count_open_warnings(session)
    return [DashboardPanel(gettext(lang, "Risk"), [
        DashboardItem(gettext(lang, "Early warnings to decide"), count, "/regulator/warnings", tone(count, bad=True)),
    ], order=35)]


def install(app: FastAPI) -> None:
    """Mount the risk and alert pages, the certificate-page slot, header links, the panel and the follower."""
    add_routes(app, router)
    add_routes(app, alert_pages.router)
    add_routes(app, disclosure_pages.router)
    fill_slot("certificate.page", alert_pages.certificate_alerts)
    fill_slot("body.page", disclosure_pages.body_page_slot)
    add_nav_entry(NavEntry("/cb/disclosures", N_("Disclosures"), roles=("cb_operator",), area="cb", order=60))
    add_nav_entry(NavEntry("/regulator/warnings", N_("Warnings"), roles=REGULATORS, area="regulator", order=72))
    add_nav_entry(NavEntry("/regulator/risk", N_("Risk"), roles=REGULATORS, area="regulator", order=73))
    add_nav_entry(NavEntry("/regulator/alerts", N_("Alerts"), roles=REGULATORS, area="regulator", order=74))
    register_panel_provider(warnings_panel)
    follow.install(app)
    daily.install(app)
