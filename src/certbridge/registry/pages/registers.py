"""Regulator console: labs, people and registrations, schemes, restrictions, and fake-certificate reports."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Depends, Request
from sqlalchemy import select

from certbridge.api.deps import ReadDB
from certbridge.api.params import Id
from certbridge.api.routing import APIRouter
from certbridge.db import write_session
from certbridge.errors import DomainError, InvalidInput
from certbridge.registry import choices as lookups
from certbridge.registry import labs as lab_service
from certbridge.registry import people as people_service
from certbridge.registry.bodies import find_body
from certbridge.registry.identity import fingerprint, identity_key
from certbridge.registry.models import CertificationBody, Lab, Person, Scheme, Standard
from certbridge.registry.service import find_organization_by_uscc
from certbridge.web.csrf import require_csrf
from certbridge.web.forms import domain_errors, form_values_of, parse_date, split_general, text
from certbridge.web.guards import regulator
from certbridge.web.i18n import N_, gettext, request_language
from certbridge.web.listing import SortKey, sorted_list
from certbridge.web.posted import PostedForm
from certbridge.web.templating import redirect, render, t

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
LABELS = {"cma_number": N_("CMA number"), "name": N_("Name"), "uscc": N_("Unified social credit code"),
          "region_code": N_("Region code"), "address": N_("Address"), "qualified_on": N_("Qualified on"),
          "valid_until": N_("Valid until"), "capabilities": N_("Qualified test items"), "status": N_("Status"),
          "kind": N_("Kind"), "body_id": N_("Certification body"), "employer": N_("Employer"),
          "id_number": N_("ID card or passport number"),
          "registrations.number": N_("Registration number"), "number": N_("Registration number"),
          "field": N_("Scheme covered"), "reason": N_("Reason"), "subject_type": N_("Applies to"),
          "subject_ref": N_("Who"), "starts_on": N_("From"), "ends_on": N_("Until"), "source": N_("Decision number"),
          "note": N_("What you found or did")}


def _labels(lang: str) -> dict[str, str]:
    return {k: gettext(lang, v) for k, v in LABELS.items()}


def _errors(exc: DomainError, lang: str) -> tuple[dict[str, str], str | None]:
    return split_general(domain_errors(exc, lang, _labels(lang), {"registrations.number": "number"}), set(LABELS))


def parse_capabilities(value: str) -> list[dict[str, str]]:
    """Read capabilities typed one per line as "category | item | standard"."""
    out = []
    for line in (value or "").splitlines():
        if line.strip():
            parts = [p.strip() for p in line.replace("｜", "|").split("|")]
            out.append({"category": parts[0], "item": parts[1] if len(parts) > 1 else "",
                        "standard": parts[2] if len(parts) > 2 else ""})
    return out


def _lab_values(lab: Lab) -> dict[str, Any]:
    return {"name": lab.name, "address": lab.address or "", "region_code": lab.region_code or "",
            "status": lab.status, "valid_until": lab.valid_until.isoformat(),
            "capabilities": "\n".join(" | ".join(x for x in (c.category, c.item, c.standard or "") if x is not None)
                                      for c in lab.capabilities)}


LAB_SORTS = {"cma_number": SortKey(Lab.cma_number, N_("CMA number")), "name": SortKey(Lab.name, N_("Name")),
             "status": SortKey(Lab.status, N_("Status")), "valid_until": SortKey(Lab.valid_until, N_("Valid until"))}
PERSON_SORTS = {"name": SortKey(Person.name, N_("Name")), "kind": SortKey(Person.kind, N_("Kind")),
                "created_at": SortKey(Person.created_at, N_("Registered on"))}


@router.get("/regulator/labs")
def labs(request: Request, db: ReadDB):
    """List labs with their qualification standing."""
    regulator(request)
    listing = sorted_list(request, db, select(Lab), sorts=LAB_SORTS, tie=Lab.id, default_order=(Lab.id,),
                          base="/regulator/labs")
    return render(request, "regulator/labs.html", {**listing, "labs": listing["rows"]})


def _lab_form(request, *, lab=None, values, errors=None, general=None, status_code=200):
    return render(request, "regulator/lab_form.html", {"lab": lab, "values": values, "errors": errors or {},
                                                       "general": general}, status_code=status_code)


@router.get("/regulator/labs/new")
def new_lab(request: Request):
    """Show the form to record a lab's qualification."""
    regulator(request)
    return _lab_form(request, values={"qualified_on": date.today().isoformat()})


@router.post("/regulator/labs/new")
def create_lab(request: Request, form: PostedForm):
    """Record a lab's qualification (valid six years unless stated)."""
    principal = regulator(request)
    lang = request_language(request)
    values = form_values_of(form, ("cma_number", "name", "uscc", "region_code", "address", "qualified_on",
                                   "valid_until", "capabilities"))
    try:
        qualified_on = parse_date(values["qualified_on"], "qualified_on")
        if qualified_on is None:
            raise InvalidInput("field.required", field="qualified_on")
        with write_session(request.app.state.sessions) as wdb:
            lab = lab_service.qualify_lab(
                wdb, principal=principal, cma_number=values["cma_number"], name=values["name"],
                qualified_on=qualified_on, valid_until=parse_date(values["valid_until"], "valid_until"),
                uscc=values["uscc"] or None, region_code=values["region_code"] or None,
                address=values["address"] or None, capabilities=parse_capabilities(values["capabilities"]))
            lab_id = lab.id
    except DomainError as exc:
        errors, general = _errors(exc, lang)
        return _lab_form(request, values=values, errors=errors, general=general, status_code=exc.status)
    return redirect(request, f"/regulator/labs/{lab_id}", flash=t(request, "The lab's qualification is recorded."))


@router.get("/regulator/labs/{lab_id}")
def lab_page(request: Request, db: ReadDB, lab_id: Id):
    """Show a lab with a form to change its record and standing."""
    regulator(request)
    lab = lab_service.get_lab(db, lab_id)
    return _lab_form(request, lab=lab, values=_lab_values(lab))


@router.post("/regulator/labs/{lab_id}")
def update_lab(request: Request, form: PostedForm, db: ReadDB, lab_id: Id):
    """Change a lab's particulars, status, validity or capabilities."""
    principal = regulator(request)
    lang = request_language(request)
    lab = lab_service.get_lab(db, lab_id)
    values = form_values_of(form, ("name", "address", "region_code", "status", "valid_until", "capabilities"))
    try:
        if values["status"] not in ("valid", "suspended", "revoked", "expired"):
            raise InvalidInput("field.required", field="status")
        valid_until = parse_date(values["valid_until"], "valid_until")
        if valid_until is None:
            raise InvalidInput("field.required", field="valid_until")
        changes = {"name": values["name"] or lab.name, "address": values["address"] or None,
                   "region_code": values["region_code"] or None, "status": values["status"],
                   "valid_until": valid_until, "capabilities": parse_capabilities(values["capabilities"])}
        with write_session(request.app.state.sessions) as wdb:
            lab_service.update_lab(wdb, principal=principal, lab_id=lab.id, changes=changes)
    except DomainError as exc:
        errors, general = _errors(exc, lang)
        return _lab_form(request, lab=lab, values=values, errors=errors, general=general, status_code=exc.status)
    return redirect(request, f"/regulator/labs/{lab.id}", flash=t(request, "The lab's record is saved."))


@router.get("/regulator/people")
def people(request: Request, db: ReadDB):
    """List auditors, inspectors and experts, optionally of one kind."""
    regulator(request)
    lang = request_language(request)
    kind = request.query_params.get("kind")
    stmt = select(Person)
    if kind in people_service.PERSON_KINDS:
        stmt = stmt.where(Person.kind == kind)
    else:
        kind = None
    listing = sorted_list(request, db, stmt, sorts=PERSON_SORTS, tie=Person.id, default_order=(Person.id,),
                          base="/regulator/people", values={"kind": kind} if kind else {})
    bodies = {b.id: lookups.body_name(b, lang) for b in db.scalars(select(CertificationBody))}
    return render(request, "regulator/people.html", {**listing, "people": listing["rows"], "kind": kind,
                                                     "bodies": bodies})


def _person_form(request, db, *, person=None, values, errors=None, general=None, status_code=200):
    lang = request_language(request)
    return render(request, "regulator/person.html", {
        "person": person, "values": values, "errors": errors or {}, "general": general,
        "bodies": lookups.body_options(db, lang), "schemes": lookups.scheme_options(db, lang),
        "body_name": (lookups.body_name(db.get(CertificationBody, person.body_id), lang)
                      if person is not None and person.body_id else None),
    }, status_code=status_code)


@router.get("/regulator/people/new")
def new_person(request: Request, db: ReadDB):
    """Show the form to register a person."""
    regulator(request)
    return _person_form(request, db, values={"kind": "auditor"})


@router.post("/regulator/people/new")
def create_person(request: Request, form: PostedForm, db: ReadDB):
    """Register an auditor, inspector or expert with a first registration."""
    principal = regulator(request)
    lang = request_language(request)
    values = form_values_of(form, ("name", "kind", "body_id", "employer", "region_code", "number", "field",
                                   "valid_until", "id_number"))
    id_number = values.pop("id_number")  # never echoed back into the form
    try:
        registrations = []
        if values["number"]:
            registrations.append({"number": values["number"], "field": values["field"] or None,
                                  "valid_until": parse_date(values["valid_until"], "valid_until")})
        print_ = fingerprint(identity_key(request.app.state.settings), id_number) if id_number else None
        with write_session(request.app.state.sessions) as wdb:
            person = people_service.register_person(
                wdb, principal=principal, name=values["name"], kind=values["kind"],
                body_id=int(values["body_id"]) if values["body_id"].isdigit() else None,
                employer=values["employer"] or None, region_code=values["region_code"] or None,
                registrations=registrations, id_fingerprint=print_)
            person_id = person.id
    except DomainError as exc:
        errors, general = _errors(exc, lang)
        return _person_form(request, db, values=values, errors=errors, general=general, status_code=exc.status)
    return redirect(request, f"/regulator/people/{person_id}", flash=t(request, "The person is registered."))


@router.get("/regulator/people/{person_id}")
def person_page(request: Request, db: ReadDB, person_id: Id):
    """Show a person's registrations with forms to add or revoke one."""
    regulator(request)
    return _person_form(request, db, person=people_service.get_person(db, person_id), values={})


@router.post("/regulator/people/{person_id}/registrations")
def add_registration(request: Request, form: PostedForm, db: ReadDB, person_id: Id):
    """Add a registration to a person."""
    principal = regulator(request)
    lang = request_language(request)
    person = people_service.get_person(db, person_id)
    values = form_values_of(form, ("number", "field", "valid_until"))
    try:
        registration = {"number": values["number"], "field": values["field"] or None,
                        "valid_until": parse_date(values["valid_until"], "valid_until")}
        with write_session(request.app.state.sessions) as wdb:
            people_service.add_registration(wdb, principal=principal, person_id=person.id, registration=registration)
    except DomainError as exc:
        errors, general = _errors(exc, lang)
        return _person_form(request, db, person=person, values=values, errors=errors, general=general,
                            status_code=exc.status)
    return redirect(request, f"/regulator/people/{person.id}", flash=t(request, "The registration is added."))


@router.post("/regulator/registrations/revoke")
def revoke_registration(request: Request, form: PostedForm, db: ReadDB):
    """Revoke a registration: its holder can be put on no new audit."""
    principal = regulator(request)
    lang = request_language(request)
    number, reason, person_id = text(form, "number"), text(form, "reason"), text(form, "person_id")
    person = people_service.get_person(db, int(person_id)) if person_id.isdigit() else None
    try:
        if not reason:
            raise InvalidInput("field.required", field="reason")
        with write_session(request.app.state.sessions) as wdb:
            person = people_service.revoke_registration(wdb, principal=principal, number=number, reason=reason)
            target = person.id
    except DomainError as exc:
        if person is None:
            raise
        errors, general = _errors(exc, lang)
        return _person_form(request, db, person=person, values={"revoke_number": number}, errors=errors,
                            general=general, status_code=exc.status)
    return redirect(request, f"/regulator/people/{target}",
                    flash=t(request, "Registration %(number)s is revoked.", number=number.upper()))


@router.get("/regulator/schemes")
def schemes(request: Request, db: ReadDB):
    """Show schemes with their configurable rules, and the standards and their transition deadlines."""
    regulator(request)
    lang = request_language(request)
    return render(request, "regulator/schemes.html", {
        "schemes": list(db.scalars(select(Scheme).order_by(Scheme.kind, Scheme.code))),
        "standards": list(db.scalars(select(Standard).order_by(Standard.scheme_code, Standard.code, Standard.version))),
        "field_names": lookups.field_names(db, lang),
    })


def resolve_subject(db, subject_type: str, ref: str) -> int:
    """Find a restriction's subject by USCC (organization), code or approval number (body), registration (person)."""
    ref = (ref or "").strip()
    if not ref:
        raise InvalidInput("field.required", field="subject_ref")
    found = None
    if subject_type == "organization":
        org = find_organization_by_uscc(db, ref)
        found = org.id if org else None
    elif subject_type == "body":
        body = find_body(db, ref)
        found = body.id if body else None
    elif subject_type == "person":
        reg = people_service.find_registration(db, ref)
        found = reg.person_id if reg else None
    if found is None and ref.isdigit():
        found = int(ref)
    if found is None:
        raise InvalidInput("restriction.subject_not_found", field="subject_ref", value=ref)
    return found
