"""The regulator's console page of accreditation bodies: every body with its scopes and recognition, and the
import of a CSV/XLSX/JSON file (one row per scope; each body named is replaced; all rows or none)."""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from starlette.datastructures import UploadFile

from certbridge.accreditation.service import IMPORT_COLUMNS, import_accreditation_bodies, list_accreditation_bodies
from certbridge.api.routing import APIRouter, add_routes
from certbridge.db import read_session, write_session
from certbridge.errors import InvalidInput, ValidationErrors
from certbridge.web.csrf import require_csrf
from certbridge.web.forms import domain_errors
from certbridge.web.guards import regulator
from certbridge.web.i18n import N_, request_language
from certbridge.web.nav import REGULATORS, NavEntry, add_nav_entry
from certbridge.web.posted import PostedForm
from certbridge.web.templating import render, t

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


def _page(request: Request, errors: dict, recorded: list[str] | None = None, status_code: int = 200):
    with read_session(request.app.state.sessions) as db:
        bodies = list_accreditation_bodies(db)
        return render(request, "accreditation/bodies.html", {
            "bodies": bodies, "columns": IMPORT_COLUMNS, "errors": errors, "recorded": recorded},
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


def install(app: FastAPI) -> None:
    """Mount the accreditation console page and its header link."""
    add_routes(app, router)
    add_nav_entry(NavEntry("/regulator/accreditation", N_("Accreditation bodies"), roles=REGULATORS,
                           area="regulator", order=76))
