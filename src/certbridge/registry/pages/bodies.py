"""Regulator console: the register of certification bodies (approve, change, suspend, revoke) and its dashboard panel."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import Depends, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certbridge.api.deps import ReadDB
from certbridge.api.params import Id
from certbridge.api.routing import APIRouter
from certbridge.db import write_session
from certbridge.errors import DomainError, InvalidInput
from certbridge.principal import Principal
from certbridge.registry import choices as lookups
from certbridge.registry.bodies import BODY_STATUSES, approve_body, change_body, get_body, set_body_status
from certbridge.registry.identity import fingerprint, identity_key
from certbridge.registry.models import CertificationBody, Lab
from certbridge.web.csrf import require_csrf
from certbridge.web.dashboard import DashboardItem, DashboardPanel, tone
from certbridge.web.forms import domain_errors, form_values_of, parse_date, split_general, text
from certbridge.web.guards import regulator, rehearsal
from certbridge.web.i18n import N_, gettext, request_language
from certbridge.web.listing import SortKey, sorted_list
from certbridge.web.posted import PostedForm
from certbridge.web.slots import notify_slot
from certbridge.web.templating import redirect, render, t

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
LAPSE_WINDOW_DAYS = 90  # approvals lapsing within this many days are flagged
BODY_LABELS = {"code": N_("Body code"), "approval_number": N_("Approval number"), "name": N_("Name"),
               "name_en": N_("Name (English)"), "uscc": N_("Unified social credit code"),
               "region_code": N_("Region code"), "address": N_("Address"), "approved_on": N_("Approved on"),
               "valid_until": N_("Valid until"), "fields": N_("Approved fields"), "status": N_("New status"),
               "reason": N_("Reason"),
               "legal_representative_id_number": N_("Legal representative's ID card or passport number")}
# status → what it does to the body's certificates and new issues
STATUS_EFFECT = {
    "suspended": N_("%(name)s will be shown as suspended and cannot issue any new certificate until restored. "
                    "Its existing certificates stay as they are."),
    "approved": N_("%(name)s will be approved again and may issue certificates in its approved fields."),
    "revoked": N_("%(name)s's approval will be revoked: it can issue nothing, and this cannot be undone here. "
                  "Its certificates should be withdrawn or transferred."),
    "withdrawn": N_("%(name)s's approval will be withdrawn (cancelled): it can issue nothing from now on."),
}


def _labels(lang: str) -> dict[str, str]:
    return {k: gettext(lang, v) for k, v in BODY_LABELS.items()}


BODY_SORTS = {"code": SortKey(CertificationBody.code, N_("Body code")),
              "name": SortKey(CertificationBody.name, N_("Name")),
              "status": SortKey(CertificationBody.status, N_("Status")),
              "valid_until": SortKey(CertificationBody.valid_until, N_("Valid until"))}


@router.get("/regulator/bodies")
def bodies(request: Request, db: ReadDB):
    """List every body with its standing; narrow to those lapsing soon or lapsed."""
    regulator(request)
    lang = request_language(request)
    today = date.today()
    stmt = select(CertificationBody)
    lapsing, lapsed = request.query_params.get("lapsing"), request.query_params.get("lapsed")
    if lapsing:
        stmt = stmt.where(CertificationBody.valid_until >= today,
                          CertificationBody.valid_until <= today + timedelta(days=LAPSE_WINDOW_DAYS))
    if lapsed:
        stmt = stmt.where(CertificationBody.valid_until < today)
    values = {k: "1" for k, v in (("lapsing", lapsing), ("lapsed", lapsed)) if v}
    listing = sorted_list(request, db, stmt, sorts=BODY_SORTS, tie=CertificationBody.id,
                          default_order=(CertificationBody.code, CertificationBody.id), base="/regulator/bodies",
                          values=values)
    return render(request, "regulator/bodies.html", {
        **listing, "bodies": [(b, lookups.body_name(b, lang)) for b in listing["rows"]],
        "filtered": bool(lapsing or lapsed), "field_names": lookups.field_names(db, lang),
    })


def _body_form(request, db, *, body=None, values=None, errors=None, general=None, status_code=200):
    lang = request_language(request)
    return render(request, "regulator/body_form.html", {
        "b": body, "values": values or {}, "errors": errors or {}, "general": general,
        "fields": lookups.field_options(db, lang),
        "status_choices": [(s, lookups.render_message(f"body_status.{s}", lang)) for s in BODY_STATUSES
                           if body is None or s != body.status],
    }, status_code=status_code)


@router.get("/regulator/bodies/new")
def new_body(request: Request, db: ReadDB):
    """Show the form to record a body's approval."""
    regulator(request)
    return _body_form(request, db, values={"approved_on": date.today().isoformat(), "fields": []})


@router.post("/regulator/bodies/new")
def create_body(request: Request, form: PostedForm, db: ReadDB):
    """Record a body's approval with its fields."""
    principal = regulator(request)
    lang = request_language(request)
    values: dict[str, Any] = form_values_of(form, ("code", "approval_number", "name", "name_en", "uscc",
                                                   "region_code", "address", "approved_on", "valid_until"))
    values["fields"] = [f for f in form.getlist("fields") if isinstance(f, str)]
    values["foreign_invested"] = bool(form.get("foreign_invested"))
    representative = text(form, "legal_representative_id_number")  # never echoed back into the form
    try:
        rep_print = fingerprint(identity_key(request.app.state.settings), representative,
                                field="legal_representative_id_number") if representative else None
        approved_on = parse_date(values["approved_on"], "approved_on")
        if approved_on is None:
            raise InvalidInput("field.required", field="approved_on")
        with write_session(request.app.state.sessions) as wdb:
            body = approve_body(wdb, principal=principal, code=values["code"],
                                approval_number=values["approval_number"], name=values["name"],
                                fields=values["fields"], approved_on=approved_on,
                                valid_until=parse_date(values["valid_until"], "valid_until"),
                                uscc=values["uscc"] or None,
                                foreign_invested=values["foreign_invested"],
                                region_code=values["region_code"] or None, address=values["address"] or None,
                                name_en=values["name_en"] or None, legal_rep_fingerprint=rep_print)
            # The licensing capability makes the approval's 双公示 record in this same transaction.
            notify_slot("body.approved", session=wdb, principal=principal, body=body,
                        settings=request.app.state.settings)
            body_id = body.id
    except DomainError as exc:
        errors, general = split_general(domain_errors(exc, lang, _labels(lang)), set(BODY_LABELS))
        return _body_form(request, db, values=values, errors=errors, general=general, status_code=exc.status)
    return redirect(request, f"/regulator/bodies/{body_id}", flash=t(request, "The body's approval is recorded."))


def _body_values(body: CertificationBody) -> dict[str, Any]:
    return {"name": body.name, "name_en": body.name_en or "", "address": body.address or "",
            "region_code": body.region_code or "",
            "valid_until": body.valid_until.isoformat() if body.valid_until else "",
            "fields": [f.field_code for f in body.fields]}


@router.get("/regulator/bodies/{body_id}")
def body_page(request: Request, db: ReadDB, body_id: Id):
    """Show a body with forms to change its particulars and its approval status."""
    regulator(request)
    body = get_body(db, body_id)
    return _body_form(request, db, body=body, values=_body_values(body))


@router.post("/regulator/bodies/{body_id}")
def update_body(request: Request, form: PostedForm, db: ReadDB, body_id: Id):
    """Change a body's particulars, validity or approved fields."""
    principal = regulator(request)
    lang = request_language(request)
    body = get_body(db, body_id)
    values: dict[str, Any] = form_values_of(form, ("name", "name_en", "address", "region_code", "valid_until"))
    values["fields"] = [f for f in form.getlist("fields") if isinstance(f, str)]
    try:
        if not values["name"]:
            raise InvalidInput("field.required", field="name")
        changes = {"name": values["name"], "name_en": values["name_en"] or None, "address": values["address"] or None,
                   "region_code": values["region_code"] or None,
                   "valid_until": parse_date(values["valid_until"], "valid_until"), "fields": values["fields"]}
        with write_session(request.app.state.sessions) as wdb:
            change_body(wdb, principal=principal, body_id=body.id, changes=changes)
    except DomainError as exc:
        errors, general = split_general(domain_errors(exc, lang, _labels(lang)), set(BODY_LABELS))
        return _body_form(request, db, body=body, values=values, errors=errors, general=general,
                          status_code=exc.status)
    return redirect(request, f"/regulator/bodies/{body.id}", flash=t(request, "The body's particulars are saved."))


@router.post("/regulator/bodies/{body_id}/status")
def change_status(request: Request, form: PostedForm, db: ReadDB, body_id: Id):
    """Rehearse a status change and ask for confirmation (step=review), or make it (step=confirm)."""
    principal = regulator(request)
    lang = request_language(request)
    body = get_body(db, body_id)
    status, reason = text(form, "status"), text(form, "reason")
    confirm = text(form, "step") == "confirm"
    try:
        with (write_session(request.app.state.sessions) if confirm else rehearsal(request)) as wdb:
            set_body_status(wdb, principal=principal, body_id=body.id, status=status, reason=reason)
    except DomainError as exc:
        errors, general = split_general(domain_errors(exc, lang, _labels(lang)), {"status", "reason"})
        values = {**_body_values(body), "status": status, "reason": reason}
        return _body_form(request, db, body=body, values=values, errors=errors, general=general,
                          status_code=exc.status)
    word = lookups.render_message(f"body_status.{status}", lang)
    if confirm:
        return redirect(request, f"/regulator/bodies/{body.id}",
                        flash=t(request, "%(name)s is now: %(status)s.", name=body.name, status=word))
    return render(request, "regulator/body_status_confirm.html", {
        "b": body, "status": status, "reason": reason, "word": word,
        "effect": gettext(lang, STATUS_EFFECT[status], name=body.name),
    })


def approvals_panel(session: Session, principal: Principal, lang: str,
                    today: date | None = None) -> list[DashboardPanel]:
    """Bodies whose approval lapses within 90 days or has lapsed, and labs whose qualification does."""
    today = today or date.today()
    horizon = today + timedelta(days=LAPSE_WINDOW_DAYS)
    soon = list(session.scalars(select(CertificationBody).where(
        CertificationBody.status.in_(("approved", "suspended")), CertificationBody.valid_until.is_not(None),
        CertificationBody.valid_until >= today, CertificationBody.valid_until <= horizon)
        .order_by(CertificationBody.valid_until)))
    lapsed = list(session.scalars(select(CertificationBody).where(
        CertificationBody.status.in_(("approved", "suspended")), CertificationBody.valid_until < today)))
    labs_soon = session.scalar(select(func.count()).select_from(Lab).where(
        Lab.status == "valid", Lab.valid_until >= today, Lab.valid_until <= horizon)) or 0
    g = lambda msg, **kw: gettext(lang, msg, **kw)  # noqa: E731
    return [DashboardPanel(g("Approvals"), [
        DashboardItem(g("Body approvals lapsing within %(days)s days", days=LAPSE_WINDOW_DAYS), len(soon),
                      "/regulator/bodies?lapsing=1", tone(len(soon)),
                      [f"{b.name} — {b.valid_until.isoformat()}" for b in soon[:5]]),
        DashboardItem(g("Body approvals already lapsed but still marked approved"), len(lapsed),
                      "/regulator/bodies?lapsed=1", tone(len(lapsed), bad=True), [b.name for b in lapsed[:5]]),
        DashboardItem(g("Lab qualifications lapsing within %(days)s days", days=LAPSE_WINDOW_DAYS), labs_soon,
                      "/regulator/labs", tone(labs_soon)),
    ], order=10)]
