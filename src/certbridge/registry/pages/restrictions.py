"""Regulator console: restrictions in force (impose, lift)."""

from __future__ import annotations

from datetime import date

from fastapi import Depends, Request
from sqlalchemy import or_, select

from certbridge.api.deps import ReadDB
from certbridge.api.params import Id
from certbridge.api.routing import APIRouter
from certbridge.db import write_session
from certbridge.errors import DomainError, InvalidInput
from certbridge.registry.models import CertificationBody, Organization, Person, Restriction
from certbridge.registry.pages.registers import _errors, resolve_subject
from certbridge.registry.restrictions import KINDS, SUBJECT_TYPES, impose_restriction, lift_restriction
from certbridge.web.csrf import require_csrf
from certbridge.web.forms import form_values_of, parse_date, text
from certbridge.web.guards import regulator
from certbridge.web.i18n import N_, request_language
from certbridge.web.listing import SortKey, sorted_list
from certbridge.web.posted import PostedForm
from certbridge.web.templating import redirect, render, t

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
SUBJECT_MODELS = {"body": CertificationBody, "organization": Organization, "person": Person}


RESTRICTION_SORTS = {"starts_on": SortKey(Restriction.starts_on, N_("Starts on")),
                     "ends_on": SortKey(Restriction.ends_on, N_("Ends on")),
                     "kind": SortKey(Restriction.kind, N_("Kind"))}


def _in_force(request, db, today: date) -> dict:
    """Return a page of the restrictions in force (newest first unless sorted), each with its subject's name."""
    stmt = select(Restriction).where(Restriction.lifted_on.is_(None),
                                     or_(Restriction.ends_on.is_(None), Restriction.ends_on >= today))
    listing = sorted_list(request, db, stmt, sorts=RESTRICTION_SORTS, tie=Restriction.id,
                          default_order=(Restriction.id.desc(),), base="/regulator/restrictions")
    out = []
    for r in listing["rows"]:
        subject = db.get(SUBJECT_MODELS[r.subject_type], r.subject_id) if r.subject_type in SUBJECT_MODELS else None
        out.append({"r": r, "name": getattr(subject, "name", None) or f"#{r.subject_id}"})
    return {**listing, "items": out}


def _page(request, db, *, values=None, errors=None, general=None, status_code=200):
    return render(request, "regulator/restrictions.html", {
        **_in_force(request, db, date.today()), "values": values or {"starts_on": date.today().isoformat(),
                                                                    "subject_type": "organization"},
        "errors": errors or {}, "general": general, "kinds": KINDS, "subject_types": SUBJECT_TYPES,
    }, status_code=status_code)


@router.get("/regulator/restrictions")
def restrictions(request: Request, db: ReadDB):
    """List the restrictions in force, with a form to impose one."""
    regulator(request)
    return _page(request, db)


@router.post("/regulator/restrictions")
def impose(request: Request, form: PostedForm, db: ReadDB):
    """Bar a person, list an organization or restrict a body; every service enforces it at once."""
    principal = regulator(request)
    lang = request_language(request)
    values = form_values_of(form, ("subject_type", "subject_ref", "kind", "reason", "starts_on", "ends_on", "source"))
    try:
        if values["subject_type"] not in SUBJECT_TYPES:
            raise InvalidInput("restriction.subject_unknown", field="subject_type", value=values["subject_type"])
        if not values["reason"]:
            raise InvalidInput("field.required", field="reason")
        starts_on = parse_date(values["starts_on"], "starts_on") or date.today()
        subject_id = resolve_subject(db, values["subject_type"], values["subject_ref"])
        with write_session(request.app.state.sessions) as wdb:
            impose_restriction(wdb, principal=principal, subject_type=values["subject_type"], subject_id=subject_id,
                               kind=values["kind"], reason=values["reason"], starts_on=starts_on,
                               ends_on=parse_date(values["ends_on"], "ends_on"), source=values["source"] or None)
    except DomainError as exc:
        errors, general = _errors(exc, lang)
        return _page(request, db, values=values, errors=errors, general=general, status_code=exc.status)
    return redirect(request, "/regulator/restrictions", flash=t(request, "The restriction is in force."))


@router.post("/regulator/restrictions/{restriction_id}/lift")
def lift(request: Request, form: PostedForm, db: ReadDB, restriction_id: Id):
    """Lift a restriction early (credit repair, early removal)."""
    principal = regulator(request)
    lang = request_language(request)
    reason = text(form, "reason")
    try:
        if not reason:
            raise InvalidInput("field.required", field="reason")
        with write_session(request.app.state.sessions) as wdb:
            lift_restriction(wdb, principal=principal, restriction_id=restriction_id, on=date.today(), reason=reason)
    except DomainError as exc:
        errors, general = _errors(exc, lang)
        return _page(request, db, errors={}, general=general or next(iter(errors.values()), None),
                     status_code=exc.status)
    return redirect(request, "/regulator/restrictions", flash=t(request, "The restriction is lifted."))
