"""The regulator's console page of accreditation bodies: every body with its scopes and recognition, the
import of a CSV/XLSX/JSON file (one row per scope; each body named is replaced; all rows or none), and the
registration of a foreign certification body (registry/foreign_bodies.py) with the list of those registered."""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from sqlalchemy import select
from starlette.datastructures import UploadFile

from certbridge.accreditation.service import IMPORT_COLUMNS, import_accreditation_bodies, list_accreditation_bodies
from certbridge.api.routing import APIRouter, add_routes
from certbridge.db import read_session, write_session
from certbridge.errors import DomainError, InvalidInput, ValidationErrors
from certbridge.registry import choices as lookups
from certbridge.registry.foreign_bodies import register_foreign_body
from certbridge.registry.models import CertificationBody
from certbridge.web.csrf import require_csrf
from certbridge.web.forms import domain_errors, form_values_of, parse_date
from certbridge.web.page_actions import REFUSALS
from certbridge.web.guards import regulator
from certbridge.web.i18n import N_, request_language
from certbridge.web.nav import REGULATORS, NavEntry, add_nav_entry
from certbridge.web.posted import PostedForm
from certbridge.web.templating import render, t
from certbridge.i18n.catalog import render as message

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


FOREIGN_FIELDS = ("country", "foreign_id", "name", "name_en", "address", "registered_on")
# The API's limits (accreditation/api.py ForeignBodyIn), checked so a long input is a message, not a database error.
FOREIGN_LIMITS = {"foreign_id": 27, "name": 200, "name_en": 300, "address": 300}


def _page(request: Request, errors: dict, recorded: list[str] | None = None, status_code: int = 200, *,
          foreign_errors: dict | None = None, foreign_values: dict | None = None, registered: str | None = None):
    lang = request_language(request)
    with read_session(request.app.state.sessions) as db:
        bodies = list_accreditation_bodies(db)
        foreign = list(db.scalars(select(CertificationBody).where(CertificationBody.country.is_not(None))
                                  .order_by(CertificationBody.code)))
        return render(request, "accreditation/bodies.html", {
            "bodies": bodies, "columns": IMPORT_COLUMNS, "errors": errors, "recorded": recorded,
            "foreign": foreign, "field_options": lookups.field_options(db, lang),
            "foreign_errors": foreign_errors or {}, "foreign_values": foreign_values or {}, "registered": registered},
            status_code=status_code)


@router.get("/regulator/accreditation")
def accreditation_page(request: Request):
    """Show the accreditation bodies with their scopes, and the import form."""
    regulator(request)
    return _page(request, {})


@router.post("/regulator/accreditation/import")
def accreditation_import(request: Request, form: PostedForm):
    """Import accreditation bodies from a file; a bad row refuses the whole file with every problem listed."""
    principal = regulator(request)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(request, {"file": t(request, "Choose a CSV, XLSX or JSON file.")}, status_code=422)
    max_bytes = request.app.state.settings.import_max_file_bytes
    data = upload.file.read(max_bytes + 1)
    try:
        with write_session(request.app.state.sessions) as wdb:
            recorded = import_accreditation_bodies(wdb, principal=principal, filename=upload.filename, data=data)
    except (InvalidInput, ValidationErrors) as exc:  # a refusal (a read-only key) stays a refusal
        return _page(request, domain_errors(exc, request_language(request)), status_code=422)
    return _page(request, {}, recorded)


@router.post("/regulator/accreditation/foreign-bodies")
def foreign_body(request: Request, form: PostedForm):
    """Register a foreign certification body; a refused form comes back filled in with the reason."""
    principal = regulator(request)
    values = form_values_of(form, FOREIGN_FIELDS)
    values["fields"] = [f for f in form.getlist("fields") if isinstance(f, str)]
    try:
        for key, limit in FOREIGN_LIMITS.items():
            if len(values[key] or "") > limit:
                raise InvalidInput("field.too_long", field=key, max=limit)
        registered_on = parse_date(values["registered_on"], "registered_on")
        if registered_on is None:
            raise InvalidInput("field.required", field="registered_on")
        with write_session(request.app.state.sessions) as wdb:
            body = register_foreign_body(wdb, principal=principal, country=values["country"],
                                         foreign_id=values["foreign_id"], name=values["name"],
                                         name_en=values["name_en"] or None, address=values["address"] or None,
                                         fields=values["fields"], registered_on=registered_on)
            done = message("body.foreign_registered", request_language(request), name=body.name, code=body.code)
    except DomainError as exc:
        if isinstance(exc, REFUSALS):
            raise
        return _page(request, {}, foreign_errors=domain_errors(exc, request_language(request)),
                     foreign_values=values, status_code=exc.status)
    return _page(request, {}, registered=done)


def install(app: FastAPI) -> None:
    """Mount the accreditation console page and its header link."""
    add_routes(app, router)
    add_nav_entry(NavEntry("/regulator/accreditation", N_("Accreditation bodies"), roles=REGULATORS,
                           area="regulator", order=76))
