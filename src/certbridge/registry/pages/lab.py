"""The lab operator's console: their lab, its approved scope (qualified test items), and what they may change.

A lab operator can, through the API, read their lab and change its particulars (`PATCH /api/v1/labs/{id}`)
and manage their API keys; this page makes the same reachable from the site. Status and validity stay the
regulator's, and the test items change only through an approved licensing case (变更, /licensing).
"""

from __future__ import annotations

from datetime import date

from fastapi import Depends, Request

from certbridge.api.deps import ReadDB
from certbridge.api.routing import APIRouter
from certbridge.db import write_session
from certbridge.errors import DomainError, Forbidden
from certbridge.i18n.catalog import render as render_message
from certbridge.registry import choices
from certbridge.registry import labs as lab_service
from certbridge.web.csrf import require_csrf
from certbridge.web.forms import domain_errors, form_values_of, split_general
from certbridge.web.guards import signed_in
from certbridge.web.i18n import request_language
from certbridge.web.posted import PostedForm
from certbridge.web.templating import redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
FIELDS = ("name", "address", "region_code")


def lab_operator(request: Request):
    """Return the signed-in lab operator, refusing anyone else."""
    principal = signed_in(request)
    if principal.role != "lab_operator" or principal.lab_id is None:
        raise Forbidden("auth.lab_only")
    return principal


def _values(lab) -> dict[str, str]:
    return {"name": lab.name, "address": lab.address or "", "region_code": lab.region_code or ""}


def _page(request: Request, db, lab, *, values, errors=None, general=None, status_code=200):
    return render(request, "lab/home.html", {
        "lab": lab, "values": values, "errors": errors or {}, "general": general, "today": date.today(),
        "region": choices.region_name(db, lab.region_code)}, status_code=status_code)


@router.get("/lab")
def lab_home(request: Request, db: ReadDB):
    """Show the operator's lab: qualification, status, validity, test items, and a form for the particulars."""
    principal = lab_operator(request)
    lab = lab_service.get_lab(db, principal.lab_id)
    return _page(request, db, lab, values=_values(lab))


@router.post("/lab")
def lab_save(request: Request, db: ReadDB, form: PostedForm):
    """Save the lab's name, address and region (as PATCH /api/v1/labs/{id} does); test items need a case."""
    principal = lab_operator(request)
    lang = request_language(request)
    lab = lab_service.get_lab(db, principal.lab_id)
    values = form_values_of(form, FIELDS)
    try:
        changes = {"name": values["name"] or lab.name, "address": values["address"] or None,
                   "region_code": values["region_code"] or None}
        with write_session(request.app.state.sessions) as wdb:
            lab_service.update_lab(wdb, principal=principal, lab_id=lab.id, changes=changes)
    except DomainError as exc:
        errors, general = split_general(domain_errors(exc, lang), set(FIELDS))
        return _page(request, db, lab, values=values, errors=errors, general=general, status_code=exc.status)
    return redirect(request, "/lab", flash=render_message("ui.lab.saved", lang))
